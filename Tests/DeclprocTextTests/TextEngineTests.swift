@testable import DeclprocText
import DeclprocICU
import Testing
import TestSupport

@Suite struct NormalizerTests {
    static let defaults = TextNormalizer()

    @Test(arguments: [
        ("ＡＢＣ１２３", "ABC123"),
        ("你好，世界！（测试）？：；", "你好，世界！（测试）？：；"),
        ("「引号」『书名』《书》。、", "「引号」『书名』《书》。、"),
        ("全角　空格", "全角 空格"),
        ("  前后  空白\t\t中间  ", "前后 空白 中间"),
        ("零\u{200B}宽\u{202E}覆盖\u{0007}控制", "零宽覆盖控制"),
        ("e\u{301}", "\u{E9}"),
        ("Ｈｅｌｌｏ，ｗｏｒｌｄ", "Hello，world"),
        // Text no stage changes comes back as it went in; one change anywhere is seen.
        ("声明 退出 共青团。", "声明 退出 共青团。"), ("a\tb", "a b"), ("a\nb", "a b"), (" a", "a"), ("a ", "a"),
        ("a  b", "a b"), ("a\u{A0}b", "a b"), ("a\u{3000}b", "a b"), ("a\u{2028}b", "a b"), ("", ""), (" ", ""),
        ("Ａ b", "A b"), ("x\u{FEFF}", "x"), ("é e\u{301}", "é é"),
    ])
    func defaultNormalization(input: String, expected: String) throws {
        let result = try Self.defaults.normalize(input)
        #expect(Array(result.text.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test func nfkcFoldsCompatibilityButKeepsChinesePunctuation() throws {
        var options = TextNormalizer.Options()
        options.form = .nfkc
        let result = try TextNormalizer(options: options).normalize("①ﬁ，。")
        // NFKC alone would turn "，" into ","; the full-width comma is kept as Chinese punctuation.
        #expect(result.text.unicodeScalars.map(\.value) == "1fi，。".unicodeScalars.map(\.value))
    }

    @Test(arguments: [
        (TextNormalizer.Punctuation.ascii, "他说：「你好。」", "他说:\"你好.\""),
        (.cjk, "他说:你好.", "他说：你好。"),
        (.keep, "他说:你好.", "他说:你好."),
    ])
    func punctuationModes(mode: TextNormalizer.Punctuation, input: String, expected: String) throws {
        var options = TextNormalizer.Options()
        options.punctuation = mode
        #expect(try TextNormalizer(options: options).normalize(input).text == expected)
    }

    /// Every output scalar must come from the input scalar its offset names.
    @Test(arguments: ["ＡＢＣ 你好\u{200B}世界  e\u{301}x 𠮷😀", "\u{1E0A}\u{323}ａ", "  x  ", ""])
    func offsetsPointBackIntoTheInput(input: String) throws {
        let result = try Self.defaults.normalize(input)
        let out = Array(result.text.unicodeScalars)
        let original = Array(input.unicodeScalars)
        #expect(result.offsets.count == out.count + 1)
        #expect(result.offsets == result.offsets.sorted())
        var plain = TextNormalizer.Options()
        plain.collapseWhitespace = false
        plain.removeInvisible = false
        let perSource = TextNormalizer(options: plain)
        for (i, offset) in result.offsets.dropLast().enumerated() {
            #expect(offset < original.count)
            if out[i] == " " { #expect(original[offset].properties.isWhitespace); continue }
            // The output scalar comes from the segment that starts at its offset.
            let segment = String(String.UnicodeScalarView(original[offset...].prefix(4)))
            let normalized = try perSource.normalize(segment).text.unicodeScalars
            #expect(normalized.contains(out[i]), "output \(out[i]) at \(i) mapped to \(original[offset])")
        }
        #expect(result.offsets.last! <= original.count)
    }

    @Test func invisibleCharactersAreCounted() throws {
        #expect(try Self.defaults.normalize("a\u{200B}b\u{202E}c\u{FEFF}").removed == 3)
    }
}

@Suite struct SegmenterTests {
    @Test func chineseWords() throws {
        let words = try Segmenter().words("银行行长在长城上行走。")
        #expect(words.map(\.text) == ["银行", "行长", "在", "长城", "上", "行走", "。"])
        #expect(words.map(\.start) == [0, 2, 4, 5, 7, 8, 10])
    }

    @Test func whitespaceIsNotAToken() throws {
        let words = try Segmenter().words("  I quit  the CCP. ")
        #expect(words.map(\.text) == ["I", "quit", "the", "CCP", "."])
        #expect(words[1].start == 4 && words[1].end == 8)
    }

    @Test func offsetsCountScalarsNotUTF16() throws {
        let text = "𠮷野家 😀 ok"
        let words = try Segmenter().words(text)
        let scalars = Array(text.unicodeScalars)
        for word in words {
            #expect(String(String.UnicodeScalarView(scalars[word.start..<word.end])) == word.text)
        }
        #expect(words.last?.text == "ok" && words.last?.start == 6)
    }

