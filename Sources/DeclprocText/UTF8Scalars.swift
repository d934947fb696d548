import DeclprocICU
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// UTF-8 to scalars and back, for the filters' byte paths: lines arrive as valid
/// UTF-8 (the line reader replaced bad bytes) and leave as UTF-8, with no String
/// in between.
public enum UTF8Scalars {
    /// Appends the scalars of `line` (valid UTF-8) to `scalars`, decoded straight
    /// into the array's storage (see `DecodedUTF8`).
    public static func decode(_ line: UnsafeBufferPointer<UInt8>, into scalars: inout [Unicode.Scalar]) {
        // Room for as many scalars as bytes, grown geometrically, so that all of
        // them are decoded in one pass rather than the rest through the iterator.
        if scalars.capacity - scalars.count < line.count { scalars.reserveCapacity(max(scalars.count + line.count, 2 * scalars.capacity)) }
        scalars.append(contentsOf: DecodedUTF8(bytes: line, illFormed: nil))
    }

    /// Appends the scalars of `line` to `scalars` if it is well-formed UTF-8, checked
    /// as it is decoded, and says whether it was; if not, `scalars` is as it was.
    /// (Room for them all is made first, so the sequence's underestimate of none does
    /// not leave any to be appended one at a time.)
    public static func decode(checking line: UnsafeBufferPointer<UInt8>, into scalars: inout [Unicode.Scalar]) -> Bool {
        let count = scalars.count
        if scalars.capacity - count < line.count { scalars.reserveCapacity(max(count + line.count, 2 * scalars.capacity)) }
        var illFormed = false
        withUnsafeMutablePointer(to: &illFormed) { scalars.append(contentsOf: DecodedUTF8(bytes: line, illFormed: $0)) }
        if illFormed { scalars.removeSubrange(count...) }
        return !illFormed
    }

    /// The same, and the byte offset where each scalar starts, then the line's
    /// length, so spans in scalars map back to bytes.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>, into scalars: inout [Unicode.Scalar], offsets: inout [Int]) {
        // Written through pointers into room made first (a line has at most as many
        // scalars as bytes), then trimmed: an append per scalar checked the array's
        // uniqueness and capacity each time, more work than the decoding.
        let n = line.count
        guard n > 0, let source = line.baseAddress else {
            offsets.append(0)
            return
        }
        let first = scalars.count, firstOffset = offsets.count
        scalars.append(contentsOf: repeatElement("\0", count: n))
        offsets.append(contentsOf: repeatElement(0, count: n + 1))
        // The loop keeps its positions in locals and returns them: positions captured
        // by the closure lived in memory, and each store reloaded them (a third of the cost).
        let (k, o) = scalars.withUnsafeMutableBufferPointer { out in
            offsets.withUnsafeMutableBufferPointer { marks in
                let target = out.baseAddress!, marks = marks.baseAddress!
                var k = first, o = firstOffset, i = 0
                while i < n {
                    marks[o] = i
                    o &+= 1
                    let (value, length) = UTF8Code.decode(source, at: i)
                    i &+= length
                    target[k] = Unicode.Scalar(value) ?? "\u{FFFD}"
                    k &+= 1
                }
                marks[o] = n
                return (k, o &+ 1)
            }
        }
        scalars.removeLast(scalars.count - k)
        offsets.removeLast(offsets.count - o)
    }

    /// The UTF-8 of `scalars`, appended to `output`: encoded straight into the
    /// array's new storage (see `EncodedUTF8`), with no room zeroed first or trimmed after.
    public static func append(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, to output: inout [UInt8]) {
        output.append(contentsOf: EncodedUTF8(scalars: scalars))
    }

    @inline(__always)
    public static func append(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        let v = scalar.value
        if v < 0x80 {
            output.append(UInt8(v))
        } else if v < 0x800 {
            output.append(UInt8(0xC0 | v >> 6)); output.append(UInt8(0x80 | v & 0x3F))
        } else if v < 0x10000 {
            output.append(UInt8(0xE0 | v >> 12)); output.append(UInt8(0x80 | v >> 6 & 0x3F)); output.append(UInt8(0x80 | v & 0x3F))
        } else {
            output.append(UInt8(0xF0 | v >> 18)); output.append(UInt8(0x80 | v >> 12 & 0x3F))
            output.append(UInt8(0x80 | v >> 6 & 0x3F)); output.append(UInt8(0x80 | v & 0x3F))
        }
    }
}

