/// Reads WARC 1.0/1.1 archives (wget --warc-file, Heritrix, Browsertrix, Common
/// Crawl), gzipped or not, record by record: a `response` (or `resource`) record
/// with an HTML payload is a page; every other record is counted and skipped.
///
/// A record that cannot be read becomes a reject, and reading resumes at the next
/// record, so one bad record never costs the rest of the archive.
public final class WARCReader: IteratorProtocol {
    private let reader: BufferedReader
    private let path: String
    private let options: ReadOptions
    private var index = 0
    private var done = false
    private var pending: Header?

    public init(reader: BufferedReader, path: String, options: ReadOptions) {
        self.reader = reader
        self.path = path
        self.options = options
    }

    public func next() -> PageItem? {
        guard !done else { return nil }
        defer { index += 1 }
        do {
            let header: Header
            if let pending {
                header = pending
                self.pending = nil
            } else {
                guard let (found, strayLines) = try readHeader() else { done = true; return nil }
                if strayLines > 0 {
                    // The previous record's length was wrong: report the damage now and
                    // read the record found after it on the next call.
                    pending = found
                    return .reject(Reject(input: path, position: index,
                                          reason: "malformed WARC: \(strayLines) stray lines before a record (bad Content-Length?)"))
                }
                header = found
            }
            return try record(header)
        } catch {
            // The stream itself failed (corrupt or truncated gzip, read error): what
            // was read is kept; the failure is one reject, and the input ends here.
            done = true
            return .reject(Reject(input: path, position: index, reason: "\(error)"))
        }
    }

    struct Header {
        var version: String
        var fields: [String: String] = [:] // lower-cased names
        subscript(_ name: String) -> String? { fields[name.lowercased()] }
    }

    /// Skips blank lines between records, then reads the version line and fields.
    /// Also returns how many non-blank lines stood before the version line: any
    /// means the previous record lied about its length.
    private func readHeader() throws -> (Header, Int)? {
        var strayLines = 0
        while true {
            guard let line = try reader.readLine() else {
                if strayLines > 0 { throw ReadError("malformed WARC: \(strayLines) stray lines at the end") }
                return nil
            }
            if line.isEmpty { continue }
            guard line.starts(with: Array("WARC/".utf8)) else { strayLines += 1; continue }
            var header = Header(version: String(decoding: line, as: UTF8.self))
            var lastName: String? = nil
            while let field = try reader.readLine(), !field.isEmpty {
                if field.first == 0x20 || field.first == 0x09, let lastName {
                    header.fields[lastName, default: ""] += " " + String(decoding: field, as: UTF8.self).trimmed()
                    continue
                }
                guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { continue }
                let name = String(decoding: field[..<colon], as: UTF8.self).trimmed().lowercased()
                header.fields[name] = String(decoding: field[(colon + 1)...], as: UTF8.self).trimmed()
                lastName = name
            }
            return (header, strayLines)
        }
    }

    private func record(_ header: Header) throws -> PageItem {
        func reject(_ reason: String) -> PageItem { .reject(Reject(input: path, position: index, reason: reason)) }
        guard let lengthText = header["content-length"], let length = Int64(lengthText), length >= 0 else {
            return reject("malformed WARC record: missing or invalid Content-Length")
        }
        let type = header["warc-type"]?.lowercased() ?? ""
        let isPageRecord = type == "response" || type == "resource"
        if !isPageRecord || length > Int64(options.maxPageBytes) * 2 {
            let skipped = try reader.skip(count: length)
            if skipped < length { return reject("truncated WARC record: \(skipped) of \(length) bytes") }
            if isPageRecord { return reject("page larger than \(options.maxPageBytes) bytes (see --max-page-bytes)") }
            return .skipped(reason: type.isEmpty ? "WARC record without WARC-Type" : "WARC \(type) record")
        }
        var block = try reader.read(count: Int(length))
        var repaired: String? = nil
        if let end = Self.overrun(block, complete: block.count == length, next: try reader.peek(count: 4)) {
            // Content-Length ran past this record into the next one: cut the block at
            // the next record's header and read that record next.
            // The two CRLFs before the next header end this record; they are dropped.
            reader.unread(block[(end + 4)...])
            block.removeSubrange(end...)
            repaired = "WARC Content-Length \(length) ran past the record's end; cut at the next record (\(end) bytes)"
        } else if block.count < length {
            return reject("truncated WARC record: \(block.count) of \(length) bytes")
        }
        var source = PageSource(path: path, position: index)
        source.url = header["warc-target-uri"].map { $0.hasPrefix("<") && $0.hasSuffix(">") ? String($0.dropFirst().dropLast()) : $0 }
        source.warcRecordID = header["warc-record-id"]
        source.warcDate = header["warc-date"]

        let contentType = header["content-type"]?.lowercased() ?? ""
        if type == "resource" || !contentType.contains("application/http") {
            // A resource record holds the document itself.
            guard HTTPMessage.isHTML(contentType: contentType, body: block) else {
                return .skipped(reason: "non-HTML \(type) record (\(contentType.isEmpty ? "no type" : contentType))")
            }
            return page(block, source: source, charset: HTTPMessage.charset(of: contentType), note: repaired)
        }
        let message: HTTPMessage
        do { message = try HTTPMessage(parsing: block) }
        catch { return reject("malformed HTTP response in WARC record: \(error)") }
        guard (200..<300).contains(message.status) else { return .skipped(reason: "HTTP status \(message.status / 100)xx response") }
        guard HTTPMessage.isHTML(contentType: message.contentType, body: message.body) else {
            return .skipped(reason: "non-HTML response (\(message.contentType.split(separator: ";").first.map(String.init) ?? "no type"))")
        }
        do {
            let body = try message.decodedBody(limit: options.maxPageBytes)
            return page(body, source: source, charset: HTTPMessage.charset(of: message.contentType), note: repaired)
        } catch {
            return reject("\(error)")
        }
    }

