@testable import DeclprocExtract
@testable import DeclprocHTML
import DeclprocICU
@testable import DeclprocPipeline
import DeclprocReader
import DeclprocRecords
import Foundation
import Testing
import TestSupport

/// Reading real and hostile pages through the whole chain, in process.
@Suite struct ReadingTests {
    static let resources = try! Resources(store: TestFiles.locales())

    static func read(_ html: String, profile: SiteProfile? = nil) throws -> ReadPage {
        try PageProcessor(resources: resources, profile: profile)
            .read(RawPage(source: PageSource(path: "t.html"), bytes: Array(html.utf8)), tracing: true)
    }

    static func outcome(_ bytes: [UInt8], transport: String? = nil) throws -> PageOutcome {
        try PageProcessor(resources: resources).process(RawPage(source: PageSource(path: "t.html"), bytes: bytes, transportCharset: transport))
    }

    /// A page read keeps its source and lets its bytes go: the later stages never need
    /// them, and a large page's would stay through all of them.
    @Test func aPageReadKeepsItsSourceNotItsBytes() throws {
        let page = try Self.read("<html><body><p>本人声明退出中国共产党。</p></body></html>")
        #expect(page.raw.source.path == "t.html")
        #expect(page.raw.bytes.isEmpty)
        #expect(page.blocks.contains { $0.text.contains("声明退出") })
    }