    @Test(arguments: [
        ("我退出中共。你呢？好的！", ["我退出中共。", "你呢？", "好的！"]),
        ("他说：“我退党了。”然后走了。", ["他说：“我退党了。”", "然后走了。"]),
        ("Mr. Smith quit. Dr. Li stayed.", ["Mr. Smith quit.", "Dr.", "Li stayed."]),
        ("", []),
        ("   ", []),
    ])
    func sentences(input: String, expected: [String]) throws {
        #expect(try Segmenter().sentences(input).map(\.text) == expected)
    }
}

@Suite struct ScriptDetectorTests {
    static let detector = try! ScriptDetector(store: TestFiles.locales())

    /// The table comes from the compiled cache: read back, it tells every scalar what
    /// the table made from the text files tells it.
    @Test func tableReadBackTellsAsMade() throws {
        let made = try ScriptDetector.telling(TestFiles.locales())
        var telling = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(Self.detector.telling[scalar] == made[scalar])
            if made[scalar] != 0 { telling += 1 }
        }
        #expect(telling > 2_000)
    }

    @Test(arguments: [
        ("我声明退出中国共产党和共青团。", "Hans", "zh-Hans", "simplified", nil as String?),
        ("我聲明退出中國共產黨和共青團。", "Hant", "zh-Hant", "traditional", nil),
        ("我在台灣的大學裡讀書，這裡很好。", "Hant", "zh-Hant-TW", "traditional", "TW"),
        ("香港的電綫和衞生問題。", "Hant", "zh-Hant-HK", "traditional", "HK"),
        ("简体中文的文字内容，這個是繁體字的句子，還有關係", "Hant", "zh-Hant", "mixed", nil),
        ("I quit the Communist Party.", "Latn", "en", nil, nil),
        ("我支持三退运动 and the people who quit", "Zyyy", "zh-Hans", "simplified", nil),
    ])
    func classify(text: String, script: String, lang: String, chinese: String?, region: String?) {
        let result = Self.detector.classify(text)
        #expect(result.script == script)
        #expect(result.lang == lang)
        #expect(result.chinese == chinese)
        #expect(result.region == region)
    }

    /// The byte-level count is the count by scalar and property: seeded texts of ASCII,
    /// Latin letters past ASCII, ideographs of every Han range (telling ones too),
    /// punctuation and other scripts, each at one to four UTF-8 bytes.
    @Test func countsAreTheScalarCounts() {
        let detector = Self.detector
        func byScalar(_ text: String) -> ScriptDetector.Counts {
            var counts = ScriptDetector.Counts()
            for scalar in text.unicodeScalars {
                if scalar.isHan {
                    counts.han += 1
                    let flags = detector.telling[scalar]
                    if flags & 1 != 0 { counts.simplified += 1 } else if flags & 2 != 0 { counts.traditional += 1 }
                    if flags & 4 != 0 { counts.taiwan += 1 } else if flags & 8 != 0 { counts.hongKong += 1 }
                } else if scalar.isLatinLetter {
                    counts.latin += 1
                }
            }
            return counts
        }
        let pool = Array("aZz@[`{09 \n\t,.éÀßǅɐΣжאش一龥䶵㐀〇豈鿿ꀀ国國台臺裡裏綫线為为你，。！？、「」（）𠀀𪛖𰀀\u{323AF}\u{323B0}🙂\u{FFFD}\u{7F}\u{80}\u{2FF}\u{4DFF}\u{FA2A}".unicodeScalars)
        var generator = SplitMix(seed: 7)
        for length in [0, 1, 2, 3, 10, 100, 1_000] {
            for _ in 0..<20 {
                var text = String.UnicodeScalarView()
                for _ in 0..<length { text.append(pool[Int(generator.next() % UInt64(pool.count))]) }
                let string = String(text)
                #expect(detector.counts(string) == byScalar(string), "\(string)")
            }
        }
    }

    /// A page language of printable ASCII read from its bytes is the one read by
    /// Character: every case, separator and length of part, and values that are no tag.
    @Test func quickLanguageTagIsTheParsedOne() {
        let values = ["zh", "ZH", "zh-CN", "zh_cn", "zh-Hant-TW", "ZH-HANT-hk", "zh-tw", "zh-MO", "zh-SG", "zh-my", "zh-419",
                      "en-US", "en_gb", "eng", "e", "english", "zh--CN", "-zh", "zh-", "zh-Hans-CN-x-private", "zh-12",
                      "zh-1a", "zh-Latn", "zh-Hant-Hans", "x-klingon", "zh CN", "zh-C N", "@@", "zh-CN ", "a-bcde-fg"]
        for value in values {
            #expect(LanguageTag.quick(value) == .some(LanguageTag(parsing: value)), "\(value)")
        }
        for value in ["zh-\u{7F}", "zh\r\n-CN", "zh-台灣", "zh\tCN", "ｚｈ-CN"] {
            #expect(LanguageTag.quick(value) == .none, "\(value)")
            #expect(LanguageTag(value) == LanguageTag(parsing: value), "\(value)")
        }
    }

