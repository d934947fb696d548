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
                guard let parsed = try JSONSerialization.jsonObject(with: Data(Self.repairingSurrogates(bytes))) as? [String: Any] else {
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

    /// Lone surrogate escapes (`\ud800` without its pair), which scrapers write
    /// for broken pages and which JSON parsers refuse, become `\ufffd`: the page is
    /// kept, with a replacement character where the broken character was.
    static func repairingSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        func hex(_ i: Int) -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for b in bytes[i..<(i + 4)] {
                guard let digit = Character(Unicode.Scalar(b)).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        func isEscape(_ i: Int) -> Bool { i + 1 < bytes.count && bytes[i] == 0x5C && bytes[i + 1] == UInt8(ascii: "u") }
        guard bytes.contains(0x5C) else { return bytes }
        var out: [UInt8]? = nil
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x5C, i + 1 < bytes.count else { out?.append(bytes[i]); i += 1; continue }
            // An escape: `\u` + four hex digits, or any other escaped character (kept whole).
            guard bytes[i + 1] == UInt8(ascii: "u"), let unit = hex(i + 2) else {
                out?.append(contentsOf: bytes[i...(i + 1)]); i += 2; continue
            }
            var length = 6
            var broken = false
            if (0xD800...0xDBFF).contains(unit) {
                if isEscape(i + 6), let low = hex(i + 8), (0xDC00...0xDFFF).contains(low) { length = 12 } else { broken = true }
            } else if (0xDC00...0xDFFF).contains(unit) {
                broken = true
            }
            if broken {
                if out == nil { out = Array(bytes[..<i]) }
                out!.append(contentsOf: Array("\\ufffd".utf8))
            } else {
                out?.append(contentsOf: bytes[i..<(i + length)])
            }
            i += length
        }
        return out ?? bytes
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
