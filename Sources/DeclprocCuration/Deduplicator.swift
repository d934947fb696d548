import CMinHash
import DeclprocCollections
import DeclprocRecords
import DeclprocSQLite
import DeclprocText
import Foundation

/// Links statements that say the same thing (`duplicate_of`), never drops them.
///
/// Reposts differ in script, width, punctuation and spacing, so texts are folded
/// first (Simplified, NFKC, lowercase, letters and digits only). Identical folded
/// texts are exact duplicates; near duplicates (a changed word, a trimmed
/// greeting) are found with MinHash over character shingles and banded LSH,
/// confirmed by the estimated Jaccard similarity.
///
/// Many declarations are one template with a different name, place and date, so
/// two statements are duplicates only when their declarants are the same people
/// (same names in Simplified; no names on both sides counts as the same), and not
/// when both give a date or a place and these differ.
///
/// The first record seen of a group is its canonical record; later ones point at
/// it. Memory per distinct statement: its id, people, date and place, a 64-word
/// signature, and its band and exact keys (about 1.1 KB; the text itself is not
/// kept). Past `Options.memoryBudget` the index goes on in scratch files in the
/// spill directory: the newest entries stay in memory and are merged into the
/// files in batches, behind a Bloom filter of its bands, so a crawl of millions of
/// statements runs in bounded memory (the links are the same either way). A merge
/// runs on a thread of its own while linking goes on (see `Merge`).
public final class Deduplicator {
    public struct Options: Sendable {
        /// Characters per shingle: three Han characters are about a word and a half,
        /// short enough that one inserted word changes few shingles.
        public var shingle = 3
        /// Estimated Jaccard similarity from which two texts are near duplicates.
        public var threshold = 0.7
        /// Bytes of index kept in memory (when there is a spill directory). The index
        /// goes to disk when its entries fill half of it. From then on half of it is
        /// the disk index's filter; the other half holds the newest entries, or with
        /// merges in the background, a quarter the newest entries and a quarter the
        /// batch being merged (during the first merge, half: 1.25 times the budget for
        /// that while). With SQLite's 16 MB page cache this keeps deduplication under
        /// 56 MB, within the batch target of 200 MB for the whole process.
        public var memoryBudget = 32 << 20
        /// Whether a batch is merged into the disk index on a thread of its own while
        /// linking goes on (see `Merge`), or on the linking thread.
        public var mergesInBackground = true
        public init() {}
    }

    /// A remembered record: what a later one is compared with.
    struct Entry {
        let id: String
        let people: String
        let date: String?
        let place: String?
        let length: Int
        let signature: ArraySlice<UInt32>
    }

    /// The index could not be written to or read from its file (a full disk, an
    /// unwritable spill directory).
    public struct IndexFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let options: Options
    /// Names to Simplified (OpenCC t2s), so 劉 and 刘 are one person.
    public let simplify: @Sendable (String) -> String
    /// Where the index goes when it outgrows `options.memoryBudget`; nil keeps it in memory.
    public let spillDirectory: String?
    /// The newest entries, numbered from `memoryBase` on; merged into the disk index
    /// when they outgrow their share of `options.memoryBudget`.
    private var memory = MemoryIndex()
    private var memoryBase = 0
    private var disk: DiskIndex?
    /// The batch being written to the disk index, if any: until the merge ends, its
    /// entries are read from memory, and the file only for entries before it.
    private var merging: Merge?
    /// A test's hook, run on the merging thread before each row it writes.
    var rowHook: (@Sendable () -> Void)?
    /// Links made while a merge was under way (tests ask that some were).
    private(set) var linksWhileMerging = 0
    /// Whether `close()` was called.
    private var closed = false
    /// CPU seconds spent by the merges that have ended (`--stage-times`).
    public private(set) var mergeSeconds = 0.0
    /// Whether the index has moved to disk.
    public var spilled: Bool { disk != nil }
    static let bands = hashes / rows
    public private(set) var exactDuplicates = 0
    public private(set) var nearDuplicates = 0
    /// Remembered statements read to be compared with a new one, beyond its exact
    /// match: what the index's layout keeps small.
    public private(set) var comparisons = 0

    static let hashes = 64
    static let rows = 4
    static let seeds: [UInt64] = (0..<UInt64(hashes)).map { splitmix($0 &+ 0x9E37_79B9_7F4A_7C15) }

