import DeclprocFiles
import DeclprocSQLite
import Foundation

extension Deduplicator {
    /// Keys with the entries that have them, on disk: each row a key (a band's or an
    /// exact key), the entry's date and place hashes and its index, in sorted runs,
    /// immutable files read with `pread`. The disk index keeps its bands in one set of
    /// runs and its exact keys in another.
    ///
    /// They were SQLite tables keyed by hashes, so a batch's rows were spread over
    /// the whole B-tree and each merge rewrote pages all over it: on the 7,630-page
    /// benchmark corpus, four merges of 272,000 band rows took 1.2 s of the
    /// deduplicator's 2.6 s, and the tables outgrew SQLite's cache as a run grew (with all
    /// cores, a 1 GB input ran at 1.8 MB/s where the 30 MB corpus ran at 3.5). A batch is now written in
    /// one pass as a run of its own, in key order, and the newest two runs are merged
    /// while the older one is not more than eight times the newer: each run is then
    /// more than eight times the next, so that a lookup reads few runs (after n
    /// batches of about the same size, at most log₈ n + 1; 2.1 on average over 300),
    /// while each row is rewritten some 15 times over 300 batches, in sequential
    /// passes. (At twice, rows were rewritten 9 times and lookups read 3.3 runs; a
    /// lookup costs a `pread` a run once the Bloom filter in front of them is full.)
    ///
    /// Runs never change once written, so a merge builds the next set of runs on its
    /// own thread while links read the current set; the set is replaced when the merge
    /// ends. Memory: the first key of each 4 KB block of each run (8 bytes per 204 rows).
    final class KeyRuns {
        /// A row: key, date hash, place hash, entry index; little-endian, packed.
        static let rowBytes = 20
        static let rowsPerBlock = 204
        static let blockBytes = rowBytes * rowsPerBlock
        /// Rows are in the order of their keys as signed integers (the order the
        /// in-memory index hands its bands over in), then of their entries; a run is
        /// written in that order.
        static func precedes(_ a: (key: Int64, ix: UInt32), _ b: (key: Int64, ix: UInt32)) -> Bool {
            a.key < b.key || (a.key == b.key && a.ix < b.ix)
        }

        /// One sorted run in a scratch file, unlinked as soon as it is open.
        final class Run: @unchecked Sendable {
            let file: ScratchFile
            let count: Int
            /// The key of each block's first row.
            let firstKeys: [Int64]
            /// The key of the last row (meaningless when the run is empty).
            let lastKey: Int64

            init(file: ScratchFile, count: Int, firstKeys: [Int64], lastKey: Int64) {
                self.file = file
                self.count = count
                self.firstKeys = firstKeys
                self.lastKey = lastKey
            }

            /// Reads `rows` rows from row `start` on into `buffer` (grown to hold them).
            func read(from start: Int, rows: Int, into buffer: inout [UInt8]) throws(SQLiteDatabase.Failure) {
                do { try file.read(exactly: rows * KeyRuns.rowBytes, into: &buffer, at: start * KeyRuns.rowBytes) } catch {
                    throw SQLiteDatabase.Failure(description: "cannot read the deduplication index: \(error)")
                }
            }
        }

        private(set) var runs: [Run] = []
        private let directory: String

        init(directory: String) {
            self.directory = directory
        }

        /// Rows read around where a key is expected in its block, before the whole
        /// block: keys are hashes, spread evenly, so the row is found by interpolating
        /// between the block's first key and the next block's, within a few rows (a
        /// block of 204 rows puts it within ±7 rows one time in two). Reading 4 KB
        /// copied ten times the bytes a lookup needs: on a 1 GB input that copy was a
        /// quarter of deduplication's time.
        static let window = 24

