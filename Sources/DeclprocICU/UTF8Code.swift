internal import CUTF8

/// One scalar of UTF-8 read or written through a pointer: the arithmetic the byte
/// loops (the filters' decoding and encoding, UTF-8 ↔ UTF-16 for ICU, quick
/// lowercasing) share, inlined into each. The input is well-formed UTF-8, as a
/// String's storage or a line the reader has repaired always is.
public enum UTF8Code {
    /// The scalar value that starts at `i` and its length in bytes. Three bytes
    /// are tested first: most of a Chinese text.
    @inlinable @inline(__always)
    public static func decode(_ bytes: UnsafePointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[i])
        if lead & 0xF0 == 0xE0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[i &+ 1] & 0x3F) << 6 | UInt32(bytes[i &+ 2] & 0x3F), 3)
        }
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[i &+ 1] & 0x3F), 2) }
        return ((lead & 0x07) << 18 | UInt32(bytes[i &+ 1] & 0x3F) << 12 | UInt32(bytes[i &+ 2] & 0x3F) << 6
                    | UInt32(bytes[i &+ 3] & 0x3F), 4)
    }

    /// `v` if it is a scalar value, U+FFFD if not (a surrogate, or past U+10FFFF):
    /// for numbers read from tables, which a damaged file could make anything.
    @inlinable @inline(__always)
    public static func scalarValue(_ v: UInt32) -> UInt32 {
        v &- 0xD800 < 0x800 || v > 0x10FFFF ? 0xFFFD : v
    }

    /// Writes the UTF-8 of the scalar value `v` at `out[k]` and returns how many
    /// bytes it took (three bytes tested first, as in `decode`).
    @inlinable @inline(__always)
    public static func encode(_ v: UInt32, into out: UnsafeMutablePointer<UInt8>, at k: Int) -> Int {
        if v >= 0x800 && v < 0x10000 {
            out[k] = UInt8(truncatingIfNeeded: 0xE0 | v >> 12)
            out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F)
            out[k &+ 2] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
            return 3
        }
        if v < 0x80 {
            out[k] = UInt8(truncatingIfNeeded: v)
            return 1
        }
        if v < 0x800 {
            out[k] = UInt8(truncatingIfNeeded: 0xC0 | v >> 6)
            out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
            return 2
        }
        out[k] = UInt8(truncatingIfNeeded: 0xF0 | v >> 18)
        out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v >> 12 & 0x3F)
        out[k &+ 2] = UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F)
        out[k &+ 3] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
        return 4
    }
}

/// Two characters of three bytes at a time, in a 64-bit word read or written
/// little-endian (first byte lowest): nine characters in ten of a Chinese text are
/// such, and the byte loops take them in pairs.
extension UTF8Code {
    /// Loads the eight bytes at `p` (no alignment needed), first byte lowest.
    @inlinable @inline(__always)
    public static func word(at p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// Whether all eight bytes are ASCII (below 0x80): markup, mostly.
    @inlinable @inline(__always)
    public static func isASCII(_ word: UInt64) -> Bool {
        word & 0x8080_8080_8080_8080 == 0
    }

    /// Whether none of the eight bytes is ASCII: inside a run of Chinese text.
    @inlinable @inline(__always)
    public static func hasNoASCII(_ word: UInt64) -> Bool {
        word & 0x8080_8080_8080_8080 == 0x8080_8080_8080_8080
    }

    /// Whether any of the eight bytes is below 0x20 (a C0 control), exact as a yes or
    /// no whatever the other bytes: the subtraction borrows, and sets a byte's high
    /// bit that was clear, only where some byte is below 0x20.
    @inlinable @inline(__always)
    public static func hasByteBelowSpace(_ word: UInt64) -> Bool {
        (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0
    }

    /// Whether any of the eight bytes is `byte`, exact as a yes or no: the same test
    /// for a byte below one, on the word with `byte` cleared from every place.
    @inlinable @inline(__always)
    public static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }

    /// Whether the word's first six bytes are the bit patterns of two three-byte
    /// characters: a lead 1110xxxx and two continuation bytes 10xxxxxx each.
    /// (Well-formed too, unless a lead is E0 or ED: see `isValid`.)
    @inlinable @inline(__always)
    public static func startsWithTwoThreeByte(_ word: UInt64) -> Bool {
        word & 0xC0C0_F0C0_C0F0 == 0x8080_E080_80E0
    }

    /// The value of the three-byte character in the word's lowest three bytes.
    @inlinable @inline(__always)
    public static func threeByteValue(_ word: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (word & 0x0F) << 12 | (word >> 2 & 0xFC0) | (word >> 16 & 0x3F))
    }

