import ArgumentParser
import DeclprocLocales
import DeclprocText
import Foundation

extension TextNormalizer.Form: ExpressibleByArgument {}
extension TextNormalizer.Punctuation: ExpressibleByArgument {}
extension ToneStyle: ExpressibleByArgument {}

/// What every filter takes: its inputs and --json.
struct FilterOptions: ParsableArguments {
    @Argument(help: "Files to read line by line (default: standard input; '-' is standard input).")
    var files: [String] = []

    @Flag(name: .long, help: "Write one JSON object per line instead of text.")
    var json = false
}

/// One JSON object per line, keys sorted so output is byte-stable.
let lineEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}()

func jsonLine(_ value: some Encodable) throws -> String {
    String(decoding: try lineEncoder.encode(value), as: UTF8.self)
}

struct TokenJSON: Encodable {
    let text: String
    let start: Int
    let end: Int
    var pinyin: [String]? = nil
    var rules: [String]? = nil
}

struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize text line by line: NFC or NFKC, width folding that keeps Chinese punctuation, whitespace.")

    @OptionGroup var filter: FilterOptions
    @OptionGroup var locale: LocaleOptions

    @Option(help: "Unicode normalization form: nfc or nfkc.")
    var form: TextNormalizer.Form = .nfc

    @Option(help: "Punctuation: keep (as written), cjk (full-width next to Han) or ascii.")
    var punct: TextNormalizer.Punctuation = .keep

    @Flag(inversion: .prefixedNo, help: "Fold full-width Latin letters, digits and spaces to half-width.")
    var foldWidth = true

    func run() throws {
        var options = TextNormalizer.Options()
        options.form = form
        options.punctuation = punct
        options.foldWidth = foldWidth
        let normalizer = TextNormalizer(options: options)
        // Script detection needs Locales/; plain normalization does not.
        let detector: ScriptDetector? = filter.json ? try? ScriptDetector(store: try locale.store()) : nil
        struct Line: Encodable {
            let text: String; let normalized: String; let offsets: [Int]; let removed: Int
            let script: String?; let lang: String?; let chinese: String?; let region: String?
            enum Key: String, CodingKey { case text, normalized, offsets, removed, script, lang, chinese, region }
            // Every key on every line, null when unknown, so readers see one shape.
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(text, forKey: .text); try c.encode(normalized, forKey: .normalized)
                try c.encode(offsets, forKey: .offsets); try c.encode(removed, forKey: .removed)
                try c.encode(script, forKey: .script); try c.encode(lang, forKey: .lang)
                try c.encode(chinese, forKey: .chinese); try c.encode(region, forKey: .region)
            }
        }
        try LineFilter(inputs: filter.files).run { line in
            let result = try normalizer.normalize(line)
            guard filter.json else { return result.text }
            let detected = detector?.classify(result.text)
            return try jsonLine(Line(text: line, normalized: result.text, offsets: result.offsets, removed: result.removed,
                                     script: detected?.script, lang: detected?.lang, chinese: detected?.chinese, region: detected?.region))
        }
    }
}

struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Split each line into words (separated by spaces) or sentences (separated by tabs).")

    enum Unit: String, ExpressibleByArgument { case word, sentence }

    @OptionGroup var filter: FilterOptions
    @OptionGroup var locale: LocaleOptions

    @Option(help: "word or sentence.")
    var unit: Unit = .word

    @Option(help: "A user lexicon for words: one word per line, optionally a tab and a frequency.")
    var lexicon: String?

    @Flag(name: .customLong("icu-only"), help: "ICU's break iterators alone, without declproc's refinements.")
    var icuOnly = false

    func run() throws {
        let icu = try Segmenter()
        var words: WordSegmenter? = nil
        var sentences: SentenceSegmenter? = nil
        if !icuOnly {
            let store = try locale.store()
            do {
                if unit == .word {
                    let extra = try lexicon.map(SegmentationData.userLexicon) ?? []
                    let data = try SegmentationData(store: store, extraWords: extra)
                    keepUntilExit(data)
                    words = WordSegmenter(data: data, icu: icu)
                } else {
                    sentences = try SentenceSegmenter(store: store, icu: icu)
                }
            } catch let error as LocaleStore.MissingData {
                throw Fatal(error.description)
            }
        }
        struct Line: Encodable { let text: String; let tokens: [TokenJSON] }
        if let words, unit == .word, !filter.json {
            // The plain word path stays on bytes: each word is copied from the line as it
            // is. The lines already read are segmented together (one call to ICU).
            var scalars: [Unicode.Scalar] = []
            var offsets: [Int] = [] // per line: byte offset of each scalar, and the line's length
            var ranges: [Range<Int>] = [], offsetStarts: [Int] = []
            try LineFilter(inputs: filter.files).runBatches { lines, output in
                scalars.removeAll(keepingCapacity: true)
                offsets.removeAll(keepingCapacity: true)
                ranges.removeAll(keepingCapacity: true)
                offsetStarts.removeAll(keepingCapacity: true)
                for (k, line) in lines.enumerated() {
                    if k > 0 { scalars.append("\n") }
                    let start = scalars.count
                    offsetStarts.append(offsets.count)
                    UTF8Scalars.decode(line, into: &scalars, offsets: &offsets)
                    ranges.append(start..<scalars.count)
                }
                for (k, spans) in try words.spans(lines: scalars, at: ranges).enumerated() {
                    let line = lines[k], base = offsetStarts[k]
                    // A line's words and their spaces are never longer than the line
                    // with a space after each word: room for that is made, the words are
                    // copied in through a pointer, and the rest is trimmed (an append
                    // per word cost more than the copying).
                    let first = output.count
                    output.append(contentsOf: repeatElement(0, count: line.count + spans.count + 1))
                    let end = output.withUnsafeMutableBufferPointer { out -> Int in
                        var at = first
                        offsets.withUnsafeBufferPointer { offsets in
                            for (n, span) in spans.enumerated() {
                                if n > 0 { out[at] = 0x20; at += 1 }
                                let from = offsets[base + span.lowerBound], to = offsets[base + span.upperBound]
                                if to > from, let source = line.baseAddress, let target = out.baseAddress {
                                    (target + at).update(from: source + from, count: to - from)
                                    at += to - from
                                }
                            }
                        }
                        out[at] = 0x0A
                        return at + 1
                    }
                    output.removeSubrange(end...)
                }
            }
            return
        }
        try LineFilter(inputs: filter.files).run { line in
            let tokens = unit == .sentence ? try sentences?.sentences(line) ?? icu.sentences(line)
                : try words?.words(line) ?? icu.words(line)
            if filter.json {
                return try jsonLine(Line(text: line, tokens: tokens.map { TokenJSON(text: $0.text, start: $0.start, end: $0.end) }))
            }
            // A separator inside a token would break the one-line contract for readers
            // that split on it; tokens never contain "\t", and words never contain " ".
            return tokens.map(\.text).joined(separator: unit == .word ? " " : "\t")
        }
    }
}

