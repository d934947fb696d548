import DeclprocCollections
import DeclprocICU
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
    let records: TableWords<UInt32>
    /// Where each entry's run starts, in the order of the file.
    let entries: [Int]
    /// The first two characters of every key of two or more, exactly (their pair code,
    /// no hash): `continues` if a longer key starts with them, and 1 + where the entry
    /// starts if they are a key. Most matches are two characters, and an exact code
    /// needs no check against the stored key, which was a further cache miss.
    let pairs: PairTable
    /// Every prefix of three or more characters of a key, by fingerprint: `continues`
    /// if a longer key starts with it, and 1 + where its entry starts if it is a key.
    /// A text is matched forward, one probe per character, stopping where no key
    /// goes on: most matches cost one or two probes, where trying every length a
    /// key could have costs one per length.
    let prefixes: FingerprintTable
    /// A bit per prefix of three or more characters (a Bloom filter of one hash),
    /// sixteen bits a prefix: a pair that some longer key starts with is usually
    /// not followed by that key's third character (one position in nine in
    /// Simplified text against STPhrases), and this answers such probes from cache
    /// where `prefixes`, megabytes large, would cost a miss.
    let prefixBits: [UInt64]
    let prefixBitsShift: UInt64
    static let continues: UInt32 = 1 << 31
    /// In `pairs`' values: where the entry is (1 + where its run starts, 0 for none)...
    static let entryMask: UInt32 = 1 << 22 - 1
    /// ... and a bit per third character (its value modulo 8) of the longer keys
    /// that start with the pair: most pairs that some longer key starts with are not
    /// followed by its third character (one position in nine in Simplified text
    /// against STPhrases), and this answers them from the slot already read, where
    /// `prefixBits` and `prefixes` each cost a cache miss.
    @inline(__always)
    static func thirdBit(_ third: Unicode.Scalar) -> UInt32 { 1 << (22 + third.value & 7) }
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
            // Where an entry starts must fit `entryMask` (OpenCC's largest dictionary takes a tenth of it).
            guard start + 1 <= Self.entryMask else { break }
            if key.count == 1 {
                guard singles[key[0]] == 0 else { continue }
                singles[key[0]] = UInt32(start + 1)
                firsts[key[0]] |= 1
            } else {
                let pair = Fingerprint.pair(key[0], key[1])
                if key.count == 2 {
                    guard (pairs.value(pair) ?? 0) & Self.entryMask == 0 else { continue }
                    pairs.update(pair) { ($0 ?? 0) | UInt32(start + 1) }
                } else {
                    let fingerprints = key.indices.reduce(into: [UInt64]()) { prints, k in
                        prints.append(Fingerprint.adding(key[k], to: prints.last ?? Fingerprint.empty))
                    }
                    guard (prefixes.value(fingerprints.last!) ?? 0) & ~Self.continues == 0 else { continue }
                    pairs.update(pair) { ($0 ?? 0) | Self.continues | Self.thirdBit(key[2]) }
                    for k in 2..<(key.count - 1) { prefixes.update(fingerprints[k]) { ($0 ?? 0) | Self.continues } }
                    prefixes.update(fingerprints.last!) { ($0 ?? 0) | UInt32(start + 1) }
                }
                firsts[key[0]] |= 2
            }
            records.append(UInt32(key.count) | UInt32(value.count) << 8)
            records += key.map(\.value)
            records += value.map(\.value)
        }
        self.pairs = PairTable(pairs)
        self.prefixes = prefixes
        (self.prefixBits, self.prefixBitsShift) = Self.prefixFilter(prefixes)
        self.firsts = firsts
        self.singles = singles
        self.records = TableWords(records)
        self.entries = Self.starts(self.records)!
    }

    /// Where each run starts; nil if the runs do not tile `records`. (A number in
    /// a run that is not a scalar reads as U+FFFD; the cache's checksum keeps such
    /// damage out in the first place.)
    private static func starts(_ records: TableWords<UInt32>) -> [Int]? {
        // Read through a pointer into an array grown once (an entry is at least three
        // numbers): done for every dictionary at every start.
        var starts: [Int] = []
        starts.reserveCapacity(records.count / 3 + 1)
        let complete = records.withUnsafeBufferPointer { records in
            var k = 0
            while k < records.count {
                let keyLength = Int(records[k] & 0xFF), valueLength = Int(records[k] >> 8)
                guard keyLength >= 1, keyLength <= longestKey, valueLength <= longestValue,
                      k + 1 + keyLength + valueLength <= records.count else { return false }
                starts.append(k)
                k += 1 + keyLength + valueLength
            }
            return true
        }
        return complete ? starts : nil
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        records = try reader.readWords(UInt32.self)
        guard let entries = Self.starts(records) else { throw BinaryReader.Corrupt() }
        self.entries = entries
        pairs = try PairTable(from: &reader)
        prefixes = try FingerprintTable(from: &reader)
        (prefixBits, prefixBitsShift) = Self.prefixFilter(prefixes)
        firsts = try ScalarMap(from: &reader)
        singles = try ScalarMap(from: &reader)
    }

    /// Built on load from `prefixes` (a few milliseconds), so the compiled form is unchanged.
    private static func prefixFilter(_ prefixes: FingerprintTable) -> ([UInt64], UInt64) {
        var bits = 64
        while bits < 16 * prefixes.count { bits <<= 1 }
        let shift = UInt64(64 - bits.trailingZeroBitCount)
        var filter = [UInt64](filledWith: 0, count: bits / 64)
        prefixes.forEachKey { key in
            let bit = prefixBit(key, shift)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        return (filter, shift)
    }

    @inline(__always)
    private static func prefixBit(_ fingerprint: UInt64, _ shift: UInt64) -> Int {
        let key = fingerprint == 0 ? 1 : fingerprint // as the table stores it
        return Int(truncatingIfNeeded: ((key ^ key >> 29) &* 0xBF58_476D_1CE4_E5B9) >> shift)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(records)
        pairs.write(to: &writer)
        prefixes.write(to: &writer)
        firsts.write(to: &writer)
        singles.write(to: &writer)
    }

    var count: Int { entries.count }

    /// Whether any key has two or more characters (a phrase dictionary).
    var hasPhrases: Bool { !pairs.isEmpty }

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

    /// The entry's value when it is one scalar (as `value` would give it), else nil:
    /// asked of every one-character key at load, where `value` made an array each.
    func singleValue(_ entry: Int) -> Unicode.Scalar? {
        let value = run(entry).value
        return value.count == 1 ? Unicode.Scalar(records[value.lowerBound]) ?? "\u{FFFD}" : nil
    }

    /// The entry's value appended to `out`.
    @inline(__always)
    func appendValue(_ entry: Int, to out: inout [Unicode.Scalar]) {
        let value = run(entry).value
        records.withUnsafeBufferPointer { records in
            for k in value { out.append(Unicode.Scalar(records[k]) ?? "\u{FFFD}") }
        }
    }

    /// The entry's value written at `out` as UTF-8 if it has at most `room` / 4
    /// scalars: how many bytes it took, or nil (and nothing written) if more.
    @inline(__always)
    func copyValue(_ entry: Int, toUTF8 out: UnsafeMutablePointer<UInt8>, room: Int) -> Int? {
        let value = run(entry).value
        guard value.count &* 4 <= room else { return nil }
        return records.withUnsafeBufferPointer { records in
            var k = 0
            // Four bytes a scalar leave the byte that `encodeWide` may write past one.
            for r in value { k &+= UTF8Code.encodeWide(UTF8Code.scalarValue(records[r]), into: out, at: k) }
            return k
        }
    }

    /// The entries (a bit per place in `records`) of two or more characters whose
    /// value is what `characters` makes of each of the key's characters alone.
    func literalEntries(in characters: DictionaryList) -> [UInt64] {
        var bits = [UInt64](filledWith: 0, count: records.count / 64 + 1)
        records.withUnsafeBufferPointer { records in
            for entry in entries {
                let (key, value) = run(entry)
                guard key.count > 1, key.count == value.count else { continue }
                var literal = true
                for k in 0..<key.count {
                    let scalar = Unicode.Scalar(records[key.lowerBound + k]) ?? "\u{FFFD}"
                    if characters.aloneValue(scalar) != records[value.lowerBound + k] { literal = false; break }
                }
                if literal { bits[entry >> 6] |= 1 << UInt64(entry & 63) }
            }
        }
        return bits
    }

    /// The longest key that starts at `start`: its length and its entry.
    @inline(__always)
    func longestPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, entry: Int)? {
        let first = firsts[text[start]]
        if first & 2 != 0, let longer = longestOfTwoOrMore(text, from: start, limit: limit) { return longer }
        if first & 1 == 0 { return nil }
        return (1, Int(singles[text[start]]) - 1)
    }

    /// The longest key of two or more characters at `start` (for callers that
    /// already know some such key starts with the character there).
    @inline(__always)
    func longestOfTwoOrMore(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, entry: Int)? {
        guard start + 1 < limit else { return nil }
        return longerPrefix(text, from: start, limit: limit, pair: pairValue(text[start], text[start + 1]))
    }

    /// What `pairs` holds for two characters, 0 if no key starts with them.
    @inline(__always)
    func pairValue(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> UInt32 {
        pairs.value(Fingerprint.pair(a, b))
    }

    /// The longest key of two or more characters at `start`, walking forward from its pair.
    private func longerPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int, pair: UInt32) -> (length: Int, entry: Int)? {
        guard pair != 0 else { return nil }
        let two = pair & Self.entryMask
        var found: (length: Int, entry: Int)? = two != 0 ? (2, Int(two) - 1) : nil
        guard pair & Self.continues != 0, start + 2 < min(limit, start + Self.longestKey),
              pair & Self.thirdBit(text[start + 2]) != 0 else { return found }
        var hash = Fingerprint.adding(text[start + 1], to: Fingerprint.adding(text[start], to: Fingerprint.empty))
        var length = 2
        let end = min(limit, start + Self.longestKey)
        while start + length < end {
            hash = Fingerprint.adding(text[start + length], to: hash)
            length += 1
            let bit = Self.prefixBit(hash, prefixBitsShift)
            guard prefixBits.withUnsafeBufferPointer({ $0[bit >> 6] & (1 << UInt64(bit & 63)) != 0 }),
                  let value = prefixes.value(hash) else { break }
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
    /// The same, unretained (`dictionaries` keeps them): the walk reads them at
    /// every matched position, and a retain and release each time was a tenth of it.
    private let unretained: [Unmanaged<ConversionDictionary>]
    /// Per character: `multi` if some dictionary has a key of two or more characters
    /// that starts with it; then the dictionary (bits 24–29) and 1 + the entry (bits
    /// 0–23) of the first one-character key for it, 0 if none; `slow` where that
    /// does not fit and the dictionaries must be asked.
    private let plan: ScalarMap
    /// What the walk between phrases writes for a character, from one table read:
    /// 0 where no key starts with it (itself); 1 + the scalar it becomes where its
    /// only key is a one-character key whose value is one scalar (most characters of
    /// a character dictionary); `asked` where the dictionaries must be asked. (Read
    /// after `plan`, a second table as large, it cost a second miss.)
    private let direct: ScalarMap
    /// Above any 1 + scalar, and without the `multi` bit, so that the one-pass walk's
    /// table holds `direct`'s values as they are beside that bit.
    static let asked: UInt32 = 0x7FFF_FFFF
    /// A bit per pair of first characters of the keys of two or more characters
    /// (a Bloom filter of one hash): 64 KiB, so it stays in cache where the
    /// dictionaries' own tables do not. For STPhrases' 33,000 pairs it answers
    /// wrongly one time in sixteen; at 128 KiB (one in thirty-two) it took more
    /// cache from the rest than the probes it saved, at 32 KiB it saved less
    /// than its own wrong answers cost (simulated misses, session 13).
    private let pairBits: TableWords<UInt64>
    /// 1 + the scalar each character becomes when it stands alone, where that is one
    /// scalar: as `direct`, but also for characters longer keys start with.
    private let alone: ScalarMap
    /// Where no dictionary has a one-character key (the segmentation of every
    /// Simplified-to-Traditional configuration), all the plan says of a character is
    /// `multi`: for the BMP, this bit per character says it from 8 KiB that stay in
    /// the core's first cache, where the plan's blocks for the ideographs alone are
    /// ten times that. Empty otherwise.
    private let multiBMP: TableWords<UInt64>
    static let multi: UInt32 = 1 << 31
    static let slow: UInt32 = 1 << 30
    static let pairBitsShift: UInt64 = 64 - 19

    init(_ dictionaries: [ConversionDictionary]) {
        self.dictionaries = dictionaries
        unretained = dictionaries.map { Unmanaged.passUnretained($0) }
        var plan = ScalarMap()
        var bits = [UInt64](filledWith: 0, count: (1 << 19) / 64)
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
        var direct = ScalarMap(), alone = ScalarMap()
        var onlyLonger = true, multiBMP = [UInt64](filledWith: 0, count: 0x10000 / 64)
        plan.forEach { scalar, planned in
            if planned & ~Self.multi != 0 { onlyLonger = false }
            if scalar.value < 0x10000 { multiBMP[Int(scalar.value >> 6)] |= 1 << UInt64(scalar.value & 63) }
            direct[scalar] = Self.asked
            guard planned & Self.slow == 0, planned & 0xFF_FFFF != 0 else { return }
            guard let value = dictionaries[Int(planned >> 24 & 0x3F)].singleValue(Int(planned & 0xFF_FFFF) - 1) else { return }
            alone[scalar] = value.value + 1
            if planned & Self.multi == 0 { direct[scalar] = value.value + 1 }
        }
        self.plan = plan
        self.direct = direct
        self.alone = alone
        self.multiBMP = TableWords(onlyLonger ? multiBMP : [])
        self.pairBits = TableWords(bits)
    }

    /// The tables worked out from the dictionaries, for the compiled cache: made at
    /// every start they were a fifth of `declproc convert`'s start-up (22 M
    /// instructions), a tenth of `extract`'s.
    func write(to writer: inout BinaryWriter) {
        writer.write(UInt64(dictionaries.count))
        plan.write(to: &writer)
        direct.write(to: &writer)
        alone.write(to: &writer)
        writer.write(pairBits)
        writer.write(multiBMP)
    }

    /// The list as `write(to:)` wrote it, for the same `dictionaries`.
    init(from reader: inout BinaryReader, dictionaries: [ConversionDictionary]) throws(BinaryReader.Corrupt) {
        guard try reader.read(UInt64.self) == UInt64(dictionaries.count) else { throw BinaryReader.Corrupt() }
        self.dictionaries = dictionaries
        unretained = dictionaries.map { Unmanaged.passUnretained($0) }
        plan = try ScalarMap(from: &reader)
        direct = try ScalarMap(from: &reader)
        alone = try ScalarMap(from: &reader)
        pairBits = try reader.readWords(UInt64.self)
        multiBMP = try reader.readWords(UInt64.self)
        guard pairBits.count == (1 << 19) / 64, multiBMP.isEmpty || multiBMP.count == 0x10000 / 64 else { throw BinaryReader.Corrupt() }
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
        return withPairBits { Self.pairMayStart(text[start], text[start + 1], in: $0) }
    }

    /// Whether the pair filter lets a key start with `a`, `b`.
    @inline(__always)
    private static func pairMayStart(_ a: Unicode.Scalar, _ b: Unicode.Scalar, in bits: UnsafePointer<UInt64>) -> Bool {
        let bit = pairBit(a, b)
        return bits[bit &>> 6] & (1 &<< UInt64(bit & 63)) != 0
    }

    /// The key that converts `text` at `start` in a group of the chain: the first
    /// dictionary with a key there decides, with its longest key.
    @inline(__always)
    func firstMatch(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, dictionary: Int, entry: Int)? {
        let planned = plan[text[start]]
        if mayMatchLonger(text, start, limit, planned) {
            for d in unretained.indices {
                if let match = unretained[d]._withUnsafeGuaranteedRef({ $0.longestPrefix(text, from: start, limit: limit) }) {
                    return (match.length, d, match.entry)
                }
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
        let value = text[start].value
        if value < 0x10000, !multiBMP.isEmpty {
            // No one-character keys: a match is a longer key, or none.
            let starts = multiBMP.withUnsafeBufferPointer { $0[Int(value >> 6)] & 1 << UInt64(value & 63) != 0 }
            guard starts, mayMatchLonger(text, start, limit, Self.multi) else { return nil }
            if unretained.count == 1 {
                return unretained[0]._withUnsafeGuaranteedRef({ $0.longestOfTwoOrMore(text, from: start, limit: limit) }).map { ($0.length, 0, $0.entry) }
            }
            return longestOfAll(text, from: start, limit: limit)
        }
        let planned = plan[text[start]]
        if mayMatchLonger(text, start, limit, planned) {
            if unretained.count == 1, planned & Self.slow == 0 {
                // One dictionary (the segmentation of most configurations): the plan
                // has said that a longer key starts with this character, and holds
                // its one-character key, so the dictionary's own table of first
                // characters need not be read.
                if let match = unretained[0]._withUnsafeGuaranteedRef({ $0.longestOfTwoOrMore(text, from: start, limit: limit) }) {
                    return (match.length, 0, match.entry)
                }
            } else if let longest = longestOfAll(text, from: start, limit: limit) {
                return longest
            }
        }
        let single = planned & 0xFF_FFFF
        return single == 0 ? nil : (1, Int(planned >> 24 & 0x3F), Int(single) - 1)
    }

    private func longestOfAll(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, dictionary: Int, entry: Int)? {
        var longest: (length: Int, dictionary: Int, entry: Int)? = nil
        for d in unretained.indices {
            if let match = unretained[d]._withUnsafeGuaranteedRef({ $0.longestPrefix(text, from: start, limit: limit) }),
               match.length > (longest?.length ?? 0) {
                longest = (match.length, d, match.entry)
            }
        }
        return longest
    }

    /// What the character becomes standing alone in this group, if that is one
    /// scalar (itself where no one-character key is it); nil if it is not.
    @inline(__always)
    func aloneValue(_ c: Unicode.Scalar) -> UInt32? {
        let planned = plan[c]
        if planned & Self.slow != 0 { return nil }
        if planned & 0xFF_FFFF == 0 { return c.value }
        let value = alone[c]
        return value == 0 ? nil : value &- 1
    }

    /// The value of dictionary `d`'s entry written at `out` as UTF-8 (see `ConversionDictionary.copyValue`).
    @inline(__always)
    func copyValue(_ d: Int, _ entry: Int, toUTF8 out: UnsafeMutablePointer<UInt8>, room: Int) -> Int? {
        unretained[d]._withUnsafeGuaranteedRef { $0.copyValue(entry, toUTF8: out, room: room) }
    }

    /// Whether this is one dictionary whose keys all have two or more characters.
    var isOneOfPhrases: Bool { unretained.count == 1 && !multiBMP.isEmpty }

    /// For such a list: the longest key at `start`, where the table of its first
    /// characters (read by the caller) says some key starts there. As `longestMatch`
    /// answers then, without reading that table again.
    @inline(__always)
    func longestPhrase(_ text: [Unicode.Scalar], from start: Int, limit: Int, pairBits: UnsafePointer<UInt64>) -> (length: Int, entry: Int)? {
        guard start &+ 1 < limit, Self.pairMayStart(text[start], text[start &+ 1], in: pairBits) else { return nil }
        return unretained[0]._withUnsafeGuaranteedRef { $0.longestOfTwoOrMore(text, from: start, limit: limit) }
    }

    /// `body` given the pair filter through a pointer, valid during the call.
    @inline(__always)
    func withPairBits<R>(_ body: (UnsafePointer<UInt64>) -> R) -> R {
        pairBits.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// For a walk that segments by this list and converts the characters between
    /// its matches by `rest` (`ChineseConverter.convertInOnePass`): per character,
    /// `multi` where a key of two or more characters here starts with it, and what
    /// `rest` writes for it alone (`direct`'s value): one table read per character
    /// where the two lists' tables took two.
    func onePassTable(rest: DictionaryList) -> ScalarMap {
        var table = ScalarMap()
        rest.direct.forEach { scalar, converted in table[scalar] = converted }
        plan.forEach { scalar, planned in
            if planned & Self.multi != 0 { table[scalar] |= Self.multi }
        }
        return table
    }

    /// The value of dictionary `d`'s entry, appended to `out`.
    @inline(__always)
    func appendValue(_ d: Int, _ entry: Int, to out: inout [Unicode.Scalar]) {
        unretained[d]._withUnsafeGuaranteedRef { $0.appendValue(entry, to: &out) }
    }

    /// `text[range]` through the group, appended to `out`.
    func convert(_ text: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Unicode.Scalar]) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            // Characters that convert one to one (most) are written through a pointer
            // into room made first, then the room left is trimmed: an append per
            // character checked the array's uniqueness and capacity each time. The
            // room is made a bounded chunk at a time: room for the whole rest at each
            // character that takes the slow path would be quadratic on a long stretch
            // of them (a line of 網 through s2twp's phrases).
            let first = out.count
            let room = min(end - i, 256)
            out.append(contentsOf: repeatElement("\0", count: room))
            let written = text.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target -> Int in
                    var k = first
                    while k < first + room {
                        let c = source[i]
                        let converted = direct[c]
                        if converted == 0 { // no key starts with it
                            target[k] = c
                        } else if converted != Self.asked {
                            target[k] = Unicode.Scalar(converted &- 1) ?? "\u{FFFD}"
                        } else {
                            break
                        }
                        k &+= 1
                        i &+= 1
                    }
                    return k
                }
            }
            if written < out.count { out.removeSubrange(written...) }
            // The room was filled (to the range's end, or a chunk's): on with the next chunk.
            if written == first + room { continue }
            if let match = firstMatch(text, from: i, limit: end) {
                appendValue(match.dictionary, match.entry, to: &out)
                i += match.length
            } else {
                out.append(text[i])
                i += 1
            }
        }
    }
}