    /// `simplify` turns a name into Simplified characters (OpenCC t2s), so 劉 and 刘 are one person.
    public init(options: Options = Options(), spillDirectory: String? = nil, simplify: @escaping @Sendable (String) -> String) {
        self.options = options
        self.spillDirectory = spillDirectory
        self.simplify = simplify
    }

    /// What a record is compared by, worked out apart from the comparison: this is
    /// most of the cost (folding, MinHash), and depends on the record alone, so the
    /// workers of a parallel run compute it and the ordered stage only looks it up.
    public struct Features: Sendable {
        let people: String
        let date: String?
        let place: String?
        let key: UInt64
        let length: Int
        let signature: [UInt32]
        let bands: [UInt64]
        /// Hashed once here: a link asks for it once for each band.
        let context: Context
    }

    /// A statement's date and place as 32-bit hashes (0: not given), kept beside each
    /// of its band entries. Templated declarations fill a band with the same people
    /// and text on other dates; the context lets a lookup pass over those without
    /// reading them, where reading every one made a large disk index crawl.
    struct Context: Equatable {
        let date: UInt32
        let place: UInt32

        init(date: String?, place: String?) {
            self.date = Self.hash(date)
            self.place = Self.hash(place)
        }

        /// A context as its hashes (read back from the disk index).
        init(date: UInt32, place: UInt32) {
            self.date = date
            self.place = place
        }

        /// Whether a statement in this context may be a duplicate of one in `other`:
        /// necessary, not sufficient (hashes collide), so candidates are still
        /// checked with `compatible`.
        func admits(_ other: Context) -> Bool {
            (date == 0 || other.date == 0 || date == other.date) && (place == 0 || other.place == 0 || place == other.place)
        }

        static func hash(_ text: String?) -> UInt32 {
            guard let text else { return 0 }
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            let folded = UInt32(truncatingIfNeeded: splitmix(h) >> 32)
            return folded == 0 ? 1 : folded
        }
    }

    public static func features(of record: StatementRecord, options: Options = Options(),
                                simplify: (String) -> String) -> Features {
        let folded = fold(record.text.simplified ?? record.text.normalized)
        let people = record.declaration.declarants.map { String(scalars: fold(simplify($0.name))) }.sorted().joined(separator: "|")
        let signature = Self.signature(folded, shingle: options.shingle)
        let date = record.declaration.date?.value
        let place = record.declaration.place.map { [$0.province, $0.city ?? ""].joined(separator: "/") }
        return Features(people: people, date: date, place: place, key: exactKey(people: people, folded: folded), length: folded.count,
                        signature: signature, bands: bandKeys(signature, people: people), context: Context(date: date, place: place))
    }

    /// Sets `record.duplicateOf` to the canonical record's id when the record repeats one
    /// seen before, or to nil when it is the first of its kind (and remembers it).
    /// `features`: the record's, when already computed (`Deduplicator.features(of:)`,
    /// with the same options).
    public func link(_ record: inout StatementRecord, features: Features? = nil) throws(IndexFailure) {
        record.duplicateOf = try canonicalID(of: record, features: features)
    }

    /// What `link` sets `duplicate_of` to (and the record remembered when nil), the
    /// record left as it is: a caller whose records are in an array it shares writes
    /// to the rare duplicate alone, where an `inout` element copied the whole array
    /// (each record's fields retained, then released) before the link was known.
    public func canonicalID(of record: StatementRecord, features: Features? = nil) throws(IndexFailure) -> String? {
        // Not `??`: its autoclosure captured the record, a copy of all its fields each call.
        if let features { return try canonicalID(id: record.id, features: features) }
        return try canonicalID(id: record.id, features: Self.features(of: record, options: options, simplify: simplify))
    }

    /// The same for the record `id` with these features (computed with this
    /// deduplicator's options): for a caller that has them, so that no record is
    /// passed (an element of an array it may change is copied whole to be passed).
    public func canonicalID(id: String, features f: Features) throws(IndexFailure) -> String? {
        guard !closed else { throw IndexFailure(description: "the deduplicator is closed: no statement can be linked after close()") }
        do {
            return try canonicalID(id: id, f)
        } catch {
            throw IndexFailure(description: "cannot keep the deduplication index in \(spillDirectory ?? "memory"): \(error)")
        }
    }

