import DeclprocLocales
import Foundation

/// One conversion dictionary (an OpenCC text dictionary): keys to their first
/// candidate, found by longest prefix. Keys are looked up by a 64-bit fingerprint
/// of their scalars and then compared, so a lookup builds no String.
final class ConversionDictionary: Sendable {
    struct Entry: Sendable {
        let key: [Unicode.Scalar]
        let value: String
    }

    let entries: [UInt64: [Entry]]
    /// Key lengths present, longest first: only these lengths are tried.
    let lengths: [Int]

    convenience init(pairs: [(String, String)]) {
        self.init(scalarPairs: pairs.map { (Array($0.0.unicodeScalars), $0.1) })
    }

    init(scalarPairs: [([Unicode.Scalar], String)]) {
        var entries: [UInt64: [Entry]] = [:]
        entries.reserveCapacity(scalarPairs.count)
        var lengths = Set<Int>()
        for (scalars, value) in scalarPairs {
            guard !scalars.isEmpty else { continue }
            let hash = SegmentationData.fingerprint(scalars)
            // The first line for a key wins, as OpenCC reads its dictionaries.
            if entries[hash]?.contains(where: { $0.key == scalars }) == true { continue }
            entries[hash, default: []].append(Entry(key: scalars, value: value))
            lengths.insert(scalars.count)
        }
        self.entries = entries
        self.lengths = lengths.sorted(by: >)
    }

    /// The longest key that starts at `start`, with its value.
    func longestPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, value: String)? {
        for length in lengths where start + length <= limit {
            let slice = text[start..<(start + length)]
            if let candidates = entries[SegmentationData.fingerprint(slice)],
               let entry = candidates.first(where: { $0.key.elementsEqual(slice) }) {
                return (length, entry.value)
            }
        }
        return nil
    }
}

/// Traditional↔Simplified conversion the way OpenCC defines it, as data: a
/// configuration in `Locales/zh/convert/config/NAME.json` names the dictionaries
/// that segment the text and the chain of dictionary groups each segment passes
/// through (s2t, t2s, s2tw, tw2s, s2twp, tw2sp, s2hk, hk2s).
///
/// Segmentation is maximum forward matching on the segmentation dictionaries;
/// unmatched characters gather into one segment. Within a segment each group
/// converts by longest prefix, the first dictionary of the group that matches at
/// a position deciding there (phrases before characters).
public final class ChineseConverter: Sendable {
    public let name: String
    /// Whether word boundaries may settle overlapping matches (from the
    /// configuration's "word_boundaries"; off where OpenCC's own behaviour is wanted).
    public let usesWordBoundaries: Bool
    private let segmentation: [ConversionDictionary]
    private let chain: [[ConversionDictionary]]

    public struct UnknownConfiguration: Error, CustomStringConvertible {
        public let name: String
        public let available: [String]
        public var description: String { "unknown conversion \"\(name)\"; available: \(available.joined(separator: ", "))" }
    }

