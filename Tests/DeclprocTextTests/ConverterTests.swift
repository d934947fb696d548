@testable import DeclprocText
import DeclprocLocales
import Foundation
import Testing
import TestSupport

/// OpenCC's curated test cases (Tests/Fixtures/opencc, Apache-2.0) for the eight
/// configurations declproc provides: every one must pass (457 of 457).
@Suite struct ConverterTests {
    struct Case: Decodable {
        let id: String
        let input: String
        let expected: [String: String]
    }
    struct File: Decodable { let cases: [Case] }

    static let configurations = ["s2t", "t2s", "s2tw", "tw2s", "s2twp", "tw2sp", "s2hk", "hk2s"]

    @Test(arguments: configurations)
    func openCCTestCases(configuration: String) throws {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: TestFiles.repository("Tests/Fixtures/opencc/testcases.json")))
        let store = try TestFiles.locales()
        let converter = try ChineseConverter(configuration: configuration, store: store)
        let words = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        var checked = 0
        for test in file.cases {
            guard let expected = test.expected[configuration] else { continue }
            checked += 1
            let got = converter.convert(test.input, words: try words.words(test.input))
            #expect(Array(got.unicodeScalars) == Array(expected.unicodeScalars), "\(test.id): \(got) ≠ \(expected)")
        }
        #expect(checked >= 20)
    }

    /// Where OpenCC's longest match runs across a word boundary, word segmentation
    /// settles it (FACTS 6); plain OpenCC matching still gives OpenCC's answer.
    /// The rival may be another conversion phrase (发明 against 被发) or only a word
    /// of the lexicon (如何 against 了如).
    @Test(arguments: [("被发明", "被發明", "被髮明"), ("这个被发送的", "這個被發送的", "這個被髮送的"), ("被发掘出来", "被發掘出來", "被髮掘出來"),
                      ("展示了如何", "展示了如何", "展示瞭如何"), ("他说明了如何使用", "他說明了如何使用", "他說明了如何使用"),
                      ("我们了解了如何工作", "我們瞭解了如何工作", "我們瞭解瞭如何工作"), ("他了如指掌", "他瞭如指掌", "他了如指掌")])
    func wordBoundariesSettleOverlappingMatches(input: String, expected: String, openCC: String) throws {
        let store = try TestFiles.locales()
        let data = try SegmentationData(store: store)
        let converter = try ChineseConverter(configuration: "s2t", store: store, lexicon: data)
        let words = try WordSegmenter(data: data, icu: try Segmenter()).words(input)
        #expect(converter.convert(input, words: words) == expected)
        #expect(converter.convert(input) == openCC)
    }

    /// Text handed over as the scalars normalizing made (what the pipeline does) reads
    /// as the text itself: sentences and both conversions, with and without words;
    /// the scalars are the normalized text's.
    @Test func scalarsGivenReadAsTheText() throws {
        let store = try TestFiles.locales()
        let data = try SegmentationData(store: store)
        let s2t = try ChineseConverter(configuration: "s2t", store: store, lexicon: data)
        let t2s = try ChineseConverter(configuration: "t2s", store: store)
        let words = WordSegmenter(data: data, icu: try Segmenter())
        let sentences = SentenceSegmenter(abbreviations: try SentenceSegmenter.abbreviations(store), icu: try Segmenter())
        let normalizer = TextNormalizer()
        let texts = try Self.realLines().prefix(300) + ["", " ", "被发明了。他说明了如何使用！Mr. Smith came. 好", "ＡＢＣ，全角　空格\u{200B}。",
                                                       "e\u{301}tude 被發明", "第一句。\n第二句；第三句……第四句"]
        for raw in texts {
            let normalized = try normalizer.normalize(raw)
            let text = normalized.text
            #expect(normalized.scalars == Array(text.unicodeScalars), "\(raw)")
            #expect(try sentences.sentences(scalars: normalized.scalars) == sentences.sentences(text), "\(raw)")
            let spans = try words.words(text).map { $0.start..<$0.end }
            #expect(s2t.convert(scalars: normalized.scalars, wordSpans: { spans }) == s2t.convert(text, wordSpans: { spans }), "\(raw)")
            #expect(t2s.convert(scalars: normalized.scalars, wordSpans: nil) == t2s.convert(text), "\(raw)")
        }
    }

    /// Real sentences (UD Chinese GSDSimp test text and the CPP sentences).
    static func realLines() throws -> [String] {
        var lines: [String] = []
        for path in ["Tests/Fixtures/ud-zh-gsdsimp/test.txt", "Tests/Fixtures/cpp-dev/dev.sent"] {
            let text = try String(contentsOf: TestFiles.repository(path), encoding: .utf8)
            lines += text.split(separator: "\n").prefix(1500).map { $0.replacingOccurrences(of: "▁", with: "") }
        }
        return lines
    }

    /// The walk that converts as it segments, the piece-by-piece path, the byte
    /// path and the byte path over a batch of lines are four ways to the same
    /// output, for every configuration, with and without word boundaries.
    @Test(arguments: configurations)
    func everyPathGivesTheSameOutput(configuration: String) throws {
        let store = try TestFiles.locales()
        let data = try SegmentationData(store: store)
        let converter = try ChineseConverter(configuration: configuration, store: store, lexicon: data)
        let segmenter = WordSegmenter(data: data, icu: try Segmenter())
        let words = { (stretch: [Unicode.Scalar]) in (try? segmenter.spans(stretch)) ?? [] }
        // The to-Simplified configurations read the sentences in Traditional.
        let toTraditional = try ChineseConverter(configuration: "s2twp", store: store)
        var scratch = ChineseConverter.Scratch()
        var changed = 0
        var lines: [[UInt8]] = [], outputs: [[UInt8]] = []
        for simplified in try Self.realLines() {
            let line = configuration.hasPrefix("s2") ? simplified : toTraditional.convert(simplified)
            let walked = converter.convert(line)
            #expect(converter.pieces(line).map(\.text).joined() == walked, "\(line)")
            var bytes: [UInt8] = []
            Array(line.utf8).withUnsafeBufferPointer { converter.convert(utf8: $0, into: &bytes, scratch: &scratch, words: nil) }
            #expect(String(decoding: bytes, as: UTF8.self) == walked, "\(line)")
            if walked != line { changed += 1 }
            lines.append(Array(line.utf8))
            bytes.removeAll()
            Array(line.utf8).withUnsafeBufferPointer { converter.convert(utf8: $0, into: &bytes, scratch: &scratch, words: words) }
            outputs.append(bytes)
        }
        #expect(changed > 100)
        // The lines in batches of every size up to 40, with the words (an empty line among them).
        lines.insert([], at: 7)
        outputs.insert([], at: 7)
        var batched: [UInt8] = [], start = 0, size = 1
        while start < lines.count {
            let buffers = lines[start..<min(lines.count, start + size)].map { line in
                let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, line.count))
                _ = copy.initialize(from: line)
                return UnsafeBufferPointer(start: copy.baseAddress, count: line.count)
            }
            defer { buffers.forEach { $0.deallocate() } }
            converter.convert(utf8Lines: buffers, into: &batched, scratch: &scratch, words: words)
            start += size
            size = size % 40 + 1
        }
        #expect(batched == outputs.flatMap { $0 + [0x0A] })
    }

    /// Segmenting only the clause around an overlap decides as the whole line's
    /// words do, on real sentences where the words change the output.
    @Test func clauseWordsDecideAsTheWholeLine() throws {
        let store = try TestFiles.locales()
        let data = try SegmentationData(store: store)
        let converter = try ChineseConverter(configuration: "s2t", store: store, lexicon: data)
        let segmenter = WordSegmenter(data: data, icu: try Segmenter())
        var decided = 0, clauses = 0
        for line in try Self.realLines() {
            let whole = converter.convert(line, words: try segmenter.words(line))
            let clause = converter.convert(line) { stretch in
                clauses += 1
                return (try? segmenter.spans(stretch)) ?? []
            }
            #expect(clause == whole, "\(line)")
            if whole != converter.convert(line) { decided += 1 }
        }
        #expect(decided >= 5)
        #expect(clauses > decided)
    }

    /// Words are asked for only where the overlap changes the output: 一伙|伙伴
    /// gives 一夥伴 either way, 被发|发明 does not (被髮明 or 被發明). Nor where
    /// every phrase in the overlap converts as its characters do alone, however
    /// the phrases chain on (不同|同学|学校: 不同學校 whichever wins), while one
    /// phrase that does not (于山 → 于山 where 于 alone becomes 於; 明了 → 明瞭,
    /// where 了 alone stays 了) brings the words back.
    @Test(arguments: [("他们一伙伴", "他們一夥伴", false), ("这是被发明的", "這是被發明的", true),
                      ("我们不同学校的人", "我們不同學校的人", false), ("此之后路过", "此之後路過", false),
                      ("它位于山东省", "它位於山東省", true), ("这项发明了不起", "這項發明了不起", true)])
    func wordsOnlyWhereTheChoiceMatters(input: String, expected: String, asks: Bool) throws {
        let store = try TestFiles.locales()
        let data = try SegmentationData(store: store)
        let converter = try ChineseConverter(configuration: "s2t", store: store, lexicon: data)
        let segmenter = WordSegmenter(data: data, icu: try Segmenter())
        var asked = false
        let output = converter.convert(input) { stretch in
            asked = true
            return (try? segmenter.spans(stretch)) ?? []
        }
        #expect(output == expected)
        #expect(asked == asks)
    }

    @Test func piecesMapBackToTheInput() throws {
        let converter = try ChineseConverter(configuration: "s2t", store: TestFiles.locales())
        let input = "我干活了，头发很长。"
        let pieces = converter.pieces(input)
        #expect(pieces.map(\.text).joined() == "我幹活了，頭髮很長。")
        #expect(pieces.first?.start == 0 && pieces.last?.end == input.unicodeScalars.count)
        for (a, b) in zip(pieces, pieces.dropFirst()) { #expect(a.end == b.start) }
    }

    /// The walk that converts in one pass writes through a pointer into room made
    /// for the text as long as it is: values longer than their keys, many of them,
    /// and characters whose value is two scalars must come out as the segment by
    /// segment path (`pieces`) gives them. A configuration of made-up dictionaries,
    /// since OpenCC's have no such values.
    @Test func valuesLongerThanTheirKeysFitTheRoom() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-grow-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let convert = folder.appendingPathComponent("zh/convert")
        try FileManager.default.createDirectory(at: convert.appendingPathComponent("config"), withIntermediateDirectories: true)
        try Data(#"{"version": "test"}"#.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        try Data(#"{"segmentation": ["P"], "chain": [["P", "C"]]}"#.utf8).write(to: convert.appendingPathComponent("config/grow.json"))
        let long = String(repeating: "长", count: 200)
        try Data("甲乙\t\(long)\n丙丁\t两\n丙丁戊\t三个字\n".utf8).write(to: convert.appendingPathComponent("P.txt"))
        try Data("甲\t甲\n丙\t并\n己\t己己\n".utf8).write(to: convert.appendingPathComponent("C.txt"))
        var store = try LocaleStore(root: folder)
        store.cache = CompiledCache(directory: nil)
        let converter = try ChineseConverter(configuration: "grow", store: store)
        #expect(converter.convert("甲乙己丙丁丙丁戊丙甲x") == long + "己己两三个字并甲x")
        for text in [String(repeating: "甲乙", count: 40), String(repeating: "己甲乙丙", count: 30) + "丙丁",
                     String(repeating: "x甲乙", count: 3) + String(repeating: "己", count: 600)] {
            let expected = converter.pieces(text).map(\.text).joined()
            #expect(converter.convert(text) == expected)
            #expect(expected.count > text.count)
            var scratch = ChineseConverter.Scratch(), bytes: [UInt8] = []
            Array(text.utf8).withUnsafeBufferPointer { converter.convert(utf8: $0, into: &bytes, scratch: &scratch, words: nil) }
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
        }
    }

    @Test func unknownConfigurationNamesTheAvailableOnes() throws {
        #expect(throws: ChineseConverter.UnknownConfiguration.self) {
            try ChineseConverter(configuration: "s2x", store: TestFiles.locales())
        }
    }

    /// The dictionary lists' tables come from the compiled cache: read back, they
    /// answer as lists built afresh from the same dictionaries, at every position of
    /// the test cases' texts and of text from every plane.
    @Test(arguments: configurations)
    func dictionaryListsReadBackAnswerAsBuilt(configuration: String) throws {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: TestFiles.repository("Tests/Fixtures/opencc/testcases.json")))
        let converter = try ChineseConverter(configuration: configuration, store: try TestFiles.locales())
        var texts: [[Unicode.Scalar]] = file.cases.map { Array($0.input.unicodeScalars) }
        texts.append(Array("发明𠮷𪢮了a\u{10FFFD}後来 臺灣 裏面 干涉 乾燥".unicodeScalars))
        func match(_ m: (length: Int, dictionary: Int, entry: Int)?) -> [Int]? { m.map { [$0.length, $0.dictionary, $0.entry] } }
        let lists: [DictionaryList] = [converter.segmentation, converter.fusedRest] + converter.chain
        for loaded in lists {
            let fresh = DictionaryList(loaded.dictionaries)
            var writer = BinaryWriter()
            fresh.write(to: &writer)
            var reader = BinaryReader(writer.bytes)
            let read = try DictionaryList(from: &reader, dictionaries: loaded.dictionaries)
            #expect(reader.isAtEnd)
            for list in [loaded, read] {
                for text in texts {
                    for start in text.indices {
                        #expect(match(list.firstMatch(text, from: start, limit: text.count)) == match(fresh.firstMatch(text, from: start, limit: text.count)))
                        #expect(match(list.longestMatch(text, from: start, limit: text.count)) == match(fresh.longestMatch(text, from: start, limit: text.count)))
                        #expect(list.aloneValue(text[start]) == fresh.aloneValue(text[start]))
                    }
                    var a: [Unicode.Scalar] = [], b: [Unicode.Scalar] = []
                    list.convert(text, text.indices, into: &a)
                    fresh.convert(text, text.indices, into: &b)
                    #expect(a == b)
                }
                #expect(list.isOneOfPhrases == fresh.isOneOfPhrases)
            }
        }
    }
}

