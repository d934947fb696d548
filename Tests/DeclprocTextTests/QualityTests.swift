@testable import DeclprocText
import Foundation
import Testing
import TestSupport

/// The text engine on evaluation data it was not built from (see each fixture's README).
@Suite struct QualityTests {
    static func lines(_ path: String) throws -> [String] {
        try String(contentsOf: TestFiles.repository(path), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).filter { !$0.isEmpty }
    }

    static func spans(_ words: [String]) -> Set<[Int]> {
        var result = Set<[Int]>()
        var position = 0
        for word in words {
            let length = word.unicodeScalars.count
            result.insert([position, position + length])
            position += length
        }
        return result
    }

    /// Word F1 on UD Chinese GSDSimp test (target ≥ 0.85; ICU alone scores 0.79).
    @Test func wordSegmentationF1() throws {
        let raw = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt")
        let gold = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.words.txt")
        #expect(raw.count == 500 && gold.count == 500)
        let segmenter = WordSegmenter(data: try SegmentationData(store: TestFiles.locales()), icu: try Segmenter())
        var tp = 0, fp = 0, fn = 0, icuTP = 0, icuFP = 0, icuFN = 0
        let icu = try Segmenter()
        for (text, reference) in zip(raw, gold) {
            let g = Self.spans(reference.split(separator: " ").map(String.init))
            let p = Self.spans(try segmenter.words(text).map(\.text))
            tp += p.intersection(g).count; fp += p.subtracting(g).count; fn += g.subtracting(p).count
            let i = Self.spans(try icu.words(text).map(\.text))
            icuTP += i.intersection(g).count; icuFP += i.subtracting(g).count; icuFN += g.subtracting(i).count
        }
        func f1(_ tp: Int, _ fp: Int, _ fn: Int) -> Double {
            let p = Double(tp) / Double(tp + fp), r = Double(tp) / Double(tp + fn)
            return 2 * p * r / (p + r)
        }
        #expect(f1(tp, fp, fn) >= 0.87, "word F1 \(f1(tp, fp, fn))")
        #expect(f1(icuTP, icuFP, icuFN) < 0.80, "ICU alone \(f1(icuTP, icuFP, icuFN)): the refinement must be what lifts F1")
    }

    /// Lines segmented together (one call to ICU, as the `segment` filter does) give
    /// each line's words exactly as segmenting it alone: the 500 test sentences in
    /// batches of 37, with empty lines, Latin, digits and a lone carriage return among them.
    @Test func linesSegmentedTogetherEqualLinesAlone() throws {
        var lines = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt")
        lines.insert(contentsOf: ["", "AK-47 和 600-1100 号", "2024年3月5日，\r他说", "   ", "一个人"], at: 17)
        let segmenter = WordSegmenter(data: try SegmentationData(store: TestFiles.locales()), icu: try Segmenter())
        let alone = try lines.map { try segmenter.spans(Array(scalarsOf: $0)) }
        var together: [[Range<Int>]] = []
        for first in stride(from: 0, to: lines.count, by: 37) {
            var text: [Unicode.Scalar] = [], ranges: [Range<Int>] = []
            for line in lines[first..<min(lines.count, first + 37)] {
                if !ranges.isEmpty { text.append("\n") }
                let start = text.count
                text += Array(scalarsOf: line)
                ranges.append(start..<text.count)
            }
            together += try segmenter.spans(lines: text, at: ranges)
        }
        #expect(together.count == alone.count)
        for (k, (a, b)) in zip(alone, together).enumerated() { #expect(a == b, "line \(k): \(lines[k])") }
    }

    /// ICU's spans read clause by clause (`WordSegmenter.icuSpans`, through its memo
    /// of clauses) equal ICU's own on the whole text: the treebank's 500 sentences one
    /// by one and in batches, twice over (so that clauses come back from the memo), and
    /// 4,000 seeded strings of clause marks beside ideographs, digits (ASCII and full
    /// width), letters, kana, Hangul, combining marks, joiners, emoji, spaces and line
    /// breaks, where a wrong cut would show.
    @Test func clauseSpansAreICUsOwn() throws {
        let icu = try Segmenter()
        let segmenter = WordSegmenter(data: try SegmentationData(store: TestFiles.locales()), icu: try Segmenter())
        var texts = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt")
        for first in stride(from: 0, to: 500, by: 7) { texts.append(texts[first..<min(500, first + 7)].joined(separator: "\n")) }
        texts += ["我说：“好。”", "１，２；３：４", "1，2", "a：b", "中，1", "1，中", "。。。", "，", "（中）", "中。\u{301}文",
                  "中，\u{200D}文", "“中”\n“文”", "ア。イ", "中。😀", "中 ，文", "한，국", "\n。\n"]
        let alphabet: [Unicode.Scalar] = ["中", "文", "年", "〇", "1", "２", "a", "Z", "ア", "ひ", "。", "，", "；", "：", "、", "（", "）",
                                           "“", "”", "！", "？", " ", "\n", "\u{301}", "\u{200D}", "\u{FE0F}", "😀", "한", ".", ",", "-", "'"]
        var random = SplitMix(seed: 31)
        for _ in 0..<4_000 {
            texts.append(String(String.UnicodeScalarView((0..<(1 + Int(random.next() % 24))).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })))
        }
        var differ = 0
        for text in texts + texts {
            let scalars = Array(scalarsOf: text)
            let own = try icu.wordSpans(scalars), byClause = try segmenter.icuSpans(scalars)
            if own != byClause { differ += 1 }
            #expect(own == byClause, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            if differ > 10 { break }
        }
    }