    /// The configurations `Locales/` provides.
    public static func available(in store: LocaleStore) -> [String] {
        let folder = store.url("zh/convert/config")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    public init(configuration name: String, store: LocaleStore) throws {
        let available = Self.available(in: store)
        guard available.contains(name) else { throw UnknownConfiguration(name: name, available: available) }
        let path = "zh/convert/config/\(name).json"
        guard let object = try JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any],
              let segmentation = object["segmentation"] as? [String], let chain = object["chain"] as? [[String]]
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "needs \"segmentation\" and \"chain\" lists") }
        var loaded: [String: ConversionDictionary] = [:]
        func dictionary(_ spec: String) throws -> ConversionDictionary {
            if let known = loaded[spec] { return known }
            // "simplified-keys:NAME" is NAME's keys written in Simplified (converted with
            // TSPhrases and TSCharacters), for segmenting Simplified text so that a
            // regional phrase (TWPhrases 二極管) stays one segment (二极管).
            if spec.hasPrefix("simplified-keys:") {
                let source = try dictionary(String(spec.dropFirst("simplified-keys:".count)))
                let toSimplified = [try dictionary("TSPhrases"), try dictionary("TSCharacters")]
                var pairs: [(String, String)] = []
                for entries in source.entries.values {
                    for entry in entries {
                        let key = String(String.UnicodeScalarView(Self.convert(entry.key, with: toSimplified)))
                        pairs.append((key, key))
                    }
                }
                let made = ConversionDictionary(pairs: pairs.sorted { $0.0 < $1.0 })
                loaded[spec] = made
                return made
            }
            // "reverse:NAME" is NAME with values and keys swapped (OpenCC builds its
            // *Rev dictionaries this way).
            let reversed = spec.hasPrefix("reverse:")
            let file = reversed ? String(spec.dropFirst("reverse:".count)) : spec
            var pairs: [([Unicode.Scalar], String)] = []
            try store.forEachRow("zh/convert/\(file).txt") { row in
                guard row.count >= 2 else { return }
                let values = row[1].split(separator: UInt8(ascii: " "))
                if reversed {
                    let key = String(decoding: row[0], as: UTF8.self)
                    for value in values { pairs.append((LocaleStore.scalars(value), key)) }
                } else if let first = values.first {
                    pairs.append((LocaleStore.scalars(row[0]), String(decoding: first, as: UTF8.self)))
                }
            }
            let made = ConversionDictionary(scalarPairs: pairs)
            loaded[spec] = made
            return made
        }
        self.name = name
        self.usesWordBoundaries = (object["word_boundaries"] as? Bool) ?? false
        self.segmentation = try segmentation.map(dictionary)
        self.chain = try chain.map { try $0.map(dictionary) }
    }

    /// `words`, when given, are the text's word tokens (`WordSegmenter.words`): they
    /// settle overlapping matches that OpenCC's longest match gets wrong across a
    /// word boundary (被|发明, not 被发|明 → 被髮明).
    public func convert(_ text: String, words: [Token]? = nil) -> String {
        convert(text, words: words.map { tokens in { tokens } })
    }

    /// As above, with the words asked for only if matches overlap somewhere in the
    /// text, so the common path stays a dictionary walk and segmenting is paid only
    /// where it decides something.
    public func convert(_ text: String, words: (() -> [Token])?) -> String {
        var out = String.UnicodeScalarView()
        for piece in pieces(text, words: words) { out.append(contentsOf: piece.text.unicodeScalars) }
        return String(out)
    }

    /// The converted text piece by piece: each segment's output, with the span of
    /// the input (in scalars) it came from, so converted text maps back to the original.
    public func pieces(_ text: String, words: [Token]? = nil) -> [Token] {
        pieces(text, words: words.map { tokens in { tokens } })
    }

    public func pieces(_ text: String, words: (() -> [Token])?) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var boundaries: Set<Int>? = nil
        let boundariesIfNeeded: (() -> Set<Int>)? = usesWordBoundaries ? words.map { words in {
            if let boundaries { return boundaries }
            var set = Set<Int>([0, scalars.count])
            for word in words() { set.insert(word.start); set.insert(word.end) }
            boundaries = set
            return set
        } } : nil
        return segment(scalars, boundaries: boundariesIfNeeded).map { range in
            var converted = Array(scalars[range])
            for group in chain { converted = convert(converted, with: group) }
            return Token(text: String(String.UnicodeScalarView(converted)), start: range.lowerBound, end: range.upperBound)
        }
    }

    private func longestSegmentMatch(_ scalars: [Unicode.Scalar], at i: Int) -> Int? {
        segmentation.lazy.compactMap { $0.longestPrefix(scalars, from: i, limit: scalars.count)?.length }.max()
    }

    /// Maximum forward matching; characters no key starts with gather into one segment.
    /// With word boundaries, a match that ends inside a word yields to an overlapping
    /// match that starts at a word boundary inside it and ends on one: only where
    /// matches compete, so the common path stays a dictionary walk.
    private func segment(_ scalars: [Unicode.Scalar], boundaries: (() -> Set<Int>)?) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var pending = 0
        var i = 0
        while i < scalars.count {
            var match = longestSegmentMatch(scalars, at: i)
            if let length = match, let boundaries, length > 1 {
                // Only a match that another one, starting inside it, runs past needs
                // the words to decide between them.
                let end = i + length
                var rivals: [(Int, Int)] = []
                for j in (i + 1)..<end {
                    if let other = longestSegmentMatch(scalars, at: j), j + other > end { rivals.append((j, other)) }
                }
                if !rivals.isEmpty {
                    let words = boundaries()
                    if !words.contains(end), rivals.contains(where: { words.contains($0.0) && words.contains($0.0 + $0.1) }) {
                        match = nil
                    }
                }
            }
            if let length = match {
                if pending < i { segments.append(pending..<i) }
                segments.append(i..<(i + length))
                i += length
                pending = i
            } else {
                i += 1
            }
        }
        if pending < scalars.count { segments.append(pending..<scalars.count) }
        return segments
    }

    private func convert(_ segment: [Unicode.Scalar], with group: [ConversionDictionary]) -> [Unicode.Scalar] {
        Self.convert(segment, with: group)
    }

    static func convert(_ segment: [Unicode.Scalar], with group: [ConversionDictionary]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(segment.count)
        var i = 0
        while i < segment.count {
            var matched = false
            for dictionary in group {
                if let match = dictionary.longestPrefix(segment, from: i, limit: segment.count) {
                    out.append(contentsOf: match.value.unicodeScalars)
                    i += match.length
                    matched = true
                    break
                }
            }
            if !matched { out.append(segment[i]); i += 1 }
        }
        return out
    }
}