    /// Mozilla Readability's Chinese test pages (Tests/Fixtures/readability-zh, Apache-2.0):
    /// the main text must match the reference closely (character F1, as
    /// Scripts/measure-main-text.py reports it).
    @Test(arguments: ["gmw", "pixnet", "qq", "youth"])
    func mainTextOfRealPages(name: String) throws {
        let folder = TestFiles.repository("Tests/Fixtures/readability-zh/\(name)")
        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("source.html")))
        let page = try PageProcessor(resources: Self.resources).read(RawPage(source: PageSource(path: name), bytes: bytes), tracing: false)
        let text = page.mainContent.blocks.map { page.blocks[$0].text }.joined(separator: "\n")
        let expectedHTML = try [UInt8](Data(contentsOf: folder.appendingPathComponent("expected.html")))
        let expected = DeclprocHTMLText.text(of: expectedHTML)
        let f1 = Self.characterF1(text, expected)
        #expect(f1 >= 0.93, "\(name): main-text character F1 \(f1)")
        #expect(page.charset.invalidBytes == 0)
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected-metadata.json"))) as! [String: Any]
        #expect(page.metadata.title == metadata["title"] as? String)
    }

    static func characterF1(_ got: String, _ want: String) -> Double {
        var a: [Character: Int] = [:], b: [Character: Int] = [:]
        for c in got where !c.isWhitespace { a[c, default: 0] += 1 }
        for c in want where !c.isWhitespace { b[c, default: 0] += 1 }
        let overlap = a.reduce(0) { $0 + min($1.value, b[$1.key] ?? 0) }
        let p = Double(overlap) / Double(max(1, a.values.reduce(0, +)))
        let r = Double(overlap) / Double(max(1, b.values.reduce(0, +)))
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    @Test func profileItemsTitleDateAndAuthor() throws {
        let html = """
        <html><head><title>Site</title><meta name="writer" content="编辑部"></head><body>
        <h1 class="headline">声明专页</h1><span class="when">发布于 2012年4月1日</span>
        <div class="item">退出共青团。——李四</div>
        <div class="item">我退出少先队</div>
        <div class="other">本人声明退出中国共产党，誓言作废。</div>
        </body></html>
        """
        let profile = SiteProfile(name: "test", item: "//div[@class='item']", title: "//h1", date: "//span[@class='when']",
                                  author: "//meta[@name='writer']/@content")
        let page = try Self.read(html, profile: profile)
        #expect(page.statements.map(\.text) == ["退出共青团。——李四", "我退出少先队"])
        #expect(page.metadata.title == "声明专页")
        #expect(page.metadata.published == "2012-04-01")
        #expect(page.metadata.author == "编辑部")
        let generic = try Self.read(html)
        #expect(generic.statements.map(\.text) == ["本人声明退出中国共产党，誓言作废。"])
    }

    @Test func invalidProfileFailsBeforeReading() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).json").path
        try Data(#"{"item": "//div[@class='x'"}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SiteProfile.Invalid.self) { try SiteProfile.load(path) }
    }

    @Test func smallFormsAreDroppedPageWideFormsKept() throws {
        let reply = try Self.read("<html><body><p>本人郑重声明退出中国共产党，誓言作废。</p><form><label>回复：我也声明退出中共</label><textarea></textarea><button>发表</button></form></body></html>")
        #expect(reply.blocks.allSatisfy { !$0.text.contains("回复") })
        let body = String(repeating: "<p>本人郑重声明退出中国共产党，过去在党旗下的宣誓全部作废，从此与它再无关系。</p>", count: 8)
        let aspnet = try Self.read("<html><body><form id=aspnetForm>\(body)<input type=hidden name=__VIEWSTATE value=x></form></body></html>")
        #expect(aspnet.statements.count == 8)
    }

    /// A list block is split after each date line in its language. Date lines are
    /// short (`date_max_characters`): spaced, full-width and written-out dates still
    /// close a statement.
    @Test func dateLinesCloseStatements() throws {
        let dates = ["2005 年 12 月 13 日", "２００６年３月４日", "二〇〇五年五月三日", "2007-01-02", "2008 年1月20日"]
        let body = dates.enumerated().map { k, date in "本人声明退出中国共产党，第\(k + 1)份。<br>\(date)" }.joined(separator: "<br>")
        let page = try Self.read("<html><body><p>\(body)</p></body></html>")
        #expect(page.statements.map { $0.text.components(separatedBy: "\n").last! } == dates)
    }

    @Test func pageMetadata() throws {
        let html = """
        <html lang="zh-Hant-TW"><head><title>聲明</title>
        <meta property="article:published_time" content="2009-02-03T08:00:00+08:00">
        <meta name="author" content="王小明"></head>
        <body><p>本人聲明退出中國共產黨。</p></body></html>
        """
        let page = try Self.read(html)
        #expect(page.metadata.lang == "zh-Hant-TW")
        #expect(page.metadata.published == "2009-02-03")
        #expect(page.metadata.author == "王小明")
        #expect(page.script == "Hant")
        let dateline = try Self.read("<html><body><h1>退党声明</h1><p>日期：2006年1月15日</p><p>正文很长的一段话。</p></body></html>")
        #expect(dateline.metadata.published == "2006-01-15")
    }

    @Test(arguments: [
        ("声明人：张三 2005年5月3日", ["2005-05-03"]),
        ("２００５年５月３日", ["2005-05-03"]),
        ("二〇〇五年十二月二十六日", ["2005-12-26"]),
        ("2005-05-03 and 2006/1/5", ["2005-05-03", "2006-01-05"]),
        ("May 3, 2005; 21 June 2006", ["2005-05-03", "2006-06-21"]),
        ("1998年入团", []),
        ("2005年13月1日", []),
        ("2009年4月", ["2009-04"]),
        ("2005 年 5 月 3 日", ["2005-05-03"]),
        ("二ＯＯ五年五月", ["2005-05"]),
        ("签名 2010-2-8，5月3日", ["2010-02-08"]),
        ("年月日", []),
        // Long Chinese before the date: the clue scan steps over it eight bytes at a time.
        ("本人郑重声明退出中国共产党，过去的一切誓言作废。2005-05-03", ["2005-05-03"]),
        ("本人郑重声明退出中国共产党，过去的一切誓言作废。May 3, 2005", ["2005-05-03"]),
        ("本人郑重声明退出中国共产党2005中国共产党中国共产党-05-03", []),
    ])
    func dates(text: String, expected: [String]) {
        #expect(DateFinder.dates(in: text).map(\.iso) == expected)
    }

    @Test func dateSpansAreScalarOffsets() {
        let text = "𠮷签名：李四 2005年5月3日"
        let found = DateFinder.dates(in: text)
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[found[0].start..<found[0].end])) == "2005年5月3日")
    }

    @Test func inspectionExplainsEveryDecision() throws {
        let page = try Self.read("<html><head><meta charset=gb2312></head><body><nav><a href=/>首页</a></nav><p>他日前发表声明退出中共，记者采访了他。</p><p>我今天郑重声明退出中共，誓言作废。</p></body></html>")
        let inspection = Inspection(page, finder: Self.resources.statements, profile: nil)
        let text = inspection.text
        #expect(text.contains("meta declares \"gb2312\""))
        #expect(text.contains("no first-person word outside quotation marks"))
        #expect(text.contains("statement"))
        #expect(text.contains("page furniture"))
    }

    /// A block's path lists the block elements above it from "body" (the walk's
    /// start), skipping inline ones; text outside any block element is "body".
    @Test func blockPathsNameTheBlockElementsAbove() throws {
        let page = try Self.read("<html><body>开头<div class=a><span><p>第一段文字<b>粗</b></p></span><ul><li>一项</li></ul></div>"
            + "<section><table><tr><td>格子</td></tr></table></section></body></html>")
        let paths = Dictionary(uniqueKeysWithValues: page.blocks.map { ($0.text, BlockExtractor.path(of: $0, in: page.document)) })
        #expect(paths == ["开头": "body/html/body", "第一段文字粗": "body/html/body/div/p", "一项": "body/html/body/div/ul/li",
                          "格子": "body/html/body/section/table/tr/td"])
        let inspection = Inspection(page, finder: Self.resources.statements, profile: nil)
        #expect(inspection.blocks.map(\.path) == page.blocks.map { paths[$0.text] })
    }

    /// Invalid byte sequences in every supported charset are replaced and counted;
    /// the rest of the page still decodes.
    @Test(arguments: ["UTF-8", "UTF-16LE", "UTF-16BE", "GB18030", "Big5-HKSCS", "Shift_JIS", "EUC-JP", "EUC-KR",
                      "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254", "windows-1255",
                      "windows-1256", "windows-1257", "windows-1258", "ISO-8859-2", "ISO-8859-5", "ISO-8859-7", "ISO-8859-15"])
    func everySupportedCharsetDecodes(charset: String) throws {
        let sample: String = switch charset {
        case "Shift_JIS", "EUC-JP": "私は声明します。日本語のテキスト"
        case "EUC-KR": "나는 선언합니다 한국어 텍스트"
        case "GB18030", "UTF-8", "UTF-16LE", "UTF-16BE": "我声明退出中共。𠮷镕"
        case "Big5-HKSCS": "我聲明退出中共。"
        case "windows-1251", "ISO-8859-5": "Я заявляю о выходе"
        case "windows-1253", "ISO-8859-7": "Δηλώνω την αποχώρηση"
        case "windows-1255": "אני מצהיר"
        case "windows-1256": "أعلن انسحابي"
        case "windows-1250", "ISO-8859-2": "Prohlášení: Žluťoučký kůň úpěl"
        case "windows-1254": "Açıklama: ayrılıyorum"
        case "windows-1257": "Pareiškimas: išeinu"
        case "windows-1258": "Tôi đi xa, Đông"
        default: "Déclaration: je quitte le parti"
        }
        let declared = charset.hasPrefix("UTF-16") ? "" : "<meta charset=\"\(charset)\">"
        var bytes = (charset == "UTF-16LE" ? [0xFF, 0xFE] : charset == "UTF-16BE" ? [0xFE, 0xFF] : [])
            + (try CharsetEncoder(charset: charset).encode(declared + "<p>" + sample + "</p>"))
        let clean = try Self.outcome(bytes)
        guard case .page(let page, _) = clean else { Issue.record("\(charset) rejected"); return }
        #expect(page.text.contains(sample), "\(charset): \(page.text)")
        #expect(page.charset.invalidBytes == 0)
        if !charset.hasPrefix("UTF-16") && !charset.hasPrefix("windows-125") && !charset.hasPrefix("ISO-8859") {
            // Multi-byte charsets have sequences that are invalid: a lone lead byte.
            bytes += charset == "UTF-8" ? [0xC3, 0x28] : charset.hasPrefix("EUC") ? [0xA1, 0x0A] : [0x81, 0x0A]
            guard case .page(let damaged, _) = try Self.outcome(bytes) else { Issue.record("\(charset) damaged rejected"); return }
            #expect(damaged.charset.invalidBytes > 0, "\(charset)")
            #expect(damaged.text.contains(sample))
        }
    }

    @Test func nulBytesAndDeepMarkupDoNotLoseTheStatement() throws {
        var bytes = Array("<html><body><p>我今天郑重声明退出中共，誓言作废。\u{0}</p>".utf8)
        bytes += Array(String(repeating: "<div>", count: 100_000).utf8) + Array("<p>本人声明退出共青团，誓言作废。</p>".utf8)
        guard case .page(let page, let statements) = try Self.outcome(bytes) else { Issue.record("rejected"); return }
        #expect(statements.count == 2)
        #expect(page.notes.contains { $0.contains("nested deeper") })
    }
}

