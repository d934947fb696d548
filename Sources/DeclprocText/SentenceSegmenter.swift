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

    public init(abbreviations: Set<String>, icu: Segmenter) {
        self.icu = icu
        self.abbreviations = abbreviations
    }

    public convenience init(store: LocaleStore, icu: Segmenter) throws(LocaleStore.MissingData) {
        self.init(abbreviations: try Self.abbreviations(store), icu: icu)
    }

    public static func abbreviations(_ store: LocaleStore) throws(LocaleStore.MissingData) -> Set<String> {
        Set(try store.lines("en/abbreviations.txt").map { String($0).trimmingSpaces() })
    }

    public func sentences(_ text: String) throws(ICUError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var merged: [Token] = []
        for sentence in try icu.sentences(text) {
            if let previous = merged.last, endsWithAbbreviation(previous.text) {
                merged[merged.count - 1] = Token(text: String(scalars: scalars[previous.start..<sentence.end]),
                                                 start: previous.start, end: sentence.end)
            } else {
                merged.append(sentence)
            }
        }
        return merged.flatMap { splitChinese($0, scalars) }
    }

    private func endsWithAbbreviation(_ sentence: String) -> Bool {
        guard let last = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" }).last else { return false }
        return abbreviations.contains(String(last))
    }

    static let closers: Set<Unicode.Scalar> = ["”", "’", "」", "』", "）", ")", "》", "】", "〕", "\"", "'"]

    /// Breaks after ； and after a run of … when Han text follows, keeping closing
    /// quotes and brackets with the sentence they close.
    private func splitChinese(_ sentence: Token, _ scalars: [Unicode.Scalar]) -> [Token] {
        var pieces: [Token] = []
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
        if start < sentence.end { pieces.append(token(start, sentence.end, scalars)) }
        return pieces
    }

    private func token(_ start: Int, _ end: Int, _ scalars: [Unicode.Scalar]) -> Token {
        var e = end
        while e > start, scalars[e - 1].isWhiteSpace { e -= 1 }
        return Token(text: String(scalars: scalars[start..<e]), start: start, end: e)
    }
}