    /// `encode`, where the room has a byte to spare after the character: a
    /// three-byte character (most of a Chinese text) is one store of four bytes,
    /// the fourth overwritten by what follows.
    @inlinable @inline(__always)
    public static func encodeWide(_ v: UInt32, into out: UnsafeMutablePointer<UInt8>, at k: Int) -> Int {
        guard v &- 0x800 < 0xF800 else { return encode(v, into: out, at: k) }
        UnsafeMutableRawPointer(out + k).storeBytes(of: UInt32(truncatingIfNeeded: threeBytes(v)).littleEndian, as: UInt32.self)
        return 3
    }

    /// The three bytes of a value from U+0800 to U+FFFF, first byte lowest.
    @inlinable @inline(__always)
    public static func threeBytes(_ v: UInt32) -> UInt64 {
        UInt64(0xE0 | v >> 12) | UInt64(0x80 | v >> 6 & 0x3F) << 8 | UInt64(0x80 | v & 0x3F) << 16
    }
}

extension UTF8Code {
    /// Whether `bytes` are well-formed UTF-8 (no overlong form, surrogate or value
    /// past U+10FFFF), checked without making a String: the filters check every line,
    /// the reader every page.
    ///
    /// Text of 64 bytes or more is checked thirty-two bytes at a time with AVX2 where
    /// the processor has it (`CUTF8`): on the web pages a tenth of the instructions the
    /// Swift loop takes. Shorter text, and all text on other processors, by
    /// `isValidScalarByScalar`; tests hold the two to the same answers.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.count >= 64, let base = bytes.baseAddress {
            let answer = dp_utf8_valid_avx2(base, bytes.count)
            if answer >= 0 { return answer == 1 }
        }
        return isValidScalarByScalar(bytes)
    }

    /// Where `needle` (two bytes or more) first occurs in `haystack`, thirty-two
    /// places at a time (`dp_find_avx2`, which compares the needle's last two bytes at
    /// every place at once): its offset; -1 when it does not occur; -2 on a processor
    /// without AVX2, where the caller searches its own way.
    @inline(__always)
    public static func findInBlocks(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int {
        guard let n = needle.baseAddress, needle.count >= 2 else { return -2 }
        guard let h = haystack.baseAddress else { return -1 }
        return dp_find_avx2(h, haystack.count, n, needle.count)
    }

    /// `isValid` in Swift, on every processor. The common cases go first and several
    /// bytes at a time: ASCII eight bytes a load, and Chinese, three-byte characters,
    /// eight in three loads or two in one, a mask for their leads and continuation
    /// bytes. A three-byte character is well-formed from its bit pattern alone unless
    /// its lead is E0 (overlong forms) or ED (surrogates), which the general case
    /// checks. One character at a time, this loop took 17 instructions a character of
    /// Chinese; now about 13.
    public static func isValidScalarByScalar(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            if i &+ 8 <= n {
                let word = Self.word(at: base + i)
                if isASCII(word) {
                    i &+= 8
                    continue
                }
                // Eight such characters in three loads: their leads fall at fixed places.
                if i &+ 24 <= n, word & 0xC0F0_C0C0_F0C0_C0F0 == 0x80E0_8080_E080_80E0 {
                    let second = Self.word(at: base + i + 8), third = Self.word(at: base + i + 16)
                    if second & 0xF0C0_C0F0_C0C0_F0C0 == 0xE080_80E0_8080_E080, third & 0xC0C0_F0C0_C0F0_C0C0 == 0x8080_E080_80E0_8080,
                       leadsArePlain(word, at: 0x000F_0000_0F00_000F), leadsArePlain(second, at: 0x0F00_000F_0000_0F00),
                       leadsArePlain(third, at: 0x0000_0F00_000F_0000) {
                        i &+= 24
                        continue
                    }
                }
                if startsWithTwoPlainThreeByte(word) {
                    i &+= 6
                    continue
                }
            }
            // One character (beside others, or in a line's last bytes); its value,
            // unused, is not computed.
            guard let (_, length) = decodeChecked(base, at: i, count: n) else { return false }
            i &+= length
        }
        return true
    }

    /// The length of the well-formed character of two to four bytes that starts at
    /// `i` (before `count`), or nil if the bytes there are not one: the general case
    /// of the checks, after their quick paths for ASCII and plain three-byte leads.
    @inlinable @inline(__always)
    static func wellFormedLength(_ base: UnsafePointer<UInt8>, at i: Int, count n: Int) -> Int? {
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch base[i] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard i &+ length <= n, (low...high).contains(base[i &+ 1]) else { return nil }
        for k in 2..<length where base[i &+ k] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// Whether the first six bytes of `word` are two well-formed three-byte
    /// characters: their bit patterns (`startsWithTwoThreeByte`) and plain leads.
    @inlinable @inline(__always)
    public static func startsWithTwoPlainThreeByte(_ word: UInt64) -> Bool {
        startsWithTwoThreeByte(word) && plainLeads &>> (word & 0xF) & plainLeads &>> (word &>> 24 & 0xF) & 1 != 0
    }

    /// The scalar value that starts at `i` and its length, if the bytes there (before
    /// `count`) are a well-formed character; nil if not: `decode` with `isValid`'s checks.
    @inlinable @inline(__always)
    public static func decodeChecked(_ bytes: UnsafePointer<UInt8>, at i: Int, count n: Int) -> (value: UInt32, length: Int)? {
        let lead = bytes[i]
        if lead < 0x80 { return (UInt32(lead), 1) }
        if lead & 0xF0 == 0xE0, plainLeads &>> UInt64(lead & 0xF) & 1 != 0, i &+ 3 <= n,
           bytes[i &+ 1] & 0xC0 == 0x80, bytes[i &+ 2] & 0xC0 == 0x80 {
            return decode(bytes, at: i)
        }
        guard wellFormedLength(bytes, at: i, count: n) != nil else { return nil }
        return decode(bytes, at: i)
    }

    /// Whether the three-byte leads of `word` (where `places` has 0F) are all plain:
    /// the low half of each is neither 0 (E0) nor D (ED). A byte's half plus F
    /// reaches 10 exactly when it is not 0, with no carry into the next byte.
    @inline(__always)
    private static func leadsArePlain(_ word: UInt64, at places: UInt64) -> Bool {
        let halves = word & places, carries = (places &<< 4) & 0x1010_1010_1010_1010
        let notD = halves ^ (places & 0x0D0D_0D0D_0D0D_0D0D)
        return (halves &+ places) & carries == carries && (notD &+ places) & carries == carries
    }

    /// A bit per low half of a three-byte lead (E0–EF): set where any two
    /// continuation bytes make a well-formed character, all but E0 and ED.
    @inlinable static var plainLeads: UInt64 { 0xDFFE }
}

