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
}
