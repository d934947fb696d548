import DeclprocICU
import Testing

@Suite struct TransliteratorTests {
    @Test func systemID() throws {
        // FACTS 5: ICU reads per character. We only check the binding works.
        let han = try Transliterator(id: "Han-Latin")
        #expect(try han.transform("中文") == "zhōng wén")
        let ts = try Transliterator(id: "Traditional-Simplified")
        #expect(try ts.transform("漢語") == "汉语")
    }

    @Test func customRulesAndReverse() throws {
        let rules = "a > b; c > d;"
        let custom = try Transliterator(id: "Test-Custom", rules: "a <> b; c <> d;")
        #expect(try custom.transform("acab") == "bdbb")
        let reverse = try Transliterator(id: "Test-Custom", rules: "a <> b; c <> d;", direction: .reverse)
        #expect(try reverse.transform("bdx") == "acx")
        #expect(throws: ICUError.self) { try Transliterator(id: "Broken", rules: rules + " [[[ > ;") }
        #expect(throws: ICUError.self) { try Transliterator(id: "No-Such-Transform") }
    }

    @Test func longOutputGrowsTheBuffer() throws {
        let han = try Transliterator(id: "Han-Latin")
        let text = String(repeating: "長", count: 5000)
        #expect(try han.transform(text).count > 5000 * 4)
    }

    @Test func clonesWorkOnManyTasksAtOnce() async throws {
        let prototype = try Transliterator(id: "Traditional-Simplified")
        var clones: [Transliterator] = []
        for _ in 0..<8 { clones.append(try prototype.clone()) }
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for clone in clones {
                nonisolated(unsafe) let owned = clone
                group.addTask {
                    for _ in 0..<200 where try owned.transform("國語漢字") != "国语汉字" { return false }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }
}

@Suite struct BreakIteratorTests {
    @Test func chineseDictionaryWords() throws {
        let words = try BreakIterator(.word, locale: "zh")
        let text = Array("银行行长".utf16)
        #expect(try words.boundaries(utf16: text).map(\.offset) == [0, 2, 4])
        // Rule status 400-499 marks ideographic words.
        #expect(try words.boundaries(utf16: text).dropFirst().allSatisfy { (400..<500).contains($0.status) })
    }

    @Test func customRules() throws {
        let iterator = try BreakIterator(rules: "!!chain; [a-z]+; [0-9]+;")
        #expect(try iterator.boundaries(utf16: Array("abc123de".utf16)).map(\.offset) == [0, 3, 6, 8])
        #expect(throws: ICUError.self) { try BreakIterator(rules: "[[[") }
    }

    @Test func localeTailoring() throws {
        // FACTS 9: "Mr." ends a sentence in root rules but not with ss=standard.
        let text = Array("Mr. Smith left. He quit.".utf16)
        let standard = try BreakIterator(.sentence, locale: "en@ss=standard").boundaries(utf16: text).map(\.offset)
        let plain = try BreakIterator(.sentence, locale: "en").boundaries(utf16: text).map(\.offset)
        #expect(standard == [0, 16, 24])
        #expect(plain == [0, 4, 16, 24])
    }

    @Test func cloneIsIndependentAndTextIsOwned() throws {
        let original = try BreakIterator(.word, locale: "en")
        let clone = try original.clone()
        var text = Array("one two".utf16)
        let first = try original.boundaries(utf16: text)
        text = Array("three".utf16) // the iterator keeps its own copy
        #expect(try clone.boundaries(utf16: text).map(\.offset) == [0, 5])
        #expect(first.map(\.offset) == [0, 3, 4, 7])
        #expect(try original.boundaries(utf16: []).map(\.offset) == [0])
    }
}

@Suite struct NormalizerBindingTests {
    @Test func standardForms() throws {
        #expect(try Normalizer.nfc.normalize("e\u{301}").unicodeScalars.map(\.value) == [0xE9])
        #expect(try Normalizer.nfd.normalize("\u{E9}").unicodeScalars.map(\.value) == [0x65, 0x301])
        #expect(try Normalizer.nfkc.normalize("ﬁ①").unicodeScalars.map(\.value) == [0x66, 0x69, 0x31])
        #expect(try Normalizer(form: .nfkcCasefold).normalize("ＡＢ") == "ab")
        #expect(try Normalizer.nfc.isNormalized("\u{E9}"))
        #expect(try !Normalizer.nfc.isNormalized("e\u{301}"))
    }

    @Test func customInstanceAndFilter() throws {
        let composeContiguous = try Normalizer(name: "nfc", mode: .composeContiguous)
        #expect(try composeContiguous.normalize("e\u{301}") == "\u{E9}")
        let noFullwidthComma = try Normalizer(filtering: .nfkc, to: "[^\\uFF0C]")
        #expect(try noFullwidthComma.normalize("Ａ，Ｂ").unicodeScalars.map(\.value) == [0x41, 0xFF0C, 0x42])
        #expect(throws: ICUError.self) { try Normalizer(filtering: .nfkc, to: "[unclosed") }
        #expect(throws: ICUError.self) { try Normalizer(name: "no-such-data", mode: .compose) }
    }

    @Test func boundaries() {
        #expect(Normalizer.nfc.hasBoundary(before: "a"))
        #expect(!Normalizer.nfc.hasBoundary(before: "\u{301}"))
    }

    @Test func sharedAcrossTasks() async throws {
        let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { try (0..<500).allSatisfy { _ in try Normalizer.nfc.normalize("e\u{301}") == "\u{E9}" } }
            }
            return try await group.reduce(true) { $0 && $1 }
        }
        #expect(ok)
    }
}