    private func canonicalID(id: String, _ f: Features) throws(SQLiteDatabase.Failure) -> String? {
        if let merging {
            if merging.hasEnded { try endMerge() } else { linksWhileMerging += 1 }
        }
        let found = if let merging {
            try merging.pausingWrites { () throws(SQLiteDatabase.Failure) in try canonical(of: f) }
        } else {
            try canonical(of: f)
        }
        if let found {
            if found.exact { exactDuplicates += 1 } else { nearDuplicates += 1 }
            return found.id
        }
        try remember(Entry(id: id, people: f.people, date: f.date, place: f.place, length: f.length, signature: f.signature[...]),
                     f)
        return nil
    }

    /// The record a statement with these features repeats, if any.
    private func canonical(of f: Features) throws(SQLiteDatabase.Failure) -> (id: String, exact: Bool)? {
        disk?.prefetch(exact: f.key, bands: f.bands, admitting: f.context.date)
        memory.prefetch(bands: f.bands)
        if let index = try exactMatch(f.key) {
            let entry = try entry(index)
            if entry.people == f.people, entry.length == f.length, entry.signature.elementsEqual(f.signature),
               compatible(entry, date: f.date, place: f.place) {
                return (entry.id, true)
            }
        }
        var best: (entry: Entry, similarity: Double)? = nil
        var seen = Set<Int>()
        var inBand: [Int] = []
        for band in f.bands {
            try members(of: band, admitting: f.context, into: &inBand)
            for index in inBand where seen.insert(index).inserted {
                let entry = try entry(index)
                comparisons += 1
                guard entry.people == f.people, compatible(entry, date: f.date, place: f.place) else { continue }
                let shorter = min(entry.length, f.length), longer = max(entry.length, f.length)
                guard Double(shorter) >= options.threshold * Double(longer) else { continue }
                let similarity = Self.similarity(entry.signature, f.signature[...])
                if similarity >= options.threshold, similarity > (best?.similarity ?? 0) { best = (entry, similarity) }
            }
        }
        return best.map { ($0.entry.id, false) }
    }

    private func remember(_ entry: Entry, _ f: Features) throws(SQLiteDatabase.Failure) {
        memory.add(entry, key: f.key, bands: f.bands, context: f.context)
        guard let spillDirectory else { return }
        // The newest entries' share of the budget, which from the first merge on also
        // holds the disk index's filter (half) and, in the background, the batch being
        // merged (as much as the newest entries). Until then there is neither, so the
        // first batch is half the budget in both modes: a run of some ten thousand
        // statements keeps its index in memory with any number of jobs (with two, the
        // issue-shaped benchmark corpus's 11,077 went to disk at a quarter, and building
        // the file cost 0.2 s of the run's 3 s of CPU). The price is the first merge's:
        // while it runs, the batch, the filter and a quarter of newest entries, 1.25
        // times the budget.
        let share = options.mergesInBackground && disk != nil ? options.memoryBudget / 4 : options.memoryBudget / 2
        guard memory.bytes > share else { return }
        if disk == nil {
            disk = try DiskIndex(directory: spillDirectory, filterBytes: max(1 << 20, options.memoryBudget / 2))
        }
        guard let disk else { return }
        try endMerge()
        merging = Merge(memory, base: memoryBase, into: disk, rowHook: rowHook)
        memoryBase += memory.count
        memory = MemoryIndex()
        if !options.mergesInBackground { try endMerge() }
    }

    /// Waits for the merge under way, if any, reports its failure, and from then on
    /// reads its batch from the file.
    private func endMerge() throws(SQLiteDatabase.Failure) {
        guard let merging else { return }
        self.merging = nil
        mergeSeconds += merging.wait()
        if let failure = merging.failure { throw failure }
        disk?.admit(merging.filterHashes)
        if let runs = merging.runs { disk?.install(runs) }
    }

    /// At the end of a run, after the last link: stops a merge under way, which no
    /// later link needs, and reports any failure of one.
    public func close() throws(IndexFailure) {
        // A cancelled merge leaves part of its batch in the file: nothing may read it.
        closed = true
        merging?.cancel()
        do {
            try endMerge()
        } catch {
            throw IndexFailure(description: "cannot keep the deduplication index in \(spillDirectory ?? "memory"): \(error)")
        }
    }

    deinit {
        merging?.cancel()
        _ = merging?.wait()
    }

