import CPrefetch
import DeclprocCollections

/// Flat lookup tables for lexicons: the hot paths of segmentation, Pinyin and
/// conversion do millions of lookups per second, and Swift's `Dictionary` and
/// `Set` pay for SipHash and for a reference-counted storage on each. These tables
/// are flat words (`TableWords`: written to the compiled cache as they lie in memory,
/// and read back as views of the mapped file) with a multiplicative hash.

/// A 64-bit fingerprint of a sequence of scalars (FNV-1a over three bytes per
/// scalar): lexicon keys are looked up by it, so a lookup builds no String.
/// 200,000 keys in 2^64 leave a false match about once in 10^14 lookups.
public enum Fingerprint {
    @inlinable
    public static func of<S: Sequence>(_ scalars: S) -> UInt64 where S.Element == Unicode.Scalar {
        var hash = empty
        for scalar in scalars { hash = adding(scalar, to: hash) }
        return hash
    }

    /// The fingerprint of no scalars; `adding` extends a fingerprint by one scalar,
    /// so the prefixes of a text are fingerprinted as it is walked.
    public static let empty: UInt64 = 0xcbf2_9ce4_8422_2325

    @inlinable @inline(__always)
    public static func adding(_ scalar: Unicode.Scalar, to hash: UInt64) -> UInt64 {
        let value = UInt64(scalar.value)
        var hash = (hash ^ (value & 0xFF)) &* 0x0000_0100_0000_01B3
        hash = (hash ^ ((value >> 8) & 0xFF)) &* 0x0000_0100_0000_01B3
        return (hash ^ (value >> 16)) &* 0x0000_0100_0000_01B3
    }

    /// Two scalars as one key (pairs of neighbours, first two characters of a phrase).
    @inlinable
    public static func pair(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> UInt64 {
        UInt64(a.value) << 21 | UInt64(b.value)
    }
}

/// A table's words (a `FingerprintTable`'s slots, a `ScalarMap`'s blocks): an array
/// of its own while the table is built, or, read from the compiled cache, a view of
/// the cache's mapped file itself. Copying the 38 MB of tables out of the mapping
/// cost every start a fresh page per 4 KiB, zeroed, charged and freed again at exit
/// (a third of start-up); a view costs none of that. A view is never written through
/// (the mapping is read-only): the first write copies it into an array of its own.
public struct TableWords<T: FixedWidthInteger>: RandomAccessCollection, @unchecked Sendable {
    /// The words when they are the table's own (empty while `view` is set).
    @usableFromInline var array: [T]
    /// The first of `viewCount` words in memory that `owner` keeps; nil for `array`.
    @usableFromInline var view: UnsafePointer<T>?
    @usableFromInline var viewCount: Int
    @usableFromInline var owner: AnyObject?

    public init(_ array: [T]) {
        self.array = array
        view = nil
        viewCount = 0
        owner = nil
    }

    public init(repeating value: T, count: Int) { self.init([T](filledWith: value, count: count)) }

    /// Words in memory that `owner` keeps unchanged for as long as it lives.
    init(view: UnsafeBufferPointer<T>, owner: AnyObject) {
        array = []
        self.view = view.baseAddress
        viewCount = view.count
        self.owner = owner
    }

    @inlinable public var count: Int { view == nil ? array.count : viewCount }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        if let view { return try body(UnsafeBufferPointer(start: view, count: viewCount)) }
        return try array.withUnsafeBufferPointer(body)
    }

    @inlinable
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R? {
        try withUnsafeBufferPointer(body)
    }

    /// The words of `range` in an array, copied as memory: an array made from a slice
    /// of the words would go through the generic, element-by-element copy.
    @inlinable
    public func array(_ range: Range<Int>) -> [T] {
        withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    @inlinable
    public subscript(index: Int) -> T {
        @inline(__always) get {
            if let view {
                precondition(index >= 0 && index < viewCount, "index out of range")
                return view[index]
            }
            return array[index]
        }
        set {
            makeOwn()
            array[index] = newValue
        }
    }

    @usableFromInline mutating func append(repeating value: T, count: Int) {
        makeOwn()
        array += repeatElement(value, count: count)
    }

    /// Copies a view into an array of its own, before a write.
    @inlinable mutating func makeOwn() {
        guard let view else { return }
        array = Array(UnsafeBufferPointer(start: view, count: viewCount))
        self.view = nil
        viewCount = 0
        owner = nil
    }
}

/// Open addressing from 64-bit keys to 32-bit values, at most half full, linear
/// probing. Key 0 marks an empty slot, so a key of 0 is stored as 1 (both on insert
/// and on lookup, so it still matches). Each key sits beside its value, so a probe
/// costs one cache line, not two: the tables are larger than the cache, and the
/// misses are what a lookup costs.
public struct FingerprintTable: Sendable {
    /// Slot i is `slots[2i]` (the key) and `slots[2i + 1]` (its value).
    @usableFromInline var slots: TableWords<UInt64>
    @usableFromInline var shift: UInt64
    public private(set) var count = 0

