import DeclprocICU
import DeclprocLocales
import DeclprocText
import Foundation

/// What the aligner reads from `Locales/`: a Chinese→English keyword lexicon
/// derived from CC-CEDICT (`zh/align/cedict-en.tsv`), the English word data that
/// turns text into the same keywords (`en/align/english.txt`: stop-words,
/// irregular forms, suffix rules), and one toneless Pinyin reading per character
/// for matching transliterated names. Immutable, shared by every task.
public final class AlignmentData: Sendable {
    /// Simplified headword (by `Fingerprint.of` its scalars, extended scalar by scalar
    /// while the aligner scans text) → where its keyword ids
    /// start in `keywordPool` (a count, then the ids).
    let lexicon: FingerprintTable
    let keywordPool: TableWords<Int32>
    let longestHeadword: Int
    /// Keyword (by `Fingerprint.of` its scalars) → id, for the lexicon's keywords; the
    /// aligner numbers others itself, from `vocabularyCount` on.
    let vocabulary: FingerprintTable
    let vocabularyCount: Int
    let english: EnglishAnalyzer
    /// 1 + the index in `syllables` of each character's toneless reading.
    let readings: ScalarMap
    let syllables: [String]

    static let sources = ["zh/align/cedict-en.tsv", "zh/pinyin/chars.tsv"]
    /// The compiled form's layout; bump when it changes.
    static let format = 4
    /// In a lexicon value: a longer headword starts with this one (or with this prefix).
    static let continues: UInt32 = 1 << 31

    /// The lexicons are compiled on first use into the cache (`CompiledCache`):
    /// parsing 100,000 lines of CC-CEDICT keywords took a quarter of a second at
    /// the first page with a translation.
    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        english = try EnglishAnalyzer(lines: store.lines("en/align/english.txt"))
        do {
            var reader = try store.cache.load("alignment", format: Self.format, sources: Self.sources, store: store) {
                try Self.compile(store)
            }
            lexicon = try FingerprintTable(from: &reader)
            keywordPool = try reader.readWords(Int32.self)
            longestHeadword = Int(try reader.read(UInt64.self))
            vocabulary = try FingerprintTable(from: &reader)
            vocabularyCount = Int(try reader.read(UInt64.self))
            readings = try ScalarMap(from: &reader)
            syllables = try reader.readString().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard longestHeadword >= 1, longestHeadword <= 64 else { throw BinaryReader.Corrupt() }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: store.url("zh/align").path, reason: "\(error)")
        }
    }

    static func compile(_ store: LocaleStore) throws -> [UInt8] {
        var vocabulary = FingerprintTable(expected: 60_000)
        var vocabularyCount = 0
        var lexicon = FingerprintTable(expected: 110_000)
        var pool: [Int32] = []
        var longest = 1
        try store.forEachRow("zh/align/cedict-en.tsv") { fields in
            guard fields.count == 2 else { return }
            let word = LocaleStore.scalars(fields[0])
            let start = pool.count
            pool.append(0)
            // A keyword that starts as the aligner's own keys do (# numbers, @ months, $
            // names) is left out: those never mean a lexicon word (`KeySpace.marker`).
            for keyword in fields[1].split(separator: 0x20) where !KeySpace.markerBytes.contains(keyword.first!) {
                let key = Fingerprint.of(LocaleStore.scalars(keyword))
                if let id = vocabulary.value(key) { pool.append(Int32(id)) } else {
                    vocabulary.insert(key, UInt32(vocabularyCount))
                    pool.append(Int32(vocabularyCount))
                    vocabularyCount += 1
                }
            }
            pool[start] = Int32(pool.count - start - 1)
            // Every proper prefix is marked as continuing, so a search stops where no
            // headword goes on.
            var prefix = Fingerprint.empty
            for scalar in word.dropLast() {
                prefix = Fingerprint.adding(scalar, to: prefix)
                lexicon.update(prefix) { ($0 ?? 0) | Self.continues }
            }
            // A headword listed twice keeps its last keywords, as the text lexicon did.
            lexicon.update(Fingerprint.of(word)) { (($0 ?? 0) & Self.continues) | UInt32(start + 1) }
            longest = max(longest, word.count)
        }
        var readings = ScalarMap()
        var syllables: [String] = []
        var syllableIndex: [String: Int] = [:]
        try store.forEachRow("zh/pinyin/chars.tsv") { fields in
            guard fields.count >= 2, let scalar = LocaleStore.scalars(fields[0]).first else { return }
            let first = fields[1].prefix { $0 != 0x2C }
            let syllable = String(decoding: first.filter { !(0x30...0x39).contains($0) }, as: UTF8.self)
            guard !syllable.contains("\n") else { return }
            let index = syllableIndex[syllable] ?? { syllables.append(syllable); syllableIndex[syllable] = syllables.count - 1; return syllables.count - 1 }()
            readings[scalar] = UInt32(index + 1)
        }
        var writer = BinaryWriter()
        lexicon.write(to: &writer)
        writer.write(pool)
        writer.write(UInt64(longest))
        vocabulary.write(to: &writer)
        writer.write(UInt64(vocabularyCount))
        readings.write(to: &writer)
        writer.write(syllables.joined(separator: "\n"))
        return writer.bytes
    }

    /// What the lexicon holds for a headword or a prefix of one (nil: no headword
    /// starts so): its keyword ids if it is a headword, and whether longer headwords
    /// start with it.
    func entry(_ fingerprint: UInt64) -> (keywords: Slice<TableWords<Int32>>?, continues: Bool)? {
        guard let value = lexicon.value(fingerprint) else { return nil }
        let continues = value & Self.continues != 0
        let start = Int(value & ~Self.continues) - 1
        guard start >= 0, start < keywordPool.count else { return (nil, continues) }
        let count = Int(keywordPool[start])
        guard count >= 0, start + 1 + count <= keywordPool.count else { return (nil, continues) }
        return (keywordPool[(start + 1)..<(start + 1 + count)], continues)
    }

    /// Asks for what `entry` will read for the fingerprint (see `FingerprintTable.prefetch`).
    @inline(__always) func prefetchEntry(_ fingerprint: UInt64) { lexicon.prefetch(fingerprint) }

    /// The id of a lexicon keyword.
    func keywordID(_ keyword: String) -> Int32? {
        vocabulary.value(Fingerprint.of(keyword.unicodeScalars)).map { Int32($0) }
    }

    /// The character's reading without tones, if it has one.
    func pinyin(_ scalar: Unicode.Scalar) -> String? {
        let index = Int(readings[scalar])
        return index >= 1 && index <= syllables.count ? syllables[index - 1] : nil
    }
}

