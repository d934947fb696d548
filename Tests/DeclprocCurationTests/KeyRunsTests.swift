@testable import DeclprocCuration
import Foundation
import Testing

/// The disk index's keys in sorted runs answer every lookup as the batches put in
/// them say, run after run and merge after merge: keys shared by hundreds of entries
/// (rows over several blocks), keys at both ends of the signed order, contexts of
/// every kind, and keys never added.
@Suite struct KeyRunsTests {
    struct Row {
        let key: UInt64
        let context: Deduplicator.Context
        let index: Int
    }

    /// A deterministic generator (SplitMix64), so a failure can be replayed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return Deduplicator.splitmix(state)
        }
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A batch of `size` entries numbered from `base`, sixteen keys each, some of them
    /// from `common`: its rows, in the runs' order.
    static func batch(size: Int, base: Int, common: [UInt64], _ generator: inout Generator) -> [Row] {
        var rows: [Row] = []
        for i in 0..<size {
            var keys = (0..<16).map { _ in generator.next() }
            if generator.next() % 4 != 0 { keys[Int(generator.next() % 16)] = common[Int(generator.next() % UInt64(common.count))] }
            let date = generator.next() % 3 == 0 ? 0 : UInt32(generator.next() % 3 + 1)
            let place = generator.next() % 2 == 0 ? 0 : UInt32(generator.next() % 2 + 1)
            let context = Deduplicator.Context(date: date, place: place)
            rows += keys.map { Row(key: $0, context: context, index: base + i) }
        }
        return rows.sorted { Deduplicator.KeyRuns.precedes((Int64(bitPattern: $0.key), UInt32($0.index)), (Int64(bitPattern: $1.key), UInt32($1.index))) }
    }

    static func write(_ rows: [Row], to runs: Deduplicator.KeyRuns) throws -> Deduplicator.KeyRuns.Writer {
        let writer = try runs.writer()
        for row in rows {
            try writer.append(key: Int64(bitPattern: row.key), date: row.context.date, place: row.context.place, ix: UInt32(row.index))
        }
        return writer
    }

    @Test func lookupsAfterEveryBatchAndMerge() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runs = Deduplicator.KeyRuns(directory: directory)
        var generator = Generator(state: 7)
        let common: [UInt64] = [0, 42, UInt64(Int64.max), 1 << 63, UInt64.max]
        let contexts: [Deduplicator.Context?] = [nil] + [(0, 0), (1, 0), (0, 2), (3, 1), (2, 2)].map { Deduplicator.Context(date: UInt32($0.0), place: UInt32($0.1)) }
        var all: [Row] = []
        var base = 0
        var buffer: [UInt8] = []
        var most = 0
        for batch in 1...60 {
            let size = 1 + Int(generator.next() % 150)
            let rows = Self.batch(size: size, base: base, common: common, &generator)
            let next = try runs.adding(try Self.write(rows, to: runs))
            // Until installed, lookups read the runs before the batch.
            var before: [Int] = []
            try runs.members(of: rows[0].key, admitting: nil, into: &before, buffer: &buffer)
            #expect(!before.contains { $0 >= base })
            runs.install(next)
            all += rows
            base += size
            // Each run more than eight times the next newer one.
            let sizes = runs.runs.map(\.count)
            #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 > 8 * $1 }, "\(sizes) after \(batch) batches")
            #expect(sizes.reduce(0, +) == all.count)
            most = max(most, sizes.count)
            let keys = common + (0..<20).map { _ in all[Int(generator.next() % UInt64(all.count))].key } + (0..<5).map { _ in generator.next() }
            for key in keys {
                for context in contexts {
                    var found: [Int] = []
                    try runs.members(of: key, admitting: context, into: &found, buffer: &buffer)
                    let expected = all.filter { $0.key == key && (context?.admits($0.context) ?? true) }.map(\.index)
                    #expect(found.sorted() == expected.sorted(), "key \(key) after \(batch) batches")
                }
            }
        }
        // Merges happened, and several runs were read at once.
        #expect(most >= 2 && runs.runs.count < 60)
        // The shared keys' rows span several blocks of a run.
        #expect(all.filter { $0.key == 42 }.count > 2 * Deduplicator.KeyRuns.rowsPerBlock)
        // Every file is unlinked as soon as it is open: nothing with names stays behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    }
}
