import DeclprocLocales
import Foundation

/// One conversion dictionary (an OpenCC text dictionary): keys to their first
/// candidate, found by longest prefix. Flat: keys and values are runs of one
/// scalar array, found through a fingerprint table; for each first character a
/// bit per key length that starts with it, so most positions try one length or none.
final class ConversionDictionary: Sendable {
    /// Four numbers per entry: key start, key length, value start, value length in `scalars`.
    let entries: [UInt32]
    let scalars: [Unicode.Scalar]
    let table: FingerprintTable
    /// Bit n set: some key of n + 1 characters starts with this character.
    let lengthsByFirst: ScalarMap
    /// The same bits (n ≥ 1) per pair of first characters: most positions in a
    /// text start no key of two or more, and one probe here says so.
    let lengthsByPair: FingerprintTable
    /// 1 + the entry of each one-character key: the commonest match is an array read.
    let singles: ScalarMap

    convenience init(pairs: [(String, String)]) {
        self.init(scalarPairs: pairs.map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) })
    }

    init(scalarPairs: [([Unicode.Scalar], [Unicode.Scalar])]) {
        var entries: [UInt32] = []
        var scalars: [Unicode.Scalar] = []
        var table = FingerprintTable(expected: scalarPairs.count)
        var lengths = ScalarMap()
        var pairs = FingerprintTable(expected: scalarPairs.count / 2)
        var singles = ScalarMap()
        for (key, value) in scalarPairs where !key.isEmpty && key.count <= 32 {
            // The first line for a key wins, as OpenCC reads its dictionaries.
            guard table.insert(Fingerprint.of(key), UInt32(entries.count / 4)) else { continue }
            entries += [UInt32(scalars.count), UInt32(key.count), UInt32(scalars.count + key.count), UInt32(value.count)]
            scalars += key
            scalars += value
            lengths[key[0]] |= 1 << UInt32(key.count - 1)
            if key.count == 1 { singles[key[0]] = UInt32(entries.count / 4) } // the entry just added, plus one
            if key.count > 1 {
                let bit = UInt32(1) << UInt32(key.count - 1)
                pairs.update(Fingerprint.pair(key[0], key[1])) { ($0 ?? 0) | bit }
            }
        }
        self.lengthsByPair = pairs
        self.singles = singles
        self.entries = entries
        self.scalars = scalars
        self.table = table
        self.lengthsByFirst = lengths
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Corrupt) {
        entries = try reader.readArray(UInt32.self)
        let values = try reader.readArray(UInt32.self)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(values.count)
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { throw BinaryReader.Corrupt() }
            scalars.append(scalar)
        }
        self.scalars = scalars
        table = try FingerprintTable(from: &reader)
        lengthsByFirst = try ScalarMap(from: &reader)
        lengthsByPair = try FingerprintTable(from: &reader)
        singles = try ScalarMap(from: &reader)
        guard entries.count % 4 == 0 else { throw BinaryReader.Corrupt() }
        for k in stride(from: 0, to: entries.count, by: 4) {
            let keyEnd = Int(entries[k]) + Int(entries[k + 1]), valueEnd = Int(entries[k + 2]) + Int(entries[k + 3])
            guard keyEnd <= scalars.count, valueEnd <= scalars.count else { throw BinaryReader.Corrupt() }
        }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(entries)
        writer.write(scalars.map(\.value))
        table.write(to: &writer)
        lengthsByFirst.write(to: &writer)
        lengthsByPair.write(to: &writer)
        singles.write(to: &writer)
    }

    func key(_ entry: Int) -> ArraySlice<Unicode.Scalar> {
        let start = Int(entries[4 * entry])
        return scalars[start..<(start + Int(entries[4 * entry + 1]))]
    }

    func value(_ entry: Int) -> ArraySlice<Unicode.Scalar> {
        let start = Int(entries[4 * entry + 2])
        return scalars[start..<(start + Int(entries[4 * entry + 3]))]
    }

    var count: Int { entries.count / 4 }

    /// The longest key that starts at `start`: its length and its entry.
    @inline(__always)
    func longestPrefix(_ text: [Unicode.Scalar], from start: Int, limit: Int) -> (length: Int, entry: Int)? {
        let first = lengthsByFirst[text[start]]
        if first == 1 { // only a one-character key starts here
            let single = singles[text[start]]
            return single == 0 ? nil : (1, Int(single) - 1)
        }
        if first == 0 { return nil }
        var lengths = first & 1
        if first > 1, start + 1 < limit { lengths |= lengthsByPair.value(Fingerprint.pair(text[start], text[start + 1])) ?? 0 }
        if limit - start < 32 { lengths &= (1 << UInt32(limit - start)) &- 1 }
        while lengths != 0 {
            let length = 32 - lengths.leadingZeroBitCount
            lengths &= ~(1 << UInt32(length - 1))
            let slice = text[start..<(start + length)]
            if let entry = table.value(Fingerprint.of(slice)).map(Int.init), key(entry).elementsEqual(slice) {
                return (length, entry)
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
    private let normalization: ScalarMap
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

    /// Words of the segmentation lexicon: a phrase match that starts with a function
    /// character and that such a word overlaps (了如 in 展示了如何, overlapped by 如何)
    /// is also settled by the text's words.
    private let lexicon: SegmentationData?

    /// `lexicon`: the word lexicon, so that overlaps with words the conversion
    /// dictionaries lack are noticed too (only used with word boundaries).
    public init(configuration name: String, store: LocaleStore, lexicon: SegmentationData? = nil) throws {
        self.lexicon = lexicon
        let available = Self.available(in: store)
        guard available.contains(name) else { throw UnknownConfiguration(name: name, available: available) }
        let path = "zh/convert/config/\(name).json"
        guard let object = try JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any],
              let segmentation = object["segmentation"] as? [String], let chain = object["chain"] as? [[String]]
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "needs \"segmentation\" and \"chain\" lists") }
        let normalization = (object["normalization"] as? [String]) ?? []
        // Every dictionary the configuration names, compiled once into flat tables.
        var specs: [String] = []
        for spec in normalization + segmentation + chain.joined() where !specs.contains(spec) { specs.append(spec) }
        var files = Set<String>()
        for spec in specs { files.formUnion(Self.files(of: spec)) }
        let sources = [path] + files.sorted().map { "zh/convert/\($0).txt" }
        var reader = try store.cache.load("convert-\(name)", format: Self.format, sources: sources, store: store) {
            var writer = BinaryWriter()
            var loaded: [String: ConversionDictionary] = [:]
            writer.write(UInt64(specs.count))
            for spec in specs {
                writer.write(spec)
                try Self.dictionary(spec, store: store, loaded: &loaded).write(to: &writer)
            }
            return writer.bytes
        }
        var loaded: [String: ConversionDictionary] = [:]
        for _ in 0..<(try reader.read(UInt64.self)) {
            let spec = try reader.readString()
            loaded[spec] = try ConversionDictionary(from: &reader)
        }
        func dictionary(_ spec: String) throws -> ConversionDictionary {
            guard let made = loaded[spec] else { throw BinaryReader.Corrupt() }
            return made
        }
        self.name = name
        self.usesWordBoundaries = (object["word_boundaries"] as? Bool) ?? false
        self.normalization = try Self.characterMap(normalization.map(dictionary))
        self.segmentation = try segmentation.map(dictionary)
        guard !chain.isEmpty else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "the chain is empty") }
        self.chain = try chain.map { try $0.map(dictionary) }
    }

    /// One character for one, from the normalization dictionaries (CJK compatibility
    /// ideographs to their unified forms): applied before anything else, and
    /// length-preserving, so offsets into the converted text stay offsets into the input.
    static func characterMap(_ dictionaries: [ConversionDictionary]) -> ScalarMap {
        var map = ScalarMap()
        for dictionary in dictionaries.reversed() {
            for entry in 0..<dictionary.count where dictionary.key(entry).count == 1 && dictionary.value(entry).count == 1 {
                map[dictionary.key(entry).first!] = dictionary.value(entry).first!.value
            }
        }
        return map
    }

    /// The text files a dictionary specification reads.
    static func files(of spec: String) -> Set<String> {
        var files = Set<String>()
        for part in spec.split(whereSeparator: { "|+".contains($0) }) {
            files.insert(String(part.split(separator: ":").last ?? part))
        }
        if spec.contains("regional-st:") { files.formUnion(["TSPhrases", "TSCharacters", "CJK_Compatibility_Ideographs"]) }
        return files
    }

    /// The compiled form's layout; bump when it changes.
    static let format = 4

    /// One dictionary from its text file, as the configuration names it.
    static func dictionary(_ spec: String, store: LocaleStore, loaded: inout [String: ConversionDictionary]) throws -> ConversionDictionary {
        if let known = loaded[spec] { return known }
        func made(_ dictionary: ConversionDictionary) -> ConversionDictionary {
            loaded[spec] = dictionary
            return dictionary
        }
        // "union:A|B" is A's entries, then B's whose keys A lacks (OpenCC's "union" group).
        if spec.hasPrefix("union:") {
            var pairs: [([Unicode.Scalar], [Unicode.Scalar])] = []
            for part in spec.dropFirst("union:".count).split(separator: "|") {
                let source = try dictionary(String(part), store: store, loaded: &loaded)
                for entry in 0..<source.count { pairs.append((Array(source.key(entry)), Array(source.value(entry)))) }
            }
            return made(ConversionDictionary(scalarPairs: pairs))
        }
        // "regional-st:A+B" is the regional phrase keys of A and B (Traditional, e.g.
        // TWPhrases 布列茲) written in Simplified (布列兹), each mapped back to its
        // Traditional key, for keys of three characters or more (shorter ones would
        // split longer Simplified words). Simplified text then segments and converts
        // so that the regional phrase applies afterwards (as OpenCC generates
        // STPhrases_GeneratedFromRegionalPhrases).
        if spec.hasPrefix("regional-st:") {
            let compatibility = characterMap([try dictionary("CJK_Compatibility_Ideographs", store: store, loaded: &loaded)])
            let toSimplified = [try dictionary("TSPhrases", store: store, loaded: &loaded),
                                try dictionary("tofu-risk:TSCharacters", store: store, loaded: &loaded),
                                try dictionary("TSCharacters", store: store, loaded: &loaded)]
            var pairs: [([Unicode.Scalar], [Unicode.Scalar])] = []
            for part in spec.dropFirst("regional-st:".count).split(separator: "+") {
                let source = try dictionary(String(part), store: store, loaded: &loaded)
                for entry in 0..<source.count {
                    let key = Array(source.key(entry))
                    let simplified = convert(key.map { scalar in
                        let mapped = compatibility[scalar]
                        return mapped == 0 ? scalar : Unicode.Scalar(mapped) ?? scalar
                    }, with: toSimplified)
                    if simplified.count >= 3 { pairs.append((simplified, key)) }
                }
            }
            return made(ConversionDictionary(scalarPairs: pairs))
        }
        // "tofu-risk:NAME" is the alternatives of the entries of NAME that follow a
        // "# @tofu-risk:" comment (characters outside common fonts that OpenCC keeps
        // apart), the key itself dropped from their values (殢 → 𣨼).
        if spec.hasPrefix("tofu-risk:") {
            let file = String(spec.dropFirst("tofu-risk:".count))
            var pairs: [([Unicode.Scalar], [Unicode.Scalar])] = []
            var marked = false
            let text = String(decoding: try store.data("zh/convert/\(file).txt"), as: UTF8.self)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("# @tofu-risk:") { marked = true; continue }
                defer { marked = false }
                guard marked, !line.hasPrefix("#") else { continue }
                let fields = line.split(separator: "\t", maxSplits: 1)
                guard fields.count == 2 else { continue }
                var values = fields[1].split(separator: " ")
                if values.first == fields[0] { values.removeFirst() }
                if let first = values.first { pairs.append((Array(fields[0].unicodeScalars), Array(first.unicodeScalars))) }
            }
            return made(ConversionDictionary(scalarPairs: pairs))
        }
        // "reverse:NAME" is NAME with values and keys swapped (OpenCC builds its
        // *Rev dictionaries this way).
        let reversed = spec.hasPrefix("reverse:")
        let file = reversed ? String(spec.dropFirst("reverse:".count)) : spec
        var pairs: [([Unicode.Scalar], [Unicode.Scalar])] = []
        try store.forEachRow("zh/convert/\(file).txt") { row in
            guard row.count >= 2 else { return }
            let values = row[1].split(separator: UInt8(ascii: " "))
            if reversed {
                let key = LocaleStore.scalars(row[0])
                for value in values { pairs.append((LocaleStore.scalars(value), key)) }
            } else if let first = values.first {
                pairs.append((LocaleStore.scalars(row[0]), LocaleStore.scalars(first)))
            }
        }
        return made(ConversionDictionary(scalarPairs: pairs))
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
        let scalars = normalized(text)
        var out = String.UnicodeScalarView()
        for range in segment(scalars, boundaries: boundaries(scalars.count, words)) {
            out.append(contentsOf: converted(scalars, range))
        }
        return String(out)
    }

    /// The converted text piece by piece: each segment's output, with the span of
    /// the input (in scalars) it came from, so converted text maps back to the original.
    public func pieces(_ text: String, words: [Token]? = nil) -> [Token] {
        pieces(text, words: words.map { tokens in { tokens } })
    }

    public func pieces(_ text: String, words: (() -> [Token])?) -> [Token] {
        let scalars = normalized(text)
        return segment(scalars, boundaries: boundaries(scalars.count, words)).map { range in
            Token(text: String(String.UnicodeScalarView(converted(scalars, range))), start: range.lowerBound, end: range.upperBound)
        }
    }

    private func normalized(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { scalar in
            let mapped = normalization[scalar]
            return mapped == 0 ? scalar : Unicode.Scalar(mapped) ?? scalar
        }
    }

    /// The word boundaries (spans in scalars), made once and only when asked for.
    private func boundaries(_ count: Int, _ spans: (() -> [Range<Int>])?) -> (() -> [Bool])? {
        guard usesWordBoundaries, let spans else { return nil }
        var made: [Bool]? = nil
        return {
            if let made { return made }
            var flags = [Bool](repeating: false, count: count + 1)
            flags[0] = true
            flags[count] = true
            for word in spans() where word.upperBound <= count { flags[word.lowerBound] = true; flags[word.upperBound] = true }
            made = flags
            return flags
        }
    }

    private func boundaries(_ count: Int, _ words: (() -> [Token])?) -> (() -> [Bool])? {
        boundaries(count, words.map { words in { words().map { $0.start..<$0.end } } })
    }

    /// One segment through the chain of dictionary groups.
    private func converted(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> [Unicode.Scalar] {
        var text: [Unicode.Scalar] = []
        text.reserveCapacity(range.count)
        Self.convert(scalars, range, with: chain[0], into: &text)
        for group in chain.dropFirst() { text = Self.convert(text, with: group) }
        return text
    }

    @inline(__always)
    private func longestSegmentMatch(_ scalars: [Unicode.Scalar], at i: Int) -> Int? {
        var longest: Int? = nil
        for dictionary in segmentation {
            if let length = dictionary.longestPrefix(scalars, from: i, limit: scalars.count)?.length, length > (longest ?? 0) { longest = length }
        }
        return longest
    }

    /// Maximum forward matching; characters no key starts with gather into one segment.
    /// With word boundaries, a match that ends inside a word yields to an overlapping
    /// match that starts at a word boundary inside it and ends on one: only where
    /// matches compete, so the common path stays a dictionary walk.
    private func segment(_ scalars: [Unicode.Scalar], boundaries: (() -> [Bool])?) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var pending = 0
        var i = 0
        while i < scalars.count {
            let match = longestSegmentMatch(scalars, at: i)
            if let length = match, let boundaries, length > 1 {
                // Only a match that another one, starting inside it, runs past needs
                // the words to decide between them.
                let end = i + length
                var rivals: [(Int, Int)] = []
                for j in (i + 1)..<end {
                    if let other = longestSegmentMatch(scalars, at: j), j + other > end { rivals.append((j, other)) }
                    // A word the dictionaries lack (如何) counts only against a match that
                    // starts with a function character (了, 被, 的…): a particle is
                    // the usual piece a phrase wrongly takes from the neighbouring word,
                    // while 周线|图 or 干拌|饭 are phrases the words happen to cut.
                    else if let lexicon, lexicon.has(scalars[i], .function),
                            let other = lexicon.longestWord(scalars, from: j, beyond: end) { rivals.append((j, other)) }
                }
                if !rivals.isEmpty {
                    let words = boundaries()
                    if !words[end], rivals.contains(where: { words[$0.0] && words[$0.0 + $0.1] }) {
                        // The match's first character stands alone, so that no group
                        // of the chain matches the phrase again inside a segment.
                        if pending < i { segments.append(pending..<i) }
                        segments.append(i..<(i + 1))
                        i += 1
                        pending = i
                        continue
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

    static func convert(_ segment: [Unicode.Scalar], with group: [ConversionDictionary]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(segment.count)
        convert(segment, 0..<segment.count, with: group, into: &out)
        return out
    }

    /// `text[range]` through one group, appended to `out`: at each position the
    /// first dictionary of the group with a key there converts its longest key.
    static func convert(_ text: [Unicode.Scalar], _ range: Range<Int>, with group: [ConversionDictionary], into out: inout [Unicode.Scalar]) {
        var i = range.lowerBound
        while i < range.upperBound {
            var matched = false
            for dictionary in group {
                if let match = dictionary.longestPrefix(text, from: i, limit: range.upperBound) {
                    out.append(contentsOf: dictionary.value(match.entry))
                    i += match.length
                    matched = true
                    break
                }
            }
            if !matched { out.append(text[i]); i += 1 }
        }
    }

    /// The filter's path: one line of valid UTF-8 in, its conversion appended to
    /// `output` as UTF-8, with no String made on the way (`scratch` keeps its
    /// buffers between lines). `words` gives the line's word spans, asked for only
    /// where overlapping matches need them.
    public func convert(utf8 line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], scratch: inout Scratch,
                        words: (([Unicode.Scalar]) -> [Range<Int>])?) {
        scratch.scalars.removeAll(keepingCapacity: true)
        UTF8Scalars.decode(line, into: &scratch.scalars)
        for k in scratch.scalars.indices {
            let mapped = normalization[scratch.scalars[k]]
            if mapped != 0, let scalar = Unicode.Scalar(mapped) { scratch.scalars[k] = scalar }
        }
        let scalars = scratch.scalars
        let boundaries = self.boundaries(scalars.count, words.map { words in { words(scalars) } })
        for range in segment(scalars, boundaries: boundaries) {
            scratch.a.removeAll(keepingCapacity: true)
            Self.convert(scalars, range, with: chain[0], into: &scratch.a)
            for group in chain.dropFirst() {
                scratch.b.removeAll(keepingCapacity: true)
                Self.convert(scratch.a, 0..<scratch.a.count, with: group, into: &scratch.b)
                swap(&scratch.a, &scratch.b)
            }
            for scalar in scratch.a { UTF8Scalars.append(scalar, to: &output) }
        }
    }

    /// Buffers reused from line to line by `convert(utf8:into:scratch:words:)`.
    public struct Scratch {
        var scalars: [Unicode.Scalar] = []
        var a: [Unicode.Scalar] = []
        var b: [Unicode.Scalar] = []
        public init() {}
    }
}
