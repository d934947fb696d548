import DeclprocLocales
import DeclprocText
import Foundation
import Testing
import TestSupport

/// Every output format on Samples, redaction (the leak test), exclusion,
/// deduplication across files, and the dataset folder.
@Suite(.serialized) struct DatasetTests {
    static let allFormats = "jsonl,csv,tsv,tmx,parallel,sqlite"


    static func python(_ script: String, _ arguments: [String] = []) throws -> TestFiles.RunResult {
        try TestFiles.run("/usr/bin/env", ["python3", "-c", script] + arguments)
    }

    static func records(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func everyFormatOnSamples() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let out = work.path("out")
        let result = try TestFiles.declproc(["extract", "Samples", "--out-dir", out, "--format", Self.allFormats],
                                            directory: TestFiles.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(out + "/records.jsonl")
        #expect(records.count == 40)

        // JSON Lines: valid against the schema.
        let validation = try TestFiles.run("/usr/bin/env", ["python3", TestFiles.repository("Tests/Tools/validate-jsonl.py").path,
                                                          TestFiles.repository("Sources/DeclprocRecords/schema/record.schema.json").path,
                                                          out + "/records.jsonl"])
        #expect(validation.status == 0, "\(validation.text)\(validation.stderr)")

        // CSV: byte-order mark, header, one row per statement whatever the newlines inside fields.
        let csv = try Data(contentsOf: URL(fileURLWithPath: out + "/records.csv"))
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let csvCheck = try Self.python("""
            import csv, sys
            rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
            tsv = [line.rstrip('\\n').split('\\t') for line in open(sys.argv[2], encoding='utf-8')]
            assert all(len(r) == len(rows[0]) for r in rows + tsv), 'ragged rows'
            assert rows[0] == tsv[0]
            print(len(rows) - 1, len(tsv) - 1, rows[0][0], rows[0][12], len(rows[0]))
            """, [out + "/records.csv", out + "/records.tsv"])
        #expect(csvCheck.status == 0, "\(csvCheck.stderr)")
        #expect(csvCheck.text == "40 40 id text 30\n")

        // TMX: valid against the official DTD, one unit per aligned pair.
        let dtd = TestFiles.repository("Tests/Fixtures/tmx/tmx14.dtd").path
        let xmllint = try TestFiles.run("/usr/bin/env", ["xmllint", "--noout", "--nonet", "--dtdvalid", dtd, out + "/records.tmx"])
        #expect(xmllint.status == 0, "\(xmllint.stderr)")
        let tmx = try String(contentsOfFile: out + "/records.tmx", encoding: .utf8)
        let pairs = try String(contentsOfFile: out + "/parallel.zh", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(pairs > 0)
        #expect(tmx.components(separatedBy: "<tu ").count - 1 == pairs)
        #expect(tmx.contains("xml:lang=\"zh-Hans\"") && tmx.contains("xml:lang=\"en\""))

        // Parallel text: three files, line for line.
        for suffix in ["en", "ids"] {
            let lines = try String(contentsOfFile: out + "/parallel." + suffix, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
            #expect(lines == pairs)
        }

        // SQLite: tables filled, and the full-text index finds Chinese words, across scripts.
        let sql = try Self.python("""
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            q = lambda s: db.execute(s).fetchall()
            print(q('select count(*) from statements')[0][0], q('select count(*) from pages')[0][0], q('select count(*) from declarants')[0][0])
            hits = {r[0] for r in q("select statement_id from statements_fts where statements_fts match '退出'")}
            with_word = {r[0] for r in q("select id from statements where coalesce(simplified, normalized) like '%退出%'")}
            print(len(hits), hits <= with_word, len(with_word) > 0)
            trad = q("select s.normalized from statements_fts f join statements s on s.id = f.statement_id where statements_fts match '共产党' and s.script = 'Hant'")
            print(len(trad) > 0, all('共產黨' in t[0] for t in trad))
            print(q("select count(*) from sentence_pairs")[0][0])
            print(q("select value from meta where key = 'schema_version'")[0][0])
            """, [out + "/records.sqlite"])
        #expect(sql.status == 0, "\(sql.stderr)")
        let lines = sql.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "40 15 43")
        if lines.count == 5 {
            let fts = lines[1].split(separator: " ")
            #expect(Int(fts[0])! >= 20)
            #expect(fts[1] == "True" && fts[2] == "True")
            #expect(lines[2] == "True True")
            #expect(Int(lines[3]) == pairs)
            #expect(lines[4] == "4")
        } else {
            Issue.record("unexpected SQLite answers: \(sql.text)")
        }
    }

    @Test func csvWithoutByteOrderMarkAndOnStandardOutput() throws {
        let result = try TestFiles.declproc(["extract", "Samples/zh-with-english.html", "--format", "csv", "--no-bom"],
                                            directory: TestFiles.repositoryRoot)
        #expect(result.status == 0)
        #expect(result.text.hasPrefix("id,page_id,duplicate_of,"))
        let usage = try TestFiles.declproc(["extract", "Samples", "--format", "sqlite"], directory: TestFiles.repositoryRoot)
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("writes files"))
        let unknown = try TestFiles.declproc(["extract", "Samples", "--format", "xlsx"], directory: TestFiles.repositoryRoot)
        #expect(unknown.status == 2)
    }

    /// Every name in Samples' facts, in every form a reader could search for.
    static func nameForms() throws -> [String: Set<String>] {
        let store = try TestFiles.locales()
        let pinyin = PinyinTransliterator(lexicon: try PinyinLexicon(store: store))
        let toSimplified = try ChineseConverter(configuration: "t2s", store: store)
        let toTraditional = try ChineseConverter(configuration: "s2t", store: store)
        var forms: [String: Set<String>] = [:]
        let folder = TestFiles.repository("Samples/expected")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".facts.json") {
            let facts = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as! [String: Any]
            for statement in facts["statements"] as? [[String: Any]] ?? [] {
                for name in statement["declarants"] as? [String] ?? [] {
                    var set: Set<String> = [name, toSimplified.convert(name), toTraditional.convert(name)]
                    if name.unicodeScalars.contains(where: \.isHan) {
                        for tones in [ToneStyle.marks, .numbers, .none] {
                            set.insert(pinyin.name(name, style: PinyinStyle(tones: tones)))
                            set.insert(pinyin.transliterate(name, words: [], style: PinyinStyle(tones: tones)))
                        }
                    }
                    forms[name, default: []].formUnion(set.filter { $0.unicodeScalars.count >= 2 })
                }
            }
        }
        return forms
    }

