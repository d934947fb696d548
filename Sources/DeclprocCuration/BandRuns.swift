import DeclprocSQLite
import Foundation

extension Deduplicator {
    /// The disk index's bands: each band entry (band key, the entry's date and place
    /// hashes, its index) in sorted runs, immutable files read with `pread`.
    ///
    /// They were a SQLite table keyed by band. A batch's band keys are hashes, spread
    /// over the whole table, so each merge rewrote pages all over its B-tree: on the
    /// 7,630-page benchmark corpus, four merges of 272,000 band rows took 1.2 s of the
    /// deduplicator's 2.6 s, and the table outgrew SQLite's cache as a run grew (a 1 GB
    /// input ran at 1.5 MB/s where 30 MB ran at 3.5). A batch is now written in one
    /// pass as a run of its own, in key order, and the newest two runs are merged
    /// while the older one is not more than twice the newer: each run is then more
    /// than twice the next, so after n batches of about the same size there are at
    /// most log₂ n + 1 runs, and each row has been rewritten about log₂ n times, in
    /// sequential passes.
    ///
    /// Runs never change once written, so a merge builds the next set of runs on its
    /// own thread while links read the current set; the set is replaced when the merge
    /// ends. Memory: the first key of each 4 KB block of each run (8 bytes per 204 rows).
    final class BandRuns {
        /// A row: band key, date hash, place hash, entry index; little-endian, packed.
        static let rowBytes = 20
        static let rowsPerBlock = 204
        static let blockBytes = rowBytes * rowsPerBlock
        /// Rows are in the order of their keys as signed integers (the order the
        /// in-memory index hands its bands over in), then of their entries.
        static func precedes(_ a: (key: Int64, ix: UInt32), _ b: (key: Int64, ix: UInt32)) -> Bool {
            a.key < b.key || (a.key == b.key && a.ix < b.ix)
        }

        /// One sorted run in a scratch file, unlinked as soon as it is open.
        final class Run: @unchecked Sendable {
            let descriptor: Int32
            let count: Int
            /// The key of each block's first row.
            let firstKeys: [Int64]

            init(descriptor: Int32, count: Int, firstKeys: [Int64]) {
                self.descriptor = descriptor
                self.count = count
                self.firstKeys = firstKeys
            }

            deinit { Glibc.close(descriptor) }

            /// Reads `rows` rows from row `start` on into `buffer` (resized to hold them).
            func read(from start: Int, rows: Int, into buffer: inout [UInt8]) throws(SQLiteDatabase.Failure) {
                let bytes = rows * BandRuns.rowBytes
                if buffer.count < bytes { buffer = [UInt8](repeating: 0, count: bytes) }
                var done = 0
                while done < bytes {
                    let n = buffer.withUnsafeMutableBytes { raw in
                        pread(descriptor, raw.baseAddress! + done, bytes - done, off_t((start * BandRuns.rowBytes) + done))
                    }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw SQLiteDatabase.Failure(description: "cannot read the band index: \(n < 0 ? String(cString: strerror(errno)) : "the file is short")") }
                    done += n
                }
            }
        }

        private(set) var runs: [Run] = []
        private let directory: String

        init(directory: String) {
            self.directory = directory
        }