    private func page(_ bytes: [UInt8], source: PageSource, charset: String?, note: String?) -> PageItem {
        if bytes.count > options.maxPageBytes {
            return .reject(Reject(input: path, position: index, reason: "page larger than \(options.maxPageBytes) bytes (see --max-page-bytes)"))
        }
        var page = RawPage(source: source, bytes: bytes, transportCharset: charset)
        if let note { page.notes.append(note) }
        return .page(page)
    }

    /// Where the next record's header starts inside a block, when the block is cut
    /// short by the end of the input or not followed by the blank lines that end a
    /// record; nil when the block is fine.
    static func overrun(_ block: [UInt8], complete: Bool, next: [UInt8]) -> Int? {
        if complete, next.isEmpty || next.starts(with: [0x0D, 0x0A]) || next.starts(with: [0x0A]) { return nil }
        let marker = Array("\r\n\r\nWARC/1.".utf8)
        guard block.count >= marker.count else { return nil }
        for i in 0...(block.count - marker.count) where block[i] == 0x0D && block[i..<(i + marker.count)].elementsEqual(marker) {
            return i
        }
        return nil
    }
}

/// An HTTP response as stored in a WARC record: status, headers, body.
struct HTTPMessage {
    var status: Int
    var headers: [String: String] = [:] // lower-cased names; repeated headers joined with ", "
    var body: [UInt8]

    var contentType: String { headers["content-type"] ?? "" }

    init(parsing block: [UInt8]) throws {
        // Headers end at the first empty line (CRLF CRLF, or bare LF LF from sloppy servers).
        var lineStart = 0
        var lines: [ArraySlice<UInt8>] = []
        var bodyStart: Int? = nil
        var i = 0
        while i < block.count {
            if block[i] == 0x0A {
                var line = block[lineStart..<i]
                if line.last == 0x0D { line = line.dropLast() }
                if line.isEmpty { bodyStart = i + 1; break }
                lines.append(line)
                lineStart = i + 1
                if lines.count > 1000 { throw ReadError("more than 1000 header lines") }
            }
            i += 1
        }
        guard let bodyStart, let statusLine = lines.first else { throw ReadError("no end of HTTP headers") }
        let parts = String(decoding: statusLine, as: UTF8.self).split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw ReadError("bad HTTP status line")
        }
        self.status = status
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmed().lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmed()
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        body = Array(block[bodyStart...])
    }

    /// The body with transfer and content encodings undone.
    func decodedBody(limit: Int) throws -> [UInt8] {
        var bytes = body
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true, let dechunked = Self.dechunk(bytes) {
            // Some crawlers store bodies already dechunked while keeping the header:
            // only undo chunking when the body really is chunked.
            bytes = dechunked
        }
        for coding in (headers["content-encoding"] ?? "").lowercased().split(separator: ",").map({ $0.trimmed() }).reversed() {
            switch coding {
            case "", "identity": continue
            case "gzip", "x-gzip":
                // Stored bodies are sometimes already decompressed: only inflate real gzip.
                if bytes.starts(with: [0x1F, 0x8B]) { bytes = try Inflater.inflate(bytes, format: .gzip, limit: limit) }
            case "deflate":
                // "deflate" should be zlib-wrapped, but many servers send raw deflate.
                bytes = try (try? Inflater.inflate(bytes, format: .zlib, limit: limit)) ?? Inflater.inflate(bytes, format: .raw, limit: limit)
            default:
                throw ReadError("unsupported Content-Encoding \(coding)")
            }
        }
        return bytes
    }

    /// Undoes chunked transfer encoding; nil when the bytes are not chunked.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let newline = bytes[i...].firstIndex(of: 0x0A) else { return nil }
            var sizeLine = String(decoding: bytes[i..<newline], as: UTF8.self).trimmed()
            if let semicolon = sizeLine.firstIndex(of: ";") { sizeLine = String(sizeLine[..<semicolon]) }
            guard let size = Int(sizeLine, radix: 16), size >= 0 else { return nil }
            i = newline + 1
            if size == 0 { return output }
            guard i + size <= bytes.count else { output.append(contentsOf: bytes[i...]); return output }
            output.append(contentsOf: bytes[i..<(i + size)])
            i += size
            if i < bytes.count, bytes[i] == 0x0D { i += 1 }
            if i < bytes.count, bytes[i] == 0x0A { i += 1 }
        }
        return output
    }

    static func isHTML(contentType: String, body: [UInt8]) -> Bool {
        let type = contentType.lowercased()
        if type.contains("html") { return true }
        if !type.isEmpty && !type.hasPrefix("text/plain") && !type.hasPrefix("application/octet-stream") { return false }
        // No useful type: look for markup.
        let head = String(decoding: body.prefix(512), as: UTF8.self).lowercased()
        return head.contains("<html") || head.contains("<!doctype html") || head.contains("<body") || head.contains("<p")
    }

    static func charset(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmed().lowercased() == "charset" {
                let value = pair[1].trimmed().trimmingQuotes()
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmed() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }

    func trimmingQuotes() -> String {
        var s = Substring(self)
        while let f = s.first, f == "\"" || f == "'" { s.removeFirst() }
        while let l = s.last, l == "\"" || l == "'" { s.removeLast() }
        return String(s)
    }
}
