import Foundation

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
/// A value of one word: an unretained reference to its spelling, interned once for
/// the process with every written form computed (see `Spelling`). The lexicon holds a
/// few thousand distinct syllables behind a hundred thousand entries, and a
/// statement's syllables go into arrays by the hundred: as shared objects, each copy
/// was a retain and each array freed a release of the same few hundred objects from
/// every worker at once, and the two cores fought over their reference counts (the
/// retains of the Pinyin stage took 2.4 times the samples with two jobs).
public struct PinyinSyllable: Sendable, Hashable, CustomStringConvertible {
    /// Never freed: `Spelling.registry` holds every spelling made. (Visible to inlined
    /// code for `identity` alone.)
    @usableFromInline unowned(unsafe) let spelling: Spelling

    public var letters: String { spelling.letters } // with "ü", never "v"
    public var tone: Int { spelling.tone }
    public var marked: String { spelling.marked }
    public var numbered: String { spelling.numbered }
    /// `marked`, `numbered` and `letters` held inline: what the writer copies for
    /// each syllable.
    var markedUTF8: InlineUTF8 { spelling.markedUTF8 }
    var numberedUTF8: InlineUTF8 { spelling.numberedUTF8 }
    var lettersUTF8: InlineUTF8 { spelling.lettersUTF8 }
    /// The same number for the same syllable, and never for another, for the life of
    /// the process: a key for memos of what a syllable gives.
    /// Inlinable: the pipeline's memo of syllable lists asks for it for every Han
    /// character, and a call each time was half the memo's probe.
    @inlinable package var identity: UInt { UInt(bitPattern: ObjectIdentifier(spelling)) }

    public init?(numbered text: Substring) {
        guard let spelling = Spelling.interned(numbered: text) else { return nil }
        self.spelling = spelling
    }

    public func written(_ style: ToneStyle) -> String {
        switch style {
        case .numbers: return numbered
        case .none: return letters
        case .marks: return marked
        }
    }

    public var description: String { numbered }

    // One spelling a syllable: the same syllable is the same spelling.
    public static func == (a: PinyinSyllable, b: PinyinSyllable) -> Bool { a.spelling === b.spelling }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(spelling)) }

    /// A syllable's written forms, made once for the process.
    @usableFromInline final class Spelling: Sendable {
        let letters: String
        let tone: Int
        let marked: String
        let numbered: String
        let markedUTF8: InlineUTF8, numberedUTF8: InlineUTF8, lettersUTF8: InlineUTF8

        /// Every spelling made, by `numbered`, kept for the life of the process (which is
        /// what lets a syllable hold its spelling unretained). Syllables are made as
        /// lexicons and rules load, from a closed set of a few thousand.
        nonisolated(unsafe) private static var registry: [String: Spelling] = [:]
        private static let lock = NSLock()

        private init?(letters: String, tone: Int) {
            self.letters = letters
            self.tone = tone
            numbered = letters + String(tone)
            marked = tone >= 5 ? letters : PinyinSyllable.placeMark(letters, tone: tone)
            // No syllable is spelled in more than nine bytes (zhuàng, lüè): a longer one
            // is no syllable, and the writer counts on sixteen at most.
            guard let markedUTF8 = InlineUTF8(marked), let numberedUTF8 = InlineUTF8(numbered),
                  let lettersUTF8 = InlineUTF8(letters) else { return nil }
            (self.markedUTF8, self.numberedUTF8, self.lettersUTF8) = (markedUTF8, numberedUTF8, lettersUTF8)
        }

        static func interned(numbered text: Substring) -> Spelling? {
            let tone: Int
            if text.utf8.allSatisfy({ $0 < 0x80 }) {
                // What the lexicons hold, told from the bytes: the checks below by Character
                // (a letter, a digit's value) were most of loading the lexicon's syllables.
                guard let last = text.utf8.last, (0x31...0x35).contains(last), text.utf8.count >= 2,
                      text.utf8.dropLast().allSatisfy({ ($0 | 0x20) &- 0x61 < 26 || $0 == 0x3A }) else { return nil }
                tone = Int(last - 0x30)
            } else {
                guard let last = text.last, let value = last.wholeNumberValue, (1...5).contains(value),
                      !text.dropLast().isEmpty, text.dropLast().allSatisfy({ $0.isLetter || $0 == ":" }) else { return nil }
                tone = value
            }
            let letters = text.dropLast().replacingOccurrencesOfV()
            let key = letters + String(tone)
            lock.lock()
            defer { lock.unlock() }
            if let known = registry[key] { return known }
            guard let made = Spelling(letters: letters, tone: tone) else { return nil }
            registry[key] = made
            return made
        }
    }
}