extension Array where Element == Unicode.Scalar {
    /// The scalars of a text, decoded from its UTF-8 in one pass:
    /// `Array(text.unicodeScalars)` counts them first, then copies them through
    /// generic code, about 30 instructions a scalar.
    public init<S: StringProtocol>(scalarsOf text: S) {
        var scalars: [Unicode.Scalar] = []
        if text.utf8.withContiguousStorageIfAvailable({ UTF8Scalars.decode($0, into: &scalars) }) == nil {
            scalars = Array(text.unicodeScalars) // a bridged string without contiguous UTF-8
        }
        self = scalars
    }
}

extension String {
    /// A string of these scalars, written as UTF-8 straight into its storage: the
    /// standard `String(String.UnicodeScalarView(…))` appends one scalar at a time
    /// through generic code, thousands of instructions for a two-character word.
    /// Inlinable, so that other modules get it specialized: the generic version
    /// cost them 10,000 instructions a call.
    @inlinable
    public init<C: Collection>(scalars: C) where C.Element == Unicode.Scalar {
        var capacity = 0
        for scalar in scalars { capacity += UTF8.width(scalar) }
        self.init(wellFormedUTF8Capacity: capacity) { buffer in
            var k = 0
            guard let out = buffer.baseAddress else { return 0 }
            for scalar in scalars { k += UTF8Code.encode(scalar.value, into: out, at: k) }
            return k
        }
    }
}

extension String {
    /// Calls `body` with each scalar, read from the UTF-8 storage. The counting scans
    /// of extraction (language profiles, script counts, punctuation) run over every
    /// block of every page; over `unicodeScalars`, with a call per property test, they
    /// cost about three times as much.
    @inlinable
    public func forEachScalar(_ body: (Unicode.Scalar) -> Void) {
        withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var i = 0
            while i < bytes.count {
                let (value, length) = UTF8Code.decode(base, at: i)
                i &+= length
                body(Unicode.Scalar(value) ?? "\u{FFFD}")
            }
        }
    }
}

extension String {
    /// `unicodeScalars.count`, from the UTF-8: the bytes that are not continuation
    /// bytes. The view's own count walks the scalars one index at a time, some 1,700
    /// instructions a line of a statement.
    public var scalarCount: Int {
        withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            let n = bytes.count
            var continuations = 0, i = 0
            // Eight bytes a load: a continuation byte has its top bit set and the next clear.
            while i &+ 8 <= n {
                let word = UTF8Code.word(at: base + i)
                continuations &+= (word & ~(word &<< 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                i &+= 8
            }
            while i < n {
                if base[i] & 0xC0 == 0x80 { continuations &+= 1 }
                i &+= 1
            }
            return n &- continuations
        }
    }

    /// `count`, the number of characters (extended grapheme clusters), read from the
    /// scalars when every one of them is a character on its own: then the count is
    /// the scalars'. Grapheme breaking by the standard library cost some 20
    /// instructions a scalar (3,400 a translation's sentence), this one a few. Text
    /// with any other scalar is counted by `count` itself.
    public var characterCount: Int {
        let scalars: Int? = withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var i = 0, n = 0
            while i < bytes.count {
                let (value, length) = UTF8Code.decode(base, at: i)
                guard Self.standsAlone(value) else { return nil }
                i &+= length
                n &+= 1
            }
            return n
        }
        return scalars ?? count
    }

