import DeclprocICU
import DeclprocReader
import Foundation
import Testing
import TestSupport

/// `declproc extract`'s output layout, exit statuses and accounting.
@Suite struct ExtractCommandTests {

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// Samples plus an empty, a binary and two unreadable pages: every page is accounted for.
    @Test func everyPageEndsAsRecordsWithoutStatementsOrReject() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let input = work.path("pages")
        try FileManager.default.copyItem(atPath: TestFiles.repository("Samples").path, toPath: input)
        try FileManager.default.removeItem(atPath: input + "/expected")
        #expect(FileManager.default.createFile(atPath: input + "/empty.html", contents: Data()))
        #expect(FileManager.default.createFile(atPath: input + "/binary.html",
                                               contents: Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })))
        try FileManager.default.createSymbolicLink(atPath: input + "/unreadable.html", withDestinationPath: "/nonexistent/page.html")
        #expect(mkfifo(input + "/fifo.html", 0o644) == 0)
        let result = try TestFiles.declproc(["extract", input, "--out-dir", work.path("out")])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("out/summary.json")))) as! [String: Any]
        let rejects = try Self.jsonLines(String(contentsOfFile: work.path("out/rejects.jsonl"), encoding: .utf8))
        let records = try Self.jsonLines(String(contentsOfFile: work.path("out/records.jsonl"), encoding: .utf8))
        let pages = summary["pages"] as! Int
        #expect(pages == 19)
        #expect(pages == (summary["pages_with_statements"] as! Int) + (summary["pages_without_statements"] as! Int) + (summary["rejected"] as! Int))
        #expect(summary["rejected"] as! Int == 4)
        #expect(rejects.count == 4)
        #expect(Set(records.map { ($0["source"] as! [String: Any])["path"] as! String }).count == summary["pages_with_statements"] as! Int)
        let reasons = Dictionary(uniqueKeysWithValues: rejects.map { (URL(fileURLWithPath: $0["input"] as! String).lastPathComponent, $0["reason"] as! String) })
        #expect(reasons["empty.html"]?.contains("empty") == true)
        #expect(reasons["binary.html"]?.contains("not a text page") == true)
        #expect(reasons["unreadable.html"]?.contains("cannot read") == true)
        #expect(reasons["fifo.html"]?.contains("not a regular file") == true)
        for reject in rejects { #expect(reject["position"] as? Int == 0) }
        #expect(result.stderr.contains("19 pages read"))
    }

    /// Hostile and broken inputs: every page that could be read yields its records,
    /// every one that could not yields a reject, and the run goes on.
    @Test func badInputCorpusIsFullyAccountedFor() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let dir = work.path("bad")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        let statement = Array("<html><body><p>本人郑重声明退出中国共产党，过去的誓言作废。</p></body></html>".utf8)
        try write("empty.html", [])
        try write("binary.html", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ ($0 >> 3)) })
        try write("truncated.html.gz", Array(Inflater.gzip(Array(repeating: statement, count: 40).flatMap { $0 }).prefix(150)))
        try write("nul.html", statement + [0, 0] + statement)
        try write("deep.html", Array(String(repeating: "<div>", count: 100_000).utf8) + statement)
        let gbStatement = try CharsetEncoder(charset: "GB18030").encode("<html><body><p>本人郑重声明退出中国共产党，过去的誓言作废。</p>")
        try write("invalid-gb.html", Array("<meta charset=gbk>".utf8) + gbStatement + [0x81, 0x0A, 0xFE, 0x20])
        try write("big.html", Array(repeating: UInt8(ascii: "x"), count: 3_000_000))
        var warc = WARCBuilder()
        for i in 1...3 { warc.response(uri: "http://t.test/\(i)", html: statement, id: i) }
        let gz = warc.gzipped
        try write("truncated.warc.gz", Array(gz.prefix(gz.count - 25)))
        var first = String(decoding: warc.records[0], as: UTF8.self)
        first = first.replacingOccurrences(of: "Content-Length: ", with: "Content-Length: 1")
        try write("malformed.warc", Array(first.utf8) + warc.records[1] + warc.records[2])

        let result = try TestFiles.declproc(["extract", dir, "--out-dir", work.path("out"), "--max-page-bytes", "1000000"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("out/summary.json")))) as! [String: Any]
        let rejects = try Self.jsonLines(String(contentsOfFile: work.path("out/rejects.jsonl"), encoding: .utf8))
        let pages = summary["pages"] as! Int
        #expect(pages == (summary["pages_with_statements"] as! Int) + (summary["pages_without_statements"] as! Int) + (summary["rejected"] as! Int))
        #expect(rejects.count == summary["rejected"] as! Int)
        let reasons = rejects.map { (URL(fileURLWithPath: $0["input"] as! String).lastPathComponent, $0["reason"] as! String) }
        func reason(_ name: String) -> [String] { reasons.filter { $0.0 == name }.map(\.1) }
        #expect(reason("empty.html").first?.contains("empty") == true)
        #expect(reason("binary.html").first?.contains("not a text page") == true)
        #expect(reason("truncated.html.gz").first?.contains("gzip") == true)
        #expect(reason("big.html").first?.contains("--max-page-bytes") == true)
        #expect(reason("truncated.warc.gz").count == 1)
        #expect(reason("malformed.warc").isEmpty, "an overlong Content-Length is repaired at the next record")
        let records = try Self.jsonLines(String(contentsOfFile: work.path("out/records.jsonl"), encoding: .utf8))
        func count(_ name: String) -> Int { records.filter { (($0["source"] as! [String: Any])["path"] as! String).hasSuffix(name) }.count }
        #expect(count("nul.html") == 2)
        #expect(count("deep.html") == 1)
        #expect(count("invalid-gb.html") == 1)
        #expect(count("truncated.warc.gz") == 2, "a truncated archive gives its whole records and a reject")
        #expect(count("malformed.warc") == 3)
    }

    @Test func existingOutputIsNeverReplacedWithoutForce() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let output = work.path("records.jsonl")
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: output))
        let refused = try TestFiles.declproc(["extract", TestFiles.repository("Samples/joint-declaration.html").path, "-o", output])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me\n")
        let forced = try TestFiles.declproc(["extract", TestFiles.repository("Samples/joint-declaration.html").path, "-o", output, "--force"])
        #expect(forced.status == 0)
        #expect(try Self.jsonLines(String(contentsOfFile: output, encoding: .utf8)).count == 1)
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.url.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func rejectsGoBesideTheOutputFileByDefault() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let output = work.path("r.jsonl")
        let result = try TestFiles.declproc(["extract", TestFiles.repository("Samples/joint-declaration.html").path,
                                             work.path("missing.html"), "-o", output, "--summary", work.path("s.json")])
        #expect(result.status == 0)
        let rejects = try Self.jsonLines(String(contentsOfFile: output + ".rejects.jsonl", encoding: .utf8))
        #expect(rejects.count == 1)
        #expect((rejects[0]["input"] as! String).hasSuffix("missing.html"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("s.json")))) as! [String: Any]
        #expect(summary["pages"] as? Int == 2 && summary["rejected"] as? Int == 1)
    }

    @Test func recordsOnStdoutRejectsOnStderrAndStrict() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let arguments = ["extract", TestFiles.repository("Samples/english-support.html").path, work.path("nope.html")]
        let result = try TestFiles.declproc(arguments)
        #expect(result.status == 0)
        #expect(try Self.jsonLines(result.text).count == 4)
        let stderrLines = result.stderr.split(separator: "\n")
        #expect(stderrLines.contains { $0.hasPrefix("{") && $0.contains("nope.html") && $0.contains("\"reason\"") })
        #expect(stderrLines.last?.contains("2 pages read") == true)
        let strict = try TestFiles.declproc(arguments + ["--strict"])
        #expect(strict.status == 1)
        let strictClean = try TestFiles.declproc(["extract", TestFiles.repository("Samples/english-support.html").path, "--strict"])
        #expect(strictClean.status == 0)
    }

    @Test func unwritableOutputIsFatal() throws {
        let result = try TestFiles.declproc(["extract", TestFiles.repository("Samples/english-support.html").path,
                                             "-o", "/nonexistent-dir/records.jsonl"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("/nonexistent-dir/records.jsonl"))
    }

    @Test func conflictingDestinationsAreAUsageError() throws {
        let result = try TestFiles.declproc(["extract", "-o", "/tmp/a.jsonl", "--out-dir", "/tmp/b"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Usage"))
    }

    @Test func pagesMode() throws {
        let result = try TestFiles.declproc(["extract", "--emit", "pages", "Samples/list-gb18030.html", "Samples/no-statements.html"],
                                            directory: TestFiles.repositoryRoot)
        let pages = try Self.jsonLines(result.text)
        #expect(pages.count == 2)
        let gb = pages[0]
        #expect((gb["source"] as! [String: Any])["path"] as? String == "Samples/list-gb18030.html")
        let charset = gb["charset"] as! [String: Any]
        #expect(charset["name"] as? String == "GB18030")
        #expect(charset["decided_by"] as? String == "meta")
        #expect((gb["title"] as? String)?.contains("三退声明") == true)
        #expect((gb["text"] as! String).contains("\n"))
        #expect(pages[1]["statements"] as? Int == 0)
    }

    @Test func standardInputGlobsAndLists() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let page = try Data(contentsOf: TestFiles.repository("Samples/joint-declaration.html"))
        let viaStdin = try TestFiles.declproc(["extract", "-"], input: page)
        #expect(viaStdin.status == 0)
        let records = try Self.jsonLines(viaStdin.text)
        #expect(records.count == 1)
        #expect((records[0]["source"] as! [String: Any])["path"] as? String == "-")
        let warc = try Data(contentsOf: TestFiles.repository("Tests/Fixtures/warc/wget-samples.warc.gz"))
        let warcViaStdin = try TestFiles.declproc(["extract", "-", "--emit", "pages"], input: warc)
        #expect(try Self.jsonLines(warcViaStdin.text).count == 7)

        let globbed = try TestFiles.declproc(["extract", "Samples/*-utf8.html", "--emit", "pages"], directory: TestFiles.repositoryRoot)
        let paths = try Self.jsonLines(globbed.text).map { ($0["source"] as! [String: Any])["path"] as! String }
        #expect(paths == ["Samples/forum-thread-utf8.html", "Samples/hongkong-traditional-utf8.html", "Samples/mislabelled-utf8.html"])
        let none = try TestFiles.declproc(["extract", "Samples/*.nothing"], directory: TestFiles.repositoryRoot)
        #expect(none.stderr.contains("no file matches"))

        let list = work.path("list.txt")
        try Data("# pages to read\nSamples/news-article.html\n\nSamples/english-support.html\n".utf8).write(to: URL(fileURLWithPath: list))
        let listed = try TestFiles.declproc(["extract", "--from-list", list, "--emit", "pages"], directory: TestFiles.repositoryRoot)
        #expect(try Self.jsonLines(listed.text).count == 2)
    }

    @Test func inspectAndProfileFromTheCommandLine() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let report = try TestFiles.declproc(["inspect", "Samples/news-article.html"], directory: TestFiles.repositoryRoot)
        #expect(report.status == 0)
        #expect(report.text.contains("meta declares \"utf-8\""))
        #expect(report.text.contains("no first-person word outside quotation marks"))
        #expect(report.text.contains("statements 1"))
        let json = try TestFiles.declproc(["inspect", "--json", "--position", "4", "Tests/Fixtures/warc/wget-samples.warc.gz"],
                                          directory: TestFiles.repositoryRoot)
        let pages = try Self.jsonLines(json.text)
        #expect(pages.count == 1)
        #expect(pages.first?["charset"] as? String == "Big5-HKSCS")
        #expect((pages.first?["statements"] as? [[String: Any]])?.count == 3)

        let profile = work.path("profile.json")
        try Data(#"{"name": "digest", "item": "//div[@class='stmt']", "date": "//h1"}"#.utf8).write(to: URL(fileURLWithPath: profile))
        let profiled = try TestFiles.declproc(["extract", "--profile", profile, "Samples/multi-paragraph-list.html"], directory: TestFiles.repositoryRoot)
        #expect(try Self.jsonLines(profiled.text).count == 5)
        try Data(#"{"item": "//div[@class="#.utf8).write(to: URL(fileURLWithPath: profile))
        let bad = try TestFiles.declproc(["extract", "--profile", profile, "Samples/multi-paragraph-list.html"], directory: TestFiles.repositoryRoot)
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("profile"))
    }

    @Test func defaultInputIsSamples() throws {
        let result = try TestFiles.declproc(["extract"], directory: TestFiles.repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stderr.contains("15 pages read"))
    }
}