    /// A batch of entries written to the disk index on a thread of its own.
    ///
    /// Writing a batch (some 330,000 rows when it was half the default budget) took
    /// half a second on the thread that also reads pages, and in that time no page was
    /// queued: the workers of a parallel run sat idle. Now linking goes on beside the merge, on
    /// the same SQLite connection (opened with SQLite's full mutex, so each call is
    /// serialized):
    /// - a lookup reads the batch from memory and takes from the file only entries
    ///   numbered before it, so the rows of the batch written so far change nothing;
    /// - the batch's keys enter the filter when the merge has ended, since until then
    ///   the file is not asked for them (and what they set is worked out here);
    /// - the merge waits between rows while a link reads: SQLite's mutex is not fair,
    ///   and a thread inserting row after row kept it from the linking thread, which
    ///   then stalled the workers as the merge had before;
    /// - the exact keys and bands go to new run files, which no link reads until the
    ///   merge has ended (`KeyRuns`): writing them need not wait for links.
    /// Only the merging thread inserts; only the linking thread reads the filter.
    final class Merge: @unchecked Sendable {
        let batch: MemoryIndex
        let base: Int
        private let disk: DiskIndex
        private let rowHook: (@Sendable () -> Void)?
        private(set) var failure: SQLiteDatabase.Failure?
        /// What the batch sets in the disk index's filter once merged.
        private(set) var filterHashes: [UInt64] = []
        /// The disk index's runs with the batch's keys (nil: the merge failed or was cancelled).
        private(set) var runs: (exact: [KeyRuns.Run], bands: [KeyRuns.Run])?
        private var seconds = 0.0
        private let condition = NSCondition()
        private var linking = false
        private var cancelled = false
        private var ended = false

        init(_ batch: MemoryIndex, base: Int, into disk: DiskIndex, rowHook: (@Sendable () -> Void)?) {
            self.batch = batch
            self.base = base
            self.disk = disk
            self.rowHook = rowHook
            let thread = Thread { [self] in
                let start = Self.cpuTime()
                do throws(SQLiteDatabase.Failure) {
                    filterHashes = self.disk.filterHashes(of: self.batch)
                    try self.disk.write(self.batch, base: self.base, beforeEachRow: { self.mayWrite(waitingForLinks: true) })
                    runs = try self.disk.runs(adding: self.batch, base: self.base, beforeEachRow: { self.mayWrite(waitingForLinks: false) })
                } catch {
                    failure = error
                }
                seconds = Double(Self.cpuTime() &- start) / 1e9
                condition.lock()
                ended = true
                condition.broadcast()
                condition.unlock()
            }
            thread.start()
        }

        /// On the merging thread, before each row it writes: false once the merge is
        /// cancelled. An entry row first waits while a link reads (they share SQLite's
        /// connection); keys go to files of their own, which links do not read until
        /// the merge has ended, so they need not wait.
        private func mayWrite(waitingForLinks: Bool) -> Bool {
            rowHook?()
            condition.lock()
            defer { condition.unlock() }
            while waitingForLinks && linking && !cancelled { condition.wait() }
            return !cancelled
        }

        /// Runs a link's lookups with the merge paused.
        func pausingWrites<T>(_ body: () throws(SQLiteDatabase.Failure) -> T) throws(SQLiteDatabase.Failure) -> T {
            condition.lock()
            linking = true
            condition.unlock()
            defer {
                condition.lock()
                linking = false
                condition.signal()
                condition.unlock()
            }
            return try body()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }

        /// Whether the merge has ended, without waiting for it.
        var hasEnded: Bool {
            condition.lock()
            defer { condition.unlock() }
            return ended
        }

        /// Waits for the merge to end; its CPU seconds.
        func wait() -> Double {
            condition.lock()
            while !ended { condition.wait() }
            condition.unlock()
            return seconds
        }

        private static func cpuTime() -> UInt64 {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        }
    }

    // The lookups below ask the newest entries, then the batch being merged, then the file.

    private func exactMatch(_ key: UInt64) throws(SQLiteDatabase.Failure) -> Int? {
        if let index = memory.exact[key] { return memoryBase + index }
        if let merging, let index = merging.batch.exact[key] { return merging.base + index }
        guard let index = try disk?.exactMatch(key), index < settledCount else { return nil }
        return index
    }

    /// Entries before this number are in the file for certain.
    private var settledCount: Int { merging?.base ?? memoryBase }