@Suite struct CharsetBindingTests {
    @Test func decoderCountsInvalidBytes() throws {
        let gb = try CharsetDecoder(charset: "GB18030")
        // 中文 in GB18030, then a lone lead byte and an invalid pair.
        let (text, invalid) = try gb.decode([0xD6, 0xD0, 0xCE, 0xC4, 0x81, 0x20, 0xFF])
        #expect(text.hasPrefix("中文"))
        #expect(invalid >= 2)
        #expect(text.contains("\u{FFFD}"))
        let utf8 = try CharsetDecoder(charset: "UTF-8")
        let decoded = try utf8.decode([0x61, 0xC3, 0x28, 0x62])
        #expect(decoded.text == "a\u{FFFD}(b")
        #expect(decoded.invalidBytes == 1)
        // A decoder used again starts clean: a sequence cut at the end of one input
        // does not run on into the next, and counts are each input's own.
        let cut = try gb.decode([0x61, 0xD6])
        #expect(cut.text == "a\u{FFFD}" && cut.invalidBytes == 1)
        let again = try gb.decode([0x62]) // after D6 it would be a trail byte
        #expect(again.text == "b" && again.invalidBytes == 0)
        #expect(try gb.decode([]) == ("", 0))
        // A four-byte GB18030 sequence gives a supplementary character (U+20000).
        #expect(try gb.decode([0x95, 0x32, 0x82, 0x36]).text == "\u{20000}")
        #expect(throws: ICUError.self) { try CharsetDecoder(charset: "no-such-charset") }
    }

    @Test func largeInputDecodesWhole() throws {
        let big5 = try CharsetDecoder(charset: "Big5-HKSCS")
        let bytes = [UInt8](repeating: 0, count: 0) + Array(repeating: [0xA4, 0xA4, 0xA4, 0xE5], count: 100_000).flatMap { $0 } // 中文
        let (text, invalid) = try big5.decode(bytes)
        #expect(text.unicodeScalars.count == 200_000 && invalid == 0)
        #expect(text.hasPrefix("中文"))
        // Every byte invalid: three UTF-8 bytes out for each one in, the most there can be.
        let bad = try CharsetDecoder(charset: "GB18030").decode([UInt8](repeating: 0xFF, count: 10_000))
        #expect(bad.invalidBytes == 10_000 && bad.text == String(repeating: "\u{FFFD}", count: 10_000))
    }

