import DeclprocCollections
import DeclprocICU
import DeclprocLocales

/// Sentences in Chinese, English and mixed text: ICU's sentence break (which keeps
/// closing quotes and brackets with their sentence), then two corrections from
/// data and from Chinese usage — no break after an English abbreviation from
/// `Locales/en/abbreviations.txt` (ICU still breaks after "Dr."), and a break after
/// Chinese ； and … where ICU sees none.
///
/// Owns an ICU break iterator: one per task.
public final class SentenceSegmenter {
    private let icu: Segmenter
    private let abbreviations: Set<String>
    /// The longest abbreviation in UTF-8 bytes, and the bytes abbreviations end with:
    /// a sentence's last word is looked up only when it could be one, where making
    /// it a String and hashing it for every sentence was 2% of `extract`.
    private let longest: Int
    private let lastBytes: [Bool]

    public init(abbreviations: Set<String>, icu: Segmenter) {
        self.icu = icu
        self.abbreviations = abbreviations
        longest = abbreviations.map(\.utf8.count).max() ?? 0
        var lastBytes = [Bool](filledWith: false, count: 256)
        for abbreviation in abbreviations { if let last = abbreviation.utf8.last { lastBytes[Int(last)] = true } }
        self.lastBytes = lastBytes
    }

    public convenience init(store: LocaleStore, icu: Segmenter) throws(LocaleStore.MissingData) {
        self.init(abbreviations: try Self.abbreviations(store), icu: icu)
    }

    public static func abbreviations(_ store: LocaleStore) throws(LocaleStore.MissingData) -> Set<String> {
        Set(try store.lines("en/abbreviations.txt").map { String($0).trimmingSpaces() })
    }

    public func sentences(_ text: String) throws(ICUError) -> [Token] {
        try sentences(scalars: Array(scalarsOf: text))
    }

    /// The same, given the text's scalars (`TextNormalizer.Result.scalars`), not
    /// decoded again here.
    public func sentences(scalars: [Unicode.Scalar]) throws(ICUError) -> [Token] {
        let found = try icu.sentences(scalars: scalars)
        var merged: [Token] = []
        merged.reserveCapacity(found.count)
        for sentence in found {
            if let previous = merged.last, endsWithAbbreviation(previous.text) {
                merged[merged.count - 1] = Token(text: String(scalars: scalars[previous.start..<sentence.end]),
                                                 start: previous.start, end: sentence.end)
            } else {
                merged.append(sentence)
            }
        }
        var pieces: [Token] = []
        pieces.reserveCapacity(merged.count)
        for sentence in merged { splitChinese(sentence, scalars, into: &pieces) }
        return pieces
    }

    /// Whether the sentence's last word (after the last space, tab or opening
    /// parenthesis) is an abbreviation.
    func endsWithAbbreviation(_ sentence: String) -> Bool {
        let utf8 = sentence.utf8
        @inline(__always) func separates(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x28 }
        var end = utf8.endIndex
        while end > utf8.startIndex, separates(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        guard end > utf8.startIndex, lastBytes[Int(utf8[utf8.index(before: end)])] else { return false }
        var start = end
        var length = 0
        while start > utf8.startIndex, !separates(utf8[utf8.index(before: start)]) {
            start = utf8.index(before: start)
            length += 1
            if length > longest { return false }
        }
        return abbreviations.contains(String(decoding: utf8[start..<end], as: UTF8.self))
    }

    static let closers: Set<Unicode.Scalar> = ["”", "’", "」", "』", "）", ")", "》", "】", "〕", "\"", "'"]

    /// Breaks after ； and after a run of … when Han text follows, keeping closing
    /// quotes and brackets with the sentence they close.
    private func splitChinese(_ sentence: Token, _ scalars: [Unicode.Scalar], into pieces: inout [Token]) {
        var start = sentence.start
        var i = sentence.start
        while i < sentence.end {
            let c = scalars[i]
            guard c == "；" || c == "…" else { i += 1; continue }
            var end = i + 1
            while end < sentence.end, scalars[end] == "…" { end += 1 }
            while end < sentence.end, Self.closers.contains(scalars[end]) { end += 1 }
            var next = end
            while next < sentence.end, scalars[next].isWhiteSpace { next += 1 }
            // Only where Chinese text goes on: "……" before a comma or at the end stays.
            if next < sentence.end, scalars[next].isHan {
                pieces.append(token(start, end, scalars))
                start = next
            }
            i = max(end, i + 1)
        }
        // Nothing split: the sentence as it came, trimmed already (its text made
        // again from the scalars cost as much as the search).
        if start == sentence.start { pieces.append(sentence); return }
        if start < sentence.end { pieces.append(token(start, sentence.end, scalars)) }
    }

    private func token(_ start: Int, _ end: Int, _ scalars: [Unicode.Scalar]) -> Token {
        var e = end
        while e > start, scalars[e - 1].isWhiteSpace { e -= 1 }
        return Token(text: String(scalars: scalars[start..<e]), start: start, end: e)
    }
}
