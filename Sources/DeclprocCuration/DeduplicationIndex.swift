import CPrefetch
import DeclprocCollections
import DeclprocSQLite
import Foundation

extension Deduplicator {
    /// The statements seen so far, in memory: flat arrays and hashed keys, fast
    /// for the runs most users make.
    final class MemoryIndex {
        private var ids: [String] = []
        private var fields: [(people: String, date: String?, place: String?, length: Int)] = []
        /// Each entry's signature, `hashes` numbers at `index × hashes`: one flat array
        /// rather than an array per entry.
        private(set) var signatures: [UInt32] = []
        /// Each entry's context, by index.
        private(set) var contexts: [Context] = []
        /// A 64-bit hash of the people and the folded text → the newest entry with it.
        private(set) var exact: [UInt64: Int] = [:]
        /// Band key → 1 + the newest slot of that band's list; slot `index × bands + b`
        /// is entry `index`'s band `b`, and `nextInBand[slot]` is 1 + the slot before it
        /// in the same list (0: none). One flat array where an array per band key cost
        /// most of the index's memory.
        private(set) var bandHeads = BandHeads()
        private var nextInBand: [Int32] = []
        /// An estimate of the memory held, from the sizes measured on the benchmark
        /// corpus (about 1.1 KB per entry, most of it the signature and the band keys).
        private(set) var bytes = 0

        var count: Int { ids.count }

        func entry(_ index: Int) -> Entry {
            let f = fields[index]
            return Entry(id: ids[index], people: f.people, date: f.date, place: f.place, length: f.length,
                         signature: signatures[(index * Deduplicator.hashes)..<((index + 1) * Deduplicator.hashes)])
        }

        /// Appends the band's entries, oldest first. `context`: only the entries it admits; nil: all.
        func members(of band: UInt64, admitting context: Context? = nil, into members: inout [Int]) {
            self.members(from: bandHeads.value(band), admitting: context, into: &members)
        }

        /// Asks for the bands' heads ahead of `members` (see `BandHeads.prefetch`).
        func prefetch(bands: [UInt64]) {
            for band in bands { bandHeads.prefetch(band) }
        }

        /// The same from the band's head (1 + its newest slot).
        private func members(from head: Int32, admitting context: Context? = nil, into members: inout [Int]) {
            let start = members.count
            var slot = Int(head)
            while slot != 0 {
                let index = (slot - 1) / Deduplicator.bands
                if context?.admits(contexts[index]) ?? true { members.append(index) }
                slot = Int(nextInBand[slot - 1])
            }
            members[start...].reverse()
        }

        func add(_ entry: Entry, key: UInt64, bands: [UInt64], context: Context) {
            let index = ids.count
            ids.append(entry.id)
            fields.append((entry.people, entry.date, entry.place, entry.length))
            signatures += entry.signature
            contexts.append(context)
            exact[key] = index
            // The lists are taken out of the object for the loop, and each band's head is
            // swapped in one lookup: read and written in place, they cost two hash lookups
            // and three exclusivity checks a band, sixteen bands a statement.
            var heads = BandHeads(), next: [Int32] = []
            swap(&heads, &bandHeads)
            swap(&next, &nextInBand)
            for (b, band) in bands.enumerated() {
                next.append(heads.exchange(band, Int32(index * Deduplicator.bands + b + 1)))
            }
            swap(&heads, &bandHeads)
            swap(&next, &nextInBand)
            bytes += 858 + entry.id.utf8.count + entry.people.utf8.count + (entry.date?.utf8.count ?? 0) + (entry.place?.utf8.count ?? 0)
        }

        /// Every band key with all its entries, oldest first; the keys in the order
        /// the disk index's band runs keep them (as signed integers), so that a batch
        /// is written as a run in one pass.
        /// `sorted`: false when the order does not matter.
        func forEachBand<Failure: Error>(sorted: Bool = true, _ body: (UInt64, [Int]) throws(Failure) -> Void) throws(Failure) {
            var members: [Int] = []
            // Keys with their heads, read in the table's order: looked up again one by
            // one, in key order, each cost a cache miss.
            var entries = bandHeads.all
            if sorted { entries.sort { Int64(bitPattern: $0.key) < Int64(bitPattern: $1.key) } }
            for (band, head) in entries {
                members.removeAll(keepingCapacity: true)
                self.members(from: head, into: &members)
                try body(band, members)
            }
        }
    }