/// The pair table of a dictionary: two characters to a 32-bit value. A pair of BMP
/// characters (nearly all) is its 32-bit code and its value in one 8-byte slot, the
/// slots at most two-thirds full, so that STPhrases' 33,000 pairs take 512 KiB and a
/// probe, made at one position of Simplified text in six, reads one cache line: the
/// values used to lie in an array of their own, a second miss. Pairs with a character
/// beyond the BMP are kept apart, sorted, and found by binary search.
struct PairTable: Sendable {
    /// (first << 16 | second) << 32 | value; 0 is an empty slot (no value is 0).
    private let slots: TableWords<UInt64>
    private let shift: UInt64
    /// The other pairs' codes (`Fingerprint.pair`), ascending, and their values.
    private let otherCodes: [UInt64]
    private let otherValues: [UInt32]

    init(_ table: FingerprintTable) {
        var bmp: [(key: UInt64, value: UInt32)] = [], others: [(code: UInt64, value: UInt32)] = []
        table.forEachKey { code in
            guard let value = table.value(code), value != 0 else { return }
            if let key = Self.bmpKey(code) { bmp.append((key, value)) } else { others.append((code, value)) }
        }
        bmp.sort { $0.key < $1.key } // the same layout from the same keys
        others.sort { $0.code < $1.code }
        var size = 16
        while size * 2 < bmp.count * 3 { size <<= 1 }
        let shift = UInt64(64 - size.trailingZeroBitCount)
        var slots = [UInt64](filledWith: 0, count: size)
        for pair in bmp {
            var i = Self.slot(pair.key, shift)
            while slots[i] != 0 { i = (i + 1) & (size - 1) }
            slots[i] = pair.key << 32 | UInt64(pair.value)
        }
        self.slots = TableWords(slots)
        self.shift = shift
        otherCodes = others.map(\.code)
        otherValues = others.map(\.value)
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        let slots = try reader.readWords(UInt64.self)
        let otherCodes = try reader.readArray(UInt64.self), otherValues = try reader.readArray(UInt32.self)
        guard slots.count >= 16, slots.count.nonzeroBitCount == 1,
              // A table with no empty slot would make a lookup of a missing pair loop forever.
              slots.contains(0), otherCodes.count == otherValues.count,
              zip(otherCodes, otherCodes.dropFirst()).allSatisfy({ $0 < $1 }) else { throw BinaryReader.Corrupt() }
        self.slots = slots
        self.otherCodes = otherCodes
        self.otherValues = otherValues
        shift = UInt64(64 - slots.count.trailingZeroBitCount)
    }