        /// Appends the entries with `key` in every run whose context `context` admits
        /// (nil: all), unordered.
        func members(of key: UInt64, admitting context: Context?, into members: inout [Int], buffer: inout [UInt8]) throws(SQLiteDatabase.Failure) {
            let key = Int64(bitPattern: key)
            for run in runs where !run.firstKeys.isEmpty && key >= run.firstKeys[0] && key <= run.lastKey {
                // The first block whose first key is not below the key; its rows may
                // begin at the end of the block before it.
                let lo = Self.first(notBelow: key, in: 0..<run.firstKeys.count) { run.firstKeys[$0] }
                if lo > 0 && (lo == run.firstKeys.count || run.firstKeys[lo] > key),
                   try found(key, inBlock: lo - 1, of: run, admitting: context, into: &members, buffer: &buffer) {
                    continue
                }
                var block = max(lo - 1, 0)
                while block < run.firstKeys.count {
                    if run.firstKeys[block] > key { break }
                    let start = block * Self.rowsPerBlock
                    let rows = min(Self.rowsPerBlock, run.count - start)
                    try run.read(from: start, rows: rows, into: &buffer)
                    var passed = false
                    buffer.withUnsafeBytes { raw in
                        let first = Self.first(notBelow: key, in: 0..<rows) { Self.key(raw, $0) }
                        passed = collect(key, raw, first..<rows, admitting: context, into: &members)
                    }
                    if passed { break }
                    block += 1
                }
            }
        }

        /// Looks for the key's rows in the window of `block` where they are expected,
        /// when they can lie only in that block (it starts below the key and the next
        /// one above it). False: the window does not hold all of them; nothing was added.
        private func found(_ key: Int64, inBlock block: Int, of run: Run, admitting context: Context?,
                           into members: inout [Int], buffer: inout [UInt8]) throws(SQLiteDatabase.Failure) -> Bool {
            let start = block * Self.rowsPerBlock
            let rows = min(Self.rowsPerBlock, run.count - start)
            guard rows > Self.window else { return false }
            let first = Double(run.firstKeys[block])
            let next = block + 1 < run.firstKeys.count ? Double(run.firstKeys[block + 1]) : Double(run.lastKey) + 1
            let expected = Int((Double(key) - first) / max(next - first, 1) * Double(rows))
            let low = min(max(expected - Self.window / 2, 0), rows - Self.window)
            try run.read(from: start + low, rows: Self.window, into: &buffer)
            return buffer.withUnsafeBytes { raw in
                // Bracketed: a row below the key (or the block's start) before the
                // window's rows, and a row above it (or the block's end) after them.
                guard low == 0 || Self.key(raw, 0) < key,
                      low + Self.window == rows || Self.key(raw, Self.window - 1) > key else { return false }
                let first = Self.first(notBelow: key, in: 0..<Self.window) { Self.key(raw, $0) }
                _ = collect(key, raw, first..<Self.window, admitting: context, into: &members)
                return true
            }
        }

        /// Appends the admitted entries of the rows `range` that have `key`, from the
        /// range's start (the first with the key or above); true when a row above the
        /// key ended it.
        private func collect(_ key: Int64, _ raw: UnsafeRawBufferPointer, _ range: Range<Int>, admitting context: Context?,
                             into members: inout [Int]) -> Bool {
            for r in range {
                let row = Self.row(raw, r)
                if row.key > key { return true }
                if context?.admits(Context(date: row.date, place: row.place)) ?? true { members.append(Int(row.ix)) }
            }
            return false
        }