    public init(expected: Int = 16) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        slots = TableWords(repeating: 0, count: 2 * size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inlinable var size: Int { slots.count / 2 }

    @inlinable
    static func slot(_ key: UInt64, _ shift: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The value stored for `key`, if any.
    @inlinable @inline(__always)
    public func value(_ key: UInt64) -> UInt32? {
        let key = key == 0 ? 1 : key
        let mask = size - 1
        var i = Self.slot(key, shift)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let k = slots[2 * i]
                if k == key { return UInt32(truncatingIfNeeded: slots[2 * i + 1]) }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
    }

    @inlinable
    public func contains(_ key: UInt64) -> Bool { value(key) != nil }

    /// Asks for the key's slot ahead of `value`, for a scan that knows its next keys:
    /// tables of megabytes miss the cache at nearly every lookup, and a miss asked
    /// for early is waited for while the scan works on.
    @inlinable @inline(__always)
    public func prefetch(_ key: UInt64) {
        let key = key == 0 ? 1 : key
        let i = Self.slot(key, shift)
        slots.withUnsafeBufferPointer { dp_prefetch($0.baseAddress! + 2 * i) }
    }

    /// Stores `value` for `key` unless the key is present (the first value wins, as
    /// the lexicon files are read); returns whether it was stored.
    @discardableResult
    public mutating func insert(_ key: UInt64, _ value: UInt32) -> Bool {
        update(key) { $0 == nil ? value : nil }
    }

    /// Sets the value for `key` to what `change` makes of the current one (nil: leave it).
    @discardableResult
    public mutating func update(_ key: UInt64, _ change: (UInt32?) -> UInt32?) -> Bool {
        if (count + 1) * 2 > size { grow() }
        let key = key == 0 ? 1 : key
        let mask = size - 1
        var i = Self.slot(key, shift)
        while slots[2 * i] != 0, slots[2 * i] != key { i = (i + 1) & mask }
        let present = slots[2 * i] == key
        guard let new = change(present ? UInt32(truncatingIfNeeded: slots[2 * i + 1]) : nil) else { return false }
        if !present { slots[2 * i] = key; count += 1 }
        slots[2 * i + 1] = UInt64(new)
        return true
    }

    private mutating func grow() {
        var bigger = FingerprintTable(expected: size)
        for i in 0..<size where slots[2 * i] != 0 { bigger.insert(slots[2 * i], UInt32(truncatingIfNeeded: slots[2 * i + 1])) }
        self = bigger
    }

    /// Every stored key (as stored: a key of 0 reads as 1); inlinable, as
    /// `FingerprintSet.forEachKey`.
    @inlinable
    public func forEachKey(_ body: (UInt64) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            for i in stride(from: 0, to: slots.count, by: 2) where slots[i] != 0 { body(slots[i]) }
        }
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(UInt64(count))
        writer.write(slots)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        let count = Int(try reader.read(UInt64.self))
        slots = try reader.readWords(UInt64.self)
        let size = slots.count / 2
        guard size >= 16, size.nonzeroBitCount == 1, slots.count == 2 * size, count * 2 <= size else {
            throw BinaryReader.Corrupt()
        }
        // A table with no empty slot would make a lookup of a missing key loop forever.
        // Counted through a pointer, two slots a step: the tables are megabytes, read at every start.
        let used = slots.withUnsafeBufferPointer { slots in
            var a = 0, b = 0, i = 0
            while i + 4 <= slots.count {
                a &+= slots[i] != 0 ? 1 : 0
                b &+= slots[i + 2] != 0 ? 1 : 0
                i += 4
            }
            if i < slots.count { a &+= slots[i] != 0 ? 1 : 0 }
            return a &+ b
        }
        guard used == count else { throw BinaryReader.Corrupt() }
        self.count = count
        shift = UInt64(64 - size.trailingZeroBitCount)
    }
}

/// A set of 64-bit keys, open addressing as `FingerprintTable` but keys only: half
/// the memory of a table for a lexicon that only answers "is this a word", so more
/// of it stays in cache.
public struct FingerprintSet: Sendable {
    @usableFromInline var keys: TableWords<UInt64>
    @usableFromInline var shift: UInt64
    public private(set) var count = 0