    /// Texts classified as lines are classified as the text they make joined by line
    /// breaks: the table's texts and mixtures of them, with each page language.
    @Test func linesAreTheirJoinedText() {
        let texts = ["我声明退出中国共产党和共青团。", "我聲明退出中國共產黨和共青團。", "我在台灣的大學裡讀書，這裡很好。",
                     "香港的電綫和衞生問題。", "I quit the Communist Party.", "", "\n", "3 4"]
        var generator = SplitMix(seed: 5)
        for pageLang in [nil, "zh-CN", "zh-Hant-HK", "en"] as [String?] {
            let page = ScriptDetector.PageLanguage(pageLang)
            for count in 0...5 {
                for _ in 0..<10 {
                    let lines = (0..<count).map { _ in texts[Int(generator.next() % UInt64(texts.count))] }
                    let joined = Self.detector.classify(lines.joined(separator: "\n"), page: page)
                    let asLines = Self.detector.classify(lines: lines, page: page)
                    #expect(asLines.script == joined.script && asLines.lang == joined.lang, "\(lines)")
                    #expect(asLines.chinese == joined.chinese && asLines.region == joined.region, "\(lines)")
                }
            }
        }
    }

    @Test func pageLanguageGivesTheRegionAndBreaksTies() {
        #expect(Self.detector.classify("本人声明退出", pageLang: "zh-CN").lang == "zh-Hans-CN")
        #expect(Self.detector.classify("我們", pageLang: "zh-Hant-HK").lang == "zh-Hant-HK")
        #expect(Self.detector.classify("本人", pageLang: "zh-TW").script == "Hant")
    }
}

@Suite struct SentenceSegmenterTests {
    static let abbreviations = try! SentenceSegmenter.abbreviations(TestFiles.locales())

    @Test(arguments: [
        ("Mr. Smith quit. Dr. Li stayed in the U.S. for years.", ["Mr. Smith quit.", "Dr. Li stayed in the U.S. for years."]),
        ("我退出中共；他也退了。", ["我退出中共；", "他也退了。"]),
        ("我想了很久……终于决定了。", ["我想了很久……", "终于决定了。"]),
        ("他说：“我退党了。”然后走了。", ["他说：“我退党了。”", "然后走了。"]),
        ("他犹豫……，最后同意了。", ["他犹豫……，最后同意了。"]),
        ("I quit the CCP. 我也退了！真的？", ["I quit the CCP.", "我也退了！", "真的？"]),
    ])
    func sentences(input: String, expected: [String]) throws {
        let segmenter = SentenceSegmenter(abbreviations: Self.abbreviations, icu: try Segmenter())
        let sentences = try segmenter.sentences(input)
        #expect(sentences.map(\.text) == expected)
        let scalars = Array(input.unicodeScalars)
        for s in sentences { #expect(String(String.UnicodeScalarView(scalars[s.start..<s.end])) == s.text) }
    }

    /// The last word is the text after the last space, tab or "(", trailing ones ignored;
    /// checked against that definition written the plain way.
    @Test func lastWordAbbreviation() throws {
        let segmenter = SentenceSegmenter(abbreviations: Self.abbreviations, icu: try Segmenter())
        func plain(_ sentence: String) -> Bool {
            guard let last = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" }).last else { return false }
            return Self.abbreviations.contains(String(last))
        }
        let cases: [(String, Bool)] = [
            ("He met Dr.", true), ("(Dr.", true), ("see p.", true), ("Mr. Smith", false), ("", false), ("  \t ", false),
            ("end (", false), ("in the U.S.", true), ("中文Dr.", false), ("x\tMrs.", true), ("etc.", false), ("Dr. ", true),
            ("Inc.(", true), ("met Mr.(  ", true), ("approximately.", false), ("approx.", true), ("Ｄｒ．", false),
            ("退出中共。", false), ("Prof.\u{301}", false), ("e.g.", true), ("le Dr.", true), ("ZDr.", false),
        ]
        for (sentence, expected) in cases {
            #expect(plain(sentence) == expected, "the table: \(sentence)")
            #expect(segmenter.endsWithAbbreviation(sentence) == expected, "\(sentence)")
        }
    }
}

@Suite struct PinyinTests {
    static let lexicon = try! PinyinLexicon(store: TestFiles.locales())
    var pinyin: PinyinTransliterator { PinyinTransliterator(lexicon: Self.lexicon) }

    static func transliterate(_ text: String, _ tones: ToneStyle = .marks) throws -> String {
        PinyinTransliterator(lexicon: lexicon).transliterate(text, words: try Segmenter().words(text), tones: tones)
    }

