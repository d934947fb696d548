import DeclprocLocales

/// One conversion dictionary (an OpenCC text dictionary): keys to their first
/// candidate, found by longest prefix. Flat: each entry is one run of numbers, its
/// key and value side by side, named by where the run starts and found through a
/// fingerprint table, so a match costs the table's cache line and the run's; for
/// each first character a bit per key length that starts with it, so most
/// positions try one length or none.
final class ConversionDictionary: Sendable {
    /// Per entry: a header (key length | value length << 8), the key's scalars,
    /// the value's scalars.
    let records: [UInt32]
    /// Where each entry's run starts, in the order of the file.
    let entries: [Int]
    /// The first two characters of every key of two or more, exactly (their pair code,
    /// no hash): `continues` if a longer key starts with them, and 1 + where the entry
    /// starts if they are a key. Most matches are two characters, and an exact code
    /// needs no check against the stored key, which was a further cache miss.
    let pairs: FingerprintTable
    /// Every prefix of three or more characters of a key, by fingerprint: `continues`
    /// if a longer key starts with it, and 1 + where its entry starts if it is a key.
    /// A text is matched forward, one probe per character, stopping where no key
    /// goes on: most matches cost one or two probes, where trying every length a
    /// key could have costs one per length.
    let prefixes: FingerprintTable
    static let continues: UInt32 = 1 << 31
    /// Bit 0: a one-character key is this character; bit 1: a longer key starts with it.
    let firsts: ScalarMap
    /// 1 + where the entry of each one-character key starts: the commonest match is an array read.
    let singles: ScalarMap
    static let longestKey = 32
    static let longestValue = 255