extension PinyinSyllable {
    /// The standard rule: the mark goes on a or e; on the o of "ou"; otherwise on
    /// the last vowel.
    static func placeMark(_ letters: String, tone: Int) -> String {
        let scalars = Array(letters.unicodeScalars)
        func isVowel(_ s: Unicode.Scalar) -> Bool {
            switch s {
            case "a", "e", "i", "o", "u", "ü": true
            default: false
            }
        }
        var target: Int? = scalars.firstIndex(of: "a") ?? scalars.firstIndex(of: "e")
        if target == nil, let o = scalars.firstIndex(of: "o"), o + 1 < scalars.count, scalars[o + 1] == "u" { target = o }
        if target == nil { target = scalars.lastIndex(where: isVowel) }
        // Syllabic nasals (m, n, ng) carry the mark on the consonant: ḿ, ń, ň, ǹ.
        if target == nil { target = scalars.firstIndex { $0 == "m" || $0 == "n" } }
        guard let index = target else { return letters }
        let mark: UInt32 = [0x304, 0x301, 0x30C, 0x300][tone - 1]
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count + 1)
        out += scalars[..<index]
        // The precomposed letter people type (á, ǜ), as NFC composes it; the letter and
        // its combining mark where there is none (m̄). A syllable read from the lexicon
        // has no combining mark of its own; one that has is composed as NFC would.
        if let composed = precomposedPinyinTable[UInt64(scalars[index].value) << 21 | UInt64(mark)] {
            out.append(composed)
        } else {
            out.append(scalars[index])
            out.append(Unicode.Scalar(mark)!)
        }
        out += scalars[(index + 1)...]
        // Made from its UTF-8 (appending scalars to a String's view was 2,700
        // instructions a call, through an unspecialized generic).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 * out.count)
        for scalar in out { UTF8.encode(scalar) { bytes.append($0) } }
        let marked = String(decoding: bytes, as: UTF8.self)
        return scalars.contains(where: { (0x300...0x36F).contains($0.value) }) ? marked.precomposedPinyin() : marked
    }
}

extension Substring {
    /// `v` and `u:` (CC-CEDICT's spelling) are ü.
    fileprivate func replacingOccurrencesOfV() -> String {
        // Most syllables have neither (and are copied as they are).
        if !utf8.contains(where: { $0 == 0x76 || $0 == 0x3A }) { return String(self) }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == ":", out.last == "u" { out.removeLast(); out.append("ü"); continue }
            out.append(scalar == "v" ? "ü" : scalar)
        }
        return String(out)
    }
}

extension String {
    /// Pinyin's combining marks composed with their vowels. Every vowel+mark pair
    /// used by Pinyin has a precomposed form, so a table suffices here.
    fileprivate func precomposedPinyin() -> String {
        let table = precomposedPinyinTable
        var out = ""
        var iterator = unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        while let current = pending {
            let next = iterator.next()
            if let next, (0x300...0x30C).contains(next.value),
               let composed = table[UInt64(current.value) << 21 | UInt64(next.value)] {
                out.unicodeScalars.append(composed)
                pending = iterator.next()
            } else {
                out.unicodeScalars.append(current)
                pending = next
            }
        }
        return out
    }
}


extension PinyinSyllable {
    /// How ü is written: `ü` (standard), `v` (input methods, pypinyin), `u:` (CC-CEDICT).
    public enum Umlaut: String, Sendable, CaseIterable { case ü, v, colon = "u:" }

    /// The stored spelling a style starts from: what `written` gives, uncapitalized,
    /// whenever ü stays ü or the style is tone marks (no string is made).
    @inline(__always)
    public func stored(_ style: ToneStyle, neutralFive: Bool) -> String {
        switch style {
        case .marks: marked
        case .none: letters
        case .numbers: tone == 5 && !neutralFive ? letters : numbered
        }
    }

    /// `stored`, inline.
    @inline(__always)
    func storedUTF8(_ style: ToneStyle, neutralFive: Bool) -> InlineUTF8 {
        switch style {
        case .marks: markedUTF8
        case .none: lettersUTF8
        case .numbers: tone == 5 && !neutralFive ? lettersUTF8 : numberedUTF8
        }
    }

    /// The syllable in a style: tone marks or numbers (neutral tone as 5, or bare
    /// with `neutralFive` false) or none; ü as chosen; optionally capitalized.
    public func written(_ style: ToneStyle, neutralFive: Bool, umlaut: Umlaut, capitalized: Bool) -> String {
        var text = stored(style, neutralFive: neutralFive)
        if umlaut != .ü, style != .marks, text.unicodeScalars.contains("ü") {
            text = text.replacingUmlaut(with: umlaut == .v ? "v" : "u:")
        }
        guard capitalized, let first = text.utf8.first else { return text }
        if first >= 0x61, first <= 0x7A {
            // A Latin letter (most syllables): its capital is 32 below, the rest as it was.
            return String(unsafeUninitializedCapacity: text.utf8.count) { buffer in
                _ = buffer.initialize(from: text.utf8)
                buffer[0] = first - 0x20
                return text.utf8.count
            }
        }
        return text.first!.uppercased() + text.dropFirst()
    }