    /// Whether a scalar is a character whatever stands beside it: its
    /// Grapheme_Cluster_Break is Other or Control (not Extend, ZWJ, SpacingMark,
    /// Prepend, Hangul or Regional_Indicator, which join their neighbours), and it is
    /// not CR, which joins a following LF. Latin, general punctuation, CJK symbols and
    /// ideographs, and the full-width ASCII forms; the combining marks from U+0300,
    /// U+200C and U+200D, and U+302A–302F are left out.
    @inline(__always)
    static func standsAlone(_ value: UInt32) -> Bool {
        switch value {
        case 0x0D: false
        case 0...0x2FF, 0x2000...0x200B, 0x200E...0x206F, 0x3000...0x3029, 0x3030...0x303F,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF5E: true
        default: false
        }
    }

    /// Whether the text has more than `limit` scalars, answered from its length in
    /// bytes when that settles it and otherwise by counting no further than the limit.
    public func hasMoreScalars(than limit: Int) -> Bool {
        if utf8.count <= limit { return false }
        return withUTF8Bytes { bytes in
            var scalars = 0
            for byte in bytes where byte & 0xC0 != 0x80 {
                scalars &+= 1
                if scalars > limit { return true }
            }
            return false
        }
    }

    /// Whether the text has more than `limit` scalars that are not white space,
    /// counted no further than the limit (the lines asked are often paragraphs).
    /// Its own loop, not `forEachScalar` with a way to stop: built on such a loop,
    /// `forEachScalar`'s callers were no longer specialized and the script count
    /// cost twice as much.
    public func hasMoreVisibleScalars(than limit: Int) -> Bool {
        if utf8.count <= limit { return false }
        return withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return false }
            var visible = 0, i = 0
            while i < bytes.count {
                let (value, length) = UTF8Code.decode(base, at: i)
                i &+= length
                if !(Unicode.Scalar(value) ?? "a").isWhiteSpace {
                    visible &+= 1
                    if visible > limit { return true }
                }
            }
            return false
        }
    }
}

extension StringProtocol {
    /// What `lowercased()` gives, made quickly for text that is mostly without case:
    /// the standard version makes a String of each non-ASCII scalar's mapping (50,000
    /// instructions for a paragraph of Chinese). Here ASCII is lowered byte by byte,
    /// scalars that do not change when lowercased are copied as they are, and only
    /// the others are mapped (the same full, context-free mapping).
    public func lowercasedQuickly() -> String {
        // Scanned first, and copied only from the first scalar that changes: most text
        // here is Chinese, with nothing to lower-case (the block from U+2E80, radicals
        // and punctuation to the unified ideographs, has no case at all).
        let lowered: String?? = utf8.withContiguousStorageIfAvailable { source -> String? in
            guard let base = source.baseAddress else { return nil }
            let n = source.count
            var i = 0
            while i < n {
                let lead = source[i]
                if lead < 0x80 {
                    if lead &- 0x41 < 26 { break }
                    i += 1
                    continue
                }
                let (value, length) = UTF8Code.decode(base, at: i)
                if value &- 0x2E80 >= 0xA000 - 0x2E80, Unicode.Scalar.lowercaseMappingIfChanged(value) != nil { break }
                i += length
            }
            if i == n { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(n)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[..<i]))
            while i < n {
                let lead = source[i]
                if lead < 0x80 {
                    bytes.append(lead &- 0x41 < 26 ? lead | 0x20 : lead)
                    i += 1
                    continue
                }
                let (value, length) = UTF8Code.decode(base, at: i)
                if let lower = Unicode.Scalar.lowercaseMappingIfChanged(value) {
                    bytes.append(contentsOf: lower.utf8)
                } else {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[i..<(i + length)]))
                }
                i += length
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        switch lowered {
        case nil: return lowercased() // a bridged string without contiguous UTF-8
        case .some(nil): return String(self)
        case .some(let changed?): return changed
        }
    }
}

extension StringProtocol {
    /// Whether `needle` occurs in this text, compared as UTF-8 bytes: exact for
    /// scalars (UTF-8 never matches across a scalar boundary), without the locale
    /// machinery of Foundation's `contains`, which costs tens of thousands of
    /// instructions a call.
    public func containsExactly(_ needle: String) -> Bool {
        var needle = needle, haystack = String(self)
        if needle.isEmpty { return true }
        return needle.withUTF8 { n in haystack.withUTF8 { h in UTF8Search.firstIndex(of: n, in: h, from: 0) != nil } }
    }
}

