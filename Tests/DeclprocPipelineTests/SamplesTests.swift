import Foundation
import Testing
import TestSupport

/// The pipeline on Samples/: hand-written facts (what a person reading the page
/// knows is true) and golden files (that the output did not change unnoticed).
@Suite(.serialized) struct SamplesTests {
    struct Facts: Decodable {
        struct Statement: Decodable {
            let lang: String
            let declarants: [String]
            let alias: Bool
            let date: String?
            let organizations: [String]
            let kind: String
            let contains: [String]
            let translation_contains: String?
        }
        let page: String
        let charset: String
        let lang: String
        let statements: [Statement]
    }

    /// One extraction of all of Samples/, shared by the tests of this suite.
    nonisolated(unsafe) static let run: (records: [[String: Any]], lines: [String], pages: [[String: Any]], summary: [String: Any]) = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-samples-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try! TestFiles.declproc(["extract", "Samples", "--out-dir", out.path], directory: TestFiles.repositoryRoot)
        precondition(result.status == 0, "extract failed: \(result.stderr)")
        let text = try! String(contentsOf: out.appendingPathComponent("records.jsonl"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let records = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let summary = try! JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let pagesResult = try! TestFiles.declproc(["extract", "Samples", "--emit", "pages"], directory: TestFiles.repositoryRoot)
        let pages = pagesResult.text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (records, lines, pages, summary)
    }()

    static func factsFiles() throws -> [Facts] {
        let directory = TestFiles.repository("Samples/expected")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".facts.json") }.sorted()
        return try names.map { try JSONDecoder().decode(Facts.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    static func records(of page: String) -> [[String: Any]] {
        run.records.filter { (($0["source"] as? [String: Any])?["path"] as? String) == "Samples/\(page)" }
    }

    @Test func thereAreAtLeastTwelveSamplesEachWithFacts() throws {
        let facts = try Self.factsFiles()
        #expect(facts.count >= 12)
        let pages = try FileManager.default.contentsOfDirectory(atPath: TestFiles.repository("Samples").path).filter { $0.hasSuffix(".html") }
        #expect(Set(pages) == Set(facts.map(\.page)), "every sample page has facts, and every facts file a page")
    }

    @Test(arguments: try! factsFiles().map(\.page))
    func handWrittenFactsHold(page: String) throws {
        let facts = try Self.factsFiles().first { $0.page == page }!
        let records = Self.records(of: page)
        try #require(records.count == facts.statements.count, "\(page): \(records.count) statements, facts say \(facts.statements.count)")
        for (record, expected) in zip(records, facts.statements) {
            let text = record["text"] as! [String: Any]
            let original = text["original"] as! String
            let lang = record["lang"] as! String
            #expect(lang == expected.lang || lang.hasPrefix(expected.lang + "-"), "\(page): lang \(lang), facts say \(expected.lang)")
            for name in expected.declarants {
                #expect(original.contains(name), "\(page): declarant \(name) missing from \(original)")
            }
            for snippet in expected.contains {
                #expect(original.contains(snippet), "\(page): \(snippet) missing from statement \(original)")
            }
            let declarants = record["declarants"] as! [[String: Any]]
            #expect(declarants.map { $0["name"] as! String } == expected.declarants, "\(page): declarants")
            #expect(declarants.allSatisfy { $0["alias"] as? Bool == expected.alias }, "\(page): alias of \(expected.declarants)")
            for declarant in declarants {
                let start = declarant["start"] as! Int, end = declarant["end"] as! Int
                let scalars = Array(original.unicodeScalars)
                #expect(String(String.UnicodeScalarView(scalars[start..<end])) == declarant["name"] as? String, "\(page): name span")
            }
            #expect((record["date"] as? [String: Any])?["value"] as? String == expected.date, "\(page): date of \(expected.declarants)")
            let order = ["party", "youth_league", "young_pioneers"]
            #expect(record["organizations"] as? [String] == order.filter(expected.organizations.contains), "\(page): organizations")
            #expect(record["kind"] as? String == expected.kind, "\(page): kind")
            let translation = (record["translation"] as? [String: Any])?["text"] as? String
            if let wanted = expected.translation_contains {
                #expect(translation?.contains(wanted) == true, "\(page): translation \(translation ?? "nil") lacks \(wanted)")
            } else {
                #expect(translation == nil, "\(page): unexpected translation \(translation ?? "")")
            }
        }
        let pageRecord = Self.run.pages.first { (($0["source"] as? [String: Any])?["path"] as? String) == "Samples/\(page)" }
        let charset = pageRecord?["charset"] as? [String: Any]
        #expect(charset?["name"] as? String == facts.charset, "\(page): decoded as \(charset ?? [:])")
        #expect(charset?["invalid_bytes"] as? Int == 0)
    }

    /// Goldens: Samples/expected/<page>.jsonl. Re-record with DECLPROC_RECORD_GOLDENS=1.
    @Test(arguments: try! factsFiles().map(\.page))
    func goldenOutputMatches(page: String) throws {
        let name = String(page.dropLast(".html".count))
        let goldenURL = TestFiles.repository("Samples/expected/\(name).jsonl")
        let actual = Self.run.lines.filter { $0.contains("\"path\":\"Samples/\(page)\"") }
        let actualText = actual.map { $0 + "\n" }.joined(separator: "")
        if ProcessInfo.processInfo.environment["DECLPROC_RECORD_GOLDENS"] == "1" {
            try Data(actualText.utf8).write(to: goldenURL)
            return
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        guard golden != actualText else { return }
        let expectedLines = golden.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let actualLines = actualText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var diff: [String] = []
        for index in 0..<max(expectedLines.count, actualLines.count) where diff.count < 6 {
            let e = index < expectedLines.count ? expectedLines[index] : "<none>"
            let a = index < actualLines.count ? actualLines[index] : "<none>"
            if e != a { diff.append("line \(index + 1):\n- \(e)\n+ \(a)") }
        }
        let message = "\(goldenURL.lastPathComponent) differs (re-record with DECLPROC_RECORD_GOLDENS=1 if intended):\n"
            + diff.joined(separator: "\n")
        Issue.record(Comment(rawValue: message))
    }

    @Test func everyRecordValidatesAgainstTheSchema() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let statements = directory.appendingPathComponent("statements.jsonl")
        let pages = directory.appendingPathComponent("pages.jsonl")
        try Data(Self.run.lines.map { $0 + "\n" }.joined(separator: "").utf8).write(to: statements)
        let pageLines = try TestFiles.declproc(["extract", "Samples", "--emit", "pages"], directory: TestFiles.repositoryRoot).stdout
        try pageLines.write(to: pages)
        let result = try TestFiles.run("/usr/bin/env", ["python3", TestFiles.repository("Tests/Tools/validate-jsonl.py").path,
                                                      TestFiles.repository("Sources/DeclprocRecords/schema/record.schema.json").path,
                                                      statements.path, pages.path])
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("lines valid"))
    }

    @Test func offsetsPointIntoTheOriginalText() throws {
        for record in Self.run.records {
            let original = Array(((record["text"] as! [String: Any])["original"] as! String).unicodeScalars)
            for sentence in record["sentences"] as! [[String: Any]] {
                let start = sentence["start"] as! Int, end = sentence["end"] as! Int
                #expect(0 <= start && start < end && end <= original.count)
                for word in sentence["words"] as! [[String: Any]] {
                    let ws = word["start"] as! Int, we = word["end"] as! Int
                    #expect(start <= ws && ws < we && we <= end)
                    // Normalization only folds width and whitespace here, so the word's
                    // first character is recognisably the original's.
                    let text = word["text"] as! String
                    if text.unicodeScalars.first!.isASCII == false || original[ws].isASCII {
                        #expect(original[ws] == text.unicodeScalars.first! || original[ws].properties.isWhitespace == false)
                    }
                }
            }
        }
    }

    @Test func idsAreStableAndUnique() throws {
        let ids = Self.run.records.map { $0["id"] as! String }
        #expect(Set(ids).count == ids.count)
        let again = try TestFiles.declproc(["extract", "Samples"], directory: TestFiles.repositoryRoot)
        #expect(again.text.split(separator: "\n").map(String.init) == Self.run.lines, "output is byte-stable across runs")
    }

    @Test func summaryAccountsForEveryPage() throws {
        let s = Self.run.summary
        let pages = s["pages"] as! Int
        #expect(pages == 15)
        #expect(pages == (s["pages_with_statements"] as! Int) + (s["pages_without_statements"] as! Int) + (s["rejected"] as! Int))
        #expect((s["without_statements"] as! [[String: Any]]).map { $0["path"] as! String } == ["Samples/no-statements.html"])
        #expect(s["statements"] as! Int == Self.run.records.count)
    }
}