    public init(expected: Int = 16) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        keys = TableWords(repeating: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inlinable @inline(__always)
    public func contains(_ key: UInt64) -> Bool {
        let key = key == 0 ? 1 : key
        let mask = keys.count - 1
        var i = FingerprintTable.slot(key, shift)
        while true {
            let k = keys[i]
            if k == key { return true }
            if k == 0 { return false }
            i = (i + 1) & mask
        }
    }

    public mutating func insert(_ key: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = key == 0 ? 1 : key
        let mask = keys.count - 1
        var i = FingerprintTable.slot(key, shift)
        while keys[i] != 0, keys[i] != key { i = (i + 1) & mask }
        if keys[i] == 0 { keys[i] = key; count += 1 }
    }

    private mutating func grow() {
        var bigger = FingerprintSet(expected: keys.count)
        forEachKey { bigger.insert($0) }
        self = bigger
    }

    /// Every stored key (as stored: a key of 0 reads as 1). Inlinable, so that the
    /// body is inlined into the loop: half a million calls a start otherwise.
    @inlinable
    public func forEachKey(_ body: (UInt64) -> Void) {
        keys.withUnsafeBufferPointer { keys in
            for key in keys where key != 0 { body(key) }
        }
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(UInt64(count))
        writer.write(keys)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        let count = Int(try reader.read(UInt64.self))
        keys = try reader.readWords(UInt64.self)
        guard keys.count >= 16, keys.count.nonzeroBitCount == 1, count * 2 <= keys.count,
              keys.withUnsafeBufferPointer({ $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }) == count else { throw BinaryReader.Corrupt() }
        self.count = count
        shift = UInt64(64 - keys.count.trailingZeroBitCount)
    }
}

/// A 32-bit value per Unicode scalar (0 where nothing is stored), in 256-scalar
/// blocks that are shared while empty: a lookup is two array reads.
public struct ScalarMap: Sendable {
    @usableFromInline var blocks: TableWords<UInt32> // 0x1100 entries: the start of each block's values
    @usableFromInline var values: TableWords<UInt32> // block 0 is all zeros and shared

    public init() {
        blocks = TableWords(repeating: 0, count: 0x1100)
        values = TableWords(repeating: 0, count: 256)
    }

    @inlinable
    public subscript(_ scalar: Unicode.Scalar) -> UInt32 {
        get {
            let v = Int(scalar.value)
            return values[Int(blocks[v >> 8]) + (v & 0xFF)]
        }
        set {
            let v = Int(scalar.value)
            if blocks[v >> 8] == 0 {
                if newValue == 0 { return }
                blocks[v >> 8] = UInt32(values.count)
                values.append(repeating: 0, count: 256)
            }
            values[Int(blocks[v >> 8]) + (v & 0xFF)] = newValue
        }
    }

    /// The map read through pointers, for a loop that reads it at every character of
    /// a text: no bounds checks, which a made or read map does not need (every block
    /// lies inside `values`, and every scalar's block is one of the 0x1100).
    public struct Unchecked {
        @usableFromInline let blocks: UnsafePointer<UInt32>
        @usableFromInline let values: UnsafePointer<UInt32>

        @inlinable init(blocks: UnsafePointer<UInt32>, values: UnsafePointer<UInt32>) {
            self.blocks = blocks
            self.values = values
        }

        @inlinable @inline(__always)
        public subscript(_ scalar: Unicode.Scalar) -> UInt32 {
            let v = Int(scalar.value)
            return values[Int(blocks[v &>> 8]) &+ (v & 0xFF)]
        }
    }

    /// `body` given the map read through pointers, valid during the call.
    @inlinable
    public func withUnchecked<R>(_ body: (Unchecked) throws -> R) rethrows -> R {
        try blocks.withUnsafeBufferPointer { blocks in
            try values.withUnsafeBufferPointer { values in
                try body(Unchecked(blocks: blocks.baseAddress!, values: values.baseAddress!))
            }
        }
    }

    /// Every scalar with a value other than 0, and its value.
    public func forEach(_ body: (Unicode.Scalar, UInt32) -> Void) {
        for block in 0..<blocks.count where blocks[block] != 0 {
            for low in 0..<256 {
                let value = values[Int(blocks[block]) + low]
                if value != 0, let scalar = Unicode.Scalar(UInt32(block << 8 | low)) { body(scalar, value) }
            }
        }
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(blocks)
        writer.write(values)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        blocks = try reader.readWords(UInt32.self)
        values = try reader.readWords(UInt32.self)
        guard blocks.count == 0x1100, values.count >= 256, values.count % 256 == 0,
              blocks.withUnsafeBufferPointer({ $0.allSatisfy { Int($0) + 256 <= values.count } }) else { throw BinaryReader.Corrupt() }
    }
}

/// Little-endian arrays and integers, each array prefixed by its length and its
/// words aligned to eight bytes from the start (zero bytes between), so that a table
/// read from memory that starts aligned can be a view of it (`TableWords`).
public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    /// Arrays' words start at a multiple of this from the start of the bytes.
    public static let alignment = 8

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write<T: FixedWidthInteger>(_ array: [T]) {
        array.withUnsafeBufferPointer { write($0) }
    }