    /// The statements seen so far on disk: what a run over millions of statements
    /// needs, in the memory of SQLite's page cache and a Bloom filter. The entries are
    /// in a SQLite file, numbered in the order they came; the exact keys and the bands
    /// in sorted runs of their own (`KeyRuns`).
    ///
    /// Statements arrive here in batches (the deduplicator's in-memory index, merged
    /// when full). The filter answers most lookups of bands and exact keys with
    /// nothing to compare without reading the runs.
    ///
    /// The files lie in the run's own output directory (nothing is written outside
    /// the chosen output) and are unlinked as soon as they are open: they hold names,
    /// and no interruption can leave them behind.
    final class DiskIndex {
        private let db: SQLiteDatabase
        private let insertEntry, selectEntry: SQLiteStatement
        /// Exact keys and bands, in files of their own beside the database.
        private let exact, bands: KeyRuns
        /// The linking thread's buffer for reading the runs' blocks.
        private var blockBuffer: [UInt8] = []
        private var filter: BandFilter
        /// The filter's size, for the merging thread (which never touches the filter).
        private let filterBlocks: Int

        static let schema = """
        CREATE TABLE entries(ix INTEGER PRIMARY KEY, id TEXT NOT NULL, people TEXT NOT NULL, date TEXT, place TEXT,
          length INTEGER NOT NULL, signature BLOB NOT NULL);
        """

        /// An empty index in `directory`.
        init(directory: String, cacheBytes: Int = 16 << 20, filterBytes: Int = 16 << 20) throws(SQLiteDatabase.Failure) {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(".declproc-dedup-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
            do throws(SQLiteDatabase.Failure) {
                db = try SQLiteDatabase(path: path, sharedAcrossThreads: true)
                // No journal: the file is scratch, never reopened. One transaction for
                // the whole run, so pages are written only when the cache spills.
                try db.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; " +
                               "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -\(cacheBytes >> 10);")
                try db.execute(Self.schema)
                unlink(path)
                try db.execute("BEGIN")
            } catch {
                unlink(path)
                throw error
            }
            insertEntry = try db.prepare("INSERT INTO entries VALUES (?,?,?,?,?,?,?)")
            selectEntry = try db.prepare("SELECT id, people, date, place, length, signature FROM entries WHERE ix = ?")
            exact = KeyRuns(directory: directory)
            bands = KeyRuns(directory: directory)
            filter = BandFilter(bytes: filterBytes)
            filterBlocks = filter.blocks
        }

        /// What entering a batch's keys sets in the filter, grouped by region of it:
        /// worked out on the merging thread, so that the linking thread (the only one
        /// that reads the filter) enters them in one pass that stays in cache, `admit`.
        /// Entered key by key, each missed the cache, and a batch took the linking
        /// thread 0.1 s.
        func filterHashes(of memory: MemoryIndex) -> [UInt64] {
            BandFilter.hashes(of: memory, blocks: filterBlocks)
        }

        /// Enters a batch's keys (`filterHashes`) in the filter, once `write` has put its
        /// rows in the file.
        func admit(_ hashes: [UInt64]) {
            filter.insert(hashes: hashes)
        }

        /// Writes `memory`'s entries, numbered from `base` on, on the merging thread while
        /// the linking thread goes on reading older rows. Stops where `beforeEachRow`
        /// says false (the merge is no longer needed).
        func write(_ memory: MemoryIndex, base: Int, beforeEachRow: () -> Bool) throws(SQLiteDatabase.Failure) {
            for index in 0..<memory.count {
                guard beforeEachRow() else { return }
                let entry = memory.entry(index)
                let signature = entry.signature.withUnsafeBytes { Array($0) }
                try insertEntry.run([.int(base + index), .text(entry.id), .text(entry.people), .optional(entry.date), .optional(entry.place),
                                     .int(entry.length), .blob(signature)])
            }
        }