/// Text of an HTML fragment, for comparing with references (no boilerplate removal).
enum DeclprocHTMLText {
    static func text(of bytes: [UInt8]) -> String {
        let document = DeclprocHTMLParse.parse(bytes)
        return document.nodes.filter { $0.kind == .text }.map(\.text).joined(separator: " ")
    }
}

/// The page checks read UTF-8 bytes; they answer as the scalar walks they replaced.
@Suite struct PageCheckTests {
    @Test func controlByteShareCountsTheHeadsControlBytes() {
        var random = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 9, 63, 4_096, 70_000] {
            for density in [0, 1, 20, 255] {
                let bytes = (0..<length).map { _ in
                    UInt8.random(in: 0...255, using: &random) < density ? UInt8.random(in: 0..<0x20, using: &random)
                        : UInt8.random(in: 0x20...0xFF, using: &random)
                }
                let head = bytes.prefix(65_536)
                let expected = Double(head.filter { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D, 0x1B].contains($0) }.count) / Double(head.count)
                if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) { continue }
                #expect(TextCheck.controlByteShare(bytes) == expected)
            }
        }
    }

    static func scalarShare(_ text: String) -> Double? {
        var total = 0, bad = 0
        for scalar in text.unicodeScalars {
            if total == 65_536 { break }
            total += 1
            switch scalar.value {
            case 0x09, 0x0A, 0x0C, 0x0D: break
            case 0x00...0x1F, 0xFFFD: bad += 1
            default: break
            }
        }
        return total == 0 ? nil : Double(bad) / Double(total)
    }

    /// U+FFFD, controls, two- and four-byte characters and the 65,536th scalar after
    /// ASCII of every length from 0 to 7, so at every offset of an eight-byte step.
    @Test func binaryShareReadsChineseInSteps() {
        for pad in 0..<8 {
            let head = String(repeating: "a", count: pad)
            for text in [head + String(repeating: "中文", count: 20) + "\u{FFFD}中\u{1}文",
                         head + "中\u{FFFD}\u{FFFD}文é𠀀\u{FFFD}" + String(repeating: "文", count: 9) + "\u{7}",
                         head + String(repeating: "中", count: 65_534 - pad) + "\u{FFFD}\u{1}\u{FFFD}\u{1}",
                         head + String(repeating: "é", count: 65_535 - pad) + "\u{FFFD}"] {
                #expect(TextCheck.binaryShare(Array(text.utf8)) == Self.scalarShare(text), "\(pad)")
            }
        }
    }

    @Test(arguments: ["", "a", "\t\n\u{C}\r", "\u{0}\u{1}\u{1F}\u{7F}", "中\u{FFFD}文\u{FFFC}\u{FFFE}é𠀀",
                      String(repeating: "\u{FFFD}a中", count: 30_000), String(repeating: "x", count: 70_000) + "\u{1}",
                      String(repeating: "<p class=x>", count: 6_000) + "\u{2}\u{3}", String(repeating: "abcdefg\u{1}", count: 9_000),
                      "abcdefgh\u{5}ijklmnop qrstuvw\u{FFFD}xyz01234\n",
                      // Two- and four-byte characters, U+FFFD and controls across eight-byte steps, and
                      // 65,536 scalars reached inside a step.
                      String(repeating: "é中𠀀a\u{FFFD}b\u{1}ü", count: 2_000), "中文中\u{FFFD}中文中文\u{FFFD}\u{FFFD}中\u{7}",
                      String(repeating: "中", count: 65_530) + "\u{1}\u{1}\u{1}\u{1}\u{1}\u{1}\u{1}\u{1}\u{1}\u{1}",
                      String(repeating: "ab中", count: 21_845) + "\u{FFFD}\u{FFFD}\u{FFFD}"])
    func binaryShareIsTheScalarCount(text: String) {
        #expect(TextCheck.binaryShare(Array(text.utf8)) == Self.scalarShare(text))
        #expect(TextCheck.countingPathsAgree(Array(text.utf8)))
        var utf8 = WellFormedUTF8(text)
        #expect(utf8.replaceNUL() == text.unicodeScalars.filter { $0 == "\u{0}" }.count)
        #expect(utf8.string == String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })))
    }
}

