/// A piece of text with its place in the text it came from, in Unicode scalars
/// (not UTF-16 units, not grapheme clusters: what other tools can count the same way).
public struct Token: Sendable, Equatable, Hashable {
    public let text: String
    public let start: Int
    public let end: Int
    public init(text: String, start: Int, end: Int) {
        self.text = text
        self.start = start
        self.end = end
    }
}

/// A string's UTF-16 code units with the scalar index each unit belongs to:
/// ICU speaks UTF-16 offsets, our records speak scalar offsets.
struct UTF16Text {
    let units: [UInt16]
    /// scalarIndex[i] = index of the scalar that UTF-16 unit i belongs to; one extra
    /// entry at the end = the scalar count.
    let scalarIndex: [Int]
    let scalars: [Unicode.Scalar]

    init(_ text: String) { self.init(scalars: Array(scalarsOf: text)) }

    init(scalars: [Unicode.Scalar]) {
        var scalarIndex: [Int] = []
        // Written through pointers (at most two units a scalar), then trimmed: three
        // appends a scalar, and UTF16.encode's collection, cost several times the work.
        let units = [UInt16](unsafeUninitializedCapacity: 2 * scalars.count) { units, unitCount in
            scalarIndex = [Int](unsafeUninitializedCapacity: 2 * scalars.count + 1) { index, indexCount in
                var k = 0
                for (i, scalar) in scalars.enumerated() {
                    let end = Self.write(scalar, into: units, at: k)
                    while k < end { index[k] = i; k += 1 }
                }
                index[k] = scalars.count
                unitCount = k
                indexCount = k + 1
            }
        }
        self.units = units
        self.scalarIndex = scalarIndex
        self.scalars = scalars
    }

    /// Writes the scalar's UTF-16 (one unit, or a surrogate pair) at `k`; returns
    /// where the next unit goes. The buffer has room (two units a scalar at most).
    @inline(__always)
    static func write(_ scalar: Unicode.Scalar, into units: UnsafeMutableBufferPointer<UInt16>, at k: Int) -> Int {
        let v = scalar.value
        if v < 0x10000 {
            units[k] = UInt16(truncatingIfNeeded: v)
            return k + 1
        }
        let w = v - 0x10000
        units[k] = UInt16(truncatingIfNeeded: 0xD800 | w >> 10)
        units[k + 1] = UInt16(truncatingIfNeeded: 0xDC00 | w & 0x3FF)
        return k + 2
    }

    func string(scalars range: Range<Int>) -> String {
        String(scalars: scalars[range])
    }
}

extension Unicode.Scalar {
    /// Han ideographs, including the CJK extension blocks and compatibility
    /// ideographs, and 〇 (Common, but read líng). Inlinable: other modules test it
    /// on every character of a page.
    @inlinable
    public var isHan: Bool {
        switch value {
        case 0x3007, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x323AF: return true
        default: return false
        }
    }
}

extension Unicode.Scalar {
    /// Whether a scalar value is an ideograph (U+3400 to U+9FFF, or U+20000 and up),
    /// which has no case: the commonest scalars of a Chinese text skip the case
    /// property lookups.
    @inlinable
    public static func isCaselessIdeograph(_ value: UInt32) -> Bool {
        (0x3400...0x9FFF).contains(value) || value >= 0x20000
    }

    /// What lowercasing makes of the scalar value (the full, context-free mapping)
    /// when it changes it; nil when it does not. ASCII and the caseless ideographs are
    /// answered without the property lookup. `lowercasedQuickly` asks it of every
    /// non-ASCII scalar, the signature test of a line's first.
    @inlinable @inline(__always)
    public static func lowercaseMappingIfChanged(_ value: UInt32) -> String? {
        if value < 0x80 { return (0x41...0x5A).contains(value) ? String(Unicode.Scalar(UInt8(value | 0x20))) : nil }
        if isCaselessIdeograph(value) { return nil }
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { return nil }
        return scalar.properties.lowercaseMapping
    }

    /// Unicode's White_Space property, answered without the property lookup for
    /// ASCII and for everything above U+3000 (all of Han): the lookup costs more
    /// than the rest of a scan of Chinese text.
    @inlinable
    public var isWhiteSpace: Bool {
        switch value {
        case 0x20, 0x09...0x0D: return true
        case 0..<0x80: return false
        case 0x3001...: return false // no White_Space character lies above U+3000
        default: return properties.isWhitespace
        }
    }

    /// An alphabetic scalar below U+0250 (Latin, with its extensions and IPA): what
    /// the language and script counts call a Latin letter. Quick for ASCII and for
    /// everything from U+0250 up, where Chinese text and its punctuation lie.
    @inlinable
    public var isLatinLetter: Bool {
        switch value {
        case 0x41...0x5A, 0x61...0x7A: return true
        case 0..<0x80, 0x250...: return false
        default: return properties.isAlphabetic
        }
    }
}
