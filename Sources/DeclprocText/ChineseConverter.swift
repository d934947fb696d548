import DeclprocCollections
import DeclprocICU
import DeclprocLocales
import Foundation

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
    /// The smallest scalar `normalization` maps (U+F900 for OpenCC's table): below
    /// it, where nearly all text is, no lookup is made.
    private let normalizationFloor: UInt32
    let segmentation: DictionaryList
    let chain: [DictionaryList]
    /// A bit per entry of the first segmentation dictionary (by its place in the
    /// records): set where the phrase converts as its characters do one by one
    /// (位于 → 位於, as 位 → 位 and 于 → 於), the case of four phrases in five.
    /// Empty where no overlap is settled by words, or where stretches do not
    /// split freely (a later group's phrases could then tell two cuts apart).
    private let literalPhrases: TableWords<UInt64>
    /// Where the segmentation dictionary is also the first of the first group (as in
    /// every Simplified-to-Traditional configuration), the walk converts as it
    /// segments: a match's value is the group's answer there, and the characters
    /// between matches only need the rest of the group (which is this list).
    /// Not optional: binding an optional would copy the list (and retain its
    /// tables) at every segment.
    let fusedRest: DictionaryList
    private let isFused: Bool
    /// Whether a stretch of characters between matches converts the same however it
    /// is cut: no dictionary it passes through has phrases (s2t, where the
    /// characters are STCharacters alone). Two walks over an overlap then agree as
    /// soon as they stand at the same place, wherever a stretch of theirs ends.
    private let stretchesSplitFreely: Bool
    /// Whether the walk converts as it goes (`convertInOnePass`), and its table.
    private let convertsInOnePass: Bool
    private let onePassTable: ScalarMap

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
        let (path, object) = try Self.configuration(name, store: store)
        guard let segmentation = object["segmentation"] as? [String], let chain = object["chain"] as? [[String]]
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "needs \"segmentation\" and \"chain\" lists") }
        let normalization = (object["normalization"] as? [String]) ?? []
        // Every dictionary the configuration names, compiled once into flat tables.
        var specs: [String] = []
        for spec in normalization + segmentation + chain.joined() where !specs.contains(spec) { specs.append(spec) }
        var files = Set<String>()
        for spec in specs { files.formUnion(Self.files(of: spec)) }
        let sources = [path] + files.sorted().map { "zh/convert/\($0).txt" }
        let usesWordBoundaries = (object["word_boundaries"] as? Bool) ?? false
        var reader = try store.cache.load("convert-\(name)", format: Self.format, sources: sources, store: store) {
            var writer = BinaryWriter()
            var loaded: [String: ConversionDictionary] = [:]
            writer.write(UInt64(specs.count))
            for spec in specs {
                writer.write(spec)
                try Self.dictionary(spec, store: store, loaded: &loaded).write(to: &writer)
            }
            // The literal phrases, worked out once with the tables (a few milliseconds on every start otherwise).
            func built(_ spec: String) throws -> ConversionDictionary {
                try Self.dictionary(spec, store: store, loaded: &loaded)
            }
            let literal = try usesWordBoundaries && Self.stretchesSplitFreely(segmentation: segmentation, chain: chain, built)
                ? try built(segmentation[0]).literalEntries(in: DictionaryList(try chain[0].map(built))) : []
            writer.write(literal)
            // The lists' tables too: the segmentation's, each group's of the chain, and
            // the rest of a fused first group's.
            DictionaryList(try segmentation.map(built)).write(to: &writer)
            for group in chain { DictionaryList(try group.map(built)).write(to: &writer) }
            let fused = Self.isFused(segmentation: segmentation, chain: chain)
            DictionaryList(fused ? try chain[0].dropFirst().map(built) : []).write(to: &writer)
            return writer.bytes
        }
        var loaded: [String: ConversionDictionary] = [:]
        for _ in 0..<(try reader.read(UInt64.self)) {
            let spec = try reader.readString()
            loaded[spec] = try ConversionDictionary(from: &reader)
        }
        let literalPhrases = try reader.readWords(UInt64.self)
        func dictionary(_ spec: String) throws -> ConversionDictionary {
            guard let made = loaded[spec] else { throw BinaryReader.Corrupt() }
            return made
        }
        self.name = name
        self.usesWordBoundaries = usesWordBoundaries
        self.normalization = try Self.characterMap(normalization.map(dictionary))
        var floor = UInt32.max
        self.normalization.forEach { scalar, _ in floor = min(floor, scalar.value) }
        self.normalizationFloor = floor
        self.segmentation = try DictionaryList(from: &reader, dictionaries: segmentation.map(dictionary))
        guard !chain.isEmpty, chain.allSatisfy({ !$0.isEmpty })
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "the chain or one of its groups is empty") }
        self.chain = try chain.map { try DictionaryList(from: &reader, dictionaries: $0.map(dictionary)) }
        self.isFused = Self.isFused(segmentation: segmentation, chain: chain)
        self.fusedRest = try DictionaryList(from: &reader, dictionaries: isFused ? chain[0].dropFirst().map(dictionary) : [])
        guard reader.isAtEnd else { throw BinaryReader.Corrupt() }
        self.stretchesSplitFreely = try Self.stretchesSplitFreely(segmentation: segmentation, chain: chain, dictionary)
        self.convertsInOnePass = stretchesSplitFreely && chain.count == 1 && self.segmentation.isOneOfPhrases
        self.onePassTable = convertsInOnePass ? self.segmentation.onePassTable(rest: fusedRest) : ScalarMap()
        // A bit per place in the dictionary's records, or none.
        guard literalPhrases.isEmpty || (usesWordBoundaries && stretchesSplitFreely
                                         && literalPhrases.count == self.segmentation.dictionaries[0].records.count / 64 + 1)
        else { throw BinaryReader.Corrupt() }
        self.literalPhrases = literalPhrases
    }

    /// Whether the one segmentation dictionary is the first of the first group (see `isFused`).
    private static func isFused(segmentation: [String], chain: [[String]]) -> Bool {
        segmentation.count == 1 && chain.first?.first == segmentation[0]
    }

    /// Whether the configuration converts as it segments and no dictionary after the
    /// segmentation one has phrases (see `stretchesSplitFreely`).
    private static func stretchesSplitFreely(segmentation: [String], chain: [[String]],
                                             _ dictionary: (String) throws -> ConversionDictionary) throws -> Bool {
        guard isFused(segmentation: segmentation, chain: chain) else { return false }
        return try (chain[0].dropFirst() + chain.dropFirst().joined()).allSatisfy { !(try dictionary($0).hasPhrases) }
    }

    /// Whether the configuration has overlapping matches settled by words, read
    /// without building the converter: a caller that needs a lexicon for them
    /// loads it first, and builds the converter once.
    public static func usesWordBoundaries(configuration name: String, store: LocaleStore) throws -> Bool {
        (try configuration(name, store: store).object["word_boundaries"] as? Bool) ?? false
    }

    private static func configuration(_ name: String, store: LocaleStore) throws -> (path: String, object: [String: Any]) {
        let available = Self.available(in: store)
        guard available.contains(name) else { throw UnknownConfiguration(name: name, available: available) }
        let path = "zh/convert/config/\(name).json"
        guard let object = try JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any]
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "not a JSON object") }
        return (path, object)
    }

    /// One character for one, from the normalization dictionaries (CJK compatibility
    /// ideographs to their unified forms): applied before anything else, and
    /// length-preserving, so offsets into the converted text stay offsets into the input.
    static func characterMap(_ dictionaries: [ConversionDictionary]) -> ScalarMap {
        var map = ScalarMap()
        for dictionary in dictionaries.reversed() {
            for entry in dictionary.entries {
                let key = dictionary.keyStart(entry)
                if key.length == 1, let value = dictionary.singleValue(entry) { map[key.first] = value.value }
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
    static let format = 13

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
                for entry in source.entries { pairs.append((source.key(entry), source.value(entry))) }
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
            let toSimplified = DictionaryList([try dictionary("TSPhrases", store: store, loaded: &loaded),
                                               try dictionary("tofu-risk:TSCharacters", store: store, loaded: &loaded),
                                               try dictionary("TSCharacters", store: store, loaded: &loaded)])
            var pairs: [([Unicode.Scalar], [Unicode.Scalar])] = []
            for part in spec.dropFirst("regional-st:".count).split(separator: "+") {
                let source = try dictionary(String(part), store: store, loaded: &loaded)
                for entry in source.entries {
                    let key = source.key(entry)
                    var simplified: [Unicode.Scalar] = []
                    toSimplified.convert(key.map { scalar in
                        let mapped = compatibility[scalar]
                        return mapped == 0 ? scalar : Unicode.Scalar(mapped) ?? scalar
                    }, 0..<key.count, into: &simplified)
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
        convert(text, wordSpans: words.map { words in { words().map { $0.start..<$0.end } } })
    }

    /// As above, with the words as spans of the text's scalars (all that is read of them).
    public func convert(_ text: String, wordSpans: (() -> [Range<Int>])?) -> String {
        var scratch = Scratch()
        return convert(text, words: wordSpans.map { .whole($0) }, &scratch)
    }

    /// As above, given the text's scalars (`TextNormalizer.Result.scalars`), not
    /// decoded again here.
    public func convert(scalars: [Unicode.Scalar], wordSpans: (() -> [Range<Int>])?) -> String {
        var scratch = Scratch()
        return convert(scalars, words: wordSpans.map { .whole($0) }, &scratch)
    }

    /// As above, where `wordsOf` segments a stretch of the text (spans in its
    /// scalars): only the clause around each overlap is segmented, so a long line
    /// with one overlap costs one short segmentation.
    public func convert(_ text: String, wordsOf: @escaping ([Unicode.Scalar]) -> [Range<Int>]) -> String {
        var scratch = Scratch()
        return convert(text, words: .stretch(wordsOf), &scratch)
    }

    private func convert(_ text: String, words: WordSource?, _ scratch: inout Scratch) -> String {
        convert(Array(scalarsOf: text), words: words, &scratch)
    }

    private func convert(_ scalars: [Unicode.Scalar], words: WordSource?, _ scratch: inout Scratch) -> String {
        scratch.scalars = scalars
        var output: [UInt8] = []
        convertDecoded(into: &output, scratch: &scratch, words: words)
        return output.withUnsafeBufferPointer(String.init(wellFormedUTF8:))
    }

    /// The converted text piece by piece: each segment's output, with the span of
    /// the input (in scalars) it came from, so converted text maps back to the original.
    public func pieces(_ text: String, words: [Token]? = nil) -> [Token] {
        pieces(text, words: words.map { tokens in { tokens } })
    }

    public func pieces(_ text: String, words: (() -> [Token])?) -> [Token] {
        pieces(text, words: words.map { words in .whole({ words().map { $0.start..<$0.end } }) })
    }

    public func pieces(_ text: String, wordsOf: @escaping ([Unicode.Scalar]) -> [Range<Int>]) -> [Token] {
        pieces(text, words: .stretch(wordsOf))
    }

    private func pieces(_ text: String, words: WordSource?) -> [Token] {
        var scratch = Scratch()
        scratch.scalars = Array(scalarsOf: text)
        normalize(&scratch.scalars)
        var list = SegmentList()
        segment(scratch.scalars, words: usesWordBoundaries ? words : nil, into: &list)
        return list.segments.map { segment in
            var out: [Unicode.Scalar] = []
            convertSegment(scratch.scalars, segment, into: &out, &scratch.a, &scratch.b)
            return Token(text: String(scalars: out), start: segment.range.lowerBound, end: segment.range.upperBound)
        }
    }

    /// The filter's path: one line of valid UTF-8 in, its conversion appended to
    /// `output` as UTF-8, with no String made on the way (`scratch` keeps its
    /// buffers between lines). `words` segments a stretch of the line (spans in
    /// its scalars), asked only for the clauses where overlapping matches need it.
    public func convert(utf8 line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], scratch: inout Scratch,
                        words: (([Unicode.Scalar]) -> [Range<Int>])?) {
        scratch.scalars.removeAll(keepingCapacity: true)
        UTF8Scalars.decode(line, into: &scratch.scalars)
        convertDecoded(into: &output, scratch: &scratch, words: words)
    }

    /// Several lines at once, each converted as `convert(utf8:into:scratch:words:)`
    /// converts it and followed by "\n": the lines are walked as one text, so what
    /// every call pays (decoding, setting up the walk, encoding) is paid once for the
    /// batch, where the filter's lines average some thirty characters. A line break
    /// is in no key of any dictionary and in no word, so no match, segment or clause
    /// reaches across it, and each line converts as it would alone.
    public func convert(utf8Lines lines: [UnsafeBufferPointer<UInt8>], into output: inout [UInt8], scratch: inout Scratch,
                        words: (([Unicode.Scalar]) -> [Range<Int>])?) {
        scratch.scalars.removeAll(keepingCapacity: true)
        for line in lines {
            UTF8Scalars.decode(line, into: &scratch.scalars)
            scratch.scalars.append("\n")
        }
        convertDecoded(into: &output, scratch: &scratch, words: words)
    }

    /// The same for lines already decoded, each followed by "\n" (a caller that
    /// checks its input as it decodes it need not read it twice). `scalars` comes
    /// back with the text as the dictionaries see it (compatibility ideographs unified).
    public func convert(scalarLines scalars: inout [Unicode.Scalar], into output: inout [UInt8], scratch: inout Scratch,
                        words: (([Unicode.Scalar]) -> [Range<Int>])?) {
        swap(&scalars, &scratch.scalars)
        convertDecoded(into: &output, scratch: &scratch, words: words)
        swap(&scalars, &scratch.scalars)
    }

    private func convertDecoded(into output: inout [UInt8], scratch: inout Scratch, words: (([Unicode.Scalar]) -> [Range<Int>])?) {
        convertDecoded(into: &output, scratch: &scratch, words: words.map { .stretch($0) })
    }

    /// `scratch.scalars` converted and appended to `output` as UTF-8.
    private func convertDecoded(into output: inout [UInt8], scratch: inout Scratch, words: WordSource?) {
        normalize(&scratch.scalars)
        let words = usesWordBoundaries ? words : nil
        if convertsInOnePass {
            convertInOnePass(scratch.scalars, words: words, into: &output, aside: &scratch.out)
            return
        }
        // Each segment goes through the chain as the walk makes it: no list of them is kept.
        var sink = ConvertingSink(scratch: &scratch)
        segment(scratch.scalars, words: words, into: &sink)
        sink.out.withUnsafeBufferPointer { UTF8Scalars.append($0, to: &output) }
        sink.return(to: &scratch)
    }

    /// Buffers reused from line to line by `convert(utf8:into:scratch:words:)`.
    public struct Scratch {
        var scalars: [Unicode.Scalar] = []
        var out: [Unicode.Scalar] = []
        var a: [Unicode.Scalar] = []
        var b: [Unicode.Scalar] = []
        public init() {}
    }

    /// Through a pointer: indexing the array checked each index and its uniqueness.
    private func normalize(_ scalars: inout [Unicode.Scalar]) {
        let floor = normalizationFloor
        scalars.withUnsafeMutableBufferPointer { scalars in
            for k in scalars.indices where scalars[k].value >= floor {
                let mapped = normalization[scalars[k]]
                if mapped != 0, let scalar = Unicode.Scalar(mapped) { scalars[k] = scalar }
            }
        }
    }

    /// A piece of the segmented text: a match of the segmentation dictionaries
    /// (`entry` ≥ 0, its entry in the first one), characters no key starts with
    /// (`gathered`), or a match's first character standing alone (`alone`).
    struct Segment {
        let range: Range<Int>
        let entry: Int
        static let gathered = -1
        static let alone = -2
    }

    /// Where the walk puts the segments it makes: a list (for `pieces`, which report
    /// each one), or straight through the chain (every other path).
    fileprivate struct SegmentList: SegmentSink {
        var segments: [Segment] = []
        mutating func take(_ segment: Segment, _ scalars: [Unicode.Scalar], _ converter: ChineseConverter) { segments.append(segment) }
    }

    fileprivate struct ConvertingSink: SegmentSink {
        var out: [Unicode.Scalar]
        var a: [Unicode.Scalar]
        var b: [Unicode.Scalar]

        /// Takes the scratch buffers (emptied, capacity kept) for the walk.
        init(scratch: inout Scratch) {
            out = []
            a = []
            b = []
            swap(&out, &scratch.out)
            swap(&a, &scratch.a)
            swap(&b, &scratch.b)
            out.removeAll(keepingCapacity: true)
        }

        mutating func `return`(to scratch: inout Scratch) {
            swap(&out, &scratch.out)
            swap(&a, &scratch.a)
            swap(&b, &scratch.b)
        }

        @inline(__always)
        /// The converter comes as an argument, not a stored reference: the walk's
        /// `self` needs no retain around each call, a stored one did.
        mutating func take(_ segment: Segment, _ scalars: [Unicode.Scalar], _ converter: ChineseConverter) {
            converter.convertSegment(scalars, segment, into: &out, &a, &b)
        }
    }

    /// One segment through the chain of groups, each group seeing only the segment.
    @inline(__always)
    fileprivate func convertSegment(_ scalars: [Unicode.Scalar], _ segment: Segment, into out: inout [Unicode.Scalar],
                                _ a: inout [Unicode.Scalar], _ b: inout [Unicode.Scalar]) {
        if chain.count == 1 {
            convertFirst(scalars, segment, into: &out)
            return
        }
        a.removeAll(keepingCapacity: true)
        convertFirst(scalars, segment, into: &a)
        for group in chain.dropFirst() {
            b.removeAll(keepingCapacity: true)
            group.convert(a, 0..<a.count, into: &b)
            swap(&a, &b)
        }
        out.append(contentsOf: a)
    }

    @inline(__always)
    private func convertFirst(_ scalars: [Unicode.Scalar], _ segment: Segment, into out: inout [Unicode.Scalar]) {
        guard isFused else { return chain[0].convert(scalars, segment.range, into: &out) }
        switch segment.entry {
        case 0...: segmentation.appendValue(0, segment.entry, to: &out)
        case Segment.gathered: fusedRest.convert(scalars, segment.range, into: &out)
        default: chain[0].convert(scalars, segment.range, into: &out)
        }
    }

    /// Why `convertInOnePass` stopped writing through its pointer.
    private enum OnePassStop { case done, alone, asked, room }

    /// The walk of `segment` and the conversion of its segments in one pass, where
    /// that gives the same text (s2t, t2s): the segmentation dictionary is the first
    /// of the only group and has no one-character key, and the rest of the group has
    /// no phrase. A character between matches then converts alone, from one read of
    /// `onePassTable` as the walk passes it, and a match is its value. `segment`
    /// gathered such characters into a segment and converted it in a second pass,
    /// with room made and trimmed for each one: a sixth of the time.
    ///
    /// Output is UTF-8, written through a pointer into room made first: a character
    /// between matches writes at most four bytes, so room for the rest of the text at
    /// four bytes a character, and for the longest value besides, lets only a value
    /// longer than its key check the room. (Written as scalars and encoded after, the
    /// text was stored and read once more: a tenth of s2t's instructions.)
    /// A match that yields to the words, a character `rest` must be asked about
    /// (a value of several scalars), and a value that would not leave room for the
    /// rest stop the pointer's loop; each is done as `segment` does it, through
    /// `aside`, and the loop goes on with new room.
    private func convertInOnePass(_ scalars: [Unicode.Scalar], words: WordSource?, into out: inout [UInt8],
                                  aside: inout [Unicode.Scalar]) {
        var boundaries: WordBoundaries? = nil
        let settles = words != nil
        let count = scalars.count
        var i = 0
        while i < count {
            let first = out.count
            let room = 4 * (count - i + ConversionDictionary.longestValue)
            out.append(contentsOf: repeatElement(0, count: room))
            // The loop's positions live in locals and come back as its result (see
            // `UTF8Scalars.decode`); the tables read at every character are read
            // through pointers, without bounds checks.
            let (written, next, stop) = onePassTable.withUnchecked { table in segmentation.withPairBits { pairBits in
                scalars.withUnsafeBufferPointer { source in
                    out.withUnsafeMutableBufferPointer { target -> (Int, Int, OnePassStop) in
                        let source = source.baseAddress!, target = target.baseAddress!
                        var k = first, i = i
                        let end = first + room
                        while i < count {
                            let c = source[i]
                            let planned = table[c]
                            if planned & DictionaryList.multi != 0,
                               let match = segmentation.longestPhrase(scalars, from: i, limit: count, pairBits: pairBits) {
                                let length = match.length
                                if settles, yields(scalars, i, i &+ length, 0, match.entry, words, &boundaries) { return (k, i, .alone) }
                                // After the value, room for the rest of the text at four bytes a character.
                                guard let written = segmentation.copyValue(0, match.entry, toUTF8: target + k,
                                                                           room: (end &- k) &- 4 &* (count &- (i &+ length)))
                                else { return (k, i, .room) }
                                k &+= written
                                i &+= length
                                continue
                            }
                            let converted = planned & ~DictionaryList.multi
                            let value: UInt32
                            if converted == 0 {
                                value = c.value
                            } else if converted != DictionaryList.asked {
                                value = UTF8Code.scalarValue(converted &- 1)
                            } else {
                                return (k, i, .asked)
                            }
                            // The room for this character and the rest, four bytes
                            // each, has the byte `encodeWide` may write past it.
                            k &+= UTF8Code.encodeWide(value, into: target, at: k)
                            i &+= 1
                        }
                        return (k, i, .done)
                    }
                }
            } }
            out.removeSubrange(written...)
            i = next
            switch stop {
            case .done, .room: continue
            case .alone:
                // The match's first character stands alone, as in `segment`.
                aside.removeAll(keepingCapacity: true)
                chain[0].convert(scalars, i..<(i + 1), into: &aside)
            case .asked:
                aside.removeAll(keepingCapacity: true)
                fusedRest.convert(scalars, i..<(i + 1), into: &aside)
            }
            aside.withUnsafeBufferPointer { UTF8Scalars.append($0, to: &out) }
            i += 1
        }
    }

    /// Maximum forward matching; characters no key starts with gather into one segment.
    /// With word boundaries, a match that ends inside a word yields to an overlapping
    /// match that starts at a word boundary inside it and ends on one: only where
    /// matches compete, so the common path stays a dictionary walk.
    /// The boundaries are made only when an overlap first needs them (one line in
    /// fifty of the benchmark text did, when the filter converted line by line):
    /// making and freeing them for every text was a tenth of the filter's
    /// reference counting.
    private func segment<Sink: SegmentSink>(_ scalars: [Unicode.Scalar], words: WordSource?, into sink: inout Sink) {
        var boundaries: WordBoundaries? = nil
        let settles = words != nil
        var pending = 0
        var i = 0
        let count = scalars.count
        while i < count {
            guard let match = segmentation.longestMatch(scalars, from: i, limit: count) else {
                i += 1
                continue
            }
            if pending < i { sink.take(Segment(range: pending..<i, entry: Segment.gathered), scalars, self) }
            if match.length > 1, settles, yields(scalars, i, i + match.length, match.dictionary, match.entry, words, &boundaries) {
                // The match's first character stands alone, so that no group
                // of the chain matches the phrase again inside a segment.
                sink.take(Segment(range: i..<(i + 1), entry: Segment.alone), scalars, self)
                i += 1
            } else {
                sink.take(Segment(range: i..<(i + match.length), entry: match.dictionary == 0 ? match.entry : Segment.alone), scalars, self)
                i += match.length
            }
            pending = i
        }
        if pending < count { sink.take(Segment(range: pending..<count, entry: Segment.gathered), scalars, self) }
    }

    /// Whether the match `start..<end` ends inside a word while a match that starts
    /// inside it, at a word boundary, runs past it to another boundary. Only such a
    /// rival, where it changes the output, needs the words, so they are asked for only then.
    /// The moot test comes first: it settles most matches (four phrases in five
    /// convert as their characters do) for less than finding their rivals costs.
    private func yields(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int, _ dictionary: Int, _ entry: Int,
                        _ words: WordSource?, _ made: inout WordBoundaries?) -> Bool {
        guard !choiceIsMoot(scalars, start, end, dictionary, entry), hasRival(scalars, start, end) else { return false }
        if made == nil, let words { made = WordBoundaries(words) }
        guard made != nil else { return false }
        return yieldsToWords(scalars, start, end, &made!)
    }

    /// `yields` once the match is contested: whether the choice matters, and then the words.
    private func yieldsToWords(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int, _ boundaries: inout WordBoundaries) -> Bool {
        guard choiceMatters(scalars, start, end, &boundaries.choice) else { return false }
        let rivals = rivals(scalars, start, end)
        let reach = rivals.map { $0.0 + $0.1 }.max()!
        boundaries.settle(start...reach, in: scalars)
        return !boundaries[end] && rivals.contains { boundaries[$0.0] && boundaries[$0.0 + $0.1] }
    }

    /// Whether every match that takes part in the choice at `start` (the match, its
    /// rivals, theirs, up to the first place no match crosses) is a literal phrase:
    /// then every cut of the text converts it the same, whichever match wins, and
    /// neither rivals nor words need be looked for.
    @inline(__always)
    private func choiceIsMoot(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int, _ dictionary: Int, _ entry: Int) -> Bool {
        guard isLiteral(dictionary, entry) else { return false }
        let limit = min(scalars.count, start + 4 * ChineseConverter.overlapHorizon)
        var reach = end, j = start + 1
        while j < reach {
            guard j < limit else { return false }
            if let match = segmentation.longestMatch(scalars, from: j, limit: scalars.count), match.length > 1 {
                guard isLiteral(match.dictionary, match.entry) else { return false }
                reach = max(reach, j + match.length)
            }
            j += 1
        }
        return true
    }

    @inline(__always)
    private func isLiteral(_ dictionary: Int, _ entry: Int) -> Bool {
        dictionary == 0 && literalPhrases.withUnsafeBufferPointer { bits in
            entry >> 6 < bits.count && bits[entry >> 6] & (1 << UInt64(entry & 63)) != 0
        }
    }

    /// Whether `rivals` would find any: the same tests, stopping at the first, with
    /// no list made (most matches have none).
    private func hasRival(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> Bool {
        for j in (start + 1)..<end where isRival(scalars, start, end, j) != nil { return true }
        return false
    }

    /// Matches (start, length) that start inside `start..<end` and run past it.
    private func rivals(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> [(Int, Int)] {
        var rivals: [(Int, Int)] = []
        for j in (start + 1)..<end { if let other = isRival(scalars, start, end, j) { rivals.append((j, other)) } }
        return rivals
    }

    /// The length of the rival of the match `start..<end` that starts at `j`, if any.
    @inline(__always)
    private func isRival(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int, _ j: Int) -> Int? {
        if let other = segmentation.longestMatch(scalars, from: j, limit: scalars.count)?.length, j + other > end { return other }
        // A word the dictionaries lack (如何) counts only against a match that
        // starts with a function character (了, 被, 的…): a particle is
        // the usual piece a phrase wrongly takes from the neighbouring word,
        // while 周线|图 or 干拌|饭 are phrases the words happen to cut.
        if let lexicon, lexicon.has(scalars[start], .function) { return lexicon.longestWord(scalars, from: j, beyond: end) }
        return nil
    }
}

extension ChineseConverter {
    /// Whether taking the match `start..<end` and letting its first character stand
    /// alone convert the text differently, up to where the two walks meet again
    /// (see below): most overlaps (一个|个人) convert the same either way, and
    /// then the words, the costliest thing here, need not be asked for.
    fileprivate func choiceMatters(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int, _ buffers: inout ChoiceBuffers) -> Bool {
        let limit = min(scalars.count, start + 4 * ChineseConverter.overlapHorizon)
        // Each walk's segments lie in `start..<limit`, at least one position each:
        // room on the stack for that many, where arrays cost more than the walks.
        let room = limit - start + 1
        return withUnsafeTemporaryAllocation(of: Segment.self, capacity: room) { taken in
            withUnsafeTemporaryAllocation(of: Segment.self, capacity: room) { alone in
                var walks = (taken: 1, alone: 1)
                taken.initializeElement(at: 0, to: Segment(range: start..<end, entry: Segment.alone))
                alone.initializeElement(at: 0, to: Segment(range: start..<(start + 1), entry: Segment.alone))
                func step(_ segments: UnsafeMutableBufferPointer<Segment>, _ count: inout Int) -> Bool {
                    let last = segments[count - 1]
                    let p = last.range.upperBound
                    guard p < limit else { return false }
                    if let match = segmentation.longestMatch(scalars, from: p, limit: scalars.count) {
                        // A match with rivals of its own may yield in turn: the words decide.
                        if match.length > 1, hasRival(scalars, p, p + match.length) { return false }
                        segments.initializeElement(at: count, to: Segment(range: p..<(p + match.length),
                                                                           entry: match.dictionary == 0 ? match.entry : Segment.alone))
                        count += 1
                    } else if last.entry == Segment.gathered {
                        segments[count - 1] = Segment(range: last.range.lowerBound..<(p + 1), entry: Segment.gathered)
                    } else {
                        segments.initializeElement(at: count, to: Segment(range: p..<(p + 1), entry: Segment.gathered))
                        count += 1
                    }
                    return true
                }
                // They meet where both stand at the same place after a match (so that the
                // walk on from there is the same for both), or at the end of the text;
                // after any segment where stretches split freely.
                while true {
                    let t = taken[walks.taken - 1], a = alone[walks.alone - 1]
                    guard t.range.upperBound != a.range.upperBound
                            || (!stretchesSplitFreely && t.range.upperBound < scalars.count
                                && (t.entry == Segment.gathered || a.entry == Segment.gathered))
                    else { break }
                    let stepped = t.range.upperBound > a.range.upperBound ? step(alone, &walks.alone) : step(taken, &walks.taken)
                    guard stepped else { return true }
                }
                buffers.a.removeAll(keepingCapacity: true)
                buffers.b.removeAll(keepingCapacity: true)
                for segment in taken[..<walks.taken] { convertSegment(scalars, segment, into: &buffers.a, &buffers.x, &buffers.y) }
                for segment in alone[..<walks.alone] { convertSegment(scalars, segment, into: &buffers.b, &buffers.x, &buffers.y) }
                return buffers.a != buffers.b
            }
        }
    }

    /// The arrays `choiceMatters` converts the two walks into, kept for the line.
    struct ChoiceBuffers {
        var a: [Unicode.Scalar] = []
        var b: [Unicode.Scalar] = []
        var x: [Unicode.Scalar] = []
        var y: [Unicode.Scalar] = []
    }

    /// How far (in matches' lengths) the two walks of an overlap are followed before
    /// the choice is taken to matter.
    static let overlapHorizon = 16
}

fileprivate protocol SegmentSink {
    mutating func take(_ segment: ChineseConverter.Segment, _ scalars: [Unicode.Scalar], _ converter: ChineseConverter)
}

/// Where a text's words come from: all of them at once (`whole`), or a stretch at a
/// time (spans in the stretch's scalars).
enum WordSource {
    case whole(() -> [Range<Int>])
    case stretch(([Unicode.Scalar]) -> [Range<Int>])
}

/// The word boundaries of one text, found only where overlapping matches ask:
/// from the text's words when they are at hand (`whole`), or by segmenting just
/// the clause around the overlap (`stretch`), since a word never crosses
/// punctuation and the rest of a long line cannot change the words there.
///
/// What a segmentation settles is fixed by the text alone, never by which overlap
/// asked first: a clause (a run of letters, digits and ideographs) of up to
/// `window` characters is segmented whole; a longer one in windows of `window`
/// positions counted from its start, each with `margin` characters of context on
/// either side. So a position's flag is the same whatever the walk asked before it,
/// and a change to which overlaps ask cannot change an answer.
struct WordBoundaries {
    /// Buffers for deciding whether an overlap's choice matters, reused within the text.
    var choice = ChineseConverter.ChoiceBuffers()
    private var flags: [Bool] = []
    private var known: [Bool] = []
    private let source: WordSource
    /// The clause last found (its scalars): a long one is walked once, not per overlap.
    private var clause: Range<Int> = 0..<0
    /// Positions a segmentation settles in a long clause: enough for any word that
    /// touches an overlap, short enough that an unpunctuated page stays cheap.
    static let window = 64
    static let margin = 16

    init(_ source: WordSource) {
        self.source = source
    }

    subscript(_ position: Int) -> Bool { flags[position] }

    /// Makes the flags of the positions `range` (boundaries between scalars, 0…count) known.
    mutating func settle(_ range: ClosedRange<Int>, in scalars: [Unicode.Scalar]) {
        let count = scalars.count
        if flags.isEmpty {
            flags = [Bool](filledWith: false, count: count + 1)
            known = [Bool](filledWith: false, count: count + 1)
            flags[0] = true
            flags[count] = true
            known[0] = true
            known[count] = true
        }
        guard !range.allSatisfy({ known[$0] }) else { return }
        let stretch: ([Unicode.Scalar]) -> [Range<Int>]
        switch source {
        case .whole(let whole):
            for word in whole() where word.upperBound <= count { flags[word.lowerBound] = true; flags[word.upperBound] = true }
            for k in known.indices { known[k] = true }
            return
        case .stretch(let segment):
            stretch = segment
        }
        for k in range where !known[k] {
            // Beside a character words are not made of: a boundary, with nothing to segment.
            if !Self.inWord(scalars[k - 1]) || !Self.inWord(scalars[k]) {
                flags[k] = true
                known[k] = true
                continue
            }
            if !(clause.lowerBound < k && k < clause.upperBound) {
                var start = k - 1, end = k + 1
                while start > 0, Self.inWord(scalars[start - 1]) { start -= 1 }
                while end < count, Self.inWord(scalars[end]) { end += 1 }
                clause = start..<end
            }
            // The window of positions k falls in, and the stretch segmented for it.
            let start = clause.lowerBound, end = clause.upperBound
            let first = start + (k - start - 1) / Self.window * Self.window + 1
            let last = min(end - 1, first + Self.window - 1)
            let from = max(start, first - 1 - Self.margin), to = min(end, last + 1 + Self.margin)
            for word in stretch(Array(scalars[from..<to])) where word.upperBound <= to - from {
                let a = from + word.lowerBound, b = from + word.upperBound
                if a >= first && a <= last { flags[a] = true }
                if b >= first && b <= last { flags[b] = true }
            }
            for p in first...last { known[p] = true }
        }
    }

    /// Letters, digits and ideographs: what words are made of.
    @inline(__always)
    static func inWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let v = scalar.value | 0x20
            return (v >= 0x61 && v <= 0x7A) || (scalar.value >= 0x30 && scalar.value <= 0x39)
        }
        // The two blocks of ideographs that are assigned throughout (the commonest case, without a property lookup).
        if (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value) { return true }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