@Suite struct NameWordTests {
    /// Class and id names: single words, and the two-word name "author-info" however
    /// its words are joined; its words alone say nothing.
    @Test(arguments: [("article-content", 25.0, false), ("comments", -25, false), ("author-info", -25, false),
                      ("post_author_info box", -25, false), ("AuthorInfo", 0, false), ("author", 0, false), ("info author", 0, false),
                      ("site-footer main", -25, true), ("page", 25, false), ("", 0, false)])
    func namesWeighContainers(value: String, weight: Double, furniture: Bool) {
        let document = DeclprocHTMLParse.parse(Array("<div class=\"\(value)\">x</div>".utf8))
        guard let div = document.firstElement(named: "div") else { Issue.record("no div"); return }
        #expect(BlockExtractor.nameRoles(div, in: document).weight == weight)
        #expect(BlockExtractor.nameRoles(div, in: document).boilerplate == furniture)
    }

    @Test(arguments: ["", "main-content", "nav_bar2 footer", "  a--b  ", "x\r\ny", "ÉDITO-news", "新闻 list", "a½b", "CamelCase9"])
    func splitAsCharactersAre(value: String) {
        let byCharacter = value.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        #expect(BlockExtractor.nameWords(value) == byCharacter)
    }
}

/// The block walk's text helpers, against the plain ways they replace.
@Suite struct BlockTextTests {
    /// Hidden elements: `hidden`, `aria-hidden="true"` and inline styles, whose
    /// keywords are ASCII and match in any case, with CSS white space anywhere. A
    /// no-break space is no CSS white space, so "display:\u{A0}none" is no rule; a
    /// declaration counts whole.
    @Test(arguments: [("hidden", true), ("hidden=\"\"", true), ("aria-hidden=\"TRUE\"", true), ("aria-hidden=\" true\"", false),
                      ("aria-hidden=\"false\"", false), ("style=\"display:none\"", true), ("style=\"DISPLAY : None !important\"", true),
                      ("style=\"width:3px;\tvisibility:\n hidden\"", true), ("style=\"display:block;visibility:visible\"", false),
                      ("style=\"display:\u{A0}none\"", false), ("style=\"display:nonexistent\"", false), ("style=\"-x-display:none\"", false), ("style=\"\"", false),
                      ("class=\"display:none\"", false), ("style=\"显示:none; display:none\"", true)])
    func hiddenElements(attributes: String, hidden: Bool) {
        let document = DeclprocHTMLParse.parse(Array("<div \(attributes)>x</div>".utf8))
        guard let div = document.firstElement(named: "div") else { Issue.record("no div"); return }
        #expect(BlockExtractor.isHidden(document.attributes(of: div)) == hidden)
    }