extension String {
    /// The text's lines: what `split(separator: "\n")` gives, found in the UTF-8 bytes
    /// instead of by walking grapheme clusters, which cost 8% of `extract`. A "\r\n"
    /// pair is one Character, so, as there, it does not end a line.
    public func lines(omittingEmpty: Bool = true) -> [Substring] {
        var result: [Substring] = []
        // The line feeds are found with memchr in the UTF-8, and the lines cut at byte
        // offsets (an O(1) index in a native string): walking the UTF-8 view's indices
        // cost ten instructions a byte.
        let done: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            let n = bytes.count
            var start = 0, at = 0
            if let base = bytes.baseAddress {
                while at < n, let found = memchr(base + at, 0x0A, n - at) {
                    let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    at = end + 1
                    if end > 0 && base[end - 1] == 0x0D { continue }
                    if !(omittingEmpty && start == end) { result.append(self[utf8Index(start)..<utf8Index(end)]) }
                    start = end + 1
                }
            }
            if !(omittingEmpty && start == n) { result.append(self[utf8Index(start)...]) }
        }
        if done != nil { return result }
        let bytes = utf8
        var start = bytes.startIndex, i = start
        var previous: UInt8 = 0
        while i != bytes.endIndex {
            let byte = bytes[i]
            if byte == 0x0A && previous != 0x0D {
                if !(omittingEmpty && start == i) { result.append(self[start..<i]) }
                start = bytes.index(after: i)
            }
            previous = byte
            bytes.formIndex(after: &i)
        }
        if !(omittingEmpty && start == bytes.endIndex) { result.append(self[start..<bytes.endIndex]) }
        return result
    }

    @inline(__always) private func utf8Index(_ offset: Int) -> String.Index { utf8.index(startIndex, offsetBy: offset) }
}

/// Substring search over UTF-8 bytes (the declaration and statement cues, markers).
///
/// With AVX2 (`UTF8Code.findInBlocks`), the needle's last two bytes are compared at
/// thirty-two places at once and only places where both match are compared whole.
/// Without it, libc's `memchr` finds the needle's last byte and `memcmp` checks the
/// rest; that stopped at every occurrence of the last byte (every hundred bytes or so
/// of Chinese, every few of English), a call and a mispredicted branch each time.
/// (`memmem` would be the obvious call, but it is a GNU extension that Swift's Glibc
/// module does not export.) The cues are searched in every block of every page: this
/// is one of `extract`'s hot loops. Not generic on purpose: a generic public function
/// is not specialized across modules, and reading each byte through a witness table
/// cost 45% of `extract`.
public enum UTF8Search {
    /// Where `needle` first occurs at or after `start`; nil for an empty needle.
    public static func firstIndex(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = needle.count
        guard count > 0, start >= 0, haystack.count - start >= count,
              let h = haystack.baseAddress, let n = needle.baseAddress else { return nil }
        let last = Int32(n[count - 1])
        if count == 1 {
            guard let found = memchr(h + start, last, haystack.count - start) else { return nil }
            return h.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        let inBlocks = UTF8Code.findInBlocks(needle, in: UnsafeBufferPointer(start: h + start, count: haystack.count - start))
        if inBlocks >= 0 { return start + inBlocks }
        if inBlocks == -1 { return nil }
        return firstIndexByLastByte(of: needle, in: haystack, from: start)
    }

    /// `firstIndex` without AVX2, for a needle of two bytes or more: `memchr` for the
    /// needle's last byte, and the byte before the last compared before calling
    /// memcmp for the rest (in Chinese it is a continuation byte too, so most places
    /// the last byte finds end there).
    static func firstIndexByLastByte(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = needle.count
        guard count >= 2, start >= 0, haystack.count - start >= count,
              let h = haystack.baseAddress, let n = needle.baseAddress else { return nil }
        let last = Int32(n[count - 1]), beforeLast = n[count - 2]
        var at = start + count - 1
        while at < haystack.count, let found = memchr(h + at, last, haystack.count - at) {
            let end = h.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let begin = end - (count - 1)
            if h[end - 1] == beforeLast, count == 2 || memcmp(h + begin, n, count - 2) == 0 { return begin }
            at = end + 1
        }
        return nil
    }

    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        needle.withUnsafeBufferPointer { n in haystack.withUnsafeBufferPointer { h in firstIndex(of: n, in: h, from: start) } }
    }
}