    /// A line segmented lately is looked up, not segmented again (`words(each:)`), and
    /// keeps its words: the 500 test sentences three times over in a seeded order,
    /// in batches of one to nine lines, through a memo of 16 lines a generation (so
    /// that lines are dropped and come back, and a batch mixes lines looked up with
    /// lines segmented), each give the words segmenting the line alone gives.
    @Test func recentLinesKeepTheirWords() throws {
        let lines = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt") + ["", "一个人", "AK-47 和 600-1100 号"]
        let segmenter = WordSegmenter(data: try SegmentationData(store: TestFiles.locales()), icu: try Segmenter(), recentLines: 16)
        let alone = try lines.map { line in
            let scalars = Array(scalarsOf: line)
            return try segmenter.spans(scalars).map { Token(text: String(scalars: scalars[$0]), start: $0.lowerBound, end: $0.upperBound) }
        }
        var order = Array(lines.indices) + Array(lines.indices) + Array(lines.indices)
        var random = SplitMix(seed: 20261205)
        for k in order.indices.reversed() { order.swapAt(k, Int(random.next() % UInt64(k + 1))) }
        // A repeat within a few lines, to be found in the current generation too.
        order.insert(contentsOf: [3, 3, 4, 3], at: 100)
        var position = 0, checked = 0
        while position < order.count {
            let batch = Array(order[position..<min(order.count, position + 1 + Int(random.next() % 9))])
            for (k, words) in zip(batch, try segmenter.words(each: batch.map { lines[$0] })) {
                #expect(words == alone[k], "line \(k): \(lines[k])")
                checked += 1
            }
            position += batch.count
        }
        #expect(checked == order.count)
        #expect(try segmenter.words(lines[7]) == alone[7])
    }

    /// Runs of Han read before (`RunReadings`) are read as they are read afresh:
    /// lines of the CPP and treebank sets and made-up ones (numbers, demonstratives
    /// and edges around measure words and particles, Traditional text), three times
    /// over in shuffled order through one transliterator, against `readings`, which
    /// keeps nothing from line to line.
    @Test func runsReadAgainReadAsAfresh() throws {
        let store = try TestFiles.locales()
        let lexicon = try PinyinLexicon(store: store)
        let pinyin = PinyinTransliterator(lexicon: lexicon), fresh = PinyinTransliterator(lexicon: lexicon)
        let segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        let made = ["3只鸡", "，只鸡", "只鸡", "a只鸡", "3只", "3哩", "，哩", "3哩，", "a哩", "卷3", "卷，", "这只鸡", "只有他", "一只鸡。只有", "，只", "只", "他来了", "他来了吗", "了，", "1986年入党", "二〇〇五年入团",
                    "第3卷", "卷3", "五更天", "一觉醒来", "这觉睡得好", "還給我", "還有", "他還給我錢了", "首都", "都来了", "成都市都来了",
                    "长城上行走", "上行走", "曾经", "曾先生", "我曾经相信少先队的宣传，1986年入党入团。", "我曾經相信少先隊的宣傳，1986年入黨入團。"]
        var lines = made
        lines += try Self.lines("Tests/Fixtures/cpp-dev/dev.sent").prefix(400).map { $0.replacingOccurrences(of: "▁", with: "") }
        lines += try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt").prefix(300)
        var order = Array(lines.indices) + Array(lines.indices) + Array(lines.indices)
        var random = SplitMix(seed: 29)
        for k in order.indices.reversed() where k > 0 { order.swapAt(k, Int(random.next() % UInt64(k + 1))) }
        var checked = 0
        for index in order {
            let text = lines[index]
            let words = try segmenter.words(text)
            let expected = fresh.readings(text, words: words).map { $0?.syllable }
            #expect(pinyin.syllables(text, words: words) == expected, "\(text)")
            checked += 1
        }
        #expect(checked == 3 * lines.count)
    }