struct Transliterate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transliterate",
        abstract: "Write Han text as Pinyin, line by line, choosing readings from phrases in context.")

    enum Target: String, ExpressibleByArgument { case pinyin }
    enum Neutral: String, ExpressibleByArgument { case five = "5", none }

    @OptionGroup var filter: FilterOptions
    @OptionGroup var locale: LocaleOptions

    @Option(help: "Target romanization.")
    var to: Target = .pinyin

    @Option(help: "Tones as marks (háng), numbers (hang2) or none (hang).")
    var tones: ToneStyle = .marks

    @Option(name: .customLong("neutral-tone"), help: "With --tones numbers: the neutral tone as 5 (de5) or none (de).")
    var neutralTone: Neutral = .five

    @Option(help: "How ü is written: ü, v or u:.")
    var umlaut: PinyinSyllable.Umlaut = .ü

    @Flag(help: "Each line is a personal name: surname readings (单 Shàn, 曾 Zēng), capitalized (Gāo Zhìshèng).")
    var names = false

    @Flag(help: "Follow each syllable with the rule that chose it, in braces: háng{phrase 银行}.")
    var explain = false

    func run() throws {
        let store = try locale.store()
        let lexicon: PinyinLexicon
        do { lexicon = try PinyinLexicon(store: store) } catch { throw Fatal(error.description) }
        let pinyin = PinyinTransliterator(lexicon: lexicon)
        let segmenter: WordSegmenter
        do { segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter()) }
        catch let error as LocaleStore.MissingData { throw Fatal(error.description) }
        keepUntilExit(lexicon, segmenter.data)
        var style = PinyinStyle(tones: tones)
        style.neutralFive = neutralTone == .five
        style.umlaut = umlaut
        struct Line: Encodable { let text: String; let pinyin: String; let tokens: [TokenJSON] }
        if !filter.json && !explain && !names {
            // The plain path stays on bytes; the words only break ties between
            // cuttings into phrases, so they are asked for only where a tie is found.
            var scalars: [Unicode.Scalar] = []
            try LineFilter(inputs: filter.files).runBytes { line, output in
                scalars.removeAll(keepingCapacity: true)
                UTF8Scalars.decode(line, into: &scalars)
                let syllables = pinyin.syllables(scalars) { (try? segmenter.spans(scalars)) ?? [] }
                pinyin.write(utf8: scalars, syllables: syllables, style: style, into: &output)
            }
            return
        }
        try LineFilter(inputs: filter.files).run { line in
            // Names mode reads the line its own way; words and readings are then
            // needed only for --json.
            if names && !filter.json { return pinyin.name(line, style: style) }
            // Without --json the words only break ties between cuttings into phrases,
            // so they are asked for only where a tie is found.
            let words = filter.json ? try segmenter.words(line) : []
            let readings = filter.json ? pinyin.readings(line, words: words)
                : pinyin.readings(line) { (try? segmenter.spans(Array(line.unicodeScalars))) ?? [] }
            var text = names ? pinyin.name(line, style: style) : pinyin.write(line, readings: readings, style: style)
            if explain && !names { text = Self.explained(line, readings, style) }
            guard filter.json else { return text }
            let scalars = Array(line.unicodeScalars)
            // One entry per Han character; one no source can read stays as written.
            let tokens = words.map { token in
                TokenJSON(text: token.text, start: token.start, end: token.end,
                          pinyin: (token.start..<token.end).compactMap { i in
                              scalars[i].isHan ? readings[i].map { $0.syllable.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: false) } ?? String(scalars[i]) : nil
                          },
                          rules: explain ? (token.start..<token.end).compactMap { i in scalars[i].isHan ? readings[i].map { "\($0.source)" } ?? "unknown" : nil } : nil)
            }
            return try jsonLine(Line(text: line, pinyin: text, tokens: tokens))
        }
    }

    static func explained(_ line: String, _ readings: [PinyinReading?], _ style: PinyinStyle) -> String {
        var out = ""
        for (scalar, reading) in zip(line.unicodeScalars, readings) {
            if let reading {
                if let last = out.last, !last.isWhitespace { out += " " }
                out += reading.syllable.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: false)
                out += "{\(reading.source)}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension PinyinSyllable.Umlaut: ExpressibleByArgument {}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert between Simplified and Traditional Chinese, line by line (OpenCC-compatible configurations).")

    @OptionGroup var filter: FilterOptions
    @OptionGroup var locale: LocaleOptions

    @Option(help: "The conversion: s2t, t2s, s2tw, tw2s, s2twp, tw2sp, s2hk or hk2s (required: there is no default).")
    var config: String

    @Flag(name: .customLong("opencc-matching"), help: "Plain OpenCC longest matching, without word boundaries settling overlapping matches.")
    var openccMatching = false

    func run() throws {
        let store = try locale.store()
        let converter: ChineseConverter
        var segmenter: WordSegmenter? = nil
        do {
            if try !openccMatching && ChineseConverter.usesWordBoundaries(configuration: config, store: store) {
                segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
                keepUntilExit(segmenter!.data)
            }
            converter = try ChineseConverter(configuration: config, store: store, lexicon: segmenter?.data)
        }
        catch let error as ChineseConverter.UnknownConfiguration { throw ValidationError(error.description) }
        catch { throw Fatal("\(error)") }
        keepUntilExit(converter)
        struct Line: Encodable { let text: String; let converted: String; let tokens: [TokenJSON] }
        if !filter.json {
            // The plain path stays on bytes: no String per line (FACTS 18).
            var scratch = ChineseConverter.Scratch()
            let words = segmenter.map { segmenter in { (text: [Unicode.Scalar]) in (try? segmenter.spans(text)) ?? [] } }
            // A batch of lines is walked as one text (see `convert(utf8Lines:…)`).
            try LineFilter(inputs: filter.files).runScalarBatches { lines, output in
                converter.convert(scalarLines: &lines, into: &output, scratch: &scratch, words: words)
            }
            return
        }
        try LineFilter(inputs: filter.files).run { line in
            // Words are segmented only where overlapping matches need them, and
            // only the clause around them (as on the plain path).
            let pieces = segmenter.map { segmenter in converter.pieces(line) { (try? segmenter.spans($0)) ?? [] } }
                ?? converter.pieces(line)
            return try jsonLine(Line(text: line, converted: pieces.map(\.text).joined(separator: ""),
                                     tokens: pieces.map { TokenJSON(text: $0.text, start: $0.start, end: $0.end) }))
        }
    }
}
