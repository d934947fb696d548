import Foundation
import Testing
import TestSupport

/// `--resume`: a run killed at any moment and resumed, as often as it takes, ends
/// with the same bytes as a run never interrupted: no record lost, none duplicated.
@Suite(.serialized) struct ResumeTests {
    /// Three copies of Samples (so the same statements recur across inputs and
    /// deduplication spans kills), the WARC archives and the Readability pages.
    static func corpus(in work: Workspace) throws -> [String] {
        let root = work.path("corpus")
        for copy in 1...3 {
            try FileManager.default.createDirectory(atPath: root + "/copy-\(copy)", withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: TestFiles.repository("Samples").path) where name.hasSuffix(".html") {
                try FileManager.default.copyItem(atPath: TestFiles.repository("Samples/" + name).path, toPath: root + "/copy-\(copy)/" + name)
            }
        }
        return [root, TestFiles.repository("Tests/Fixtures/warc").path, TestFiles.repository("Tests/Fixtures/readability-zh").path]
    }

    static let outputs = ["records.jsonl", "records.csv", "records.sqlite", "rejects.jsonl", "summary.json"]

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try TestFiles.executable()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func contents(_ dir: String, sqliteAsRows: Bool = true) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in outputs where name != "records.sqlite" { result[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
        // The database file's bytes depend on page layout; its rows must match.
        let rows = try TestFiles.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for table in ['pages', 'statements', 'declarants', 'sentence_pairs']:
                for row in db.execute(f'select * from {table} order by rowid'): print(table, row)
            """, dir + "/records.sqlite"])
        result["records.sqlite rows"] = rows.stdout
        return result
    }

    @Test func killedTwentyTimesAndResumedEndsLikeAnUninterruptedRun() throws {
        let work = try Workspace(prefix: "declproc-resume")
        let inputs = try Self.corpus(in: work)
        // Pages written in parts of three statements: kills fall between a page's parts too.
        let common = inputs + ["--format", "jsonl,csv,sqlite", "--quiet", "--jobs", "2", "--statements-per-part", "3"]
        let started = Date()
        let reference = try TestFiles.declproc(["extract"] + common + ["--out-dir", work.path("reference")])
        let duration = Date().timeIntervalSince(started)
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try Self.contents(work.path("reference"))

        // Seeded kill points spread over the whole run: each attempt resumes the same
        // folder and is killed after a delay drawn from the reference run's length.
        var generator = SplitMix(seed: 20_261_129)
        var kills = 0, completions = 0, attempts = 0, resumedFromShards = 0
        var folder = work.path("run-0")
        while kills < 20 || !FileManager.default.fileExists(atPath: folder + "/summary.json") {
            attempts += 1
            #expect(attempts < 200)
            if attempts >= 200 { break }
            // Shards are committed every tenth of a second here (the reference run, on a
            // fast machine, lasts about as long as one default shard of half a second),
            // so most attempts resume from some; the outputs must not depend on it.
            if let manifest = FileManager.default.contents(atPath: folder + "/.declproc-resume/manifest.jsonl"), manifest.contains(0x0A) {
                resumedFromShards += 1
            }
            let process = try Self.start(["extract"] + common + ["--out-dir", folder, "--resume", "--commit-every", "0.1"])
            if kills < 20 {
                let delay = 0.2 + Double(generator.next() % 1000) / 1000 * duration
                let deadline = Date().addingTimeInterval(delay)
                while process.isRunning && Date() < deadline { usleep(10_000) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    kills += 1
                    continue
                }
            }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            // A completed run: same bytes as the reference, and no state left behind.
            #expect(try Self.contents(folder) == expected, "run \(completions) differs after \(kills) kills")
            #expect(FileManager.default.fileExists(atPath: folder + "/.declproc-resume/complete"))
            // What the killed runs were writing (partial parts and outputs, with names in
            // them) was cleared by the runs after them.
            let leftovers = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.contains(".tmp") }
            #expect(leftovers == [], "after \(kills) kills")
            completions += 1
            if kills < 20 { folder = work.path("run-\(completions)") }
        }
        #expect(kills == 20)
        #expect(completions >= 1)
        #expect(resumedFromShards >= 5, "\(resumedFromShards) of \(attempts) attempts found committed shards")
        print("resume: \(resumedFromShards) of \(attempts) attempts found committed shards; the reference run took \(duration) s")
    }

    @Test func commitIntervalIsASecondCountOfZeroOrMore() throws {
        let work = try Workspace(prefix: "declproc-commit-every")
        for bad in ["-1", "nan", "soon"] {
            let result = try TestFiles.declproc(["extract", TestFiles.repository("Samples").path, "--out-dir", work.path("out-\(bad)"),
                                                 "--resume", "--commit-every=\(bad)"])
            #expect(result.status == 2, "--commit-every \(bad)")
            #expect(result.stderr.contains("commit-every"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work.path("out-\(bad)")))
        }
        let alone = try TestFiles.declproc(["extract", TestFiles.repository("Samples").path, "--out-dir", work.path("out"), "--commit-every", "1"])
        #expect(alone.status == 2 && alone.stderr.contains("only applies with --resume"), "\(alone.stderr)")
    }

    @Test func sigtermFinishesTheCurrentInputThenStops() throws {
        let work = try Workspace(prefix: "declproc-sigterm")
        let inputs = try Self.corpus(in: work)
        let common = inputs + ["--format", "jsonl,csv,sqlite", "--quiet", "--jobs", "1"]
        #expect(try TestFiles.declproc(["extract"] + common + ["--out-dir", work.path("reference")]).status == 0)
        // A commit after every input, so the first is committed while most of the
        // run remains (a shard of the default half second could be the whole run here).
        let process = try Self.start(["extract"] + common + ["--out-dir", work.path("run"), "--resume", "--commit-every", "0"])
        // Once the first inputs are committed, ask it to stop.
        let manifest = work.path("run/.declproc-resume/manifest.jsonl")
        while process.isRunning, ((try? String(contentsOfFile: manifest, encoding: .utf8))?.count ?? 0) == 0 { usleep(10_000) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(!FileManager.default.fileExists(atPath: work.path("run/records.jsonl")))
        let resumed = try TestFiles.declproc(["extract"] + common + ["--out-dir", work.path("run"), "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.contents(work.path("run")) == (try Self.contents(work.path("reference"))))
        // The same command once more: nothing to do. Other inputs: not without --force.
        let again = try TestFiles.declproc(["extract"] + common + ["--out-dir", work.path("run"), "--resume"])
        #expect(again.status == 0)
        #expect(again.stderr.contains("already complete"))
        let other = try TestFiles.declproc(["extract", inputs[1], "--out-dir", work.path("run"), "--resume"])
        #expect(other.status == 3)
        #expect(other.stderr.contains("--force"))
        // And a plain run never replaces output without --force.
        #expect(try TestFiles.declproc(["extract", inputs[1], "--out-dir", work.path("run")]).status == 3)
    }
}