    /// Two styles written in one walk are each style written alone: marks and numbers
    /// (what records carry), a style that spells ü otherwise, and neutral tones unmarked.
    @Test func twoStylesAtOnceAreEachAlone() throws {
        let store = try TestFiles.locales()
        let pinyin = PinyinTransliterator(lexicon: try PinyinLexicon(store: store))
        let segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        var colon = PinyinStyle(tones: .numbers)
        colon.umlaut = .colon
        var plain = PinyinStyle(tones: .numbers)
        plain.neutralFive = false
        let pairs = [(PinyinStyle(tones: .marks), PinyinStyle(tones: .numbers)), (PinyinStyle(tones: .numbers), colon),
                     (plain, PinyinStyle(tones: .none)), (PinyinStyle(tones: .none), PinyinStyle(tones: .marks))]
        let lines = try Self.lines("Tests/Fixtures/ud-zh-gsdsimp/test.txt").prefix(200) + ["", "女儿去绿色的旅馆。", "（他）说：“了，”吗？",
                                                                                             "abc 中文 def", "一二三 4 五"]
        for text in lines {
            let scalars = Array(text.unicodeScalars)
            let syllables = pinyin.syllables(text, words: try segmenter.words(text))
            for (first, second) in pairs {
                let both = pinyin.write(scalars: scalars, syllables: syllables, styles: first, second)
                #expect(both.0 == pinyin.write(scalars: scalars, syllables: syllables, style: first), "\(text)")
                #expect(both.1 == pinyin.write(scalars: scalars, syllables: syllables, style: second), "\(text)")
            }
        }
    }

    /// Polyphonic characters read right on the CPP dev split (ICU 78.8%, pypinyin 87.9%).
    @Test func pinyinPolyphoneAccuracy() throws {
        let sentences = try Self.lines("Tests/Fixtures/cpp-dev/dev.sent")
        let labels = try Self.lines("Tests/Fixtures/cpp-dev/dev.lb")
        let store = try TestFiles.locales()
        let pinyin = PinyinTransliterator(lexicon: try PinyinLexicon(store: store))
        let segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        var right = 0, differing = 0
        for (sentence, label) in zip(sentences, labels) {
            let scalars = Array(sentence.unicodeScalars)
            guard let marker = scalars.firstIndex(of: "▁") else { continue }
            let text = String(String.UnicodeScalarView(scalars.filter { $0 != "▁" }))
            let words = try segmenter.words(text)
            let readings = pinyin.readings(text, words: words)
            let reading = readings[marker]
            if reading?.syllable.written(.numbers, neutralFive: true, umlaut: .colon, capitalized: false) == label { right += 1 }
            // Records take the syllables without their sources: the same choice.
            if pinyin.syllables(text, words: words) != readings.map({ $0?.syllable }) { differing += 1 }
        }
        let accuracy = Double(right) / Double(labels.count)
        #expect(accuracy >= 0.935, "accuracy \(accuracy)")
        #expect(differing == 0, "\(differing) sentences read otherwise without sources")
    }
}

@Suite struct WordSegmenterTests {
    static let data = try! SegmentationData(store: TestFiles.locales())

    /// Each case names the words a rule must produce (the rest is ICU's and the lexicon's call).
    @Test(arguments: [
        ("银行行长在长城上行走", ["银行", "行长", "在", "长城", "上", "行走"]),
        ("吴骏彦和玛丽娜去了", ["吴", "骏彦", "玛丽娜"]),
        ("我买了一个东西，第一个也是", ["一", "个", "第一"]),
        ("这种事有500多人", ["这", "种", "500多"]),
        ("有四百五十万的第6名", ["四百五十万", "第6"]),
        ("他用AK-47打了600-1100发——真的……", ["AK-47", "600", "-", "1100", "——", "……"]),
        ("銀行行長在長城上行走", ["銀行", "行長", "長城", "行走"]),
    ])
    func refinements(input: String, expected: [String]) throws {
        let words = try WordSegmenter(data: Self.data, icu: Segmenter()).words(input)
        let texts = words.map(\.text)
        for word in expected { #expect(texts.contains(word), "\(word) not in \(texts)") }
        let scalars = Array(input.unicodeScalars)
        for word in words { #expect(String(String.UnicodeScalarView(scalars[word.start..<word.end])) == word.text) }
    }

    @Test func userLexiconJoinsUnknownWords() throws {
        let text = "我爱北冥有鱼"
        let plain = try WordSegmenter(data: Self.data, icu: Segmenter()).words(text).map(\.text)
        #expect(!plain.contains("北冥有鱼"))
        let data = try SegmentationData(store: TestFiles.locales(), extraWords: ["北冥有鱼"])
        #expect(try WordSegmenter(data: data, icu: Segmenter()).words(text).map(\.text).contains("北冥有鱼"))
    }
}
