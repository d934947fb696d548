import Foundation

/// Reads scraper JSON Lines (Scrapy and similar): one page per line, its URL and
/// HTML in named fields. Each line is a page; a line that is not a usable page is
/// a reject with its line number, and reading goes on.
public final class JSONLinesReader: IteratorProtocol {
    private let reader: BufferedReader
    private let path: String
    private let options: ReadOptions
    private var line = 0
    private var done = false

    public init(reader: BufferedReader, path: String, options: ReadOptions) {
        self.reader = reader
        self.path = path
        self.options = options
    }

    public func next() -> PageItem? {
        while !done {
            let position = line
            line += 1
            func reject(_ reason: String) -> PageItem { .reject(Reject(input: path, position: position, reason: reason)) }
            let bytes: [UInt8]
            do {
                // JSON escapes can make a line several times the page it carries.
                guard let read = try reader.readLine(maximumLength: options.maxPageBytes * 6 + 1024) else { done = true; return nil }
                bytes = read
            } catch let error as ReadError where error.description.hasPrefix("line longer") {
                try? reader.discardLine()
                return reject("page larger than \(options.maxPageBytes) bytes (see --max-page-bytes)")
            } catch {
                done = true
                return reject("\(error)")
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: [String: Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                    return reject("JSON line is not an object")
                }
                object = parsed
            } catch {
                return reject("invalid JSON: \(Self.describe(error))")
            }
            guard let html = object[options.htmlField] as? String else {
                return reject(object[options.htmlField] == nil ? "no \"\(options.htmlField)\" field" : "\"\(options.htmlField)\" is not a string")
            }
            let bytesOut = Array(html.utf8)
            if bytesOut.count > options.maxPageBytes {
                return reject("page larger than \(options.maxPageBytes) bytes (see --max-page-bytes)")
            }
            var source = PageSource(path: path, position: position)
            source.url = object[options.urlField] as? String
            // The scraper already decoded the page: the JSON string is Unicode.
            return .page(RawPage(source: source, bytes: bytesOut, transportCharset: "UTF-8"))
        }
        return nil
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
