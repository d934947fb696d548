import DeclprocICU

/// Splits text into words and sentences with ICU's break iterators.
///
/// Not thread-safe (it owns ICU iterators): one per task.
public final class Segmenter {
    private let words: BreakIterator
    private let sentences: BreakIterator

    /// `wordLocale` "zh" turns on ICU's CJK dictionary; `sentenceLocale` with
    /// `@ss=standard` keeps "Mr." from ending a sentence (FACTS 9).
    public init(wordLocale: String = "zh", sentenceLocale: String = "en@ss=standard") throws(ICUError) {
        words = try BreakIterator(.word, locale: wordLocale)
        sentences = try BreakIterator(.sentence, locale: sentenceLocale)
    }

    /// Words and punctuation, each a token; whitespace separates tokens and is not one.
    public func words(_ text: String) throws(ICUError) -> [Token] {
        try segments(UTF16Text(text), with: words, trimming: false)
    }

    /// Word spans in scalar offsets of `scalars` (whitespace skipped), with no String
    /// built: what `WordSegmenter` refines.
    public func wordSpans(_ scalars: [Unicode.Scalar]) throws(ICUError) -> [Range<Int>] {
        if scalars.isEmpty { return [] }
        let offsets = try words.offsets(count: scalars.count * 2) { buffer in
            var n = 0
            for scalar in scalars { n = UTF16Text.write(scalar, into: buffer, at: n) }
            return n
        }
        // Offsets grow, so UTF-16 positions turn into scalar positions in one walk.
        var spans: [Range<Int>] = []
        spans.reserveCapacity(offsets.count)
        var scalarIndex = 0, unitIndex = 0
        var start = 0
        for offset in offsets.dropFirst() {
            while unitIndex < Int(offset) {
                unitIndex += scalars[scalarIndex].value < 0x10000 ? 1 : 2
                scalarIndex += 1
            }
            let end = scalarIndex
            if start < end, !(start..<end).allSatisfy({ Self.isSpace(scalars[$0]) }) { spans.append(start..<end) }
            start = end
        }
        return spans
    }

    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool { c.isWhiteSpace }

    /// Sentences, trimmed of surrounding whitespace; a line of only whitespace has none.
    public func sentences(_ text: String) throws(ICUError) -> [Token] {
        try segments(UTF16Text(text), with: sentences, trimming: true)
    }

    /// The same, given the text's scalars.
    func sentences(scalars: [Unicode.Scalar]) throws(ICUError) -> [Token] {
        try segments(UTF16Text(scalars: scalars), with: sentences, trimming: true)
    }

    private func segments(_ utf16: UTF16Text, with iterator: BreakIterator, trimming: Bool) throws(ICUError) -> [Token] {
        if utf16.units.isEmpty { return [] }
        let boundaries = try iterator.boundaries(utf16: utf16.units)
        var tokens: [Token] = []
        tokens.reserveCapacity(boundaries.count)
        var previous = 0
        for boundary in boundaries.dropFirst() {
            var start = utf16.scalarIndex[previous]
            var end = utf16.scalarIndex[boundary.offset]
            previous = boundary.offset
            if trimming {
                while start < end, utf16.scalars[start].isWhiteSpace { start += 1 }
                while end > start, utf16.scalars[end - 1].isWhiteSpace { end -= 1 }
                if start == end { continue }
            } else if utf16.scalars[start..<end].allSatisfy({ $0.isWhiteSpace }) {
                continue
            }
            tokens.append(Token(text: utf16.string(scalars: start..<end), start: start, end: end))
        }
        return tokens
    }
}