    @Test func detector() throws {
        let detector = try CharsetDetector()
        let gbk: [UInt8] = Array(repeating: [0xCE, 0xD2, 0xC9, 0xF9, 0xC3, 0xF7, 0xCD, 0xCB, 0xB3, 0xF6, 0xB9, 0xB2, 0xB2, 0xFA, 0xB5, 0xB3, 0xA1, 0xA3], count: 20).flatMap { $0 }
        let matches = try detector.detect(gbk)
        #expect(matches.first?.name == "GB18030")
        #expect(matches.first?.language == "zh")
        #expect((matches.first?.confidence ?? 0) > 10)
    }

    @Test func standardNames() {
        #expect(CharsetDecoder.standardName(of: "GB18030")?.lowercased() == "gb18030")
        #expect(CharsetDecoder.standardName(of: "latin1") == "ISO_8859-1:1987")
        #expect(CharsetDecoder.standardName(of: "utf8") == "UTF-8")
        #expect(CharsetDecoder.standardName(of: "nonsense-charset") == nil)
    }
}

@Suite struct PropertyTests {
    @Test func scripts() {
        #expect(UnicodeProperties.script(of: "中") == .han)
        #expect(UnicodeProperties.script(of: "a") == .latin)
        #expect(UnicodeProperties.script(of: "。") == .common)
        #expect(UnicodeProperties.has("々", script: .han))
        #expect(UnicodeProperties.script(of: "中").code == "Hani")
        #expect(UnicodeProperties.isBidiControl("\u{202E}"))
        #expect(UnicodeProperties.isDefaultIgnorable("\u{200B}"))
        #expect(UnicodeProperties.isWhiteSpace("\u{3000}"))
        #expect(UnicodeProperties.isPunctuation("，"))
    }
}

@Suite struct RegularExpressionTests {
    /// The same answers as Foundation's NSRegularExpression gave for the date
    /// patterns it replaced: groups, absent groups, case-insensitivity, offsets in UTF-16.
    @Test func groupsAndOffsets() throws {
        let regex = try RegularExpression("(\\d{4})年(\\d{1,2})月(?:(\\d{1,2})日)?", caseInsensitive: true)
        #expect(regex.groupCount == 3)
        let text = Array("𠀀于2005年5月3日，2006年7月".utf16) // one supplementary scalar: two units
        let matches = regex.allMatches(in: text)
        #expect(matches.map(\.range) == [3..<12, 13..<20])
        #expect(matches[0].ranges == [3..<12, 3..<7, 8..<9, 10..<11])
        #expect(matches[1].ranges[3] == nil)
        let month = try RegularExpression("^(jan|feb)[a-z]*\\.? [0-9]{4}$", caseInsensitive: true)
        #expect(month.matches(in: Array("FEBRUARY 2005".utf16)))
        #expect(!month.matches(in: Array("in February 2005".utf16)))
        #expect(!month.matches(in: []))
        #expect(try RegularExpression("^$").matches(in: []))
        #expect(throws: ICUError.self) { try RegularExpression("([unclosed") }
    }

    /// One compiled expression searched from many tasks at once (its matchers are pooled).
    @Test func sharedAcrossTasks() async throws {
        let regex = try RegularExpression("[0-9]+")
        let results = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let text = Array("a\(task)b\(task * 100)".utf16)
                    for _ in 0..<300 where regex.allMatches(in: text).count != 2 { return false }
                    return true
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(results)
    }
}

/// The UTF-16 helpers give what the standard library gives, ill-formed input included.
@Suite struct UTF16StringTests {
    @Test func unitsToStringIsTheStandardDecoding() {
        let interesting: [UInt16] = [0x00, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF]
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<50 {
                let units = (0..<length).map { _ in interesting.randomElement(using: &generator)! }
                #expect(String(utf16Units: units) == String(decoding: units, as: UTF16.self), "\(units)")
                #expect(String(utf16Units: units[...]) == String(decoding: units, as: UTF16.self))
            }
        }
    }

    @Test func stringToUnitsIsTheUTF16View() {
        for text in ["", "a", "é中𠀀\u{FFFF}\u{10FFFF}x", String(repeating: "長a𠮷", count: 200)] {
            #expect([UInt16](utf16Of: text) == Array(text.utf16))
            #expect([UInt16](utf16Of: text.dropFirst()) == Array(text.dropFirst().utf16))
        }
    }
}