extension String {
    /// Calls `body` with the string's UTF-8 where the string keeps it. `withUTF8`
    /// needs a string it may mutate, so a `let` string is copied for it, which costs a
    /// retain and a release of its storage: for the short strings read by the million
    /// (words, syllables, a block's text) that was most of a call's cost. A native
    /// string, as every string made here is, always has its UTF-8 contiguous (a small
    /// one on the stack); another is copied, as `withUTF8` would.
    @inlinable
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

extension String {
    /// A string of bytes that are well-formed UTF-8 by the way the caller made them:
    /// encoded from scalars, or copied whole characters at a time from strings. Every
    /// other way of making a String checks its bytes again, a character at a time, and
    /// the records' strings (Pinyin, words, converted text) are made by the million;
    /// `UTF8Span(unchecked:)` hands them over as they are. Debug builds, which the
    /// tests run, still check them.
    @inlinable
    public init(wellFormedUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        assert(UTF8Code.isValid(bytes), "bytes said to be well-formed UTF-8 are not")
        guard !bytes.isEmpty else {
            self = ""
            return
        }
        self = unsafe String(copying: UTF8Span(unchecked: bytes.span))
    }

    /// `init(wellFormedUTF8:)` for text written into room of `capacity` bytes by
    /// `body`, which returns how many it wrote: the room is on the stack when small.
    @inlinable
    public init(wellFormedUTF8Capacity capacity: Int,
                writingWith body: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) rethrows {
        self = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(capacity, 1)) { room in
            let count = try body(room)
            return String(wellFormedUTF8: UnsafeBufferPointer(rebasing: room[..<count]))
        }
    }

    /// A string of `bytes`, which may come from anywhere: checked by `UTF8Code.isValid`
    /// (thirty-two bytes at a time where it can be) rather than by Swift's own check,
    /// and repaired as `String(decoding:as:)` repairs them if they are not well-formed.
    @inlinable
    public init(checkingUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= 64, UTF8Code.isValid(bytes) {
            self.init(wellFormedUTF8: bytes)
        } else {
            self = String(decoding: bytes, as: UTF8.self)
        }
    }
}
