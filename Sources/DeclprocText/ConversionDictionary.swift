import DeclprocLocales

/// One conversion dictionary (an OpenCC text dictionary): keys to their first
/// candidate, found by longest prefix. Flat: keys and values are runs of one
/// scalar array, found through a fingerprint table; for each first character a
/// bit per key length that starts with it, so most positions try one length or none.
final class ConversionDictionary: Sendable {
    /// Four numbers per entry: key start, key length, value start, value length in `scalars`.
    let entries: [UInt32]
    let scalars: [Unicode.Scalar]
    let table: FingerprintTable
    /// Bit n set: some key of n + 1 characters starts with this character.
    let lengthsByFirst: ScalarMap
    /// The same bits (n ≥ 1) per pair of first characters: most positions in a
    /// text start no key of two or more, and one probe here says so.
    let lengthsByPair: FingerprintTable
    /// 1 + the entry of each one-character key: the commonest match is an array read.
    let singles: ScalarMap

    convenience init(pairs: [(String, String)]) {
        self.init(scalarPairs: pairs.map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) })
    }

    init(scalarPairs: [([Unicode.Scalar], [Unicode.Scalar])]) {
        var entries: [UInt32] = []
        var scalars: [Unicode.Scalar] = []
        var table = FingerprintTable(expected: scalarPairs.count)
        var lengths = ScalarMap()
        var pairs = FingerprintTable(expected: scalarPairs.count / 2)
        var singles = ScalarMap()
        for (key, value) in scalarPairs where !key.isEmpty && key.count <= 32 {
            // The first line for a key wins, as OpenCC reads its dictionaries.
            guard table.insert(Fingerprint.of(key), UInt32(entries.count / 4)) else { continue }
            entries += [UInt32(scalars.count), UInt32(key.count), UInt32(scalars.count + key.count), UInt32(value.count)]
            scalars += key
            scalars += value
            lengths[key[0]] |= 1 << UInt32(key.count - 1)
            if key.count == 1 { singles[key[0]] = UInt32(entries.count / 4) } // the entry just added, plus one
            if key.count > 1 {
                let bit = UInt32(1) << UInt32(key.count - 1)
                pairs.update(Fingerprint.pair(key[0], key[1])) { ($0 ?? 0) | bit }
            }
        }
        self.lengthsByPair = pairs
        self.singles = singles
        self.entries = entries
        self.scalars = scalars
        self.table = table
        self.lengthsByFirst = lengths
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        entries = try reader.readArray(UInt32.self)
        let values = try reader.readArray(UInt32.self)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(values.count)
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { throw BinaryReader.Corrupt() }
            scalars.append(scalar)
        }
        self.scalars = scalars
        table = try FingerprintTable(from: &reader)
        lengthsByFirst = try ScalarMap(from: &reader)
        lengthsByPair = try FingerprintTable(from: &reader)
        singles = try ScalarMap(from: &reader)
        guard entries.count % 4 == 0 else { throw BinaryReader.Corrupt() }
        for k in stride(from: 0, to: entries.count, by: 4) {
            let keyEnd = Int(entries[k]) + Int(entries[k + 1]), valueEnd = Int(entries[k + 2]) + Int(entries[k + 3])
            guard keyEnd <= scalars.count, valueEnd <= scalars.count else { throw BinaryReader.Corrupt() }
        }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(entries)
        writer.write(scalars.map(\.value))
        table.write(to: &writer)
        lengthsByFirst.write(to: &writer)
        lengthsByPair.write(to: &writer)
        singles.write(to: &writer)
    }

    func key(_ entry: Int) -> ArraySlice<Unicode.Scalar> {
        let start = Int(entries[4 * entry])
        return scalars[start..<(start + Int(entries[4 * entry + 1]))]
    }

    func value(_ entry: Int) -> ArraySlice<Unicode.Scalar> {
        let start = Int(entries[4 * entry + 2])
        return scalars[start..<(start + Int(entries[4 * entry + 3]))]
    }

    var count: Int { entries.count / 4 }

    /// The longest key that starts at `start`: its length and its entry.
    @inline(__always)
    func longestPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, entry: Int)? {
        let first = lengthsByFirst[text[start]]
        if first == 1 { // only a one-character key starts here
            let single = singles[text[start]]
            return single == 0 ? nil : (1, Int(single) - 1)
        }
        if first == 0 { return nil }
        var lengths = first & 1
        if first > 1, start + 1 < limit { lengths |= lengthsByPair.value(Fingerprint.pair(text[start], text[start + 1])) ?? 0 }
        if limit - start < 32 { lengths &= (1 << UInt32(limit - start)) &- 1 }
        while lengths != 0 {
            let length = 32 - lengths.leadingZeroBitCount
            lengths &= ~(1 << UInt32(length - 1))
            let slice = text[start..<(start + length)]
            if let entry = table.value(Fingerprint.of(slice)).map(Int.init), key(entry).elementsEqual(slice) {
                return (length, entry)
            }
        }
        return nil
    }
}