    public mutating func write<T: FixedWidthInteger>(_ words: TableWords<T>) {
        words.withUnsafeBufferPointer { write($0) }
    }

    private mutating func write<T: FixedWidthInteger>(_ words: UnsafeBufferPointer<T>) {
        write(UInt64(words.count))
        alignToWord()
        bytes.append(contentsOf: UnsafeRawBufferPointer(words)) // this machine class is little-endian
    }

    /// Zero bytes up to the next multiple of `alignment`.
    public mutating func alignToWord() {
        bytes += repeatElement(0, count: (Self.alignment - bytes.count % Self.alignment) % Self.alignment)
    }

    public mutating func write(_ string: String) { write(Array(string.utf8)) }
}

/// Reads what `BinaryWriter` wrote; any inconsistency is `Corrupt`, never a crash.
public struct BinaryReader {
    public struct Corrupt: Error {
        public init() {}
    }

    /// The bytes read from: a copy of an array, or a file mapped into memory (the
    /// compiled cache). Either starts aligned to eight bytes, so the tables read
    /// from it are views of it (`readWords`), which keep it alive.
    final class Storage: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        private let release: () -> Void

        /// A copy of `array` (a pointer into an array must not outlive the call that lends it).
        init(_ array: [UInt8]) {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 8)
            array.withUnsafeBytes { copy.copyMemory(from: $0) }
            self.bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<array.count])
            self.release = { copy.deallocate() }
        }

        init(mapped bytes: UnsafeRawBufferPointer, unmap: @escaping () -> Void) {
            self.bytes = bytes
            self.release = unmap
        }

        deinit { release() }
    }

    let storage: Storage
    var offset: Int
    var bytes: UnsafeRawBufferPointer { storage.bytes }

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.storage = Storage(bytes)
        self.offset = offset
    }

    /// Reads from memory the caller mapped; `unmap` runs when the last reader is gone.
    public init(mapped bytes: UnsafeRawBufferPointer, offset: Int = 0, unmap: @escaping () -> Void) {
        self.storage = Storage(mapped: bytes, unmap: unmap)
        self.offset = offset
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws(Corrupt) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw Corrupt() }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Past the zero bytes `BinaryWriter.alignToWord` wrote.
    public mutating func alignToWord() throws(Corrupt) {
        let padding = (BinaryWriter.alignment - offset % BinaryWriter.alignment) % BinaryWriter.alignment
        guard offset + padding <= bytes.count else { throw Corrupt() }
        offset += padding
    }

    /// An array's words where they lie: the offset of the first and the count.
    private mutating func arrayBounds<T: FixedWidthInteger>(_: T.Type) throws(Corrupt) -> (start: Int, count: Int) {
        let count = Int(truncatingIfNeeded: try read(UInt64.self))
        try alignToWord()
        let size = MemoryLayout<T>.size
        guard count >= 0, count <= (bytes.count - offset) / size else { throw Corrupt() }
        let start = offset
        offset += count * size
        return (start, count)
    }

    /// An array's words as a view of the bytes read from (kept alive by the view),
    /// or a copy where they do not lie aligned for `T`.
    public mutating func readWords<T: FixedWidthInteger>(_: T.Type) throws(Corrupt) -> TableWords<T> {
        let (start, count) = try arrayBounds(T.self)
        guard let base = bytes.baseAddress, Int(bitPattern: base + start) % MemoryLayout<T>.alignment == 0 else {
            return TableWords(copyArray(T.self, start: start, count: count))
        }
        return TableWords(view: UnsafeBufferPointer(start: (base + start).bindMemory(to: T.self, capacity: count), count: count), owner: storage)
    }

    public mutating func readArray<T: FixedWidthInteger>(_: T.Type) throws(Corrupt) -> [T] {
        let (start, count) = try arrayBounds(T.self)
        return copyArray(T.self, start: start, count: count)
    }

    private func copyArray<T: FixedWidthInteger>(_: T.Type, start: Int, count: Int) -> [T] {
        let size = MemoryLayout<T>.size
        let source = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count * size)])
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            initialized = count
        }
        return array
    }

    public mutating func readString() throws(Corrupt) -> String {
        String(decoding: try readArray(UInt8.self), as: UTF8.self)
    }
}
