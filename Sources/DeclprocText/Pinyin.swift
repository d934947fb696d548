import DeclprocLocales

/// How tones are written in Pinyin output.
public enum ToneStyle: String, Sendable, CaseIterable {
    /// `háng`, `lǜ`
    case marks
    /// `hang2`, `lü4`, neutral tone `de5`
    case numbers
    /// `hang`, `lü`
    case none
}

/// A Pinyin syllable as stored in `Locales/zh/pinyin`: lower-case letters, `v` for ü,
/// and a tone digit 1-5 (5 = neutral).
///
/// A class, interned by the lexicon, with every written form computed once: the
/// lexicon holds a few thousand distinct syllables behind a hundred thousand entries,
/// and writing one must cost nothing in the hot loop.
public final class PinyinSyllable: Sendable, Hashable, CustomStringConvertible {
    public let letters: String // with "ü", never "v"
    public let tone: Int
    public let marked: String
    public let numbered: String

    public init?(numbered text: Substring) {
        guard let last = text.last, let tone = last.wholeNumberValue, (1...5).contains(tone) else { return nil }
        let body = text.dropLast()
        guard !body.isEmpty, body.allSatisfy({ $0.isLetter || $0 == ":" }) else { return nil }
        letters = body.replacingOccurrencesOfV()
        self.tone = tone
        numbered = letters + String(tone)
        marked = tone >= 5 ? letters : Self.placeMark(letters, tone: tone)
    }

    public func written(_ style: ToneStyle) -> String {
        switch style {
        case .numbers: return numbered
        case .none: return letters
        case .marks: return marked
        }
    }

    public var description: String { numbered }

    public static func == (a: PinyinSyllable, b: PinyinSyllable) -> Bool { a.letters == b.letters && a.tone == b.tone }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(letters)
        hasher.combine(tone)
    }

    /// The standard rule: the mark goes on a or e; on the o of "ou"; otherwise on
    /// the last vowel.
    static func placeMark(_ letters: String, tone: Int) -> String {
        var scalars = Array(letters.unicodeScalars)
        let vowels: Set<Unicode.Scalar> = ["a", "e", "i", "o", "u", "ü"]
        var target: Int? = scalars.firstIndex(of: "a") ?? scalars.firstIndex(of: "e")
        if target == nil, let o = scalars.firstIndex(of: "o"), o + 1 < scalars.count, scalars[o + 1] == "u" { target = o }
        if target == nil { target = scalars.lastIndex { vowels.contains($0) } }
        // Syllabic nasals (m, n, ng) carry the mark on the consonant: ḿ, ń, ň, ǹ.
        if target == nil { target = scalars.firstIndex { $0 == "m" || $0 == "n" } }
        guard let index = target else { return letters }
        let marks: [Unicode.Scalar] = ["\u{304}", "\u{301}", "\u{30C}", "\u{300}"]
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[...index])
        view.append(marks[tone - 1])
        view.append(contentsOf: scalars[(index + 1)...])
        scalars = []
        // Compose to the precomposed letters people type (á, ǜ), as NFC does.
        return String(view).precomposedPinyin()
    }
}

extension Substring {
    fileprivate func replacingOccurrencesOfV() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "v" ? "ü" : $0 }))
    }
}

extension String {
    /// Pinyin's combining marks composed with their vowels. Every vowel+mark pair
    /// used by Pinyin has a precomposed form, so a table suffices here.
    fileprivate func precomposedPinyin() -> String {
        let table: [String: String] = [
            "a\u{304}": "ā", "a\u{301}": "á", "a\u{30C}": "ǎ", "a\u{300}": "à",
            "e\u{304}": "ē", "e\u{301}": "é", "e\u{30C}": "ě", "e\u{300}": "è",
            "i\u{304}": "ī", "i\u{301}": "í", "i\u{30C}": "ǐ", "i\u{300}": "ì",
            "o\u{304}": "ō", "o\u{301}": "ó", "o\u{30C}": "ǒ", "o\u{300}": "ò",
            "u\u{304}": "ū", "u\u{301}": "ú", "u\u{30C}": "ǔ", "u\u{300}": "ù",
            "ü\u{304}": "ǖ", "ü\u{301}": "ǘ", "ü\u{30C}": "ǚ", "ü\u{300}": "ǜ",
            "m\u{301}": "ḿ", "n\u{301}": "ń", "n\u{30C}": "ň", "n\u{300}": "ǹ",
        ]
        var out = ""
        var iterator = unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        while let current = pending {
            let next = iterator.next()
            if let next, (0x300...0x30C).contains(next.value),
               let composed = table[String(String.UnicodeScalarView([current, next]))] {
                out += composed
                pending = iterator.next()
            } else {
                out.unicodeScalars.append(current)
                pending = next
            }
        }
        return out
    }
}