/// English words as the aligner compares them: lowercase ASCII words, clitics
/// dropped, stop-words out, and a light stemmer so "created", "creates" and the
/// lexicon's "create" meet (`creat`). The rules are data, in the order they apply.
public struct EnglishAnalyzer: Sendable {
    let stopwords: Set<String>
    let irregular: [String: String]
    /// Suffix rules as bytes (the words are ASCII).
    let suffixes: [(suffix: [UInt8], replacement: [UInt8], minimum: Int)]
    let finals: [String]

    init(lines: [Substring]) throws(LocaleStore.MissingData) {
        var stopwords = Set<String>(), irregular: [String: String] = [:]
        var suffixes: [(String, String, Int)] = [], finals: [String] = []
        var section = ""
        for raw in lines {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            let fields = raw.split(separator: "\t").map(String.init)
            switch section {
            case "stopwords": stopwords.insert(line)
            case "irregular" where fields.count == 2: irregular[fields[0]] = fields[1]
            case "suffixes" where fields.count == 3:
                suffixes.append((fields[0], fields[1] == "(none)" ? "" : fields[1], Int(fields[2]) ?? 0))
            case "final": finals.append(line)
            default: throw LocaleStore.MissingData(path: "en/align/english.txt", reason: "cannot read the line \(line)")
            }
        }
        self.stopwords = stopwords
        self.irregular = irregular
        self.suffixes = suffixes.map { (Array($0.0.utf8), Array($0.1.utf8), $0.2) }
        self.finals = finals
    }

    /// Lowercase ASCII words; "don't" → "do", "God's" → "god".
    func words(_ text: String) -> [String] {
        text.withUTF8Bytes { Self.wordsOnBytes($0) } ?? wordsByScalar(text)
    }