/// A small fixed set of scalars, written as a string ("，。、；"), tested without
/// decoding that string on every call, as `"…".unicodeScalars.contains(c)` does: such
/// tests ran once per scalar of every statement.
public struct ScalarSet: Sendable, ExpressibleByStringLiteral {
    @usableFromInline let values: [UInt32]
    /// A bit per value modulo 64: most scalars tested (Han, in a set of punctuation)
    /// are turned away by one test instead of a scan of the list.
    @usableFromInline let bits: UInt64

    public init(_ text: String) {
        values = text.unicodeScalars.map(\.value)
        bits = values.reduce(0) { $0 | 1 << UInt64($1 & 63) }
    }
    public init(stringLiteral text: String) { self.init(text) }

    @inlinable
    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        bits & 1 << UInt64(scalar.value & 63) != 0 && values.contains(scalar.value)
    }
}

/// The UTF-8 of some scalars as a sequence an array can append by encoding into its
/// own storage: `Array.append(contentsOf:)` grows the array for the underestimated
/// count (a byte per scalar) and hands its spare room to `_copyContents`, which
/// encodes whole scalars while four bytes fit and finishes the room byte by byte;
/// anything left is appended from the iterator (only when the room runs out).
/// Making room with zeros and trimming it afterwards cost as much as the encoding.
struct EncodedUTF8: Sequence {
    let scalars: UnsafeBufferPointer<Unicode.Scalar>

    var underestimatedCount: Int { scalars.count }

    struct Iterator: IteratorProtocol {
        let scalars: UnsafeBufferPointer<Unicode.Scalar>
        var index: Int
        /// The bytes of a scalar started but not yet given, lowest first.
        var pending: UInt32 = 0
        var pendingCount = 0

        mutating func next() -> UInt8? {
            if pendingCount == 0 {
                guard index < scalars.count else { return nil }
                var bytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                pendingCount = withUnsafeMutableBytes(of: &bytes) { raw in
                    UTF8Code.encode(scalars[index].value, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), at: 0)
                }
                pending = UInt32(bytes.0) | UInt32(bytes.1) << 8 | UInt32(bytes.2) << 16 | UInt32(bytes.3) << 24
                index += 1
            }
            let byte = UInt8(truncatingIfNeeded: pending)
            pending >>= 8
            pendingCount -= 1
            return byte
        }
    }

    func makeIterator() -> Iterator { Iterator(scalars: scalars, index: 0) }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>) -> (Iterator, Int) {
        guard let out = buffer.baseAddress, let source = scalars.baseAddress else { return (makeIterator(), 0) }
        let room = buffer.count, count = scalars.count
        var k = 0, i = 0
        while i < count && k &+ 4 <= room {
            // Two characters of three bytes (most of a Chinese text) in one store of
            // eight bytes, the last two overwritten by what follows: one character at
            // a time took 26 instructions a character.
            while i &+ 2 <= count && k &+ 8 <= room {
                let a = source[i].value, b = source[i &+ 1].value
                guard a &- 0x800 < 0xF800, b &- 0x800 < 0xF800 else { break }
                let bytes = UTF8Code.threeBytes(a) | UTF8Code.threeBytes(b) << 24
                UnsafeMutableRawPointer(out + k).storeBytes(of: bytes.littleEndian, as: UInt64.self)
                k &+= 6
                i &+= 2
            }
            guard i < count && k &+ 4 <= room else { break }
            k &+= UTF8Code.encode(source[i].value, into: out, at: k)
            i &+= 1
        }
        var rest = Iterator(scalars: scalars, index: i)
        while k < room, let byte = rest.next() {
            (out + k).initialize(to: byte)
            k += 1
        }
        return (rest, k)
    }
}