    @Test(arguments: [
        // FACTS 5: ICU gets xíng for 行 in 银行 and 行长, zhǎng for 长城.
        ("银行行长在长城上行走", "yín háng háng zhǎng zài cháng chéng shàng xíng zǒu"),
        ("我们都是好朋友", "wǒ men dōu shì hǎo péng yǒu"),
        ("绿色的女儿", "lǜ sè de nǚ ér"),
        ("我爱Swift编程", "wǒ ài Swift biān chéng"),
        ("你好，世界。", "nǐ hǎo，shì jiè。"),
        ("重新声明退出共青团", "chóng xīn shēng míng tuì chū gòng qīng tuán"),
    ])
    func marks(input: String, expected: String) throws {
        #expect(try Self.transliterate(input) == expected)
    }

    @Test func tonesAsNumbersAndNone() throws {
        #expect(try Self.transliterate("绿色的女儿", .numbers) == "lü4 se4 de5 nü3 er2")
        #expect(try Self.transliterate("绿色的女儿", .none) == "lü se de nü er")
    }

    /// 𠮷 has no reading in the lexicon (nor in ICU): it stays as written, never guessed.
    @Test func unknownHanIsKeptAsWritten() throws {
        #expect(try Self.transliterate("𠮷野家") == "𠮷 yě jiā")
    }

    @Test(arguments: [
        ("了解得很清楚，我觉得不行", "liǎo jiě de hěn qīng chǔ，wǒ jué de bù xíng"),
        ("他走了。我们都去了还没回来", "tā zǒu le。wǒ men dōu qù le hái méi huí lái"),
        ("这种东西一种也没有", "zhè zhǒng dōng xī yī zhǒng yě méi yǒu"),
    ])
    func contextRules(input: String, expected: String) throws {
        #expect(try Self.transliterate(input) == expected)
    }

    @Test func everyReadingSaysWhichRuleChoseIt() throws {
        let text = "银行行长都去"
        let readings = pinyin.readings(text, words: try Segmenter().words(text))
        #expect(readings[0]?.source == .phrase("银行"))
        #expect(readings[4]?.source.description.hasPrefix("rule") == true, "\(String(describing: readings[4]?.source))")
        #expect(readings[5]?.source == .character || readings[5]?.source == .defaultReading)
    }

    @Test(arguments: [
        ("高智晟", "Gāo Zhìshèng", ToneStyle.marks), ("高智晟", "Gao Zhisheng", .none), ("单田芳", "Shàn Tiánfāng", .marks),
        ("曾国藩", "Zēng Guófān", .marks), ("解缙", "Xiè Jìn", .marks), ("仇英", "Qiú Yīng", .marks), ("区志", "Ōu Zhì", .marks),
        ("查良镛", "Zhā Liángyōng", .marks), ("朴槿惠", "Piáo Jǐnhuì", .marks), ("欧阳修", "Ōuyáng Xiū", .marks),
        ("诸葛亮", "Zhūgě Liàng", .marks), ("吕布", "Lü3 Bu4", .numbers),
    ])
    func namesMode(input: String, expected: String, tones: ToneStyle) {
        #expect(pinyin.name(input, style: PinyinStyle(tones: tones)) == expected)
    }

    /// A surname's key is its one or two characters exactly: order counts, the
    /// highest scalar fits, and no other length has one.
    @Test func surnameKeysAreExact() {
        let pairs: [[Unicode.Scalar]] = [["欧", "阳"], ["阳", "欧"], ["欧"], ["阳"], ["\u{10FFFF}", "\u{10FFFF}"], ["\u{10FFFF}"], ["a", "\u{0}"], ["a"]]
        let keys = pairs.map { PinyinLexicon.surnameKey($0[...]) }
        #expect(keys.allSatisfy { $0 != nil })
        #expect(Set(keys.compactMap { $0 }).count == pairs.count)
        #expect(PinyinLexicon.surnameKey([][...]) == nil && PinyinLexicon.surnameKey(["诸", "葛", "亮"][...]) == nil)
    }

    @Test func umlautAndNeutralToneStyles() throws {
        var style = PinyinStyle(tones: .numbers)
        style.umlaut = .v
        style.neutralFive = false
        let text = "绿色的女儿"
        #expect(pinyin.transliterate(text, words: try Segmenter().words(text), style: style) == "lv4 se4 de nv3 er2")
        style.umlaut = .colon
        #expect(pinyin.transliterate(text, words: [], style: style) == "lu:4 se4 de nu:3 er2")
    }

    /// The byte path keeps the spellings it makes, for the style it was given: one
    /// transliterator asked in turn for styles that spell ü differently writes each
    /// as its own, not the first one's.
    @Test func bytePathSpellsEachStyleAsItsOwn() throws {
        let transliterator = PinyinTransliterator(lexicon: pinyin.lexicon)
        let scalars = Array("绿色的女儿".unicodeScalars)
        let readings = transliterator.readings(scalars) { [] }
        func written(_ umlaut: PinyinSyllable.Umlaut, _ tones: ToneStyle) -> String {
            var style = PinyinStyle(tones: tones)
            style.umlaut = umlaut
            var output: [UInt8] = []
            transliterator.write(utf8: scalars, readings: readings, style: style, into: &output)
            return String(decoding: output, as: UTF8.self)
        }
        for _ in 0..<2 {
            #expect(written(.v, .numbers) == "lv4 se4 de5 nv3 er2")
            #expect(written(.colon, .numbers) == "lu:4 se4 de5 nu:3 er2")
            #expect(written(.v, .none) == "lv se de nv er")
        }
    }