    /// `words` read on the UTF-8 bytes, where no scalar beyond ASCII lowercases to
    /// ASCII (as the Kelvin sign does to k, or İ to i and a dot): then they are all
    /// separators, lowercased or not, or apostrophes (’ ‘). nil for any other text.
    /// Lowercasing the text and making an array of its scalars were two thirds of
    /// the words' cost.
    static func wordsOnBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard let base = bytes.baseAddress else { return [] }
        let n = bytes.count
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
        @inline(__always) func isLetter(_ b: UInt8) -> Bool { lower(b) &- 0x61 < 26 }
        @inline(__always) func isWordByte(_ b: UInt8) -> Bool { isLetter(b) || b &- 0x30 < 10 }
        /// The length of the apostrophe at k (' or ’ or ‘), 0 if none.
        @inline(__always) func apostrophe(at k: Int) -> Int {
            if k < n, base[k] == 0x27 { return 1 }
            if k + 2 < n, base[k] == 0xE2, base[k + 1] == 0x80, base[k + 2] == 0x98 || base[k + 2] == 0x99 { return 3 }
            return 0
        }
        var out: [String] = []
        var i = 0
        while i < n {
            let b = base[i]
            if b >= 0x80 {
                let (value, length) = UTF8Code.decode(base, at: i)
                if let lower = Unicode.Scalar.lowercaseMappingIfChanged(value), lower.utf8.contains(where: { $0 < 0x80 }) { return nil }
                i += length
                continue
            }
            guard isWordByte(b) else { i += 1; continue }
            var j = i
            while j < n, isWordByte(base[j]) { j += 1 }
            var end = j
            let mark = apostrophe(at: j)
            if mark > 0, j + mark < n, isLetter(base[j + mark]) {
                var k = j + mark
                while k < n, isLetter(base[k]) { k += 1 }
                if k - (j + mark) == 1, lower(base[j + mark]) == 0x74, lower(base[end - 1]) == 0x6E { end -= 1 } // n't
                j = k
            }
            if end > i {
                out.append(String(unsafeUninitializedCapacity: end - i) { word in
                    for k in i..<end { word[k - i] = lower(base[k]) }
                    return end - i
                })
            }
            i = j
        }
        return out
    }

    func wordsByScalar(_ text: String) -> [String] {
        var out: [String] = []
        let scalars = Array(scalarsOf: text.lowercasedQuickly())
        var i = 0
        func isWordScalar(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
        while i < scalars.count {
            guard isWordScalar(scalars[i]) else { i += 1; continue }
            var j = i
            while j < scalars.count, isWordScalar(scalars[j]) { j += 1 }
            var word = Self.ascii(scalars[i..<j])
            if j + 1 < scalars.count, scalars[j] == "'" || scalars[j] == "\u{2019}" || scalars[j] == "\u{2018}",
               ("a"..."z").contains(scalars[j + 1]) {
                var k = j + 1
                while k < scalars.count, ("a"..."z").contains(scalars[k]) { k += 1 }
                let clitic = Self.ascii(scalars[(j + 1)..<k])
                if clitic == "t", word.hasSuffix("n") { word.removeLast() }
                j = k
            }
            if !word.isEmpty { out.append(word) }
            i = j
        }
        return out
    }

    /// Scalars known to be ASCII as a String, from their bytes: appending them to a
    /// scalar view one by one cost a fifth of the English tokenizing.
    static func ascii(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(decoding: scalars.map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self)
    }

    func isStopword(_ word: String) -> Bool { stopwords.contains(word) }

    private static let keptDoubles = Array("aeiouylsz".utf8)

    /// The stem of a word from `words` (lowercase ASCII). The rules run on its bytes:
    /// a String's suffix test and count walk grapheme clusters, about 8,000
    /// instructions a word, a tenth of aligning a statement.
    func stem(_ word: String) -> String {
        var x = Array((irregular[word] ?? word).utf8)
        if x.count >= 4 {
            for rule in suffixes where x.count >= rule.suffix.count && x.count - rule.suffix.count >= rule.minimum
                && x[(x.count - rule.suffix.count)...].elementsEqual(rule.suffix) {
                x.removeLast(rule.suffix.count)
                x += rule.replacement
                break
            }
        }
        for step in finals {
            switch step {
            case "undouble":
                if x.count >= 3, x[x.count - 2] == x[x.count - 1], !Self.keptDoubles.contains(x[x.count - 1]) { x.removeLast() }
            case "drop-e":
                if x.count > 3, x.last == UInt8(ascii: "e") { x.removeLast() }
            case "y-to-i":
                if x.count > 2, x.last == UInt8(ascii: "y") { x[x.count - 1] = UInt8(ascii: "i") }
            default: break
            }
        }
        return String(decoding: x, as: UTF8.self)
    }
}