        /// The runs of exact keys and of bands with `memory`'s added, its entries
        /// numbered from `base` on, on the merging thread; links read the runs before
        /// them until `install`. nil: `beforeEachRow` said stop.
        func runs(adding memory: MemoryIndex, base: Int, beforeEachRow: () -> Bool)
            throws(SQLiteDatabase.Failure) -> (exact: [KeyRuns.Run], bands: [KeyRuns.Run])? {
            guard base + memory.count <= Int(UInt32.max) else {
                throw SQLiteDatabase.Failure(description: "more than \(UInt32.max) distinct statements")
            }
            let exactRun = try exact.writer()
            for (key, index) in memory.exact.sorted(by: { Int64(bitPattern: $0.key) < Int64(bitPattern: $1.key) }) {
                guard beforeEachRow() else { return nil }
                try exactRun.append(key: Int64(bitPattern: key), date: 0, place: 0, ix: UInt32(base + index))
            }
            let bandRun = try bands.writer()
            var stopped = false
            try memory.forEachBand { (band, members) throws(SQLiteDatabase.Failure) in
                for index in members where !stopped {
                    guard beforeEachRow() else { stopped = true; return }
                    let context = memory.contexts[index]
                    try bandRun.append(key: Int64(bitPattern: band), date: context.date, place: context.place, ix: UInt32(base + index))
                }
            }
            if stopped { return nil }
            return (try exact.adding(exactRun), try bands.adding(bandRun))
        }

        /// Makes a merged batch's keys readable (on the linking thread).
        func install(_ runs: (exact: [KeyRuns.Run], bands: [KeyRuns.Run])) {
            exact.install(runs.exact)
            bands.install(runs.bands)
        }

        /// Starts loading what the filter will read for a statement's exact key and bands:
        /// each lookup misses the cache (the filter is 16 MB), and started together the
        /// misses overlap instead of following one another.
        func prefetch(exact key: UInt64, bands: [UInt64], admitting date: UInt32) {
            filter.prefetch(exact: key)
            for band in bands { filter.prefetch(band, admitting: date) }
        }

        func exactMatch(_ key: UInt64) throws(SQLiteDatabase.Failure) -> Int? {
            guard filter.mayHold(exact: key) else { return nil }
            // The newest entry with the key, as in memory.
            var found: [Int] = []
            try exact.members(of: key, admitting: nil, into: &found, buffer: &blockBuffer)
            return found.max()
        }