/// Character and phrase readings from `Locales/zh/pinyin/` (see its SOURCES.md).
public final class PinyinLexicon: Sendable {
    /// Readings per character, most common first.
    public let characters: [Unicode.Scalar: [PinyinSyllable]]
    /// One reading per phrase, one syllable per character.
    public let phrases: [String: [PinyinSyllable]]
    public let longestPhrase: Int
    /// For each pair of first characters, the longest phrase that starts with it:
    /// most positions in a text start no phrase, and this says so without building
    /// a String.
    let longestByPrefix: [UInt64: Int]

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        // Each distinct syllable is parsed once and shared.
        var interned: [Substring: PinyinSyllable] = [:]
        func syllable(_ text: Substring) -> PinyinSyllable? {
            if let known = interned[text] { return known }
            let parsed = PinyinSyllable(numbered: text)
            interned[text] = parsed
            return parsed
        }
        var characters: [Unicode.Scalar: [PinyinSyllable]] = [:]
        for row in try store.rows("zh/pinyin/chars.tsv") where row.count >= 2 {
            guard let scalar = row[0].unicodeScalars.first, row[0].unicodeScalars.count == 1 else { continue }
            let readings = row[1].split(separator: ",").compactMap(syllable)
            if !readings.isEmpty { characters[scalar] = readings }
        }
        var phrases: [String: [PinyinSyllable]] = [:]
        var prefixes: [UInt64: Int] = [:]
        var longest = 1
        for row in try store.rows("zh/pinyin/words.tsv") where row.count >= 2 {
            let syllables = row[1].split(separator: " ").compactMap(syllable)
            let scalars = Array(row[0].unicodeScalars)
            guard syllables.count == scalars.count, scalars.count >= 2 else { continue }
            phrases[String(row[0])] = syllables
            let key = Self.pair(scalars[0], scalars[1])
            prefixes[key] = max(prefixes[key] ?? 0, scalars.count)
            longest = max(longest, scalars.count)
        }
        longestByPrefix = prefixes
        guard !characters.isEmpty else {
            throw LocaleStore.MissingData(path: store.url("zh/pinyin/chars.tsv").path, reason: "holds no readings")
        }
        self.characters = characters
        self.phrases = phrases
        self.longestPhrase = longest
    }

    static func pair(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> UInt64 { UInt64(a.value) << 21 | UInt64(b.value) }
}

/// Han to Pinyin, choosing each character's reading from the lexicon phrase that
/// covers it in context (银行 háng, 行走 xíng), else its most common reading.
///
/// Within each run of Han characters, phrases are chosen by dynamic programming:
/// fewest pieces first (longer phrases carry more context), and among equally
/// short cuttings the one that agrees with the word segmenter's boundaries, which
/// settles cases plain forward matching gets wrong (长城|上|行走, not 上行|走).
public struct PinyinTransliterator: Sendable {
    public let lexicon: PinyinLexicon

    public init(lexicon: PinyinLexicon) { self.lexicon = lexicon }

    /// One entry per scalar of `text`: the syllable for Han characters the lexicon
    /// knows, nil for everything else. `words` are the text's word tokens (from
    /// `Segmenter.words`), used to break ties; pass [] when there are none.
    public func syllables(_ text: String, words: [Token]) -> [PinyinSyllable?] {
        let scalars = Array(text.unicodeScalars)
        var boundaries = Set<Int>()
        for word in words { boundaries.insert(word.start); boundaries.insert(word.end) }
        var result = [PinyinSyllable?](repeating: nil, count: scalars.count)
        var i = 0
        while i < scalars.count {
            guard scalars[i].isHan else { i += 1; continue }
            var runEnd = i
            while runEnd < scalars.count, scalars[runEnd].isHan { runEnd += 1 }
            choose(scalars, i..<runEnd, boundaries, into: &result)
            i = runEnd
        }
        return result
    }

