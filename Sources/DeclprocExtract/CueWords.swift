import DeclprocICU
import DeclprocText

/// A list of cue words (first-person words, declaring words, organizations, markers)
/// compiled once to UTF-8, and searched in UTF-8 bytes.
///
/// Every block of every page is searched for several of these lists, so they are
/// encoded when the patterns load rather than on each search, and searched with
/// `UTF8Search` (thirty-two places at a time). String's own search compares by canonical
/// equivalence, which costs a hundred times more and buys nothing for these words.
///
/// With `wholeWords` (the English lists), a word matches only where no ASCII letter
/// touches it on either side; a trailing `*` in the pattern lets any ending follow
/// (`renounc*`).
public struct CueWords: Sendable {
    public let patterns: [String]
    public let wholeWords: Bool
    private let needles: [[UInt8]]
    private let openEnds: [Bool]

    public init(_ patterns: [String], wholeWords: Bool) {
        self.patterns = patterns
        self.wholeWords = wholeWords
        openEnds = patterns.map { wholeWords && $0.hasSuffix("*") }
        needles = zip(patterns, openEnds).map { pattern, open in Array((open ? String(pattern.dropLast()) : pattern).utf8) }
    }

    /// The first pattern, in list order, that occurs in `text`: the list's order is
    /// its preference, and the reason a statement gives names that word.
    public func firstPattern(in text: String) -> String? {
        text.withUTF8Bytes { bytes in
            needles.indices.first { occurrence(of: $0, in: bytes, from: 0) != nil }.map { patterns[$0] }
        }
    }

    /// The earliest byte offset at which any pattern occurs in `text`.
    public func earliestOffset(in text: String) -> Int? {
        text.withUTF8Bytes { bytes in
            var best: Int? = nil
            for index in needles.indices {
                if let at = occurrence(of: index, in: bytes, from: 0), at < best ?? Int.max { best = at }
            }
            return best
        }
    }

    private func occurrence(of index: Int, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        needles[index].withUnsafeBufferPointer { needle in
            var from = start
            while let at = UTF8Search.firstIndex(of: needle, in: bytes, from: from) {
                if !wholeWords { return at }
                let before = at > 0 ? bytes[at - 1] : 0x20
                let after = at + needle.count < bytes.count ? bytes[at + needle.count] : 0x20
                if !Self.isLetter(before), openEnds[index] || !Self.isLetter(after) { return at }
                from = at + 1
            }
            return nil
        }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
}