    convenience init(pairs: [(String, String)]) {
        self.init(scalarPairs: pairs.map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) })
    }

    init(scalarPairs: [([Unicode.Scalar], [Unicode.Scalar])]) {
        var records: [UInt32] = []
        // Grown as keys come, so each table is the smallest that holds its keys: the
        // smaller, the more of it stays in cache.
        var pairs = FingerprintTable()
        var prefixes = FingerprintTable()
        var firsts = ScalarMap()
        var singles = ScalarMap()
        for (key, value) in scalarPairs where !key.isEmpty && key.count <= Self.longestKey && value.count <= Self.longestValue {
            // The first line for a key wins, as OpenCC reads its dictionaries.
            let start = records.count
            if key.count == 1 {
                guard singles[key[0]] == 0 else { continue }
                singles[key[0]] = UInt32(start + 1)
                firsts[key[0]] |= 1
            } else {
                let pair = Fingerprint.pair(key[0], key[1])
                if key.count == 2 {
                    guard (pairs.value(pair) ?? 0) & ~Self.continues == 0 else { continue }
                    pairs.update(pair) { ($0 ?? 0) | UInt32(start + 1) }
                } else {
                    let fingerprints = key.indices.reduce(into: [UInt64]()) { prints, k in
                        prints.append(Fingerprint.adding(key[k], to: prints.last ?? Fingerprint.empty))
                    }
                    guard (prefixes.value(fingerprints.last!) ?? 0) & ~Self.continues == 0 else { continue }
                    pairs.update(pair) { ($0 ?? 0) | Self.continues }
                    for k in 2..<(key.count - 1) { prefixes.update(fingerprints[k]) { ($0 ?? 0) | Self.continues } }
                    prefixes.update(fingerprints.last!) { ($0 ?? 0) | UInt32(start + 1) }
                }
                firsts[key[0]] |= 2
            }
            records.append(UInt32(key.count) | UInt32(value.count) << 8)
            records += key.map(\.value)
            records += value.map(\.value)
        }
        self.pairs = pairs
        self.prefixes = prefixes
        self.firsts = firsts
        self.singles = singles
        self.records = records
        self.entries = Self.starts(records)!
    }

    /// Where each run starts; nil if the runs do not tile `records`. (A number in
    /// a run that is not a scalar reads as U+FFFD; the cache's checksum keeps such
    /// damage out in the first place.)
    private static func starts(_ records: [UInt32]) -> [Int]? {
        var starts: [Int] = []
        var k = 0
        while k < records.count {
            let keyLength = Int(records[k] & 0xFF), valueLength = Int(records[k] >> 8)
            guard keyLength >= 1, keyLength <= longestKey, valueLength <= longestValue, k + 1 + keyLength + valueLength <= records.count
            else { return nil }
            starts.append(k)
            k += 1 + keyLength + valueLength
        }
        return starts
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        records = try reader.readArray(UInt32.self)
        guard let entries = Self.starts(records) else { throw BinaryReader.Corrupt() }
        self.entries = entries
        pairs = try FingerprintTable(from: &reader)
        prefixes = try FingerprintTable(from: &reader)
        firsts = try ScalarMap(from: &reader)
        singles = try ScalarMap(from: &reader)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(records)
        pairs.write(to: &writer)
        prefixes.write(to: &writer)
        firsts.write(to: &writer)
        singles.write(to: &writer)
    }

    var count: Int { entries.count }

    /// The key and value of the run at `entry` (where `entries` says a run starts;
    /// any other number gives a checked, meaningless answer, never a crash).
    private func run(_ entry: Int) -> (key: Range<Int>, value: Range<Int>) {
        guard entry >= 0, entry < records.count else { return (0..<0, 0..<0) }
        let keyLength = Int(records[entry] & 0xFF), valueLength = Int(records[entry] >> 8)
        let keyEnd = min(records.count, entry + 1 + keyLength)
        return (entry + 1..<keyEnd, keyEnd..<min(records.count, keyEnd + valueLength))
    }

    /// A key's length and first two characters (the second is the first again in a one-character key).
    func keyStart(_ entry: Int) -> (length: Int, first: Unicode.Scalar, second: Unicode.Scalar) {
        let key = run(entry).key
        guard !key.isEmpty else { return (0, "\u{FFFD}", "\u{FFFD}") }
        let first = Unicode.Scalar(records[key.lowerBound]) ?? "\u{FFFD}"
        return (key.count, first, key.count > 1 ? Unicode.Scalar(records[key.lowerBound + 1]) ?? "\u{FFFD}" : first)
    }

    func key(_ entry: Int) -> [Unicode.Scalar] {
        records[run(entry).key].map { Unicode.Scalar($0) ?? "\u{FFFD}" }
    }

    func value(_ entry: Int) -> [Unicode.Scalar] {
        records[run(entry).value].map { Unicode.Scalar($0) ?? "\u{FFFD}" }
    }

    /// The entry's value appended to `out`.
    @inline(__always)
    func appendValue(_ entry: Int, to out: inout [Unicode.Scalar]) {
        let value = run(entry).value
        records.withUnsafeBufferPointer { records in
            for k in value { out.append(Unicode.Scalar(records[k]) ?? "\u{FFFD}") }
        }
    }

    /// The longest key that starts at `start`: its length and its entry.
    @inline(__always)
    func longestPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, entry: Int)? {
        let first = firsts[text[start]]
        if first & 2 != 0, start + 1 < limit,
           let longer = longerPrefix(text, from: start, limit: limit, pair: pairValue(text[start], text[start + 1])) {
            return longer
        }
        if first & 1 == 0 { return nil }
        return (1, Int(singles[text[start]]) - 1)
    }

    /// What `pairs` holds for two characters, 0 if no key starts with them.
    @inline(__always)
    func pairValue(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> UInt32 {
        pairs.value(Fingerprint.pair(a, b)) ?? 0
    }

    /// The longest key of two or more characters at `start`, walking forward from its pair.
    private func longerPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int, pair: UInt32) -> (length: Int, entry: Int)? {
        guard pair != 0 else { return nil }
        let two = pair & ~Self.continues
        var found: (length: Int, entry: Int)? = two != 0 ? (2, Int(two) - 1) : nil
        guard pair & Self.continues != 0 else { return found }
        var hash = Fingerprint.adding(text[start + 1], to: Fingerprint.adding(text[start], to: Fingerprint.empty))
        var length = 2
        let end = min(limit, start + Self.longestKey)
        while start + length < end {
            hash = Fingerprint.adding(text[start + length], to: hash)
            length += 1
            guard let value = prefixes.value(hash) else { break }
            let entry = value & ~Self.continues
            if entry != 0 { found = (length, Int(entry) - 1) }
            if value & Self.continues == 0 { break }
        }
        guard let longest = found, longest.length > 2 else { return found }
        if matches(longest.entry, text[start..<(start + longest.length)]) { return longest }
        // A fingerprint that matched another text (about once in 10^14): check
        // every shorter length against the keys themselves.
        var hashes = [Fingerprint.adding(text[start], to: Fingerprint.empty)]
        for k in 1..<longest.length { hashes.append(Fingerprint.adding(text[start + k], to: hashes[k - 1])) }
        for length in stride(from: longest.length - 1, through: 3, by: -1) {
            let entry = Int((prefixes.value(hashes[length - 1]) ?? 0) & ~Self.continues)
            if entry != 0, matches(entry - 1, text[start..<(start + length)]) { return (length, entry - 1) }
        }
        return two != 0 ? (2, Int(two) - 1) : nil
    }

    @inline(__always)
    private func matches(_ entry: Int, _ key: ArraySlice<Unicode.Scalar>) -> Bool {
        let stored = run(entry).key
        guard stored.count == key.count else { return false }
        return records.withUnsafeBufferPointer { records in
            var k = stored.lowerBound
            for scalar in key {
                if records[k] != scalar.value { return false }
                k += 1
            }
            return true
        }
    }
}