    /// The pipeline parses keeping only `BlockExtractor.attributesRead`: every page
    /// must read the same as with all its attributes (blocks, main content, metadata).
    /// A reader of an attribute left out of the list would fail here on some page.
    @Test func pagesReadTheSameWithTheAttributesReadAlone() throws {
        var pages: [(String, [UInt8])] = []
        for folder in ["Samples", "Tests/Fixtures/readability-zh"] {
            let root = TestFiles.repository(folder)
            guard let walk = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let name as String in walk where name.hasSuffix(".html") {
                pages.append((name, [UInt8](try Data(contentsOf: root.appendingPathComponent(name)))))
            }
        }
        // Every attribute read, in the places it is read, beside ones that are not.
        pages.append(("made", Array("""
            <html lang="zh-TW" xml:lang="en"><head><meta property="article:published_time" content="2020-05-06">
            <meta name="author" content="王小明"><meta itemprop="datePublished" content="2021-01-02">
            <meta http-equiv="Content-Language" content="zh-HK"><link href="x.css" rel="stylesheet"></head>
            <body onload="f()"><nav id="nav" class="menu"><a href="/a">首页</a></nav>
            <div role="main" class="article-content" data-x="1"><time datetime="2019-03-04">三月</time>
            <p style="color: red" title="t">我声明退出共青团，本人于二〇〇一年入团。</p><p hidden>藏</p><p aria-hidden="true">藏</p>
            <p style="display:none">藏</p><form><input type="text" name="q"><textarea>x</textarea></form>
            <img src="a.png" alt="图"><div id="comments" class="comment">评论：好。</div></div></body></html>
            """.utf8)))
        #expect(pages.count >= 15)
        // The names are ones the parse can leave the others out by, before libxml2 reads them.
        #expect(AttributeNameFilter(BlockExtractor.attributesRead) != nil)
        // Class values told on earlier pages (`ClassRoles`, kept by a reader from page to
        // page, all the pages twice) tell what they told on their own page.
        var classRoles = BlockExtractor.ClassRoles()
        for (name, bytes) in pages + pages {
            let all = HTMLParser.parse(utf8: bytes)
            let some = HTMLParser.parse(utf8: bytes, options: .init(attributes: BlockExtractor.attributesRead))
            #expect(some.attributeList.allSatisfy { BlockExtractor.attributesRead.contains($0.name) }, "\(name)")
            let (blocks, kept) = (BlockExtractor.blocks(of: all), BlockExtractor.blocks(of: some))
            #expect(blocks == kept, "\(name)")
            #expect(BlockExtractor.blocks(of: some, classRoles: &classRoles) == blocks, "\(name)")
            #expect(BlockExtractor.metadata(of: all) == BlockExtractor.metadata(of: some), "\(name)")
            #expect(BlockExtractor.mainContent(blocks, in: all).blocks == BlockExtractor.mainContent(kept, in: some).blocks, "\(name)")
        }
    }