    static func leaks(in folder: String, forms: [String: Set<String>]) throws -> [String] {
        var bytes = Data()
        for file in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue {
                bytes.append(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
            }
        }
        let lowered = Data(bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 })
        var found: [String] = []
        for (name, set) in forms {
            for form in set {
                let isLatin = form.unicodeScalars.allSatisfy { !$0.isHan }
                let needle = Data((isLatin ? form.lowercased() : form).utf8)
                if (isLatin ? lowered : bytes).range(of: needle) != nil { found.append("\(name) as \(form)") }
            }
        }
        return found.sorted()
    }

    /// The leak test: with --redact names,contacts no name appears in any output's
    /// raw bytes, in Han (as written, Simplified, Traditional) or in Pinyin with or
    /// without tones, capitalized or not. The same run without redaction shows them,
    /// so the search itself works.
    @Test func redactionLeavesNoNameInAnyFormat() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let key = work.path("key")
        try Data("a secret of more than sixteen bytes\n".utf8).write(to: URL(fileURLWithPath: key))
        let forms = try Self.nameForms()
        #expect(forms.count >= 40)
        let redacted = try TestFiles.declproc(["dataset", "Samples", "--out-dir", work.path("redacted"), "--format", Self.allFormats,
                                               "--redact", "names,contacts", "--redact-key-file", key], directory: TestFiles.repositoryRoot)
        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(try Self.leaks(in: work.path("redacted"), forms: forms) == [])
        let plain = try TestFiles.declproc(["extract", "Samples", "--out-dir", work.path("plain"), "--format", Self.allFormats],
                                           directory: TestFiles.repositoryRoot)
        #expect(plain.status == 0)
        let plainLeaks = try Self.leaks(in: work.path("plain"), forms: forms)
        #expect(Set(plainLeaks.map { $0.components(separatedBy: " as ")[0] }).count == forms.count)

        // Pseudonyms are stable under one key and differ under another; records say what was redacted.
        let records = try Self.records(work.path("redacted/records.jsonl"))
        #expect(records.allSatisfy { ($0["redacted"] as? [String]) == ["names", "contacts"] })
        let names = records.flatMap { ($0["declarants"] as! [[String: Any]]).map { $0["name"] as! String } }
        #expect(names.allSatisfy { $0.hasPrefix("[NAME-") })
        let again = try TestFiles.declproc(["extract", "Samples/joint-declaration.html", "--redact", "names"],
                                           environment: ["DECLPROC_REDACT_KEY": "a secret of more than sixteen bytes"],
                                           directory: TestFiles.repositoryRoot)
        let otherKey = try TestFiles.declproc(["extract", "Samples/joint-declaration.html", "--redact", "names"],
                                              environment: ["DECLPROC_REDACT_KEY": "another secret, also long enough"],
                                              directory: TestFiles.repositoryRoot)
        let againNames = try again.text.split(separator: "\n").flatMap {
            ((try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["declarants"] as! [[String: Any]]).map { $0["name"] as! String }
        }
        #expect(!againNames.isEmpty && Set(againNames).isSubset(of: Set(names)))
        #expect(!againNames.contains(where: { otherKey.text.contains($0) }))

        // No key, no redaction: the key never comes from the command line.
        let noKey = try TestFiles.declproc(["extract", "Samples", "--redact", "names"], environment: [:], directory: TestFiles.repositoryRoot)
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("DECLPROC_REDACT_KEY"))
    }

    @Test func excludedStatementsLeaveEveryOutput() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let plain = try TestFiles.declproc(["extract", "Samples"], directory: TestFiles.repositoryRoot)
        let all = try plain.text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byID = all[0]["id"] as! String
        let name = ((all[5]["declarants"] as! [[String: Any]])[0]["name"] as! String)
        let list = "# takedown requests\n\(byID)\n\(name)\n"
        try Data(list.utf8).write(to: URL(fileURLWithPath: work.path("exclude.txt")))
        let result = try TestFiles.declproc(["extract", "Samples", "--out-dir", work.path("out"), "--format", Self.allFormats,
                                             "--exclude", work.path("exclude.txt")], directory: TestFiles.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("out/summary.json")))) as! [String: Any]
        #expect(summary["excluded"] as? Int == 2)
        #expect(summary["statements"] as? Int == 38)
        let forms: [String: Set<String>] = [name: [name]]
        #expect(try Self.leaks(in: work.path("out"), forms: forms) == [])
        for file in ["records.jsonl", "records.csv", "records.tsv"] {
            #expect(!(try String(contentsOfFile: work.path("out/" + file), encoding: .utf8)).contains(byID))
        }
    }

    /// A statement reposted in Traditional with other punctuation is linked to the
    /// first; the same template by another person is not; `dedup` finds the same
    /// links across separately extracted files.
    @Test func duplicatesAreLinkedWithinARunAndAcrossFiles() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let input = work.path("pages")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        func page(_ name: String, _ body: String) throws {
            let html = "<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>声明</title></head><body><div class=\"content\"><p>\(body)</p></div></body></html>"
            try Data(html.utf8).write(to: URL(fileURLWithPath: input + "/" + name))
        }
        try page("a.html", "我在大学期间加入中国共产党，当时只是为了找工作。现在我看清了它的本质，郑重声明退出中国共产党及其一切组织。声明人：陈建华 2011年3月5日")
        try page("b.html", "我在大學期間加入中國共產黨, 當時只是為了找工作. 現在我看清了它的本質, 鄭重聲明退出中國共產黨及其一切組織. 聲明人: 陳建華 2011年3月5日")
        try page("c.html", "我在大学期间加入中国共产党，当时只是为了找工作。现在我看清了它的本质，郑重声明退出中国共产党及其一切组织。声明人：王秀英 2011年3月5日")
        try page("d.html", "我在大学期间加入中国共产党，当时只是为了找份工作。现在我终于看清了它的本质，郑重声明退出中国共产党及其一切组织。声明人：陈建华 2011年3月5日")
        let result = try TestFiles.declproc(["extract", input, "-o", work.path("all.jsonl")])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(work.path("all.jsonl"))
        let byPage = Dictionary(uniqueKeysWithValues: records.map {
            (URL(fileURLWithPath: ($0["source"] as! [String: Any])["path"] as! String).lastPathComponent, $0)
        })
        let first = byPage["a.html"]!["id"] as! String
        #expect(byPage["a.html"]!["duplicate_of"] is NSNull)
        #expect(byPage["b.html"]!["duplicate_of"] as? String == first)
        #expect(byPage["c.html"]!["duplicate_of"] is NSNull, "another declarant is never a duplicate")
        #expect(byPage["d.html"]!["duplicate_of"] as? String == first, "a near duplicate")

        // Sharded: each page extracted alone, then linked by dedup.
        var shards: [String] = []
        for name in ["a", "b", "c", "d"] {
            let shard = work.path("\(name).jsonl")
            #expect(try TestFiles.declproc(["extract", input + "/\(name).html", "--no-dedup", "-o", shard]).status == 0)
            shards.append(shard)
        }
        #expect(try Self.records(work.path("b.jsonl"))[0]["duplicate_of"] is NSNull)
        let linked = try TestFiles.declproc(["dedup"] + shards + ["-o", work.path("linked.jsonl")])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(linked.stderr.contains("4 statements read, 2 linked"))
        let merged = try Self.records(work.path("linked.jsonl"))
        #expect(merged.map { $0["duplicate_of"] as? String } == records.map { $0["duplicate_of"] as? String })
        let bad = try TestFiles.declproc(["dedup", work.path("exclude-missing.jsonl")])
        #expect(bad.status == 3)

        // Record files are read line by line: CRLF endings and blank lines pass, and a
        // bad record is named by its line in the file.
        let line = try String(contentsOfFile: work.path("b.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        try Data("\(line)\r\n\r\n\(line)\r\n".utf8).write(to: URL(fileURLWithPath: work.path("crlf.jsonl")))
        let crlf = try TestFiles.declproc(["dedup", work.path("crlf.jsonl")])
        #expect(crlf.status == 0, "\(crlf.stderr)")
        #expect(crlf.stderr.contains("2 statements read, 1 linked"))
        try Data("\(line)\n\n{}\n".utf8).write(to: URL(fileURLWithPath: work.path("broken.jsonl")))
        let broken = try TestFiles.declproc(["dedup", work.path("broken.jsonl")])
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("broken.jsonl:3: not a statement record"), "\(broken.stderr)")
    }

    @Test func datasetFolderHasDataSchemaAndCard() throws {
        let work = try Workspace(prefix: "declproc-cli")
        let out = work.path("dataset")
        let result = try TestFiles.declproc(["dataset", "Samples", "--out-dir", out, "--format", "jsonl,tmx"], directory: TestFiles.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["records.jsonl", "records.tmx", "rejects.jsonl", "summary.json", "README.md", "report.html", "schema/record.schema.json", "schema/reject.schema.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let schema = try String(contentsOfFile: out + "/schema/record.schema.json", encoding: .utf8)
        #expect(schema == (try String(contentsOf: TestFiles.repository("Sources/DeclprocRecords/schema/record.schema.json"), encoding: .utf8)))
        let card = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        for expected in ["| statements | 40 |", "| pages read | 15 |", "| renunciation | 36 |", "| support | 4 |", "| party |",
                         "| youth_league |", "| young_pioneers |", "| Hant | 5 |", "2005-05-03 to ", "Names are not redacted",
                         "declproc 0.", "record schema 4"] {
            #expect(card.contains(expected), "\(expected)")
        }
    }

    @Test func alignCommandFormats() throws {
        let work = try Workspace(prefix: "declproc-cli")
        try Data("本人于1998年加入共青团。\n现声明退出共青团。\n声明人：孙丽娟 2009年4月25日\n".utf8).write(to: URL(fileURLWithPath: work.path("zh.txt")))
        try Data("I joined the Communist Youth League in 1998.\nI now declare my withdrawal from the League.\nDeclarant: Sun Lijuan, April 25, 2009\n".utf8)
            .write(to: URL(fileURLWithPath: work.path("en.txt")))
        let links = try TestFiles.declproc(["align", "--zh", work.path("zh.txt"), "--en", work.path("en.txt")])
        #expect(links.status == 0, "\(links.stderr)")
        #expect(links.text == "[0]:[0]\n[1]:[1]\n[2]:[2]\n")
        let tsv = try TestFiles.declproc(["align", "--zh", work.path("zh.txt"), "--en", work.path("en.txt"), "--format", "tsv"])
        #expect(tsv.text.split(separator: "\n").allSatisfy { $0.split(separator: "\t").count == 3 })
        let tmx = try TestFiles.declproc(["align", "--zh", work.path("zh.txt"), "--en", work.path("en.txt"), "--format", "tmx"])
        try tmx.stdout.write(to: URL(fileURLWithPath: work.path("out.tmx")))
        let dtd = TestFiles.repository("Tests/Fixtures/tmx/tmx14.dtd").path
        let xmllint = try TestFiles.run("/usr/bin/env", ["xmllint", "--noout", "--nonet", "--dtdvalid", dtd, work.path("out.tmx")])
        #expect(xmllint.status == 0, "\(xmllint.stderr)")
        #expect(tmx.text.components(separatedBy: "<tu ").count == 4)
        let missing = try TestFiles.declproc(["align", "--zh", work.path("nope.txt"), "--en", work.path("en.txt")])
        #expect(missing.status == 3)
    }
}