/// Dictionaries read together (a group of the chain, or the segmentation
/// dictionaries), with what they do at each character worked out in advance: at
/// most positions of a text no key of two or more characters can match, and one
/// table read then gives the answer, so the walk leaves the dictionaries alone.
struct DictionaryList: Sendable {
    let dictionaries: [ConversionDictionary]
    /// Per character: `multi` if some dictionary has a key of two or more characters
    /// that starts with it; then the dictionary (bits 24–29) and 1 + the entry (bits
    /// 0–23) of the first one-character key for it, 0 if none; `slow` where that
    /// does not fit and the dictionaries must be asked.
    private let plan: ScalarMap
    /// A bit per pair of first characters of the keys of two or more characters
    /// (a Bloom filter of one hash): 128 KiB, so it stays in cache where the
    /// dictionaries' own tables do not.
    private let pairBits: [UInt64]
    static let multi: UInt32 = 1 << 31
    static let slow: UInt32 = 1 << 30
    static let pairBitsShift: UInt64 = 64 - 20

    init(_ dictionaries: [ConversionDictionary]) {
        self.dictionaries = dictionaries
        var plan = ScalarMap()
        var bits = [UInt64](repeating: 0, count: (1 << 20) / 64)
        for (d, dictionary) in dictionaries.enumerated().reversed() {
            for entry in dictionary.entries {
                let (length, first, second) = dictionary.keyStart(entry)
                if length == 1 {
                    // An entry past 24 bits is left to the dictionaries' own lookup.
                    plan[first] = (plan[first] & (Self.multi | Self.slow)) | (entry + 1 < 1 << 24 && d < 64 ? UInt32(d) << 24 | UInt32(entry + 1) : Self.slow)
                } else {
                    plan[first] |= Self.multi
                    let bit = Self.pairBit(first, second)
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
        if planned & Self.slow != 0 { return true }
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
        return single == 0 ? nil : (1, Int(planned >> 24 & 0x3F), Int(single) - 1)
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
        return single == 0 ? nil : (1, Int(planned >> 24 & 0x3F), Int(single) - 1)
    }

    /// `text[range]` through the group, appended to `out`.
    func convert(_ text: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Unicode.Scalar]) {
        var i = range.lowerBound
        while i < range.upperBound {
            if let match = firstMatch(text, from: i, limit: range.upperBound) {
                dictionaries[match.dictionary].appendValue(match.entry, to: &out)
                i += match.length
            } else {
                out.append(text[i])
                i += 1
            }
        }
    }
}
