import DeclprocReader
import Foundation
import Testing
import TestSupport

@Suite struct PageReaderTests {
    static func read(_ bytes: [UInt8], name: String, options: ReadOptions = ReadOptions()) throws -> [PageItem] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return Array(PageReader.pages(of: .file(path: path), options: options))
    }

    static func pages(_ items: [PageItem]) -> [RawPage] {
        items.compactMap { if case .page(let page) = $0 { return page } else { return nil } }
    }

    static func rejects(_ items: [PageItem]) -> [Reject] {
        items.compactMap { if case .reject(let reject) = $0 { return reject } else { return nil } }
    }

    static func skipped(_ items: [PageItem]) -> [String] {
        items.compactMap { if case .skipped(let reason) = $0 { return reason } else { return nil } }
    }

    /// Recorded by Tests/Fixtures/warc/make_fixtures.sh with wget against a loopback server.
    @Test func wgetArchiveWithRealHTTPHeaders() throws {
        let url = TestFiles.repository("Tests/Fixtures/warc/wget-samples.warc.gz")
        let items = Array(PageReader.pages(of: .file(path: url.path), options: ReadOptions()))
        let pages = Self.pages(items)
        #expect(Self.rejects(items).isEmpty)
        #expect(pages.count == 7)
        #expect(pages.allSatisfy { $0.source.url?.hasPrefix("http://127.0.0.1:") == true && $0.source.warcRecordID?.hasPrefix("<urn:uuid:") == true })
        #expect(pages.allSatisfy { $0.source.warcDate != nil })
        // Chunked, gzip and deflate bodies come out as the original pages.
        let samples = TestFiles.repository("Samples")
        for page in pages {
            let name = URL(string: page.source.url!)!.lastPathComponent
            let original = try [UInt8](Data(contentsOf: samples.appendingPathComponent(name)))
            #expect(page.bytes == original, "\(name) body differs from the served file")
        }
        #expect(pages.first { $0.source.url!.contains("charset=gb2312") }?.transportCharset == "gb2312")
        let skipped = Self.skipped(items)
        #expect(skipped.filter { $0 == "WARC request record" }.count == 9)
        #expect(skipped.contains("HTTP status 4xx response"))
        #expect(skipped.contains { $0.hasPrefix("non-HTML response (text/markdown") })
        // Positions are record indexes, so they identify the record in the archive.
        #expect(pages.map(\.source.position) == [2, 4, 6, 8, 10, 12, 14])
    }

    @Test func truncatedArchiveKeepsEarlierPagesAndRejectsTheRest() throws {
        var builder = WARCBuilder()
        builder.add(type: "warcinfo", contentType: "application/warc-fields", block: Array("software: test\r\n".utf8), id: 0)
        for i in 1...3 {
            builder.response(uri: "http://example.test/\(i)", html: Array("<p>我声明退出共青团 \(i)</p>".utf8), id: i)
        }
        let whole = builder.gzipped
        let truncated = Array(whole.prefix(whole.count - 30))
        let items = try Self.read(truncated, name: "t.warc.gz")
        #expect(Self.pages(items).count == 2)
        let rejects = Self.rejects(items)
        #expect(rejects.count == 1)
        #expect(rejects.first?.reason.contains("truncated") == true)
        #expect(rejects.first?.position == 3)

        let plain = builder.plain
        let plainItems = try Self.read(Array(plain.prefix(plain.count - 20)), name: "t.warc")
        #expect(Self.pages(plainItems).count == 2)
        #expect(Self.rejects(plainItems).first?.reason.contains("truncated WARC record") == true)
    }

    @Test func badContentLengthIsReportedAndReadingResumes() throws {
        var builder = WARCBuilder()
        builder.response(uri: "http://example.test/a", html: Array("<p>a</p>".utf8), id: 1)
        builder.response(uri: "http://example.test/b", html: Array("<p>b</p>".utf8), id: 2)
        builder.response(uri: "http://example.test/c", html: Array("<p>c</p>".utf8), id: 3)
        // Make the first record claim fewer bytes than it has.
        var first = String(decoding: builder.records[0], as: UTF8.self)
        let declared = first.firstRange(of: /Content-Length: (\d+)/)!
        let value = Int(first[declared].split(separator: " ").last!)!
        first.replaceSubrange(declared, with: "Content-Length: \(value - 5)")
        builder.records[0] = Array(first.utf8)
        let items = try Self.read(builder.plain, name: "bad.warc")
        #expect(Self.rejects(items).count == 1)
        #expect(Self.rejects(items).first?.reason.contains("stray lines") == true)
        #expect(Self.pages(items).map { $0.source.url } == ["http://example.test/a", "http://example.test/b", "http://example.test/c"])
    }

    @Test func overlongContentLengthIsCutAtTheNextRecord() throws {
        var builder = WARCBuilder()
        builder.response(uri: "http://example.test/a", html: Array("<p>a</p>".utf8), id: 1)
        builder.response(uri: "http://example.test/b", html: Array("<p>b</p>".utf8), id: 2)
        var first = String(decoding: builder.records[0], as: UTF8.self)
        let declared = first.firstRange(of: /Content-Length: (\d+)/)!
        let value = Int(first[declared].split(separator: " ").last!)!
        first.replaceSubrange(declared, with: "Content-Length: \(value + 40)")
        builder.records[0] = Array(first.utf8)
        let items = try Self.read(builder.plain, name: "long.warc")
        let pages = Self.pages(items)
        #expect(Self.rejects(items).isEmpty)
        #expect(pages.map(\.source.url) == ["http://example.test/a", "http://example.test/b"])
        #expect(pages[0].bytes == Array("<p>a</p>".utf8))
        #expect(pages[0].notes.first?.contains("ran past") == true)
    }

    @Test func corruptGzipIsARejectNotACrash() throws {
        var builder = WARCBuilder()
        builder.response(uri: "http://example.test/a", html: Array("<p>a</p>".utf8), id: 1)
        var bytes = builder.gzipped
        for i in stride(from: 20, to: bytes.count - 10, by: 7) { bytes[i] ^= 0x5A }
        let items = try Self.read(bytes, name: "corrupt.warc.gz")
        #expect(Self.rejects(items).count == 1)
        #expect(Self.rejects(items).first?.reason.contains("gzip") == true)
    }

    @Test func scraperJSONLines() throws {
        let lines = [
            #"{"url": "http://a.test/1", "html": "<p>本人声明退出中共</p>"}"#,
            "",
            #"{"url": "http://a.test/2"}"#,
            #"not json"#,
            #"[1, 2]"#,
            #"{"url": "http://a.test/3", "html": "<meta charset=gb2312><p>三退</p>"}"#,
        ]
        let items = try Self.read(Array(lines.joined(separator: "\n").utf8), name: "pages.jsonl")
        let pages = Self.pages(items)
        #expect(pages.map(\.source.url) == ["http://a.test/1", "http://a.test/3"])
        #expect(pages.map(\.source.position) == [0, 5])
        #expect(pages.allSatisfy { $0.transportCharset == "UTF-8" })
        #expect(Self.rejects(items).map(\.position) == [2, 3, 4])
        #expect(Self.rejects(items)[0].reason.contains("no \"html\" field"))

        var options = ReadOptions()
        options.urlField = "link"
        options.htmlField = "body"
        let custom = try Self.read(Inflater.gzip(Array(#"{"link": "http://b.test", "body": "<p>x</p>"}"#.utf8)), name: "c.jsonl.gz", options: options)
        #expect(Self.pages(custom).first?.source.url == "http://b.test")
    }

    @Test func gzippedPageAndTruncatedGzippedPage() throws {
        let html = Array("<html><body><p>我声明退出少先队。</p></body></html>".utf8)
        let items = try Self.read(Inflater.gzip(html), name: "page.html.gz")
        #expect(Self.pages(items).first?.bytes == html)
        let gz = Inflater.gzip(Array(repeating: html, count: 50).flatMap { $0 })
        let truncated = try Self.read(Array(gz.prefix(gz.count / 2)), name: "cut.html.gz")
        #expect(Self.rejects(truncated).first?.reason.contains("truncated gzip") == true)
    }

    /// A stream read whole is its bytes exactly, past the size where room up to the
    /// limit is made at once, at the limit, and one byte over it (an error).
    @Test func readAllReturnsTheBytesUpToTheLimit() throws {
        var random = SystemRandomNumberGenerator()
        let limit = 3 << 20
        for size in [0, 1, 70_000, (1 << 20) + 1, limit - 1, limit, limit + 1] {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
            let reader = BufferedReader(MemorySource(bytes))
            if size <= limit {
                #expect(try reader.readAll(limit: limit) == bytes, "\(size) bytes")
            } else {
                #expect(throws: (any Error).self) { try reader.readAll(limit: limit) }
            }
        }
    }

    @Test func pagesOverTheLimitAreRejectedWithTheReason() throws {
        var options = ReadOptions()
        options.maxPageBytes = 1000
        let big = Array(repeating: UInt8(ascii: "x"), count: 5000)
        #expect(try Self.rejects(Self.read(big, name: "big.html", options: options)).first?.reason.contains("--max-page-bytes") == true)
        var builder = WARCBuilder()
        builder.response(uri: "http://example.test/big", html: big, id: 1)
        builder.response(uri: "http://example.test/small", html: Array("<p>ok</p>".utf8), id: 2)
        let items = try Self.read(builder.plain, name: "big.warc", options: options)
        #expect(Self.rejects(items).count == 1)
        #expect(Self.pages(items).count == 1)
    }

    @Test func contentSniffingWhenTheNameSaysNothing() throws {
        var builder = WARCBuilder()
        builder.response(uri: "http://example.test/a", html: Array("<p>a</p>".utf8), id: 1)
        #expect(try Self.pages(Self.read(builder.gzipped, name: "archive.bin")).count == 1)
        #expect(try Self.pages(Self.read(Array(#"{"url":"u","html":"<p>x</p>"}"#.utf8), name: "data.txt")).count == 1)
        #expect(try Self.pages(Self.read(Array("<p>plain</p>".utf8), name: "page.txt")).count == 1)
    }
}