    private func entry(_ index: Int) throws(SQLiteDatabase.Failure) -> Entry {
        if index >= memoryBase { return memory.entry(index - memoryBase) }
        if let merging, index >= merging.base { return merging.batch.entry(index - merging.base) }
        return try disk!.entry(index)
    }

    /// The entries in a band whose context `context` admits, oldest first (the order
    /// they were added).
    private func members(of band: UInt64, admitting context: Context, into members: inout [Int]) throws(SQLiteDatabase.Failure) {
        members.removeAll(keepingCapacity: true)
        if let disk {
            try disk.members(of: band, admitting: context, into: &members)
            if let merging { members.removeAll { $0 >= merging.base } }
        }
        if let merging { append(merging.batch, from: merging.base) }
        append(memory, from: memoryBase)

        func append(_ index: MemoryIndex, from base: Int) {
            let start = members.count
            index.members(of: band, admitting: context, into: &members)
            for k in start..<members.count { members[k] += base }
        }
    }

    private func compatible(_ entry: Entry, date: String?, place: String?) -> Bool {
        if let a = entry.date, let b = date, a != b { return false }
        if let a = entry.place, let b = place, a != b { return false }
        return true
    }

    /// Simplified text folded for comparison: NFKC, lowercase, letters and digits only.
    static func fold(_ text: String) -> [Unicode.Scalar] {
        if let folded = foldQuickly(text) { return folded }
        return foldFully(text)
    }

    /// `fold` for text of ASCII, CJK Unified Ideographs and the punctuation Chinese
    /// text uses, most statements, without Foundation's NFKC and lowercasing: for
    /// these scalars NFKC changes nothing that is kept (the punctuation it maps is
    /// dropped either way, and none of them compose), so each scalar folds alone.
    /// Nil for any other scalar.
    static func foldQuickly(_ text: String) -> [Unicode.Scalar]? {
        var folded: [Unicode.Scalar] = []
        folded.reserveCapacity(text.utf8.count / 3)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x30...0x39, 0x61...0x7A, 0x4E00...0x9FFF: folded.append(scalar)
            case 0x41...0x5A: folded.append(Unicode.Scalar(UInt8(v | 0x20)))
            case 0..<0x80, 0x2013, 0x2014, 0x2018...0x201D, 0x2026, 0x3000...0x3003, 0x3008...0x3011, 0x3014...0x301B,
                 0xFF01...0xFF0F, 0xFF1A...0xFF20, 0xFF3B...0xFF40, 0xFF5B...0xFF5E: continue
            default: return nil
            }
        }
        return folded
    }

    static func foldFully(_ text: String) -> [Unicode.Scalar] {
        text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars.filter {
            switch $0.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
                 .letterNumber, .otherNumber: true
            default: false
            }
        }
    }

    static func signature(_ text: [Unicode.Scalar], shingle: Int) -> [UInt32] {
        var minimum = [UInt32](filledWith: .max, count: hashes)
        let width = min(shingle, max(text.count, 1))
        guard !text.isEmpty else { return minimum }
        // Each shingle hashed once here; its 64 hash functions in C (`dp_minhash`),
        // eight lanes at a time where the processor has AVX-512, four with AVX2.
        let shingles = (0...(text.count - width)).map { start in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for scalar in text[start..<(start + width)] { h = (h ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3 }
            return h
        }
        dp_minhash(shingles, shingles.count, seeds, hashes, &minimum)
        return minimum
    }

    static func bandKeys(_ signature: [UInt32], people: String) -> [UInt64] {
        var peopleHash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in people.utf8 { peopleHash = (peopleHash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return stride(from: 0, to: hashes, by: rows).map { start in
            var h = peopleHash ^ UInt64(start)
            for value in signature[start..<(start + rows)] { h = splitmix(h ^ UInt64(value)) }
            return h
        }
    }

    static func similarity(_ a: ArraySlice<UInt32>, _ b: ArraySlice<UInt32>) -> Double {
        var same = 0
        for (x, y) in zip(a, b) where x == y { same += 1 }
        return Double(same) / Double(hashes)
    }

    /// FNV-1a over the people's UTF-8, a separator and the folded text's scalars, mixed.
    static func exactKey(people: String, folded: [Unicode.Scalar]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in people.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        h = (h ^ 0x1_0000_0000) &* 0x0000_0100_0000_01B3
        for scalar in folded { h = (h ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3 }
        return splitmix(h)
    }

    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