        /// Appends the admitted entries of `band` in every run (unordered).
        func members(of band: UInt64, admitting context: Context, into members: inout [Int], buffer: inout [UInt8]) throws(SQLiteDatabase.Failure) {
            let key = Int64(bitPattern: band)
            for run in runs where !run.firstKeys.isEmpty {
                // The first block whose first key is not below the key; its rows may
                // begin at the end of the block before it.
                var lo = 0, hi = run.firstKeys.count
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if run.firstKeys[mid] < key { lo = mid + 1 } else { hi = mid }
                }
                var block = max(lo - 1, 0)
                scan: while block < run.firstKeys.count {
                    if run.firstKeys[block] > key { break }
                    let start = block * Self.rowsPerBlock
                    let rows = min(Self.rowsPerBlock, run.count - start)
                    try run.read(from: start, rows: rows, into: &buffer)
                    var passed = false
                    buffer.withUnsafeBytes { raw in
                        for r in 0..<rows {
                            let row = Self.row(raw, r)
                            if row.key < key { continue }
                            if row.key > key { passed = true; break }
                            if context.admits(Context(date: row.date, place: row.place)) { members.append(Int(row.ix)) }
                        }
                    }
                    if passed { break scan }
                    block += 1
                }
            }
        }

        static func row(_ raw: UnsafeRawBufferPointer, _ r: Int) -> (key: Int64, date: UInt32, place: UInt32, ix: UInt32) {
            let p = r * rowBytes
            return (Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: Int64.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 8, as: UInt32.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 12, as: UInt32.self)),
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 16, as: UInt32.self)))
        }

        /// The runs after adding a batch's bands: `memory`'s band entries, its entries
        /// numbered from `base`, written as a run, then merged with the runs before it
        /// as the binary counter says. Called on the merging thread; changes nothing
        /// here (`install` does). nil: `beforeEachRow` said stop.
        func adding(_ memory: MemoryIndex, base: Int, beforeEachRow: () -> Bool) throws(SQLiteDatabase.Failure) -> [Run]? {
            guard base + memory.count <= Int(UInt32.max) else {
                throw SQLiteDatabase.Failure(description: "more than \(UInt32.max) distinct statements")
            }
            let writer = try Writer(directory: directory)
            var stopped = false
            try memory.forEachBand { (band, members) throws(SQLiteDatabase.Failure) in
                guard !stopped else { return }
                for index in members {
                    guard beforeEachRow() else { stopped = true; return }
                    let context = memory.contexts[index]
                    try writer.append(key: Int64(bitPattern: band), date: context.date, place: context.place, ix: UInt32(base + index))
                }
            }
            if stopped { return nil }
            var next = runs
            next.append(try writer.finish())
            // Each run more than twice the size of the next newer one, so that there are
            // few whatever the batches' sizes (merging equals only, a run of batches each a
            // little smaller than the one before would never merge).
            while next.count >= 2 && next[next.count - 2].count <= 2 * next[next.count - 1].count {
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
            let writer = try Writer(directory: directory)
            var left = Reader(a), right = Reader(b)
            var x = try left.next(), y = try right.next()
            while let l = x, let r = y {
                if Self.precedes((r.key, r.ix), (l.key, l.ix)) {
                    try writer.append(key: r.key, date: r.date, place: r.place, ix: r.ix)
                    y = try right.next()
                } else {
                    try writer.append(key: l.key, date: l.date, place: l.place, ix: l.ix)
                    x = try left.next()
                }
            }
            while let l = x { try writer.append(key: l.key, date: l.date, place: l.place, ix: l.ix); x = try left.next() }
            while let r = y { try writer.append(key: r.key, date: r.date, place: r.place, ix: r.ix); y = try right.next() }
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
                    let rows = min(Self.blocks * BandRuns.rowsPerBlock, run.count - position)
                    try run.read(from: position, rows: rows, into: &buffer)
                    loaded = position..<(position + rows)
                }
                let row = buffer.withUnsafeBytes { BandRuns.row($0, position - loaded.lowerBound) }
                position += 1
                return row
            }
        }

        /// Writes a run's rows, in order, through a buffer of whole blocks. Its file is
        /// closed with it unless `finish` handed it to the run.
        private final class Writer {
            private var descriptor: Int32
            private var buffer: [UInt8] = []
            private var count = 0
            private var firstKeys: [Int64] = []
            static let blocks = 16

            init(directory: String) throws(SQLiteDatabase.Failure) {
                let path = URL(fileURLWithPath: directory)
                    .appendingPathComponent(".declproc-bands-\(getpid())-\(UInt64.random(in: 0...UInt64.max))").path
                let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw SQLiteDatabase.Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
                // Unlinked at once: the file holds names, and no interruption can leave it behind.
                unlink(path)
                descriptor = fd
                buffer.reserveCapacity(Self.blocks * BandRuns.blockBytes)
            }

            deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

            func append(key: Int64, date: UInt32, place: UInt32, ix: UInt32) throws(SQLiteDatabase.Failure) {
                if count % BandRuns.rowsPerBlock == 0 { firstKeys.append(key) }
                withUnsafeBytes(of: key.littleEndian) { buffer.append(contentsOf: $0) }
                withUnsafeBytes(of: date.littleEndian) { buffer.append(contentsOf: $0) }
                withUnsafeBytes(of: place.littleEndian) { buffer.append(contentsOf: $0) }
                withUnsafeBytes(of: ix.littleEndian) { buffer.append(contentsOf: $0) }
                count += 1
                if buffer.count >= Self.blocks * BandRuns.blockBytes { try flush() }
            }

            private func flush() throws(SQLiteDatabase.Failure) {
                var done = 0
                while done < buffer.count {
                    let n = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw SQLiteDatabase.Failure(description: "cannot write the band index: \(String(cString: strerror(errno)))") }
                    done += n
                }
                buffer.removeAll(keepingCapacity: true)
            }

            /// The run written (its file read from here on).
            func finish() throws(SQLiteDatabase.Failure) -> Run {
                try flush()
                defer { descriptor = -1 }
                return Run(descriptor: descriptor, count: count, firstKeys: firstKeys)
            }
        }
    }
}