/// The pair table keeps two BMP characters and their value in one slot and the pairs
/// with a character beyond the BMP apart: both kinds are found, before and after the
/// compiled form's round trip, and pairs never stored are not.
@Suite struct PairTableTests {
    @Test func pairsOfEveryPlaneAreFoundAfterTheRoundTrip() throws {
        let scalars: [Unicode.Scalar] = ["发", "明", "了", "𠮷", "𪢮", "\u{10FFFD}", "a", "\u{FFFF}"]
        var stored: [(UInt64, UInt32)] = []
        var table = FingerprintTable()
        for (k, a) in scalars.enumerated() {
            for (j, b) in scalars.enumerated() where (k + j) % 3 != 0 {
                let code = Fingerprint.pair(a, b), value = UInt32(k * 100 + j + 1) | (k % 2 == 0 ? ConversionDictionary.continues : 0)
                table.insert(code, value)
                stored.append((code, value))
            }
        }
        let built = PairTable(table)
        var writer = BinaryWriter()
        built.write(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let read = try PairTable(from: &reader)
        for pairs in [built, read] {
            for (code, value) in stored { #expect(pairs.value(code) == value) }
            for (k, a) in scalars.enumerated() {
                for (j, b) in scalars.enumerated() where (k + j) % 3 == 0 { #expect(pairs.value(Fingerprint.pair(a, b)) == 0) }
            }
            #expect(!pairs.isEmpty)
        }
        #expect(PairTable(FingerprintTable()).isEmpty)
    }
}
