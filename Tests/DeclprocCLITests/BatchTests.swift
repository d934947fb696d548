import Foundation
import Testing
import TestSupport

/// All cores, shards and progress: the output never depends on how the work was split.
@Suite(.serialized) struct BatchTests {
    /// Samples, the WARC archives and the Readability pages: single pages, archives
    /// with many records, pages without statements.
    static let corpus = ["Samples", "Tests/Fixtures/warc", "Tests/Fixtures/readability-zh"]

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func id(_ line: String) -> String {
        (try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["id"] as! String
    }

    /// Also with the duplicate index moved to disk from the first statement on
    /// (`--dedup-memory 0`): the same links, and no scratch file left in the output.
    @Test func sameBytesForAnyNumberOfJobs() throws {
        let work = try Workspace(prefix: "declproc-batch")
        var outputs: [[Data]] = []
        for (jobs, memory) in [("1", nil), ("2", nil), ("5", nil), ("2", "0")] {
            let dir = work.path("jobs-\(jobs)-\(memory ?? "default")")
            let result = try TestFiles.declproc(["extract"] + Self.corpus + ["--jobs", jobs, "--out-dir", dir, "--format", "jsonl,csv,tmx"]
                                                + (memory.map { ["--dedup-memory", $0] } ?? []),
                                                directory: TestFiles.repositoryRoot)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                    == ["records.csv", "records.jsonl", "records.tmx", "rejects.jsonl", "summary.json"])
            outputs.append(try ["records.jsonl", "records.csv", "records.tmx", "rejects.jsonl"].map {
                try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))
            })
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        #expect(outputs[0] == outputs[3])
        // To standard output, whose writer gets the lines workers encoded whole.
        let streamed = try TestFiles.declproc(["extract"] + Self.corpus + ["--jobs", "2", "--quiet"], directory: TestFiles.repositoryRoot)
        #expect(streamed.status == 0, "\(streamed.stderr)")
        #expect(streamed.stdout == outputs[0][0])
        let records = try Self.lines(work.path("jobs-1-default/records.jsonl"))
        #expect(records.count > 50)
        #expect(records.contains { $0.contains("\"duplicate_of\":\"") })
    }

    /// Shards K/N, counted from 0 or from 1, cover every record exactly once; merged
    /// and sorted by id they equal one run sorted by id; their summaries add up.
    /// `--stage-times` measures without changing a byte, with any number of jobs, and
    /// names every stage; without it the summary has no timings (it stays reproducible).
    @Test func stageTimesChangeNothing() throws {
        let work = try Workspace(prefix: "declproc-stages")
        let stages: Set<String> = ["read", "decode", "parse", "extract", "declaration", "normalize", "segment", "transliterate",
                                   "convert", "align", "records", "deduplicate", "write", "other"]
        var records: [Data] = []
        for (jobs, timed) in [("1", false), ("1", true), ("2", true)] {
            let dir = work.path("jobs-\(jobs)-\(timed)")
            let result = try TestFiles.declproc(["extract"] + Self.corpus + ["--jobs", jobs, "--out-dir", dir, "--quiet"]
                                                + (timed ? ["--stage-times"] : []), directory: TestFiles.repositoryRoot)
            #expect(result.status == 0, "\(result.stderr)")
            records.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/records.jsonl")))
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as! [String: Any]
            #expect(result.stderr.contains("CPU seconds by stage: read ") == timed)
            guard timed else {
                #expect(summary["stage_seconds"] == nil)
                continue
            }
            let seconds = try #require(summary["stage_seconds"] as? [String: Double])
            #expect(Set(seconds.keys) == stages)
            #expect(seconds.values.allSatisfy { $0 >= 0 })
            // Every page is decoded and parsed, and the corpus's statements are Chinese.
            for stage in ["decode", "parse", "segment", "transliterate", "convert"] { #expect(seconds[stage]! > 0, "\(stage)") }
        }
        #expect(records[0] == records[1])
        #expect(records[0] == records[2])
    }

    @Test func shardsPartitionThePages() throws {
        let work = try Workspace(prefix: "declproc-shard")
        let whole = try TestFiles.declproc(["extract"] + Self.corpus + ["--no-dedup", "-o", work.path("whole.jsonl")], directory: TestFiles.repositoryRoot)
        #expect(whole.status == 0)
        let expected = try Self.lines(work.path("whole.jsonl")).sorted { Self.id($0) < Self.id($1) }
        for shards in [Array(0..<3), Array(1...3)] {
            var merged: [String] = []
            var pages = 0
            for k in shards {
                let out = work.path("shard-\(k).jsonl")
                // The inputs in another order: a page's shard depends on its identity only.
                let result = try TestFiles.declproc(["extract"] + Self.corpus.reversed() + ["--no-dedup", "--shard", "\(k)/3", "-o", out,
                                                     "--summary", out + ".summary", "--force"], directory: TestFiles.repositoryRoot)
                #expect(result.status == 0, "\(result.stderr)")
                merged += try Self.lines(out)
                let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".summary"))) as! [String: Any]
                pages += summary["pages"] as! Int
            }
            #expect(merged.sorted { Self.id($0) < Self.id($1) } == expected)
            #expect(whole.stderr.contains("\(pages) pages read"))
        }
        let bad = try TestFiles.declproc(["extract", "Samples", "--shard", "4/3"], directory: TestFiles.repositoryRoot)
        #expect(bad.status == 2)
    }

    @Test func progressLinesWhenNotATerminalAndQuietMeansQuiet() throws {
        let chatty = try TestFiles.declproc(["extract", "Samples", "--progress-interval", "0"], directory: TestFiles.repositoryRoot)
        let progress = chatty.stderr.split(separator: "\n").filter { $0.hasPrefix("declproc: progress: ") }
        #expect(progress.count >= 10, "\(chatty.stderr)")
        #expect(progress.last?.contains("15 pages, 40 statements, 0 rejected") == true, "\(progress.last ?? "")")
        #expect(progress.contains { $0.contains("MB/s") && $0.contains("ETA") })
        let quiet = try TestFiles.declproc(["extract", "Samples", "--progress-interval", "0", "--quiet"], directory: TestFiles.repositoryRoot)
        #expect(!quiet.stderr.contains("progress"))
        #expect(quiet.stderr.contains("15 pages read"))
    }

    /// A list page of 69 statements, duplicates among them, as declaration sites post them.
    static func longListPage() -> String {
        let names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞"]
        let places = ["吉林长春", "广东广州", "四川成都", "湖北武汉", "辽宁沈阳"]
        let organizations = ["共青团", "少先队", "中国共产党"]
        var paragraphs: [String] = []
        for i in 0..<60 {
            let name = names[i % 10] + (i < 30 ? "" : "明"), organization = organizations[i % 3]
            let text = "本人\(name)于\(1980 + i % 20)年加入\(organization)，现郑重声明退出\(organization)及其一切组织。"
                + "声明人：\(name) \(places[i % 5]) 2010年\(1 + i % 12)月\(1 + i % 28)日"
            paragraphs.append("<p>\(text)</p>")
            if i % 7 == 0 { paragraphs.append("<p>\(text)</p>") }
        }
        return "<html><head><meta charset='utf-8'><title>三退名单</title></head><body><h1>三退名单</h1>"
            + paragraphs.joined(separator: "\n") + "</body></html>"
    }

    /// A page's statements written in parts as they are built (so that a page of
    /// thousands of statements never holds all their records at once) make the same
    /// output, in every format, as the page in one piece: with one job and two, with
    /// --resume (parts are lines of their own in a shard), with an exclusion list
    /// (the page's text and count lose the excluded statement whichever part held it),
    /// and with page records.
    @Test func pagesWrittenInPartsChangeNothing() throws {
        let work = try Workspace(prefix: "declproc-parts")
        let list = work.path("list")
        try FileManager.default.createDirectory(atPath: list, withIntermediateDirectories: true)
        try Data(Self.longListPage().utf8).write(to: URL(fileURLWithPath: list + "/list.html"))
        let excluded = "本人刘洋于1983年加入共青团，现郑重声明退出共青团及其一切组织。声明人：刘洋 湖北武汉 2010年4月4日"
        try Data((excluded + "\n").utf8).write(to: URL(fileURLWithPath: work.path("exclude.txt")))
        let inputs = Self.corpus.map { TestFiles.repository($0).path } + [list]
        func run(_ name: String, _ arguments: [String]) throws -> [String: Data] {
            let dir = work.path(name)
            let result = try TestFiles.declproc(["extract"] + inputs + ["--out-dir", dir, "--quiet", "--format", "jsonl,csv,tmx,sqlite"]
                                                + arguments)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            var contents = try ResumeTests.contents(dir)
            contents["records.tmx"] = try Data(contentsOf: URL(fileURLWithPath: dir + "/records.tmx"))
            let check = try TestFiles.run("/usr/bin/env", ["python3", "-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                print(db.execute('pragma foreign_key_check').fetchall(), db.execute('select count(*) from statements').fetchone())
                """, dir + "/records.sqlite"])
            contents["foreign keys"] = check.stdout
            #expect(check.text.hasPrefix("[] ("), "\(name): \(check.text)")
            return contents
        }
        let whole = try run("whole", ["--jobs", "1"])
        let records = String(decoding: whole["records.jsonl"]!, as: UTF8.self)
        #expect(records.components(separatedBy: "三退名单").count - 1 >= 69)
        for (name, arguments) in [("parts-1", ["--jobs", "1", "--statements-per-part", "1"]),
                                  ("parts-3-jobs-2", ["--jobs", "2", "--statements-per-part", "3"]),
                                  ("parts-2-resume", ["--jobs", "2", "--statements-per-part", "2", "--resume"])] {
            let parts = try run(name, arguments)
            for (file, data) in whole { #expect(parts[file] == data, "\(name): \(file)") }
        }
        // Page records, and an exclusion in the middle of the page.
        var pages: [Data] = []
        for size in ["256", "2"] {
            let dir = work.path("pages-\(size)")
            let result = try TestFiles.declproc(["extract"] + inputs + ["--out-dir", dir, "--quiet", "--emit", "pages",
                                                "--exclude", work.path("exclude.txt"), "--statements-per-part", size, "--jobs", "2"])
            #expect(result.status == 0, "\(result.stderr)")
            pages.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/records.jsonl")))
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as! [String: Any]
            #expect(summary["excluded"] as? Int == 1)
        }
        #expect(pages[0] == pages[1])
        let listPage = try #require(String(decoding: pages[1], as: UTF8.self).split(separator: "\n").first { $0.contains("/list/list.html") })
        #expect(!listPage.contains(excluded))
        #expect(listPage.contains("\"statements\":68"))
    }
}