/// Dictionaries read together (a group of the chain, or the segmentation
/// dictionaries), with what they do at each character worked out in advance: at
/// most positions of a text no key of two or more characters can match, and one
/// table read then gives the answer, so the walk leaves the dictionaries alone.
struct DictionaryList: Sendable {
    let dictionaries: [ConversionDictionary]
    /// Per character: `multi` if some dictionary has a key of two or more characters
    /// that starts with it; then the dictionary (bits 24–30) and 1 + the entry (bits
    /// 0–23) of the first one-character key for it, 0 if none.
    private let plan: ScalarMap
    /// A bit per pair of first characters of the keys of two or more characters
    /// (a Bloom filter of one hash): 128 KiB, so it stays in cache where the
    /// dictionaries' own tables do not.
    private let pairBits: [UInt64]
    static let multi: UInt32 = 1 << 31
    static let pairBitsShift: UInt64 = 64 - 20

    init(_ dictionaries: [ConversionDictionary]) {
        self.dictionaries = dictionaries
        var plan = ScalarMap()
        var bits = [UInt64](repeating: 0, count: (1 << 20) / 64)
        for (d, dictionary) in dictionaries.enumerated().reversed() {
            for entry in 0..<dictionary.count {
                let key = dictionary.key(entry)
                let first = key[key.startIndex]
                if key.count == 1 {
                    plan[first] = (plan[first] & Self.multi) | UInt32(d) << 24 | UInt32(entry + 1)
                } else {
                    plan[first] |= Self.multi
                    let bit = Self.pairBit(first, key[key.startIndex + 1])
                    bits[bit >> 6] |= 1 << UInt64(bit & 63)
                }
            }
        }
        self.plan = plan
        self.pairBits = bits
    }

    @inline(__always)
    static func pairBit(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Int {
        Int(truncatingIfNeeded: (Fingerprint.pair(a, b) &* 0x9E37_79B9_7F4A_7C15) >> pairBitsShift)
    }

    /// Whether a key of two or more characters might start at `start`.
    @inline(__always)
    private func mayMatchLonger(_ text: [Unicode.Scalar], _ start: Int, _ limit: Int, _ planned: UInt32) -> Bool {
        guard planned & Self.multi != 0, start + 1 < limit else { return false }
        let bit = Self.pairBit(text[start], text[start + 1])
        return pairBits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// The key that converts `text` at `start` in a group of the chain: the first
    /// dictionary with a key there decides, with its longest key.
    @inline(__always)
    func firstMatch(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, dictionary: Int, entry: Int)? {
        let planned = plan[text[start]]
        if mayMatchLonger(text, start, limit, planned) {
            for (d, dictionary) in dictionaries.enumerated() {
                if let match = dictionary.longestPrefix(text, from: start, limit: limit) { return (match.length, d, match.entry) }
            }
            return nil
        }
        let single = planned & 0xFF_FFFF
        return single == 0 ? nil : (1, Int(planned >> 24 & 0x7F), Int(single) - 1)
    }

    /// The longest key of any of the dictionaries at `start` (segmentation): its
    /// length, and the entry when it comes from the first dictionary.
    @inline(__always)
    func longestMatch(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, dictionary: Int, entry: Int)? {
        let planned = plan[text[start]]
        if mayMatchLonger(text, start, limit, planned) {
            var longest: (length: Int, dictionary: Int, entry: Int)? = nil
            for (d, dictionary) in dictionaries.enumerated() {
                if let match = dictionary.longestPrefix(text, from: start, limit: limit), match.length > (longest?.length ?? 0) {
                    longest = (match.length, d, match.entry)
                }
            }
            if longest != nil { return longest }
        }
        let single = planned & 0xFF_FFFF
        return single == 0 ? nil : (1, Int(planned >> 24 & 0x7F), Int(single) - 1)
    }

    /// `text[range]` through the group, appended to `out`.
    func convert(_ text: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Unicode.Scalar]) {
        var i = range.lowerBound
        while i < range.upperBound {
            if let match = firstMatch(text, from: i, limit: range.upperBound) {
                out.append(contentsOf: dictionaries[match.dictionary].value(match.entry))
                i += match.length
            } else {
                out.append(text[i])
                i += 1
            }
        }
    }
}
