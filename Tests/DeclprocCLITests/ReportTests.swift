import DeclprocRecords
import DeclprocReport
import Foundation
import Testing
import TestSupport

/// `declproc report`, checked in headless Chromium: no console error, no network
/// request, every chart present with the counts of Samples' records, no horizontal
/// overflow at 1280 and 390 pixels.
@Suite(.serialized) struct ReportTests {

    struct Seen: Decodable {
        struct Chart: Decodable { let total: Int; let bars: [String: Int]; let granularity: String?; let visible: Bool }
        let overflow: [String: Bool]
        let console_errors: [String]
        let requests: [String]
        let charts: [String: Chart]
        let samples: Int
    }

    static func browse(_ report: String, screenshot: String? = nil) throws -> Seen {
        let result = try TestFiles.run("/usr/bin/env", ["python3", TestFiles.repository("Tests/Tools/check-report.py").path, report] + (screenshot.map { [$0] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(Seen.self, from: result.stdout)
    }

    static func count(_ records: [[String: Any]], _ key: (([String: Any]) -> [String])) -> [String: Int] {
        var counts: [String: Int] = [:]
        for r in records { for k in key(r) { counts[k, default: 0] += 1 } }
        return counts
    }

    @Test func reportOfSamplesInABrowser() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let extracted = try TestFiles.declproc(["extract", "Samples", "--out-dir", work.path("out"), "--format", "jsonl,sqlite"],
                                               directory: TestFiles.repositoryRoot)
        #expect(extracted.status == 0)
        let records = try String(contentsOfFile: work.path("out/records.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let result = try TestFiles.declproc(["report", "Samples", "-o", work.path("report.html")], directory: TestFiles.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: work.path("report.html"), encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://") && !html.contains("@import"))

        let seen = try Self.browse(work.path("report.html"))
        #expect(seen.console_errors.isEmpty, "\(seen.console_errors)")
        #expect(seen.requests.isEmpty, "\(seen.requests)")
        #expect(seen.overflow == ["1280": false, "390": false])
        for chart in ["totals", "over-time", "organizations", "kinds", "places", "languages", "scripts", "sources", "rejects", "samples"] {
            #expect(seen.charts[chart]?.visible == true, "\(chart)")
        }
        let kinds = Self.count(records) { [$0["kind"] as! String] }
        #expect(seen.charts["kinds"]?.bars == kinds)
        var organizations = Self.count(records) { $0["organizations"] as! [String] }
        organizations["all_three"] = records.filter { Set($0["organizations"] as! [String]).count == 3 }.count
        #expect(seen.charts["organizations"]?.bars == organizations)
        #expect(seen.charts["scripts"]?.bars == Self.count(records) { [$0["script"] as! String] })
        #expect(seen.charts["languages"]?.bars == Self.count(records) { [$0["lang"] as! String] })
        let dated = records.filter { r in
            let date = (r["date"] as? [String: Any])?["value"] as? String ?? ((r["source"] as! [String: Any])["published"] as? String)
            return (date?.count ?? 0) >= 10
        }.count
        #expect(seen.charts["over-time"]?.total == dated)
        #expect(seen.charts["over-time"]?.bars.values.reduce(0, +) == dated)
        #expect(seen.charts["totals"]?.bars["statements"] == records.count)
        #expect(seen.charts["totals"]?.bars["pages"] == 15)
        #expect(seen.charts["totals"]?.bars["undated"] == records.count - dated)
        #expect(seen.samples == 12)

        // The same counts from the records, in JSON Lines and in SQLite.
        for input in ["out/records.jsonl", "out/records.sqlite"] {
            let again = try TestFiles.declproc(["report", work.path(input), "-o", work.path("again.html"), "--force"])
            #expect(again.status == 0, "\(again.stderr)")
            let text = try String(contentsOfFile: work.path("again.html"), encoding: .utf8)
            #expect(text.contains("data-chart=\"kinds\" data-total=\"\(records.count)\""), "\(input)")
            #expect(text.contains("data-label=\"renunciation\" data-count=\"\(kinds["renunciation"]!)\""), "\(input)")
        }
    }

    @Test func redactedReportShowsNoName() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let forms = try DatasetTests.nameForms()
        let plain = try TestFiles.declproc(["report", "Samples", "-o", work.path("plain.html")], directory: TestFiles.repositoryRoot)
        #expect(plain.status == 0)
        #expect(!(try DatasetTests.leaks(in: work.url.path, forms: forms)).isEmpty)
        try FileManager.default.removeItem(atPath: work.path("plain.html"))
        for input in ["Samples"] {
            let result = try TestFiles.declproc(["report", input, "-o", work.path("redacted.html"), "--redact", "names", "--force"],
                                                directory: TestFiles.repositoryRoot)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try DatasetTests.leaks(in: work.url.path, forms: forms) == [])
        }
    }

    /// Ten years of daily records: bars per month, not one per day; thirty years: per year.
    @Test func chartsAreSizedToTheData() {
        var data = ReportData()
        for day in 0..<3650 {
            let date = Calendar(identifier: .gregorian).date(byAdding: .day, value: day, to: Date(timeIntervalSince1970: 1_104_537_600))!
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            data.byDay[String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)] = 3
        }
        let html = ReportPage(data: data, provenance: [], namesRedacted: false).html()
        #expect(html.contains("data-granularity=\"month\""))
        #expect(html.components(separatedBy: "class=\"period\"").count - 1 == 120)
        data.byDay["1990-01-01"] = 1
        #expect(ReportPage(data: data, provenance: [], namesRedacted: false).html().contains("data-granularity=\"year\""))
    }
}
