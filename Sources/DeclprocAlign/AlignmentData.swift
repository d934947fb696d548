import DeclprocLocales
import Foundation

/// What the aligner reads from `Locales/`: a Chinese→English keyword lexicon
/// derived from CC-CEDICT (`zh/align/cedict-en.tsv`), the English word data that
/// turns text into the same keywords (`en/align/english.txt`: stop-words,
/// irregular forms, suffix rules), and one toneless Pinyin reading per character
/// for matching transliterated names. Immutable, shared by every task.
public final class AlignmentData: Sendable {
    /// Simplified headword (by `fingerprint` of its scalars) → keyword ids.
    let lexicon: [UInt64: [Int32]]
    let longestHeadword: Int
    /// Keyword string → id, for the lexicon's keywords; the aligner numbers others itself.
    let vocabulary: [String: Int32]
    let english: EnglishAnalyzer
    let pinyin: [Unicode.Scalar: String]

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        english = try EnglishAnalyzer(lines: store.lines("en/align/english.txt"))
        var vocabulary: [String: Int32] = [:]
        var lexicon: [UInt64: [Int32]] = [:]
        var longest = 1
        do {
            try store.forEachRow("zh/align/cedict-en.tsv") { fields in
                guard fields.count == 2 else { return }
                let word = LocaleStore.scalars(fields[0])
                var ids: [Int32] = []
                for keyword in fields[1].split(separator: 0x20) {
                    let text = String(decoding: keyword, as: UTF8.self)
                    if let id = vocabulary[text] { ids.append(id) } else {
                        let id = Int32(vocabulary.count)
                        vocabulary[text] = id
                        ids.append(id)
                    }
                }
                lexicon[Self.fingerprint(word[...])] = ids
                longest = max(longest, word.count)
            }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: "zh/align/cedict-en.tsv", reason: "\(error)")
        }
        var pinyin: [Unicode.Scalar: String] = [:]
        do {
            try store.forEachRow("zh/pinyin/chars.tsv") { fields in
                guard fields.count >= 2, let scalar = LocaleStore.scalars(fields[0]).first else { return }
                let first = fields[1].prefix { $0 != 0x2C }
                pinyin[scalar] = String(decoding: first.filter { !(0x30...0x39).contains($0) }, as: UTF8.self)
            }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: "zh/pinyin/chars.tsv", reason: "\(error)")
        }
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self.longestHeadword = longest
        self.pinyin = pinyin
    }

    /// 64-bit FNV-1a over scalar values: the lexicon's key, computed while scanning
    /// text without making a String per candidate word. Collisions among 100,000
    /// headwords are vanishingly unlikely (about 3 in 10^10).
    static func fingerprint(_ scalars: ArraySlice<Unicode.Scalar>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for s in scalars { h = extend(h, s) }
        return h
    }

    @inline(__always) static func extend(_ h: UInt64, _ s: Unicode.Scalar) -> UInt64 {
        (h ^ UInt64(s.value)) &* 0x0000_0100_0000_01B3
    }
}

/// English words as the aligner compares them: lowercase ASCII words, clitics
/// dropped, stop-words out, and a light stemmer so "created", "creates" and the
/// lexicon's "create" meet (`creat`). The rules are data, in the order they apply.
public struct EnglishAnalyzer: Sendable {
    let stopwords: Set<String>
    let irregular: [String: String]
    let suffixes: [(suffix: String, replacement: String, minimum: Int)]
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
        self.suffixes = suffixes
        self.finals = finals
    }

    /// Lowercase ASCII words; "don't" → "do", "God's" → "god".
    func words(_ text: String) -> [String] {
        var out: [String] = []
        let scalars = Array(text.lowercased().unicodeScalars)
        var i = 0
        func isWordScalar(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
        while i < scalars.count {
            guard isWordScalar(scalars[i]) else { i += 1; continue }
            var j = i
            while j < scalars.count, isWordScalar(scalars[j]) { j += 1 }
            var word = String(String.UnicodeScalarView(scalars[i..<j]))
            if j + 1 < scalars.count, scalars[j] == "'" || scalars[j] == "\u{2019}" || scalars[j] == "\u{2018}",
               ("a"..."z").contains(scalars[j + 1]) {
                var k = j + 1
                while k < scalars.count, ("a"..."z").contains(scalars[k]) { k += 1 }
                let clitic = String(String.UnicodeScalarView(scalars[(j + 1)..<k]))
                if clitic == "t", word.hasSuffix("n") { word.removeLast() }
                j = k
            }
            if !word.isEmpty { out.append(word) }
            i = j
        }
        return out
    }

    func isStopword(_ word: String) -> Bool { stopwords.contains(word) }

    func stem(_ word: String) -> String {
        var x = irregular[word] ?? word
        if x.count >= 4 {
            for rule in suffixes where x.hasSuffix(rule.suffix) && x.count - rule.suffix.count >= rule.minimum {
                x = String(x.dropLast(rule.suffix.count)) + rule.replacement
                break
            }
        }
        for step in finals {
            switch step {
            case "undouble":
                if x.count >= 3, let last = x.last, x.dropLast().last == last, !"aeiouylsz".contains(last) { x.removeLast() }
            case "drop-e":
                if x.count > 3, x.hasSuffix("e") { x.removeLast() }
            case "y-to-i":
                if x.count > 2, x.hasSuffix("y") { x = String(x.dropLast()) + "i" }
            default: break
            }
        }
        return x
    }
}
