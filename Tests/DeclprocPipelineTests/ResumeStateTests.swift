import DeclprocPipeline
import DeclprocReader
import Foundation
import Testing

/// The resume state's shards: inputs grouped into atomically committed shards, a
/// kill losing only the open one, a changed input ending the skipping, and a later
/// run's shards replacing those it redid.
@Suite struct ResumeStateTests {
    /// Lines written for `inputs` (one reject each), then each input finished with
    /// the run's summary so far (pages counted from `pagesBefore`: a run counts only
    /// the pages it processed itself).
    static func write(_ state: ResumeState, _ inputs: Range<Int>, files: [String], pagesBefore: Int) throws {
        for i in inputs {
            try state.write(.init(reject: Reject(input: files[i], position: 0, reason: "input \(i), \(try String(contentsOfFile: files[i], encoding: .utf8))")))
            var summary = ExtractionSummary()
            summary.pages = pagesBefore + i - inputs.lowerBound + 1
            summary.rejected = summary.pages
            try state.inputDone(index: i, path: files[i], summary: summary)
        }
    }

    static func lines(_ state: ResumeState) throws -> [String] {
        var reasons: [String] = []
        try state.forEachLine { reasons.append($0.reject?.reason ?? "?") }
        return reasons
    }

    @Test func shardsCommitTogetherAndLaterRunsReplaceWhatTheyRedo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-resume-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = (0..<6).map { folder + "/in/\($0).html" }
        for (i, file) in files.enumerated() { try "page \(i)".write(toFile: file, atomically: true, encoding: .utf8) }
        let items = { files.map { InputEnumerator.Item.file(path: $0) } }
        let out = folder + "/out"

        // Inputs 0–2 in one shard, 3 in its own, 4 written but never finished (killed).
        let first = try ResumeState(outDir: out)
        first.shardSeconds = .infinity
        try Self.write(first, 0..<3, files: files, pagesBefore: 0)
        #expect(!first.hasCommittedInputs)
        try first.commit()
        first.shardSeconds = 0
        try Self.write(first, 3..<4, files: files, pagesBefore: 3)
        try first.write(.init(reject: Reject(input: files[4], position: 0, reason: "never committed")))

        let second = try ResumeState(outDir: out)
        #expect(second.skippable(items()) == 4)
        #expect(try Self.lines(second) == (0..<4).map { "input \($0), page \($0)" })
        #expect(try second.summary().pages == 4)

        // Input 3 changes: its shard is redone, with 4 and 5, in one new shard.
        try "page 3, edited".write(toFile: files[3], atomically: true, encoding: .utf8)
        let third = try ResumeState(outDir: out)
        #expect(third.skippable(items()) == 3)
        third.shardSeconds = .infinity
        try Self.write(third, 3..<6, files: files, pagesBefore: 0)
        try third.commit()

        let fourth = try ResumeState(outDir: out)
        #expect(fourth.skippable(items()) == 6)
        #expect(fourth.matchesAll(items()))
        #expect(try Self.lines(fourth) == ["input 0, page 0", "input 1, page 1", "input 2, page 2", "input 3, page 3, edited",
                                           "input 4, page 4", "input 5, page 5"])
        let summary = try fourth.summary()
        #expect(summary.pages == 6 && summary.rejected == 6)
        // Only the committed shards' parts are left: 0–2 and 3–5.
        let parts = try FileManager.default.contentsOfDirectory(atPath: out + "/.declproc-resume").filter { $0.hasPrefix("part-") }.sorted()
        #expect(parts.map { $0.prefix(13) } == ["part-00000000", "part-00000003"])

        // A manifest cut short inside its last line: that shard is not committed.
        let manifest = out + "/.declproc-resume/manifest.jsonl"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: manifest))
        try bytes.dropLast(10).write(to: URL(fileURLWithPath: manifest))
        let fifth = try ResumeState(outDir: out)
        #expect(fifth.skippable(items()) == 3)
        #expect(try Self.lines(fifth).count == 3)
    }
}
