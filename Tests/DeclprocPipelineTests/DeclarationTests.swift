import DeclprocExtract
import DeclprocHTML
import Testing
import TestSupport

/// Declaration fields on statements written the ways real ones are.
@Suite struct DeclarationTests {
    static let reader: DeclarationReader = {
        let store = try! TestFiles.locales()
        return try! DeclarationReader(store: store, finder: StatementFinder(store: store))
    }()

    @Test(arguments: [
        ("本人声明退出中国共产党。\n声明人：高智晟 北京\n2005年12月13日", ["高智晟"], false, "2005-12-13", "北京", "renunciation", ["party"]),
        ("我们全家声明三退。\n——王立新、陈秀英 山东济南 2008年1月20日", ["王立新", "陈秀英"], false, "2008-01-20", "山东", "renunciation",
         ["party", "youth_league", "young_pioneers"]),
        ("本人退出共青团和少先队。\n化名：清风 二〇〇五年五月三日", ["清风"], true, "2005-05-03", nil, "renunciation", ["youth_league", "young_pioneers"]),
        ("I support everyone who has quit the CCP.\nMargaret Ellison, Leeds, United Kingdom, 14 April 2006", ["Margaret Ellison"], false,
         "2006-04-14", nil, "support", ["party"]),
        ("I hereby quit the Communist Youth League.\nSigned: Lin Hao and Wu Fang, Dalian\nJanuary 15, 2006", ["Lin Hao", "Wu Fang"], false,
         "2006-01-15", nil, "renunciation", ["youth_league"]),
        ("本人聲明退出中國共產黨。\n李明（化名）２００６年３月４日", ["李明"], true, "2006-03-04", nil, "renunciation", ["party"]),
        // An alias in ASCII brackets, any case; a date only in the body (read when the signature has none).
        ("I hereby quit the Communist Youth League.\nSigned: Lin Hao (Pen Name), Dalian", ["Lin Hao"], true, nil, nil, "renunciation",
         ["youth_league"]),
        ("本人于2005年5月3日声明退出中国共产党。\n声明人：高智晟", ["高智晟"], false, "2005-05-03", nil, "renunciation", ["party"]),
    ] as [(String, [String], Bool, String?, String?, String, [String])])
    func fields(text: String, names: [String], alias: Bool, date: String?, province: String?, kind: String, organizations: [String]) {
        let found = Self.reader.read(text)
        #expect(found.declarants.map(\.name) == names)
        #expect(found.declarants.allSatisfy { $0.alias == alias })
        #expect(found.date?.value == date)
        #expect(found.place?.province == province)
        #expect(found.kind == kind)
        #expect(found.organizations == organizations)
        let scalars = Array(text.unicodeScalars)
        for d in found.declarants { #expect(String(String.UnicodeScalarView(scalars[d.start..<d.end])) == d.name) }
        if let date = found.date { #expect(String(String.UnicodeScalarView(scalars[date.start..<date.end])) == date.text) }
    }
}

/// Cue words: list order decides which word a reason names; English words match whole,
/// a trailing `*` lets any ending follow; the earliest offset is over all words.
@Suite struct CueWordsTests {
    @Test func chineseWordsMatchAnywhere() {
        let words = CueWords(["退党", "声明", "退出"], wholeWords: false)
        #expect(words.firstPattern(in: "我声明退出共产党") == "声明")
        #expect(words.firstPattern(in: "郑重声明退党") == "退党")
        #expect(words.earliestOffset(in: "郑重声明退党") == "郑重".utf8.count)
        #expect(words.firstPattern(in: "党员") == nil)
        #expect(words.earliestOffset(in: "") == nil)
    }

    @Test func englishWordsMatchWhole() {
        let words = CueWords(["i", "renounc*", "quit"], wholeWords: true)
        #expect(words.firstPattern(in: "it is quite so") == nil)
        #expect(words.firstPattern(in: "hereby renouncing it") == "renounc*")
        #expect(words.firstPattern(in: "prenounce") == nil)
        #expect(words.firstPattern(in: "quit, i said") == "i")
        #expect(words.earliestOffset(in: "we quit; i renounce") == 3)
        #expect(words.earliestOffset(in: "quitting") == nil)
    }
}

/// `isSignature` compares a line's bytes with the markers and confirms by Characters
/// only where the bytes cannot tell: its answers are the Character-based definition's
/// on lines built around every marker and dash, in both languages, with spaces, both
/// colons, any case, and combining marks or joiners where a byte test alone would be
/// fooled.
@Suite struct SignatureLineTests {
    static let finder = try! StatementFinder(store: TestFiles.locales())

    /// The definition: the lowercased line opens with a dash, or with a marker and then
    /// spaces and a colon, Character by Character.
    static func definition(_ line: String, _ patterns: StatementPatterns) -> Bool {
        guard let first = line.unicodeScalars.first else { return patterns.signatureDashes.contains("") || patterns.signatureMarkers.contains("") }
        let lowered = Unicode.Scalar.lowercaseMappingIfChanged(first.value)?.unicodeScalars.first ?? first
        guard (patterns.signatureMarkers + patterns.signatureDashes).contains(where: { $0.unicodeScalars.first == lowered }) else { return false }
        let lower = line.lowercased()
        if patterns.signatureDashes.contains(where: { lower.hasPrefix($0) }) { return true }
        for marker in patterns.signatureMarkers where lower.hasPrefix(marker) {
            let rest = lower.dropFirst(marker.count).drop { $0 == " " }
            if let next = rest.first, next == ":" || next == "：" { return true }
        }
        return false
    }

    @Test func bytesAnswerAsCharactersDo() {
        var lines: [String] = ["", " ", "我声明", "声明", "签名：", "簽名 ： 王", "Signed:", "SIGNATURE ：x", "name-", "—李四 北京"]
        for patterns in [Self.finder.chinese, Self.finder.english] {
            for marker in patterns.signatureMarkers + patterns.signatureDashes {
                for between in ["", " ", "  ", "\u{301}", " \u{301}", "\u{200D}", "\u{3000}"] {
                    for colon in [":", "：", ":\u{301}", "：\u{20DD}", ";", ""] {
                        for after in ["", "王伟", " 王伟", "Li Ming", "\u{302A}王", "\u{301}", "\r\n"] {
                            lines.append(marker + between + colon + after)
                            lines.append(marker.uppercased() + between + colon + after)
                        }
                    }
                }
                lines.append(marker + "\u{301}" + "：王")
            }
        }
        var signatures = 0
        for line in lines {
            for patterns in [Self.finder.chinese, Self.finder.english] {
                let expected = Self.definition(line, patterns)
                #expect(patterns.isSignature(line) == expected, "\(line.debugDescription) (\(patterns.language))")
                if expected { signatures += 1 }
            }
        }
        #expect(signatures > 100 && signatures < lines.count)
    }
}

/// What `inspect` prints for each verdict: the words are made from the assessment
/// when asked, so each kind is asked for here.
@Suite struct AssessmentReasonTests {
    static let finder = try! StatementFinder(store: TestFiles.locales())

    @Test func everyVerdictInWords() throws {
        let statement = Self.finder.assess(text: "我在此郑重声明退出中国共产党和共青团，从此与其再无任何关系。", quoted: false)
        #expect(statement.isStatement)
        #expect(statement.reason.hasPrefix("first person “"), "\(statement.reason)")
        #expect(statement.reason.contains("”, declaring “"), "\(statement.reason)")
        #expect(statement.reason.hasSuffix("party+youth_league"), "\(statement.reason)")
        let short = Self.finder.assess(text: "我", quoted: false)
        #expect(short.reason.hasPrefix("too short (1 < ") && short.reason.hasSuffix(" characters)"), "\(short.reason)")
        let long = Self.finder.assess(text: String(repeating: "我声明退出中共。", count: 4_000), quoted: false)
        #expect(long.reason.hasPrefix("too long (32000 > ") && long.reason.hasSuffix(" characters)"), "\(long.reason)")
        let nobody = Self.finder.assess(text: "他们声明退出中国共产党和共青团，从此与其再无任何关系，很多人这样做了。", quoted: false)
        #expect(nobody.reason == "no first-person word outside quotation marks")
        #expect(Self.finder.assess(text: "他们声明退出中国共产党和共青团，从此与其再无任何关系，很多人这样做了。", quoted: true).reason
            == "no first-person word")
        #expect(Self.finder.assess(text: "我今天很高兴，我和朋友们去了公园散步，看到了很多花，中国共产党。", quoted: false).reason
            == "no declaring word")
        #expect(Self.finder.assess(text: "我在此郑重声明，我今天很高兴，我和朋友们去了公园散步，看到了很多花。", quoted: false).reason
            == "no organization named")
    }

    @Test func statementsFoundSayHow() throws {
        let html = """
            <html><body><p>本人在此郑重声明退出中国共产党，从此与其再无任何关系。<br>声明人：王明<br>2005年1月1日<br>\
            我在此郑重声明退出共青团和少先队，从此与其再无任何关系。<br>声明人：李华<br>2005年2月2日</p>\
            <div><p>我在此郑重声明退出中国共产党，从此与其再无任何关系，决不回头。</p></div></body></html>
            """
        let blocks = BlockExtractor.blocks(of: HTMLParser.parse(html))
        let found = Self.finder.statements(in: blocks)
        #expect(found.count == 3)
        #expect(found.prefix(2).allSatisfy { $0.rule.hasPrefix("split at signatures; first person “") }, "\(found.map(\.rule))")
        #expect(found.last?.rule.hasPrefix("first person “") == true, "\(found.map(\.rule))")
        var named = found[0]
        named.rule = "profile item 1"
        #expect(named.rule == "profile item 1")
    }

    /// A statement found as it was assessed carries the organizations the assessment
    /// found, which are its text's own, and the declaration read with them (and the
    /// language the finder worked out) is the one read without; lines joined to it (an
    /// introduction before, a signature block after, a line added later) leave it
    /// without them.
    @Test func organizationsAssessedAreTheTextsOwn() throws {
        let html = """
            <html><body><p>欢迎访问本站。<br>声明人：管理员<br>本人在此郑重声明退出中国共产党，从此与其再无任何关系。<br>声明人：王明<br>2005年1月1日<br>\
            我在此郑重声明退出共青团和少先队，从此与其再无任何关系。<br>声明人：李华<br>2005年2月2日</p>\
            <div><p>我在此郑重声明退出中国共产党，从此与其再无任何关系，决不回头。</p></div><p>声明人：张三</p>\
            <div><p>I hereby declare that I quit the Chinese Communist Party and the Communist Youth League, for good.</p></div>\
            <div><p>我在此郑重声明退出少先队，从此与其再无任何关系，再也不回头了。</p></div></body></html>
            """
        let found = Self.finder.statements(in: BlockExtractor.blocks(of: HTMLParser.parse(html)))
        #expect(found.map { $0.assessedOrganizations?.keys } == [nil, ["young_pioneers", "youth_league"], nil, ["party", "youth_league"], ["young_pioneers"]],
                "\(found.map(\.text))")
        #expect(found.map { $0.assessedOrganizations?.language } == [nil, "zh", nil, "en", "zh"])
        for statement in found {
            if let known = statement.assessedOrganizations {
                #expect(Set(known.keys) == Self.finder.organizations(in: statement.text, patterns: Self.finder.patterns(for: statement.text)))
            }
            #expect(DeclarationTests.reader.read(statement.text, organizations: statement.assessedOrganizations)
                == DeclarationTests.reader.read(statement.text))
            // Worked out for the last statement of a block (whether a translation follows).
            #expect(statement.textLanguage == nil || statement.textLanguage == Self.finder.patterns(for: statement.text).language)
            #expect(DeclarationTests.reader.read(statement) == DeclarationTests.reader.read(statement.text))
        }
        #expect(found.filter { $0.textLanguage != nil }.count == 4)
        var added = found[1]
        added.text += "\n本人还退出中国共产党。"
        #expect(added.assessedOrganizations == nil && added.textLanguage == nil)
        // Organizations said to be of another language are not taken.
        #expect(DeclarationTests.reader.read(found[1].text, organizations: ("en", ["party"])).organizations == ["youth_league", "young_pioneers"])
    }
}