    /// A syllable from ICU's tone-marked Pinyin (`jí`, `lǜ`, `de`): the mark gives
    /// the tone, none means neutral.
    public static func fromMarked(_ text: String) -> PinyinSyllable? {
        var tone = 5
        var letters = String.UnicodeScalarView()
        for scalar in text.lowercased().decomposedForPinyin() {
            switch scalar {
            case "\u{304}": tone = 1
            case "\u{301}": tone = 2
            case "\u{30C}": tone = 3
            case "\u{300}": tone = 4
            case "\u{308}": letters.removeLast(); letters.append("v")
            default:
                guard scalar.properties.isAlphabetic else { return nil }
                letters.append(scalar)
            }
        }
        return PinyinSyllable(numbered: Substring(String(letters) + String(tone)))
    }
}

extension String {
    fileprivate func replacingUmlaut(with replacement: String) -> String {
        var out = ""
        for character in self { out += character == "ü" ? replacement : String(character) }
        return out
    }

    /// Vowels split from their tone marks and diaeresis (á → a + ◌́, ü → u + ◌̈).
    fileprivate func decomposedForPinyin() -> [Unicode.Scalar] {
        let table: [Unicode.Scalar: [Unicode.Scalar]] = [
            "ā": ["a", "\u{304}"], "á": ["a", "\u{301}"], "ǎ": ["a", "\u{30C}"], "à": ["a", "\u{300}"],
            "ē": ["e", "\u{304}"], "é": ["e", "\u{301}"], "ě": ["e", "\u{30C}"], "è": ["e", "\u{300}"],
            "ī": ["i", "\u{304}"], "í": ["i", "\u{301}"], "ǐ": ["i", "\u{30C}"], "ì": ["i", "\u{300}"],
            "ō": ["o", "\u{304}"], "ó": ["o", "\u{301}"], "ǒ": ["o", "\u{30C}"], "ò": ["o", "\u{300}"],
            "ū": ["u", "\u{304}"], "ú": ["u", "\u{301}"], "ǔ": ["u", "\u{30C}"], "ù": ["u", "\u{300}"],
            "ǖ": ["u", "\u{308}", "\u{304}"], "ǘ": ["u", "\u{308}", "\u{301}"], "ǚ": ["u", "\u{308}", "\u{30C}"],
            "ǜ": ["u", "\u{308}", "\u{300}"], "ü": ["u", "\u{308}"], "ḿ": ["m", "\u{301}"], "ń": ["n", "\u{301}"],
            "ň": ["n", "\u{30C}"], "ǹ": ["n", "\u{300}"],
        ]
        return unicodeScalars.flatMap { table[$0] ?? [$0] }
    }
}

/// Vowel (or m, n) + combining tone mark → the precomposed letter, keyed by the two
/// scalars (a String key would be normalized on every hash).
private let precomposedPinyinTable: [UInt64: Unicode.Scalar] = {
    var table: [UInt64: Unicode.Scalar] = [:]
    let rows: [(Unicode.Scalar, String)] = [("a", "āáǎà"), ("e", "ēéěè"), ("i", "īíǐì"), ("o", "ōóǒò"), ("u", "ūúǔù"), ("ü", "ǖǘǚǜ")]
    let marks: [UInt32] = [0x304, 0x301, 0x30C, 0x300]
    for (base, letters) in rows {
        for (mark, letter) in zip(marks, letters.unicodeScalars) { table[UInt64(base.value) << 21 | UInt64(mark)] = letter }
    }
    for (base, mark, letter) in [("m", 0x301, "ḿ"), ("n", 0x301, "ń"), ("n", 0x30C, "ň"), ("n", 0x300, "ǹ")] as [(Unicode.Scalar, UInt32, Unicode.Scalar)] {
        table[UInt64(base.value) << 21 | UInt64(mark)] = letter
    }
    return table
}()

/// Up to sixteen bytes of UTF-8 in two words: copied as two stores, where a
/// String's bytes cost a retain, a release and a call to copy them.
struct InlineUTF8: Sendable {
    private let low: UInt64, high: UInt64
    let count: Int

    init?(_ text: String) {
        // The bytes copied as they are read (an array of them first was an allocation
        // for each of the lexicon's 5,000 forms at every start).
        guard text.utf8.count <= 16 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &words) { raw in
            for byte in text.utf8 {
                raw[count] = byte
                count += 1
            }
        }
        (low, high, self.count) = (words.0, words.1, count)
    }

    /// Stores all sixteen bytes at `p` (the caller leaves the room) and returns how
    /// many of them are the text.
    @inline(__always)
    func write(to p: UnsafeMutablePointer<UInt8>) -> Int {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: low, as: UInt64.self)
        raw.storeBytes(of: high, toByteOffset: 8, as: UInt64.self)
        return count
    }
}