    /// The three writers (a String from text, a String from syllables, bytes appended
    /// to what the caller has) write the same text in every style, spacing included,
    /// whatever surrounds the Han.
    @Test func writersAgreeInEveryStyle() throws {
        let text = "（绿色的女儿）说：“我爱北京天安门！”Hello, 世界 🌍 2005年 a「书」b 龘"
        let scalars = Array(text.unicodeScalars)
        let readings = pinyin.readings(scalars) { [] }
        let syllables = readings.map { $0?.syllable }
        for tones in ToneStyle.allCases { for umlaut in PinyinSyllable.Umlaut.allCases { for neutralFive in [true, false] {
            var style = PinyinStyle(tones: tones)
            style.umlaut = umlaut
            style.neutralFive = neutralFive
            var output: [UInt8] = Array("kept ".utf8)
            pinyin.write(utf8: scalars, readings: readings, style: style, into: &output)
            let fromText = pinyin.write(text, readings: readings, style: style)
            #expect(String(decoding: output, as: UTF8.self) == "kept " + fromText)
            #expect(pinyin.write(scalars: scalars, syllables: syllables, style: style) == fromText)
            if tones == .marks { #expect(fromText.hasPrefix("（lǜ sè de nǚ ér）shuō："), "\(fromText)") }
        } } }
    }

    /// A syllable is spelled in at most sixteen bytes (the writers count on it): a
    /// longer "syllable" in a lexicon is no syllable.
    @Test func overlongSyllablesAreRefused() {
        #expect(PinyinSyllable(numbered: "zhuang4") != nil)
        #expect(PinyinSyllable(numbered: "zhuangzhuangzhuang4") == nil)
    }

    /// A syllable is one spelling for the process, whatever wrote it and whichever
    /// thread made it: equality, hashing and the memos keyed by `identity` count on it.
    @Test func syllablesAreInternedOnce() async {
        let spellings = ["lv4", "lu:4", "lü4", "zhong1", "Zhong1", "de5", "hang2", "xing2", "nu:3", "nü3"]
        let identities = await withTaskGroup(of: [UInt].self) { group in
            for _ in 0..<8 {
                group.addTask { spellings.map { PinyinSyllable(numbered: Substring($0))!.identity } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(identities).count == 1, "every thread got the same spellings")
        let syllables = spellings.map { PinyinSyllable(numbered: Substring($0))! }
        #expect(syllables[0] == syllables[1] && syllables[1] == syllables[2], "v, u: and ü are one syllable")
        #expect(Set(syllables.map(\.identity)) == Set(Set(syllables).map(\.identity)))
        #expect(Set(syllables).map(\.numbered).sorted() == ["Zhong1", "de5", "hang2", "lü4", "nü3", "xing2", "zhong1"])
        #expect(syllables[3] != syllables[4], "a capital is kept, so the spelling differs")
        #expect(syllables[0].hashValue == PinyinSyllable(numbered: "lü4")!.hashValue)
        #expect(syllables[5] != syllables[6] && syllables[6].marked == "háng" && syllables[0].marked == "lǜ")
    }

    /// Unicode's CJK extension blocks A–H: known characters read, unknown ones kept.
    @Test func extensionBlocks() {
        let samples: [Unicode.Scalar] = ["\u{3400}", "\u{20000}", "\u{2A700}", "\u{2B740}", "\u{2B820}", "\u{2CEB0}", "\u{30000}", "\u{31350}"]
        let text = String(String.UnicodeScalarView(samples))
        let syllables = pinyin.syllables(text, words: [])
        #expect(syllables.count == samples.count)
        #expect(syllables[0] != nil, "㐀 (Ext A) has a reading")
        let written = pinyin.transliterate(text, words: [], tones: .marks)
        for scalar in samples where pinyin.syllables(String(scalar), words: []).first! == nil {
            #expect(written.unicodeScalars.contains(scalar))
        }
    }

    @Test(arguments: [("hang2", "háng"), ("lv4", "lǜ"), ("lve4", "lüè"), ("gou3", "gǒu"), ("liu2", "liú"),
                      ("gui4", "guì"), ("de5", "de"), ("er2", "ér"), ("n2", "ń"), ("xiong1", "xiōng"),
                      // CC-CEDICT's u:, ü as written, capitals, syllabic nasals with and without a precomposed letter
                      ("nu:3", "nǚ"), ("lü4", "lǜ"), ("Zhong1", "Zhōng"), ("ng2", "ńg"), ("m1", "m\u{304}"), ("hm5", "hm"),
                      // a letter outside ASCII, and a combining mark of the syllable's own
                      ("é2", "é"), ("ü\u{304}1", "ǖ\u{304}"), ("zhong１", "zhōng")])
    func toneMarkPlacement(numbered: String, marked: String) {
        // Scalar by scalar: String's == would take "ü\u{304}\u{304}" for "ǖ\u{304}".
        #expect(PinyinSyllable(numbered: Substring(numbered)).map { Array($0.written(.marks).unicodeScalars) } == Array(marked.unicodeScalars))
    }

    /// What is no syllable, told from the bytes (ASCII) or by Character (the rest) alike.
    @Test(arguments: ["a6", "a0", "a", "1", "ab-1", "a 1", "", "a1\u{301}", "\u{301}1", "a１０"])
    func notSyllables(text: String) {
        #expect(PinyinSyllable(numbered: Substring(text)) == nil)
    }

    @Test func everyHanCharacterGetsOneSyllable() {
        let text = "三退声明：本人自愿退出中国共产党、共青团和少先队。〇"
        let syllables = pinyin.syllables(text, words: [])
        for (scalar, syllable) in zip(text.unicodeScalars, syllables) {
            #expect((syllable != nil) == scalar.isHan, "\(scalar)")
        }
    }
}

/// The README's library example, kept compiling and true.
@Suite struct ReadmeExampleTests {
    @Test func libraryExample() throws {
        let store = try TestFiles.locales()
        let words = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        let pinyin = PinyinTransliterator(lexicon: try PinyinLexicon(store: store))
        let text = "银行行长在长城上行走"
        let tokens = try words.words(text)
        #expect(tokens.map(\.text) == ["银行", "行长", "在", "长城", "上", "行走"])
        #expect(pinyin.transliterate(text, words: tokens).hasPrefix("yín háng háng zhǎng"))
        #expect(try ChineseConverter(configuration: "s2t", store: store).convert("头发") == "頭髮")
        #expect(try TextNormalizer().normalize("ＡＢＣ，你好").text == "ABC，你好")
    }
}

/// The quick whitespace test agrees with Unicode's White_Space property
/// on every scalar.
@Suite struct WhitespaceTests {
    @Test func quickTestAgreesWithTheProperty() {
        var checked = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.isWhiteSpace == scalar.properties.isWhitespace, "U+\(String(value, radix: 16))")
            checked += 1
        }
        #expect(checked == 0x110000 - 0x800)
    }
}

@Suite struct ExactContainsTests {
    @Test(arguments: [("李明（化名）", "（化名）", true), ("李明(化名)", "（化名）", false), ("pen name", "name", true),
                      ("", "a", false), ("abc", "", true), ("ab", "abc", false), ("aaab", "aab", true), ("𠀀𠀁", "𠀁", true)])
    func containsExactly(text: String, needle: String, expected: Bool) {
        #expect(text.containsExactly(needle) == expected)
        #expect(text[...].containsExactly(needle) == expected)
    }
}

/// The byte-level helpers give what the Character-level library calls give.
@Suite struct ByteLevelTextTests {
    static let texts = ["", "\n", "\n\n", "a", "a\n", "\na", "a\nb", "a\n\nb\n", "a\r\nb", "a\r\n\r\nb", "\r\n", "a\r\rb\n",
                        "a\n\u{301}b", "一\n二\r\n三\n", "𠀀\n𠀁", "\r", "a\rb\nc", "x\n\n\n"]