        func entry(_ index: Int) throws(SQLiteDatabase.Failure) -> Entry {
            var found: Entry? = nil
            try selectEntry.query([.int(index)]) { row in
                let bytes = row.blob(5)
                var signature = [UInt32](filledWith: 0, count: bytes.count / 4)
                signature.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<($0.count)])) }
                found = Entry(id: row.text(0) ?? "", people: row.text(1) ?? "", date: row.text(2), place: row.text(3),
                              length: row.int(4), signature: signature[...])
            }
            guard let found else { throw SQLiteDatabase.Failure(description: "entry \(index) is missing") }
            return found
        }

        /// Appends the band's admitted entries, oldest first.
        func members(of band: UInt64, admitting context: Context, into members: inout [Int]) throws(SQLiteDatabase.Failure) {
            guard filter.mayHold(band, admitting: context.date) else { return }
            let start = members.count
            try bands.members(of: band, admitting: context, into: &members, buffer: &blockBuffer)
            members[start...].sort()
        }
    }

    /// Which (band, date) pairs and exact keys the disk index may hold, as a blocked
    /// Bloom filter: each key sets 4 bits in one 64-byte block (one cache line a
    /// lookup). A band's entry is entered under its date (0: none) and under "any
    /// date", so a dated statement asks for its date and for none, an undated one
    /// for any. Of fixed size: as the index grows past what it can tell apart, more
    /// lookups go to SQLite, never fewer results. A hash's low bits choose the block
    /// (there is a power of two of them), its high 32 the bits in it.
    struct BandFilter {
        private var words: [UInt64]
        let blocks: Int
        static let anyDate: UInt32 = 0xFFFF_FFFF

        /// A power of two blocks, the largest that fits in `bytes`.
        init(bytes: Int) {
            var blocks = 1
            while blocks * 64 * 2 <= max(64, bytes) { blocks *= 2 }
            self.blocks = blocks
            words = [UInt64](filledWith: 0, count: blocks * 8)
        }

        /// The hashes a batch's keys set, for `insert(hashes:)`, grouped by region of
        /// the filter: a 256th of it, small enough to stay in cache while its keys are
        /// set. A band's entry is entered under its date and under any date.
        static func hashes(of memory: Deduplicator.MemoryIndex, blocks: Int) -> [UInt64] {
            var hashes = memory.exact.keys.map(exactHash)
            memory.forEachBand(sorted: false) { band, members in
                for index in members {
                    hashes.append(hash(band, memory.contexts[index].date))
                    hashes.append(hash(band, anyDate))
                }
            }
            // A counting sort by region: two passes, where sorting by block cost 200
            // instructions a hash.
            let regions = min(256, blocks)
            let shift = blocks.trailingZeroBitCount - regions.trailingZeroBitCount
            func region(_ h: UInt64) -> Int { Int(h & UInt64(blocks - 1)) >> shift }
            var starts = [Int](filledWith: 0, count: regions + 1)
            for h in hashes { starts[region(h) + 1] += 1 }
            for r in 0..<regions { starts[r + 1] += starts[r] }
            var grouped = [UInt64](filledWith: 0, count: hashes.count)
            for h in hashes {
                let r = region(h)
                grouped[starts[r]] = h
                starts[r] += 1
            }
            return grouped
        }

        mutating func insert(hashes: [UInt64]) {
            for h in hashes { set(h) }
        }

        func mayHold(exact key: UInt64) -> Bool { test(Self.exactHash(key)) }

        func prefetch(exact key: UInt64) { prefetch(Self.exactHash(key)) }

        /// The blocks `mayHold(band, admitting: date)` reads.
        func prefetch(_ band: UInt64, admitting date: UInt32) {
            if date == 0 {
                prefetch(Self.hash(band, Self.anyDate))
            } else {
                prefetch(Self.hash(band, date))
                prefetch(Self.hash(band, 0))
            }
        }

        private func prefetch(_ h: UInt64) {
            let base = block(h)
            words.withUnsafeBufferPointer { dp_prefetch($0.baseAddress! + base) }
        }

        /// Where the hash's block starts in `words`: its low bits choose it.
        private func block(_ h: UInt64) -> Int { Int(h & UInt64(blocks - 1)) * 8 }

        /// Exact keys share the filter, told apart from band keys by their own mix.
        private static func exactHash(_ key: UInt64) -> UInt64 { Deduplicator.splitmix(key ^ 0x5EED_E8AC_7000_0001) }

        func mayHold(_ band: UInt64, admitting date: UInt32) -> Bool {
            date == 0 ? test(Self.hash(band, Self.anyDate)) : test(Self.hash(band, date)) || test(Self.hash(band, 0))
        }

        private static func hash(_ band: UInt64, _ date: UInt32) -> UInt64 {
            Deduplicator.splitmix(band ^ (UInt64(date) &* 0x9E37_79B9_7F4A_7C15))
        }

        private mutating func set(_ h: UInt64) {
            let base = block(h)
            for k in 0..<4 {
                let bit = Int((h >> (32 + 9 * k)) & 511)
                words[base + (bit >> 6)] |= 1 << UInt64(bit & 63)
            }
        }

        private func test(_ h: UInt64) -> Bool {
            let base = block(h)
            for k in 0..<4 {
                let bit = Int((h >> (32 + 9 * k)) & 511)
                if words[base + (bit >> 6)] & (1 << UInt64(bit & 63)) == 0 { return false }
            }
            return true
        }
    }
}