    /// The walk finds a tag's role by its number: a role for a tag not among the known
    /// ones would never be found.
    @Test func everyTagWithARoleIsKnown() {
        for (tag, role) in BlockExtractor.tagRoles {
            let number = HTMLDocument.tagNumber(tag)
            #expect(number != 0, "\(tag)")
            #expect(BlockExtractor.rolesByTag[Int(number)] == role, "\(tag)")
        }
        #expect(BlockExtractor.rolesByTag[0] == [])
    }

    @Test(arguments: ["", " ", "\n", "\n\n", "a", " a ", "a\n\nb", " 中文 \u{3000}\n\u{3000}\n  x y  \n", "a\r\nb \n c",
                      "\u{2003}é\u{85}\n\u{0B}z", "x\n", "\u{3000}\u{3000}", "𠀀 \n 𠀁", "a\u{301} \n\u{301}b"])
    func trimmedLinesAsLineByLine(text: String) {
        let expected = text.lines().map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "\n")
        #expect(BlockExtractor.trimmedLines(Array(text.utf8)) == expected)
    }

    /// The counts a block's and a statement's language tests use, against a count
    /// made scalar by scalar with the same character classes.
    @Test(arguments: ["", "中文", "我声明退出中国共产党，及其一切组织。", "䷀䷁一丁\u{4DFF}\u{4E00}\u{9FFF}\u{A000}\u{5000}\u{4FFF}",
                      "abc 中文 def\u{3000}中\u{A0}文\t\n", "，。、；！？,.;!?：:", "𠀀𠀁中文中文中文中文e\u{301}",
                      String(repeating: "声明人张三北京", count: 9) + "。", "䷀国家国家国家", "\u{A000}中文中文中文", "中\u{A000}文中文中文", "éÉßĳ中文中文中文中文中文Ａ１"])
    func languageProfileCountsEachScalar(text: String) {
        let profile = LanguageProfile(text)
        var han = 0, latin = 0, visible = 0, marks = 0
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            visible += 1
            if scalar.isHan { han += 1 } else if scalar.isLatinLetter { latin += 1 } else if "，。、；！？,.;!?：:".unicodeScalars.contains(scalar) { marks += 1 }
        }
        let counted: [Int] = [profile.han, profile.latin, profile.visibleCharacters, profile.clausePunctuation]
        #expect(counted == [han, latin, visible, marks])
    }

    @Test(arguments: ["", " ", "  ", "\t\n", "a", " a", "a ", "a  b", "a\u{A0}b", "a \u{A0}\t b", "中文", "中 文\n",
                      "\u{C2}", "é\u{A0}", "\u{3000}", "x\r\ny", "  中  ", "abcdefghijk lmnopqrstu", "中文中文中文 \u{A0}中文中文中文中文",
                      "aaaaaaaa\tbbbbbbbbbbbbbbbb  ", "        ", "12345678\u{A0}", "éééééééé\u{1}x", "中文中文中文中文。"])
    func collapseWhitespaceAsARunReplacement(text: String) {
        var expected = ""
        var inRun = false
        for scalar in text.unicodeScalars {
            if [" ", "\t", "\n", "\r", "\u{C}", "\u{A0}"].contains(scalar) { inRun = true; continue }
            if inRun { expected += " "; inRun = false }
            expected.unicodeScalars.append(scalar)
        }
        if inRun { expected += " " }
        // Appended after what the block has already; text of whitespace alone is not.
        var buffer = Array("前".utf8)
        let kind = BlockExtractor.appendCollapsingWhitespace(text, to: &buffer)
        #expect(kind == (text.isEmpty ? .empty : expected == " " ? .blank : .text))
        #expect(String(decoding: buffer, as: UTF8.self) == "前" + (kind == .text ? expected : ""))
    }
}
