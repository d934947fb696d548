import DeclprocICU
import DeclprocReader
import Foundation
import Testing
import TestSupport

/// Inputs built to hurt: each ends as records or as a reject with its reason,
/// the process survives within its memory bound, nothing is fetched or expanded,
/// and the run's accounting holds (pages = with statements + without + rejected).
/// Inputs too slow for every run (a 200 MB page, a 2 GB archive) are in
/// `Scripts/hostile-inputs`, which CI runs within a time budget.
@Suite struct HostileInputTests {
    static let statement = "<p>本人郑重声明退出中国共产党，过去的誓言作废。</p>"
    /// Memory bounds in KB. Under a sanitizer (Scripts/sanitize sets DECLPROC_SANITIZER)
    /// shadow memory and quarantine multiply what a process holds, so the bound does too.
    static func bound(_ kilobytes: Int) -> Int {
        ProcessInfo.processInfo.environment["DECLPROC_SANITIZER"] == nil ? kilobytes : kilobytes * 8
    }

    struct Run {
        let status: Int32
        let stderr: String
        let peakKB: Int
        let summary: [String: Any]
        let records: [[String: Any]]
        let rejects: [[String: Any]]
        let seconds: Double
    }

    /// `declproc extract` on `inputs`, under /usr/bin/time for the peak resident memory.
    static func extract(_ inputs: [String], in work: Workspace, extra: [String] = []) throws -> Run {
        let out = work.path("out-\(UUID().uuidString)")
        let started = Date()
        let result = try TestFiles.run("/usr/bin/time", ["-f", "peak-kb %M", try TestFiles.executable().path, "extract"]
                                        + inputs + ["--out-dir", out, "--quiet"] + extra)
        let seconds = Date().timeIntervalSince(started)
        let peak = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak-kb ") }.flatMap { Int($0.dropFirst(8)) } ?? -1
        func lines(_ name: String) -> [[String: Any]] {
            let text = (try? String(contentsOfFile: out + "/" + name, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json")))) as? [String: Any] ?? [:]
        return Run(status: result.status, stderr: result.stderr, peakKB: peak, summary: summary,
                   records: lines("records.jsonl"), rejects: lines("rejects.jsonl"), seconds: seconds)
    }

    static func expectAccounted(_ run: Run, pages: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
        let read = run.summary["pages"] as? Int ?? -1
        #expect(read == pages, sourceLocation: sourceLocation)
        let parts = (run.summary["pages_with_statements"] as? Int ?? 0) + (run.summary["pages_without_statements"] as? Int ?? 0)
            + (run.summary["rejected"] as? Int ?? 0)
        #expect(read == parts, sourceLocation: sourceLocation)
        #expect(run.rejects.count == run.summary["rejected"] as? Int ?? -1, sourceLocation: sourceLocation)
    }

    /// Entity expansion (billion laughs) and external entities, images and frames
    /// pointing at `file://` and `http://`: nothing is expanded, read or fetched.
    @Test func entitiesAndExternalReferencesAreNeverFollowed() throws {
        let work = try Workspace(prefix: "declproc-hostile")
        let secret = work.path("secret.txt")
        try Data("SECRET-MARKER-7f3a".utf8).write(to: URL(fileURLWithPath: secret))
        var entities = "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaa\">"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            entities += "<!ENTITY \(name) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
            previous = name
        }
        entities += "<!ENTITY secret SYSTEM \"file://\(secret)\"><!ENTITY remote SYSTEM \"http://192.0.2.1/dtd\">"
        let page = "<!DOCTYPE html [\(entities)]><html><head><link rel=stylesheet href=\"http://192.0.2.1/x.css\">"
            + "<script src=\"file://\(secret)\"></script></head><body><p>&i;&i;&i; &secret; &remote;</p>\(Self.statement)"
            + "<img src=\"file://\(secret)\"><iframe src=\"http://192.0.2.1/\"></iframe><object data=\"file://\(secret)\"></object></body></html>"
        try Data(page.utf8).write(to: URL(fileURLWithPath: work.path("laughs.html")))
        let run = try Self.extract([work.path("laughs.html")], in: work)
        Self.expectAccounted(run, pages: 1)
        #expect(run.records.count == 1)
        #expect(run.seconds < 20)
        let output = try Data(contentsOf: URL(fileURLWithPath: work.url.path + "/" + (try FileManager.default.contentsOfDirectory(atPath: work.url.path).first { $0.hasPrefix("out-") })! + "/records.jsonl"))
        let text = String(decoding: output, as: UTF8.self)
        #expect(!text.contains("SECRET-MARKER"))
        #expect(!text.contains(String(repeating: "a", count: 200)), "an entity was expanded")
    }

    /// Markup nested a million deep: parsed without stack overflow, statement found.
    @Test func markupNestedAMillionDeep() throws {
        let work = try Workspace(prefix: "declproc-hostile")
        let page = "<html><body>" + String(repeating: "<div>", count: 1_000_000) + Self.statement
        try Data(page.utf8).write(to: URL(fileURLWithPath: work.path("deep.html")))
        let inline = "<html><body>" + String(repeating: "<b><i>", count: 500_000) + Self.statement
        try Data(inline.utf8).write(to: URL(fileURLWithPath: work.path("deep-inline.html")))
        let run = try Self.extract([work.path("deep.html"), work.path("deep-inline.html")], in: work)
        Self.expectAccounted(run, pages: 2)
        #expect(run.records.count == 2)
        #expect(run.peakKB < Self.bound(400_000), "peak \(run.peakKB) KB")
    }

    /// A gzip bomb (1 GiB of zeros in 1 MB) is refused by its ratio, quickly and
    /// in little memory, as a page and as a WARC archive.
    @Test func gzipBombsAreRefused() throws {
        let work = try Workspace(prefix: "declproc-hostile")
        var html = Array("<html><body>\(Self.statement)".utf8)
        html += [UInt8](repeating: 0x20, count: 256 << 20)
        let bomb = Inflater.gzip(html, level: 9)
        #expect(bomb.count < 2_000_000)
        try Data(bomb).write(to: URL(fileURLWithPath: work.path("bomb.html.gz")))
        let http = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8)
        let header = "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.test/\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            + "Content-Type: application/http; msgtype=response\r\nContent-Length: \(http.count + html.count)\r\n\r\n"
        try Data(Inflater.gzip(Array(header.utf8) + http + html + Array("\r\n\r\n".utf8), level: 9)).write(to: URL(fileURLWithPath: work.path("bomb.warc.gz")))
        let run = try Self.extract([work.path("bomb.html.gz"), work.path("bomb.warc.gz")], in: work)
        #expect(run.status == 0, "\(run.stderr)")
        let reasons = run.rejects.compactMap { $0["reason"] as? String }
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.contains("bomb") }, "\(reasons)")
        #expect(run.peakKB < Self.bound(150_000), "peak \(run.peakKB) KB")
        #expect(run.seconds < 20)
    }

    /// Broken encodings and dangerous characters: NUL, overlong and invalid UTF-8,
    /// invalid GB18030 and Big5 sequences, an unpaired surrogate in JSON, bidi
    /// overrides and zero-width characters, characters of every CJK extension block.
    @Test func brokenEncodingsAndDangerousCharacters() throws {
        let work = try Workspace(prefix: "declproc-hostile")
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: work.path(name))) }
        let body = Array("<html><body>".utf8)
        try write("overlong.html", body + Array("<p>网友来信：</p>".utf8) + [0xC0, 0xAF, 0xE0, 0x80, 0xAF, 0xED, 0xA0, 0x80, 0xF8, 0x88, 0x80, 0x80, 0x80]
                  + Array(Self.statement.utf8))
        let gb = try CharsetEncoder(charset: "GB18030").encode("<html><head><meta charset=gb18030></head><body>\(Self.statement)")
        try write("invalid-gb18030.html", gb + [0x81, 0x30, 0xFF, 0x84, 0x31, 0xA4, 0x39, 0xFE] + gb.suffix(40))
        let big5 = try CharsetEncoder(charset: "Big5").encode("<html><head><meta charset=big5></head><body><p>本人鄭重聲明退出中國共產黨，過去的誓言作廢。</p>")
        try write("invalid-big5.html", big5 + [0xA1, 0x20, 0xF9, 0xFF, 0xC8, 0x7F])
        let dangerous = "<html><body><p>本人\u{202E}郑重\u{200B}声明\u{2066}退出中国共产党\u{202C}，过去的誓言作废。\u{0}</p>"
            + "<p>本人声明退出中国共产党：\u{3400}\u{20000}\u{2A700}\u{2B740}\u{2B820}\u{2CEB0}\u{30000}\u{31350}\u{2EBF0}，誓言作废。</p>"
        try write("dangerous.html", Array(dangerous.utf8))
        try write("surrogate.jsonl", Array("{\"url\": \"http://x.test/1\", \"html\": \"<p>\\ud800本人郑重声明退出中国共产党，过去的誓言作废。\\udc00</p>\"}\n{\"url\": 5}\n{broken\n".utf8))
        let run = try Self.extract(["overlong.html", "invalid-gb18030.html", "invalid-big5.html", "dangerous.html", "surrogate.jsonl"].map(work.path), in: work)
        Self.expectAccounted(run, pages: 7)
        let texts = run.records.compactMap { ($0["text"] as? [String: Any])?["normalized"] as? String }
        #expect(texts.count >= 5, "\(texts)")
        for text in texts {
            #expect(!text.unicodeScalars.contains { [0x202E, 0x2066, 0x202C, 0x200B, 0x0].contains($0.value) || (0xD800...0xDFFF).contains($0.value) },
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(texts.contains { $0.unicodeScalars.contains("\u{2EBF0}") && $0.unicodeScalars.contains("\u{31350}") })
        let pinyin = run.records.compactMap { ($0["text"] as? [String: Any])?["pinyin"] as? String }
        #expect(pinyin.count == texts.count)
    }

    /// Pipes and broken links among the inputs are rejects, not hangs.
    @Test func specialFilesAreRejectedNotRead() throws {
        let work = try Workspace(prefix: "declproc-hostile")
        let folder = work.path("inputs")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("<html><body>\(Self.statement)".utf8).write(to: URL(fileURLWithPath: folder + "/real.html"))
        #expect(mkfifo(folder + "/pipe.html", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder + "/dangling.html", withDestinationPath: "/nonexistent/page.html")
        let run = try Self.extract([folder], in: work)
        Self.expectAccounted(run, pages: 3)
        let reasons = run.rejects.compactMap { $0["reason"] as? String }
        #expect(reasons.contains { $0.contains("not a regular file") })
        #expect(reasons.contains { $0.contains("broken symbolic link") })
        #expect(run.seconds < 20)
    }

    /// A full disk: a clear error and exit status, and no output left as if complete.
    @Test func fullDiskIsAClearError() throws {
        let result = try TestFiles.run("/bin/sh", ["-c", "\"$0\" extract \"$1\" > /dev/full", try TestFiles.executable().path,
                                                   TestFiles.repository("Samples/forum-thread-utf8.html").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        let normalize = try TestFiles.run("/bin/sh", ["-c", "echo 你好 | \"$0\" normalize > /dev/full", try TestFiles.executable().path])
        #expect(normalize.status != 0)
        #expect(normalize.stderr.contains("No space left on device"))
    }
}
