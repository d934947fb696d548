@testable import DeclprocCuration
import Foundation
import Testing

/// The disk index's bands in sorted runs answer every lookup as the batches put in
/// them say, run after run and merge after merge: keys shared by hundreds of entries
/// (rows over several blocks), keys at both ends of the signed order, contexts of
/// every kind, and keys never added.
@Suite struct BandRunsTests {
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
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-bands-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A batch of `size` entries numbered from `base`, and the rows it holds.
    static func batch(size: Int, base: Int, common: [UInt64], _ generator: inout Generator) -> (Deduplicator.MemoryIndex, [Row]) {
        let memory = Deduplicator.MemoryIndex()
        var rows: [Row] = []
        let signature = [UInt32](repeating: 0, count: Deduplicator.hashes)[...]
        for i in 0..<size {
            var bands = (0..<Deduplicator.bands).map { _ in generator.next() }
            if generator.next() % 4 != 0 { bands[Int(generator.next() % UInt64(bands.count))] = common[Int(generator.next() % UInt64(common.count))] }
            let date = generator.next() % 3 == 0 ? 0 : UInt32(generator.next() % 3 + 1)
            let place = generator.next() % 2 == 0 ? 0 : UInt32(generator.next() % 2 + 1)
            let context = Deduplicator.Context(date: date, place: place)
            memory.add(.init(id: String(base + i), people: "", date: nil, place: nil, length: 1, signature: signature),
                       key: generator.next(), bands: bands, context: context)
            rows += bands.map { Row(key: $0, context: context, index: base + i) }
        }
        return (memory, rows)
    }

    @Test func lookupsAfterEveryBatchAndMerge() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runs = Deduplicator.BandRuns(directory: directory)
        var generator = Generator(state: 7)
        let common: [UInt64] = [0, 42, UInt64(Int64.max), 1 << 63, UInt64.max]
        let contexts = [(0, 0), (1, 0), (0, 2), (3, 1), (2, 2)].map { Deduplicator.Context(date: UInt32($0.0), place: UInt32($0.1)) }
        var all: [Row] = []
        var base = 0
        var buffer: [UInt8] = []
        for batch in 1...40 {
            let (memory, rows) = Self.batch(size: 1 + Int(generator.next() % 150), base: base, common: common, &generator)
            let next = try #require(try runs.adding(memory, base: base, beforeEachRow: { true }))
            // Until installed, lookups read the runs before the batch.
            var before: [Int] = []
            try runs.members(of: rows[0].key, admitting: contexts[0], into: &before, buffer: &buffer)
            #expect(!before.contains(base))
            runs.install(next)
            all += rows
            base += memory.count
            // Each run more than twice the next newer one: at most log₂ of the rows runs.
            let sizes = runs.runs.map(\.count)
            #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 > 2 * $1 }, "\(sizes) after \(batch) batches")
            #expect(runs.runs.reduce(0) { $0 + $1.count } == all.count)
            let keys = common + (0..<20).map { _ in all[Int(generator.next() % UInt64(all.count))].key } + (0..<5).map { _ in generator.next() }
            for key in keys {
                for context in contexts {
                    var found: [Int] = []
                    try runs.members(of: key, admitting: context, into: &found, buffer: &buffer)
                    let expected = all.filter { $0.key == key && context.admits($0.context) }.map(\.index)
                    #expect(found.sorted() == expected.sorted(), "key \(key) after \(batch) batches")
                }
            }
        }
        // The shared keys' rows span several blocks of a run.
        #expect(all.filter { $0.key == 42 }.count > 2 * Deduplicator.BandRuns.rowsPerBlock)
        // Every file is unlinked as soon as it is open: nothing with names stays behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    }

    /// A batch stopped partway (the run is closing) leaves the runs as they were.
    @Test func aStoppedBatchChangesNothing() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runs = Deduplicator.BandRuns(directory: directory)
        var generator = Generator(state: 11)
        let (first, _) = Self.batch(size: 50, base: 0, common: [5], &generator)
        runs.install(try #require(try runs.adding(first, base: 0, beforeEachRow: { true })))
        let (second, _) = Self.batch(size: 50, base: 50, common: [5], &generator)
        var allowed = 100
        #expect(try runs.adding(second, base: 50, beforeEachRow: { allowed -= 1; return allowed >= 0 }) == nil)
        #expect(runs.runs.count == 1 && runs.runs[0].count == 50 * Deduplicator.bands)
    }
}