        /// The first position in `range` whose key (`keyAt`, in order) is not below
        /// `key`; the range's end when none is.
        @inline(__always)
        static func first(notBelow key: Int64, in range: Range<Int>, keyAt: (Int) -> Int64) -> Int {
            var lo = range.lowerBound, hi = range.upperBound
            while lo < hi {
                let mid = (lo + hi) >> 1
                if keyAt(mid) < key { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        static func key(_ raw: UnsafeRawBufferPointer, _ r: Int) -> Int64 {
            Int64(littleEndian: raw.loadUnaligned(fromByteOffset: r * rowBytes, as: Int64.self))
        }

        static func row(_ raw: UnsafeRawBufferPointer, _ r: Int) -> (key: Int64, date: UInt32, place: UInt32, ix: UInt32) {
            let p = r * rowBytes
            return (Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: Int64.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 8, as: UInt32.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 12, as: UInt32.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 16, as: UInt32.self)))
        }

        /// A new run's writer, for `adding`.
        func writer() throws(SQLiteDatabase.Failure) -> Writer {
            try Writer(directory: directory)
        }

        /// The runs after adding the run `writer` holds, merged with the runs before it
        /// as the rule above says. Called on the merging thread; changes nothing here
        /// (`install` does).
        func adding(_ writer: Writer) throws(SQLiteDatabase.Failure) -> [Run] {
            var next = runs
            next.append(try writer.finish())
            while next.count >= 2 && next[next.count - 2].count <= 8 * next[next.count - 1].count {
                let newer = next.removeLast(), older = next.removeLast()
                next.append(try merged(older, newer))
            }
            return next
        }

        /// Makes `runs` the set links read (on the linking thread, once a merge has ended).
        func install(_ runs: [Run]) {
            self.runs = runs
        }

        /// The rows of two runs as one run, in order.
        private func merged(_ a: Run, _ b: Run) throws(SQLiteDatabase.Failure) -> Run {
            let writer = try writer()
            var left = Reader(a), right = Reader(b)
            var x = try left.next(), y = try right.next()
            while let l = x, let r = y {
                if Self.precedes((r.key, r.ix), (l.key, l.ix)) {
                    try writer.append(r)
                    y = try right.next()
                } else {
                    try writer.append(l)
                    x = try left.next()
                }
            }
            while let l = x { try writer.append(l); x = try left.next() }
            while let r = y { try writer.append(r); y = try right.next() }
            return try writer.finish()
        }

        /// A run's rows in order, read a few blocks at a time.
        private struct Reader {
            let run: Run
            var buffer: [UInt8] = []
            var position = 0
            var loaded = 0..<0
            static let blocks = 16

            init(_ run: Run) { self.run = run }

            mutating func next() throws(SQLiteDatabase.Failure) -> (key: Int64, date: UInt32, place: UInt32, ix: UInt32)? {
                guard position < run.count else { return nil }
                if !loaded.contains(position) {
                    let rows = min(Self.blocks * KeyRuns.rowsPerBlock, run.count - position)
                    try run.read(from: position, rows: rows, into: &buffer)
                    loaded = position..<(position + rows)
                }
                let row = buffer.withUnsafeBytes { KeyRuns.row($0, position - loaded.lowerBound) }
                position += 1
                return row
            }
        }

        /// Writes a run's rows, in order, through a buffer of whole blocks. Its file is
        /// closed with it unless `finish` handed it to the run.
        final class Writer {
            private let file: ScratchFile
            /// Room for `blocks` blocks; rows are stored into it in place (appending each
            /// field's bytes to an array was a quarter of a merge's time).
            private let storage: UnsafeMutableRawPointer
            private var used = 0
            private var count = 0
            private var firstKeys: [Int64] = []
            private var lastKey: Int64 = 0
            static let blocks = 16

            init(directory: String) throws(SQLiteDatabase.Failure) {
                do { file = try ScratchFile(in: directory, prefix: ".declproc-dedup-keys-") } catch {
                    throw SQLiteDatabase.Failure(description: "cannot create a scratch file in \(directory): \(error)")
                }
                storage = .allocate(byteCount: Self.blocks * KeyRuns.blockBytes, alignment: 8)
            }

            deinit { storage.deallocate() }

            /// Appends a row read from another run.
            func append(_ row: (key: Int64, date: UInt32, place: UInt32, ix: UInt32)) throws(SQLiteDatabase.Failure) {
                try append(key: row.key, date: row.date, place: row.place, ix: row.ix)
            }

            /// Appends a row, after every row before it in the runs' order.
            func append(key: Int64, date: UInt32, place: UInt32, ix: UInt32) throws(SQLiteDatabase.Failure) {
                if count % KeyRuns.rowsPerBlock == 0 { firstKeys.append(key) }
                let row = storage + used
                row.storeBytes(of: key.littleEndian, as: Int64.self)
                (row + 8).storeBytes(of: date.littleEndian, as: UInt32.self)
                (row + 12).storeBytes(of: place.littleEndian, as: UInt32.self)
                (row + 16).storeBytes(of: ix.littleEndian, as: UInt32.self)
                used += KeyRuns.rowBytes
                count += 1
                lastKey = key
                if used == Self.blocks * KeyRuns.blockBytes { try flush() }
            }

            private func flush() throws(SQLiteDatabase.Failure) {
                do { try file.write(storage, count: used) } catch {
                    throw SQLiteDatabase.Failure(description: "cannot write the deduplication index: \(error)")
                }
                used = 0
            }

            /// The run written (its file read from here on).
            fileprivate func finish() throws(SQLiteDatabase.Failure) -> Run {
                try flush()
                return Run(file: file, count: count, firstKeys: firstKeys, lastKey: lastKey)
            }
        }
    }
}
