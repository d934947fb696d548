import Foundation
import Testing
import TestSupport

/// The PySpark job in Scripts/spark, in Spark local mode (pyspark from PyPI on the
/// machine's Java): its merged output equals `declproc extract` run directly.
@Suite(.serialized) struct SparkTests {
    @Test func sparkLocalModeEqualsADirectRun() throws {
        let work = try Workspace(prefix: "declproc-spark")
        var inputs: [String] = []
        for folder in ["Samples", "Tests/Fixtures/warc"] {
            let root = TestFiles.repository(folder).path
            for name in try FileManager.default.contentsOfDirectory(atPath: root).sorted()
            where name.hasSuffix(".html") || name.hasSuffix(".warc.gz") || name.hasSuffix(".warc") {
                inputs.append(root + "/" + name)
            }
        }
        #expect(inputs.count >= 16)
        let list = work.path("inputs.txt")
        try Data((inputs.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: list))

        let direct = try TestFiles.declproc(["extract", "--from-list", list, "--no-dedup", "--out-dir", work.path("direct"), "--quiet"])
        #expect(direct.status == 0, "\(direct.stderr)")

        let binary = try TestFiles.executable().path
        let spark = try TestFiles.run("/usr/bin/env", [
            "python3", TestFiles.repository("Scripts/spark/declproc_spark.py").path, list, "--binary", binary,
            "--locales", TestFiles.repository("Locales").path, "--out", work.path("spark"), "--partitions", "3", "--master", "local[2]",
        ], environment: ProcessInfo.processInfo.environment.merging(["PYSPARK_PYTHON": "python3"]) { $1 })
        #expect(spark.status == 0, "\(spark.stderr.suffix(3000))")

        func sortedByID(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init).sorted {
                let a = (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["id"] as! String
                let b = (try! JSONSerialization.jsonObject(with: Data($1.utf8)) as! [String: Any])["id"] as! String
                return a < b
            }
        }
        let expected = try sortedByID(work.path("direct/records.jsonl"))
        #expect(expected.count >= 40)
        #expect(try sortedByID(work.path("spark/records.jsonl")) == expected)
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("direct/summary.json")))) as! [String: Any]
        let b = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("spark/summary.json")))) as! [String: Any]
        for key in ["pages", "statements", "rejected", "pages_with_statements", "pages_without_statements"] {
            #expect(a[key] as? Int == b[key] as? Int, "\(key)")
        }
        #expect(b["partitions"] as? Int == 3)
        // Linking duplicates after the merge works on Spark's output as on any other.
        let linked = try TestFiles.declproc(["dedup", work.path("spark/records.jsonl"), "-o", work.path("linked.jsonl")])
        #expect(linked.status == 0, "\(linked.stderr)")
    }
}