    private func choose(_ scalars: [Unicode.Scalar], _ run: Range<Int>, _ boundaries: Set<Int>,
                        into result: inout [PinyinSyllable?]) {
        let n = run.count
        let base = run.lowerBound
        // best[k]: lowest cost of cutting the first k characters; back[k]: length of
        // the last piece; reading[k]: that piece's phrase reading (nil for one character).
        var best = [Int](repeating: .max, count: n + 1)
        var back = [Int](repeating: 1, count: n + 1)
        var reading = [[PinyinSyllable]?](repeating: nil, count: n + 1)
        best[0] = 0
        func cost(_ start: Int, _ end: Int) -> Int {
            var cost = best[start] + 1000
            if !boundaries.isEmpty {
                if !boundaries.contains(base + start) { cost += 1 }
                if !boundaries.contains(base + end) { cost += 1 }
            }
            return cost
        }
        for start in 0..<n where best[start] != .max {
            let single = cost(start, start + 1)
            if single < best[start + 1] { best[start + 1] = single; back[start + 1] = 1; reading[start + 1] = nil }
            guard start + 1 < n,
                  let longest = lexicon.longestByPrefix[PinyinLexicon.pair(scalars[base + start], scalars[base + start + 1])]
            else { continue }
            for length in 2...min(longest, n - start) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[(base + start)..<(base + start + length)])
                guard let phrase = lexicon.phrases[String(view)] else { continue }
                let end = start + length
                let c = cost(start, end)
                // Ties keep the earlier cutting, as the backward loop did: the same
                // order of preference whichever way the table is filled.
                if c < best[end] { best[end] = c; back[end] = length; reading[end] = phrase }
            }
        }
        var end = n
        while end > 0 {
            let length = back[end]
            if let phrase = reading[end] {
                for k in 0..<length { result[base + end - length + k] = phrase[k] }
            } else {
                result[base + end - 1] = lexicon.characters[scalars[base + end - 1]]?.first
            }
            end -= length
        }
    }

    /// The text with each Han character replaced by its syllable, syllables
    /// separated from each other and from neighbouring words by single spaces;
    /// everything else as written.
    public func transliterate(_ text: String, words: [Token], tones: ToneStyle) -> String {
        let scalars = Array(text.unicodeScalars)
        let readings = syllables(text, words: words)
        var out = ""
        var previousWasSyllable = false
        for (i, scalar) in scalars.enumerated() {
            if let syllable = readings[i] {
                if let last = out.unicodeScalars.last, !last.properties.isWhitespace,
                   previousWasSyllable || !(Self.opensText(last) || Self.isFullWidthPunctuation(last)) {
                    out += " "
                }
                out += syllable.written(tones)
                previousWasSyllable = true
            } else {
                if previousWasSyllable, !scalar.properties.isWhitespace, !Self.closesText(scalar) { out += " " }
                out.unicodeScalars.append(scalar)
                previousWasSyllable = false
            }
        }
        return out
    }

    /// Punctuation that attaches to what follows (no space after it).
    static func opensText(_ s: Unicode.Scalar) -> Bool {
        "([{「『《〈（【〔“‘\"'".unicodeScalars.contains(s)
    }

    /// Chinese punctuation carries its own spacing: no space is added after it.
    static func isFullWidthPunctuation(_ s: Unicode.Scalar) -> Bool {
        (0x3000...0x303F).contains(s.value) || (0xFF01...0xFF0F).contains(s.value)
            || (0xFF1A...0xFF20).contains(s.value) || (0xFF3B...0xFF40).contains(s.value)
            || (0xFF5B...0xFF65).contains(s.value) || "…—“”‘’".unicodeScalars.contains(s)
    }

    /// Punctuation that attaches to what precedes (no space before it).
    static func closesText(_ s: Unicode.Scalar) -> Bool {
        ".,;:?!)]}」』》〉）】〕”’\"'。，、；：？！…".unicodeScalars.contains(s)
    }
}