/// The scalars of valid UTF-8 as a sequence an array can append by decoding into its
/// own storage (as `EncodedUTF8` encodes): the underestimate is a scalar per four
/// bytes, and the room the array hands over is filled while scalars remain.
/// With `illFormed`, the bytes are also checked as they are decoded: the sequence
/// ends at the first ill-formed character and sets `illFormed`.
struct DecodedUTF8: Sequence {
    let bytes: UnsafeBufferPointer<UInt8>
    let illFormed: UnsafeMutablePointer<Bool>?

    /// None when checked: the sequence may end at once.
    var underestimatedCount: Int { illFormed == nil ? (bytes.count + 3) / 4 : 0 }

    struct Iterator: IteratorProtocol {
        let bytes: UnsafeBufferPointer<UInt8>
        let illFormed: UnsafeMutablePointer<Bool>?
        var index: Int

        mutating func next() -> Unicode.Scalar? {
            guard index < bytes.count, let source = bytes.baseAddress,
                  let (value, length) = DecodedUTF8.decode(source, at: index, count: bytes.count, illFormed) else { return nil }
            index += length
            return Unicode.Scalar(value) ?? "\u{FFFD}"
        }
    }

    func makeIterator() -> Iterator { Iterator(bytes: bytes, illFormed: illFormed, index: 0) }

    /// One character, checked if asked (nil, and `illFormed` set, where it is ill-formed).
    @inline(__always)
    static func decode(_ source: UnsafePointer<UInt8>, at i: Int, count: Int,
                       _ illFormed: UnsafeMutablePointer<Bool>?) -> (value: UInt32, length: Int)? {
        guard let illFormed else { return UTF8Code.decode(source, at: i) }
        if let decoded = UTF8Code.decodeChecked(source, at: i, count: count) { return decoded }
        illFormed.pointee = true
        return nil
    }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<Unicode.Scalar>) -> (Iterator, Int) {
        // The loop twice, each with `checks` a constant.
        illFormed == nil ? fill(buffer, checks: false) : fill(buffer, checks: true)
    }

    @inline(__always)
    private func fill(_ buffer: UnsafeMutableBufferPointer<Unicode.Scalar>, checks: Bool) -> (Iterator, Int) {
        guard let out = buffer.baseAddress, let source = bytes.baseAddress else { return (makeIterator(), 0) }
        let room = buffer.count, n = bytes.count
        var k = 0, i = 0
        while i < n && k < room {
            // Two characters of three bytes (most of a Chinese text) from one load of
            // eight: one character at a time took 26 instructions a character.
            while i &+ 8 <= n && k &+ 2 <= room {
                let word = UTF8Code.word(at: source + i)
                // Checked, their leads must be plain, which also rules out surrogates.
                guard checks ? UTF8Code.startsWithTwoPlainThreeByte(word) : UTF8Code.startsWithTwoThreeByte(word) else { break }
                let a = UTF8Code.threeByteValue(word), b = UTF8Code.threeByteValue(word >> 24)
                // A surrogate's value is no scalar: left to the general path (U+FFFD).
                // (Checked, plain leads already ruled them out.)
                guard checks || (a &- 0xD800 >= 0x800 && b &- 0xD800 >= 0x800) else { break }
                // Both values were just checked to be scalars.
                (out + k).initialize(to: unsafeBitCast(a, to: Unicode.Scalar.self))
                (out + k + 1).initialize(to: unsafeBitCast(b, to: Unicode.Scalar.self))
                k &+= 2
                i &+= 6
            }
            guard i < n && k < room else { break }
            guard let (value, length) = Self.decode(source, at: i, count: n, checks ? illFormed : nil)
            else { return (Iterator(bytes: bytes, illFormed: illFormed, index: n), k) }
            i &+= length
            (out + k).initialize(to: Unicode.Scalar(value) ?? "\u{FFFD}")
            k &+= 1
        }
        return (Iterator(bytes: bytes, illFormed: illFormed, index: i), k)
    }
}
