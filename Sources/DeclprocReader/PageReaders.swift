import Foundation

/// What reading an input yields, item by item: pages, rejects, and records that
/// are not pages (counted, then skipped).
public enum PageItem: Sendable {
    case page(RawPage)
    case reject(Reject)
    /// A WARC record that holds no HTML page (request, metadata, an image…), by reason.
    case skipped(reason: String)
}

/// Limits and field names for reading inputs.
public struct ReadOptions: Sendable {
    /// Pages larger than this are rejected, not read: a real page is far smaller.
    public static let defaultMaxPageBytes = 64 << 20
    public var maxPageBytes = defaultMaxPageBytes
    /// Field names of scraper JSON Lines.
    public var urlField = "url"
    public var htmlField = "html"
    public init() {}
}

/// The formats an input can be in.
public enum InputFormat: String, Sendable {
    case html, warc, jsonLines = "jsonl"

    /// By file name; nil when the name says nothing (then the content decides).
    public static func of(name: String) -> InputFormat? {
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        if lower.hasSuffix(".warc") { return .warc }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".jl") { return .jsonLines }
        if InputEnumerator.isPageName(lower) { return .html }
        return nil
    }

    /// By the first bytes (after any gzip layer).
    static func sniff(_ head: [UInt8]) -> InputFormat {
        if head.starts(with: Array("WARC/".utf8)) { return .warc }
        if let first = head.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }), first == UInt8(ascii: "{") {
            return .jsonLines
        }
        return .html
    }
}

/// Opens an input and yields its pages one at a time, so an archive of any size
/// is read in bounded memory.
public enum PageReader {
    public static func pages(of item: InputEnumerator.Item, options: ReadOptions) -> AnyIterator<PageItem> {
        let path: String
        let source: ByteSource
        switch item {
        case .unreadable(let reject):
            return single(.reject(reject))
        case .standardInput:
            path = "-"
            source = FileSource(standardInput: ())
        case .file(let file):
            path = file
            do { source = try FileSource(path: file) }
            catch { return single(.reject(Reject(input: file, position: 0, reason: "\(error)"))) }
        }
        do {
            var reader = BufferedReader(source)
            if try reader.peek(count: 2) == [0x1F, 0x8B] {
                reader = BufferedReader(try GzipSource(reader.asSource()))
            }
            let format = try InputFormat.of(name: path) ?? InputFormat.sniff(reader.peek(count: 512))
            switch format {
            case .html: return single(htmlPage(reader, path: path, options: options))
            case .warc: return AnyIterator(WARCReader(reader: reader, path: path, options: options))
            case .jsonLines: return AnyIterator(JSONLinesReader(reader: reader, path: path, options: options))
            }
        } catch {
            return single(.reject(Reject(input: path, position: 0, reason: "\(error)")))
        }
    }

    static func single(_ item: PageItem) -> AnyIterator<PageItem> {
        var done = false
        return AnyIterator { defer { done = true }; return done ? nil : item }
    }

    static func htmlPage(_ reader: BufferedReader, path: String, options: ReadOptions) -> PageItem {
        do {
            let bytes = try reader.readAll(limit: options.maxPageBytes)
            return .page(RawPage(source: PageSource(path: path), bytes: bytes))
        } catch let error as ReadError where error.description.hasPrefix("larger than") {
            return .reject(Reject(input: path, position: 0, reason: "page larger than \(options.maxPageBytes) bytes (see --max-page-bytes)"))
        } catch {
            return .reject(Reject(input: path, position: 0, reason: "\(error)"))
        }
    }
}

extension BufferedReader {
    /// The reader's remaining bytes as a source (to layer gzip on a peeked stream).
    func asSource() -> ByteSource { ReaderSource(self) }
}

private final class ReaderSource: ByteSource {
    let reader: BufferedReader
    init(_ reader: BufferedReader) { self.reader = reader }
    func read(maximum: Int) throws -> [UInt8] { try reader.read(count: maximum) }
}