    /// UTF-16 out of UTF-8 and back, for every width of scalar and the substring path.
    @Test(arguments: texts + ["é中𠀀\u{FFFF}\u{10FFFF}x", String(repeating: "長a", count: 300)])
    func utf16IsWhatTheViewGives(text: String) {
        #expect([UInt16](utf16Of: text) == Array(text.utf16))
        #expect([UInt16](utf16Of: text.dropFirst()) == Array(text.dropFirst().utf16))
        #expect(String(utf16Units: Array(text.utf16)) == text)
        #expect(String(utf16Units: [0x61, 0xD800, 0x62] as [UInt16]) == "a\u{FFFD}b") // a lone surrogate
    }

    /// The quick lowercase is the standard one: every scalar alone, and texts mixing
    /// scripts, expanding mappings (İ) and sigma in every position.
    @Test func lowercaseIsTheStandardOne() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            if text.lowercasedQuickly() != text.lowercased() { Issue.record("U+\(String(value, radix: 16))") }
        }
        for text in ["ΟΔΟΣ Σ ΣΑ", "İstanbul ǅ ᾼ Ａ中文ＢC", "声明人：ZHANG San", "", "abc", "𝐀𐐀𞤀", "Straße ẞ", "中文中文", "中文，中文Ａ",
                     "声明人：张三 Zhang", "中文中文İ中", "中文ΣΑ"] {
            #expect(text.lowercasedQuickly() == text.lowercased(), "\(text)")
            #expect(text.dropFirst().lowercasedQuickly() == text.dropFirst().lowercased(), "\(text)")
        }
    }

