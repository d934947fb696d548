import DeclprocICU
import Glibc

/// Results of recent work by their input, for work that recurs: declarations are
/// formulaic, and the same sentence ("I hereby withdraw from the Party and all its
/// affiliated organizations") comes back in statement after statement.
///
/// Bounded: two generations of at most `capacity` entries. When the current one
/// is full it becomes the previous one, and the one before is dropped; an entry
/// found in the previous generation moves back into the current one. So what keeps
/// recurring stays, what came once goes, and memory stays within `2 × capacity`
/// entries however long the run.
///
/// Not thread-safe: one a task, like the segmenter that owns it. Public and
/// inlinable, so that other modules' memos are specialized for their keys and
/// values: unspecialized (as a `package` type was, its body not serialized), a
/// lookup through witness tables cost some 2,000 instructions, an insert 4,000.
public struct RecentMemo<Key: Hashable, Value> {
    public let capacity: Int
    @usableFromInline var current: [Key: Value] = [:]
    @usableFromInline var previous: [Key: Value] = [:]

    @inlinable
    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    @inlinable
    public var count: Int { current.count + previous.count }

    @inlinable
    public mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    @inlinable
    public mutating func insert(_ value: Value, for key: Key) {
        if current.count >= capacity {
            // The previous generation's storage, now uniquely held, is reused.
            swap(&current, &previous)
            current.removeAll(keepingCapacity: true)
        }
        current[key] = value
    }
}

/// A String as a memo key by its UTF-8 bytes: `String`'s own hashing and equality
/// follow canonical equivalence, which normalizes any non-ASCII text at each use,
/// and a memo of text results wants the exact bytes anyway.
///
/// The bytes are hashed once, when the key is made: a dictionary hashes a key at
/// each lookup and insert, and compares it with every key met in its probe; with
/// the hash kept, a probe compares bytes only where the hashes agree. (With the
/// bytes hashed through `Hasher` at each use, a lookup cost some 1,600 instructions.)
public struct UTF8Key: Hashable {
    public let text: String
    private let digest: UInt64

    public init(_ text: String) {
        self.text = text
        digest = text.withUTF8Bytes { Self.digest($0) }
    }

    public static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        guard a.digest == b.digest else { return false }
        return a.text.withUTF8Bytes { x in
            b.text.withUTF8Bytes { y in
                x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    /// What a dictionary asks for at each lookup and insert: the digest mixed with the
    /// table's seed by a 64-bit finalizer (MurmurHash3's), without `Hasher`, whose
    /// rounds cost more than the rest of a lookup of a short key.
    public func _rawHashValue(seed: Int) -> Int { Self.mixed(digest, seed) }

    /// MurmurHash3's 64-bit finalizer of `value` and `seed`: every bit of the result
    /// depends on every bit of both, so a table's bucket (the low bits) does too.
    @inline(__always)
    public static func mixed(_ value: UInt64, _ seed: Int) -> Int {
        var x = value ^ UInt64(UInt(bitPattern: seed))
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return Int(truncatingIfNeeded: x)
    }

    /// An FNV-1a step for each eight bytes (the last few zero-padded), from the
    /// length. No finalizer: `hash(into:)` gives the digest to `Hasher`, which mixes
    /// it before a dictionary cuts a bucket from it, and equality compares all of it.
    static func digest(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            last |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        return (h ^ last) &* 0x0000_0100_0000_01B3
    }
}

/// A run of scalars as a memo key, hashed once as it is made: for text held as
/// scalars, where a `UTF8Key` would first make a String of them (encoding and
/// checking its UTF-8, some 800 instructions a clause). A key made for a lookup
/// borrows the text's storage; `compacted` is what a memo keeps, holding only its own.
struct ScalarsKey: Hashable {
    let scalars: ArraySlice<Unicode.Scalar>
    private let digest: UInt64

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self.scalars = scalars
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(scalars.count)
        for scalar in scalars { h = (h ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3 }
        digest = h
    }

    private init(_ scalars: ArraySlice<Unicode.Scalar>, digest: UInt64) {
        self.scalars = scalars
        self.digest = digest
    }

    /// The same key over a copy of its own scalars.
    var compacted: ScalarsKey { ScalarsKey(ArraySlice(Array(scalars)), digest: digest) }

    static func == (a: ScalarsKey, b: ScalarsKey) -> Bool { a.digest == b.digest && a.scalars.elementsEqual(b.scalars) }
    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    func _rawHashValue(seed: Int) -> Int { UTF8Key.mixed(digest, seed) }
}