    var isEmpty: Bool { otherCodes.isEmpty && !slots.contains { $0 != 0 } }

    func write(to writer: inout BinaryWriter) {
        writer.write(slots)
        writer.write(otherCodes)
        writer.write(otherValues)
    }

    /// The 32-bit key of a pair code (`Fingerprint.pair`: first << 21 | second) of two BMP characters.
    @inline(__always)
    private static func bmpKey(_ code: UInt64) -> UInt64? {
        let first = code >> 21, second = code & 0x1F_FFFF
        return first < 0x10000 && second < 0x10000 ? first << 16 | second : nil
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The value stored for the pair code, 0 if none.
    @inline(__always)
    func value(_ code: UInt64) -> UInt32 {
        guard let key = Self.bmpKey(code) else { return otherValue(code) }
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var i = Self.slot(key, shift)
            while true {
                let slot = slots[i]
                if slot == 0 { return 0 }
                if slot >> 32 == key { return UInt32(truncatingIfNeeded: slot) }
                i = (i + 1) & mask
            }
        }
    }

    private func otherValue(_ code: UInt64) -> UInt32 {
        var low = 0, high = otherCodes.count
        while low < high {
            let middle = (low + high) / 2
            if otherCodes[middle] < code { low = middle + 1 } else { high = middle }
        }
        return low < otherCodes.count && otherCodes[low] == code ? otherValues[low] : 0
    }
}