    /// `characterCount` is `count`. Every scalar it takes as a character on its own is
    /// one, alone and beside others of its kind (the line and paragraph breaks, a
    /// format control, a pictograph, the CJK marks next to those that join); and on
    /// seeded texts mixing them with scalars that join (CR LF, combining marks, ZWJ
    /// and emoji, flags, Hangul jamo, a prepended mark), both ways of counting are
    /// taken and agree. `scalarCount` is the scalars' count on the same texts.
    @Test func characterCountIsCount() {
        let neighbours = Array("a \n\t\u{0}\u{7F}\u{85}\u{AD}©\u{200B}\u{2028}\u{2060}\u{206F}‼\u{3000}\u{3029}\u{3030}一，Ａ".unicodeScalars)
        var alone = 0, joined: [String] = []
        for value in UInt32(0)...0xFFFF where String.standsAlone(value) {
            let scalar = Unicode.Scalar(value)!
            alone += 1
            if String(scalar).count != 1 { joined.append("U+\(String(value, radix: 16))") }
            for other in neighbours {
                for pair in [[scalar, other], [other, scalar]] where String(String.UnicodeScalarView(pair)).count != 2 {
                    joined.append(pair.map { "U+\(String($0.value, radix: 16))" }.joined(separator: " "))
                }
            }
        }
        #expect(alone > 28_000)
        #expect(joined.isEmpty, "\(joined.prefix(20))")
        let pool = Array("aZ 9\n\r\t,.é一龥㐀，。「」（）ＡＺ！\u{301}\u{200D}\u{200C}🙂👍🏽🇨🇳ᄀ\u{1161}\u{11A8}가\u{302A}\u{600}\u{FF9E}ｶ\u{FE0F}".unicodeScalars)
        var generator = SplitMix(seed: 11)
        var fast = 0, slow = 0
        for length in [0, 1, 2, 3, 5, 10, 40] {
            for _ in 0..<200 {
                var text = String.UnicodeScalarView()
                for _ in 0..<length { text.append(pool[Int(generator.next() % UInt64(pool.count))]) }
                let string = String(text)
                #expect(string.characterCount == string.count, "\(Array(string.unicodeScalars))")
                #expect(string.scalarCount == string.unicodeScalars.count, "\(Array(string.unicodeScalars))")
                #expect(String(string.dropFirst()).scalarCount == string.dropFirst().unicodeScalars.count)
                if string.unicodeScalars.allSatisfy({ String.standsAlone($0.value) }) { fast += 1 } else { slow += 1 }
            }
        }
        #expect(fast > 100 && slow > 100, "\(fast) texts counted by their scalars, \(slow) by count")
    }

    /// The bounded counts against full counts, at every limit around the true count,
    /// and the scalar walk against `unicodeScalars`.
    @Test(arguments: texts + ["  中 文\u{3000}x\u{2003}", "𠀀 𠀁 é\u{85}", String(repeating: "長 ", count: 30)])
    func boundedCountsAreFullCounts(text: String) {
        let scalars = text.unicodeScalars.count
        let visible = text.unicodeScalars.filter { !$0.isWhiteSpace }.count
        for limit in 0...(scalars + 2) {
            #expect(text.hasMoreScalars(than: limit) == (scalars > limit), "\(limit)")
            #expect(text.hasMoreVisibleScalars(than: limit) == (visible > limit), "\(limit)")
        }
        var walked: [Unicode.Scalar] = []
        text.forEachScalar { walked.append($0) }
        #expect(walked == Array(text.unicodeScalars))
    }

    @Test(arguments: texts) func linesAreWhatSplitGives(text: String) {
        #expect(text.lines() == text.split(separator: "\n"))
        #expect(text.lines(omittingEmpty: false) == text.split(separator: "\n", omittingEmptySubsequences: false))
    }

    /// Every needle at every start, in text of one-, two-, three- and four-byte scalars.
    @Test func searchFindsWhatANaiveScanFinds() {
        let haystack = Array("aab一a二一一ab𠀀a\u{0}一b".utf8)
        var needles: [[UInt8]] = [[]]
        for start in haystack.indices { for end in start...min(haystack.count, start + 8) { needles.append(Array(haystack[start..<end])) } }
        needles += [Array("ba一".utf8), Array("zz".utf8), Array("𠀁".utf8), haystack + [0x61]]
        for needle in needles {
            for from in 0...haystack.count + 1 {
                var naive: Int? = nil
                if !needle.isEmpty, from <= haystack.count {
                    var i = from
                    while i + needle.count <= haystack.count { if Array(haystack[i..<i + needle.count]) == needle { naive = i; break }; i += 1 }
                }
                #expect(UTF8Search.firstIndex(of: needle, in: haystack, from: from) == naive, "\(needle) from \(from)")
            }
        }
    }

    /// Random text of a few letters and Chinese (many near matches) up to 300 bytes,
    /// so that a search runs through whole blocks of 32 places and the overlapping
    /// last one: the same place as a naive scan, with AVX2 and without.
    @Test func blockSearchFindsWhatANaiveScanFinds() {
        var random = SplitMix(seed: 0x5EA4C)
        let pieces: [[UInt8]] = [Array("a".utf8), Array("b".utf8), Array("一".utf8), Array("丁".utf8), Array("党".utf8), Array("𠀀".utf8)]
        var checked = 0
        for _ in 0..<3_000 {
            var haystack: [UInt8] = []
            for _ in 0..<Int(random.next() % 120) { haystack += pieces[Int(random.next() % UInt64(pieces.count))] }
            let length = 2 + Int(random.next() % 9)
            var needle: [UInt8]
            if haystack.count >= length, random.next() % 3 != 0 {
                let at = Int(random.next() % UInt64(haystack.count - length + 1))
                needle = Array(haystack[at..<(at + length)])
            } else {
                needle = (0..<length).map { _ in pieces.joined().map { $0 }[Int(random.next() % 15)] }
            }
            if random.next() % 4 == 0 { needle[Int(random.next() % UInt64(length))] ^= 0x01 }
            let from = haystack.isEmpty ? 0 : Int(random.next() % UInt64(haystack.count + 1))
            var naive: Int? = nil
            var i = from
            while i + needle.count <= haystack.count { if Array(haystack[i..<i + needle.count]) == needle { naive = i; break }; i += 1 }
            #expect(UTF8Search.firstIndex(of: needle, in: haystack, from: from) == naive, "\(needle) in \(haystack) from \(from)")
            needle.withUnsafeBufferPointer { n in
                haystack.withUnsafeBufferPointer { h in
                    #expect(UTF8Search.firstIndexByLastByte(of: n, in: h, from: from) == naive)
                }
            }
            if naive != nil { checked += 1 }
        }
        #expect(checked > 700)
    }

    @Test func scalarSetHoldsItsScalarsOnly() {
        let set: ScalarSet = "，。a𠀀"
        for scalar in "，。a𠀀".unicodeScalars { #expect(set.contains(scalar)) }
        for scalar in "、.A𠀁 ".unicodeScalars { #expect(!set.contains(scalar)) }
    }
}

@Suite struct LatinLetterTests {
    @Test func quickTestAgreesWithTheProperty() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.isLatinLetter == (scalar.properties.isAlphabetic && value < 0x250), "U+\(String(value, radix: 16))")
        }
    }
}

/// The filters' UTF-8 paths decode into and encode onto arrays that already hold
/// text and have little or much room to spare: when the room runs out partway (even
/// inside a scalar's bytes), the rest still comes out whole and in order.
@Suite struct UTF8ScalarsTests {
    static let texts = ["", "a", "中", "ab中文é𠮷😀z", String(repeating: "繁體字 𠀋ü", count: 40), String(repeating: "x", count: 300),
                        // Runs of three-byte characters (taken two at a time) of odd and even lengths, ending
                        // at every place of a load of eight bytes, beside U+0800, U+D7FF, U+E000 and U+FFFF.
                        (1...12).map { String(repeating: "中，", count: $0 / 2) + String(repeating: "字", count: $0 % 2) + "\u{0800}\u{D7FF}\u{E000}\u{FFFF}a" }
                            .joined(separator: "\u{7FF}")]

    @Test(arguments: texts)
    func encodesOntoArraysOfEveryRoom(text: String) {
        let scalars = Array(text.unicodeScalars)
        for prefix in 0..<6 {
            for spare in [0, 1, 2, 3, 5, 64] {
                var output = [UInt8](repeating: 0x2A, count: prefix)
                output.reserveCapacity(prefix + spare)
                scalars.withUnsafeBufferPointer { UTF8Scalars.append($0, to: &output) }
                #expect(output == [UInt8](repeating: 0x2A, count: prefix) + Array(text.utf8), "prefix \(prefix), spare \(spare)")
            }
        }
    }

    @Test(arguments: texts)
    func decodesOntoArraysOfEveryRoom(text: String) {
        for prefix in 0..<3 {
            for spare in [0, 1, 7, 500] {
                var scalars = [Unicode.Scalar](repeating: "*", count: prefix)
                scalars.reserveCapacity(prefix + spare)
                Array(text.utf8).withUnsafeBufferPointer { UTF8Scalars.decode($0, into: &scalars) }
                #expect(scalars == [Unicode.Scalar](repeating: "*", count: prefix) + Array(text.unicodeScalars))
            }
        }
    }

    /// Checked as it decodes, the decoder answers as the standard library's validating
    /// decoder does (`UTF8Cases`), gives its scalars where the bytes are well-formed,
    /// and leaves the array as it was where they are not; on arrays with and without room.
    @Test func decodesCheckingAsTheStandardLibrary() {
        for bytes in UTF8Cases.everySequenceAtEveryPlace() + UTF8Cases.randomMixtures(2_000) {
            let expected = String(validating: bytes, as: UTF8.self).map { Array($0.unicodeScalars) }
            for spare in [0, 3, 500] {
                var scalars: [Unicode.Scalar] = ["*", "+"]
                scalars.reserveCapacity(2 + spare)
                let valid = bytes.withUnsafeBufferPointer { UTF8Scalars.decode(checking: $0, into: &scalars) }
                #expect(valid == (expected != nil), "\(bytes)")
                #expect(scalars == ["*", "+"] + (expected ?? []), "\(bytes)")
            }
        }
    }
}
