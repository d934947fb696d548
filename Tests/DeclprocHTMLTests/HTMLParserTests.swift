import Foundation
import Testing
import TestSupport
import DeclprocCollections
import DeclprocICU
@testable import DeclprocHTML

@Suite struct HTMLParserTests {
    func parse(_ html: String, maxDepth: Int = 512) -> HTMLDocument {
        HTMLParser.parse(utf8: Array(html.utf8), options: .init(maxDepth: maxDepth))
    }

    func texts(_ doc: HTMLDocument) -> [String] {
        doc.nodes.filter { $0.kind == .text }.map(\.text)
    }

    @Test func brokenMarkupRecovers() {
        let doc = parse("<html><body><p>一<b>二<i>三</b>四</i><p>五<div>六<td>七</td>&nbsp八<table><td>九</table></body>")
        let all = texts(doc).joined()
        for piece in ["一", "二", "三", "四", "五", "六", "七", "八", "九"] {
            #expect(all.contains(piece), "lost \(piece) in \(all)")
        }
        #expect(all.contains("\u{A0}八"), "&nbsp without semicolon is decoded")
        #expect(doc.nodes.filter { $0.kind == .element && $0.name == "p" }.count == 2)
    }

    /// Pages reach the parser decoded: a charset the page names, or a byte-order
    /// mark, must not make libxml2 decode the UTF-8 again (it would read 中文 as GBK).
    @Test(arguments: ["<meta charset=\"gbk\">", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">",
                      "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>", "<meta charset=\"iso-8859-1\">"])
    func aNamedCharsetDoesNotDecodeTheTextAgain(head: String) {
        let html = "<html><head>\(head)<title>声明</title></head><body><p>退出中共，网友“张三”</p><p>é 中文 ★</p></body></html>"
        for doc in [parse(html), HTMLParser.parse(html), parse("\u{FEFF}" + html)] {
            #expect(texts(doc).joined() == "声明退出中共，网友“张三”é 中文 ★", "\(head)")
        }
    }

    @Test func externalEntitiesAndNetworkAreNeverLoaded() {
        let before = HTMLParser.externalLoadAttempts
        let html = """
        <?xml version="1.0"?>
        <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" [
          <!ENTITY secret SYSTEM "file:///etc/passwd">
          <!ENTITY remote SYSTEM "http://127.0.0.1:9/x.xml">
        ]>
        <html><head><link rel="stylesheet" href="http://127.0.0.1:9/s.css"></head>
        <body><p>a&secret;b&remote;c</p><img src="http://127.0.0.1:9/i.png"></body></html>
        """
        let doc = parse(html)
        #expect(HTMLParser.externalLoadAttempts == before, "libxml2 tried to load an external resource")
        let all = texts(doc).joined()
        #expect(!all.contains("root:"), "file entity was expanded")
        #expect(all.contains("a") && all.contains("c"))
    }

    @Test func millionDeepNestingNeitherCrashesNorLosesText() {
        let depth = 1_000_000
        var html = "<html><body>"
        html += String(repeating: "<div>", count: depth)
        html += "深处的文字"
        html += String(repeating: "</div>", count: depth)
        html += "<p>after</p></body></html>"
        let doc = parse(html, maxDepth: 256)
        #expect(doc.nodes.allSatisfy { $0.depth <= 256 })
        #expect(doc.nodesBeyondDepthCap > 0)
        let all = texts(doc)
        #expect(all.contains("深处的文字"))
        #expect(all.contains("after"))
    }

    /// A page of a million nested tags is a million nodes; their array is most of its
    /// memory, and the hostile-input test's bound counts on forty bytes a node.
    @Test func aNodeIsFortyBytes() {
        #expect(MemoryLayout<HTMLDocument.Node>.stride == 40)
        let doc = parse("<html><body><p id=a>字</p><!--c--></body></html>")
        let p = doc.nodes[doc.firstElement(named: "p")!]
        #expect(p.name == "p" && p.text == "" && doc.attribute("id", of: doc.firstElement(named: "p")!) == "a")
        let text = doc.nodes[Array(doc.children(of: doc.firstElement(named: "p")!))[0]]
        #expect(text.kind == .text && text.text == "字" && text.name == "" && text.parent == doc.firstElement(named: "p"))
        #expect(doc.nodes.contains { $0.kind == .comment && $0.text == "c" && $0.name == "" })
    }

    /// An element's tag number names its tag, from either builder (parse events, or
    /// libxml2's tree when XPath selections are asked for); other nodes have none.
    @Test func tagNumbersNameTheTag() {
        let html = "<HTML><body><DIV class=x>a<p>b<br>c</p><wb:share>d</wb:share><my-widget>e</my-widget><!--f--></DIV></body></HTML>"
        for options in [HTMLParser.Options(), HTMLParser.Options(xpaths: ["//p"])] {
            let doc = HTMLParser.parse(html, options: options)
            #expect(doc.nodes.count > 8)
            for node in doc.nodes {
                if node.kind == .element {
                    #expect(HTMLDocument.knownTags[Int(node.tag)] == (HTMLDocument.knownTags.contains(node.name) ? node.name : ""),
                            "\(node.name)")
                } else {
                    #expect(node.tag == 0)
                }
            }
            #expect(doc.nodes.contains { $0.name == "share" && $0.tag == 0 })
            #expect(doc.nodes.contains { $0.name == "br" && HTMLDocument.knownTags[Int($0.tag)] == "br" })
        }
        #expect(Set(HTMLDocument.knownTags).count == HTMLDocument.knownTags.count)
    }

    /// Names are made once a parse in a table that grows from 32 slots; a page with
    /// hundreds of distinct names still gets each one right.
    @Test func manyDistinctNames() {
        let html = "<body>" + (0..<400).map { "<x-\($0) data-a\($0)=v\($0)>t\($0)</x-\($0)>" }.joined() + "</body>"
        let doc = parse(html)
        for k in 0..<400 {
            guard let index = doc.firstElement(named: "x-\(k)") else { Issue.record("no x-\(k)"); return }
            #expect(doc.attributes(of: index) == [.init(name: "data-a\(k)", value: "v\(k)")])
            #expect(doc.textContent(of: index) == "t\(k)")
        }
        // Twice over: names seen before are found again.
        #expect(parse(html + html).nodes.filter { $0.name == "x-399" }.count == 2)
    }

    @Test func titleAndAttributes() {
        let doc = parse("<html lang=zh-CN><head><title> 三退  声明 </title></head><body><p class='x' hidden>t</p></body></html>")
        #expect(doc.title == "三退 声明")
        #expect(doc.attribute("lang", of: doc.firstElement(named: "html")!) == "zh-CN")
        let p = doc.firstElement(named: "p")!
        #expect(doc.attribute("class", of: p) == "x")
        #expect(doc.attribute("hidden", of: p) != nil)
        #expect(doc.attributes(of: doc.nodes.firstIndex { $0.kind == .text }!).isEmpty)
    }

    @Test func emptyAndBinaryInputGiveDocumentsNotCrashes() {
        #expect(parse("").nodes.isEmpty)
        let binary = HTMLParser.parse(utf8: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        _ = binary.nodes.count
    }

    @Test func runtimeVersion() {
        #expect(HTMLParser.libxml2Version == "2.9.14")
    }
}

/// The document built from parse events (the default) equals the one copied from
/// libxml2's own tree (used when XPath selections need the tree), node for node,
/// on every real page the tests have and on broken markup.
@Suite struct TreeBuilderTests {
    /// Without script text, a document has the same elements and the same other text.
    @Test func scriptTextLeftOut() throws {
        for (name, bytes) in try Self.pages() {
            let full = HTMLParser.parse(utf8: bytes), textless = HTMLParser.parse(utf8: bytes, options: .init(keepsScriptText: false))
            func underScript(_ document: HTMLDocument, _ node: HTMLDocument.Node) -> Bool {
                node.kind == .text && node.parent >= 0 && ["script", "style"].contains(document.nodes[node.parent].name)
            }
            #expect(!textless.nodes.contains { underScript(textless, $0) }, "\(name)")
            let elements = { (d: HTMLDocument) in
                d.nodes.indices.filter { d.nodes[$0].kind == .element }.map { [d.nodes[$0].name, "\(d.nodes[$0].depth)"] + d.attributes(of: $0).map(\.value) }
            }
            let otherText = { (d: HTMLDocument) in d.nodes.filter { $0.kind != .element && !underScript(d, $0) }.map(\.text) }
            #expect(elements(full) == elements(textless), "\(name)")
            #expect(otherText(full) == otherText(textless), "\(name)")
        }
        let page = HTMLParser.parse("<head><script>var x = 1;</script><style>p {}</style></head><p>t</p>")
        #expect(page.nodes.filter { $0.kind == .text }.map(\.text) == ["var x = 1;", "p {}", "t"])
        let textless = HTMLParser.parse("<head><script>var x = 1;</script><style>p {}</style></head><p>t</p>", options: .init(keepsScriptText: false))
        #expect(textless.nodes.filter { $0.kind == .text }.map(\.text) == ["t"])
    }

    /// Element names kept from page to page (`HTMLParser.NameCache`, all the pages
    /// twice through one cache) make the documents each page makes alone.
    @Test func namesOfEarlierPagesMakeTheSameDocuments() throws {
        func shape(_ d: HTMLDocument) -> [String] {
            d.nodes.indices.map { k in
                let node = d.nodes[k]
                return "\(node.kind) \(node.name) \(node.tag) \(node.parent) \(node.depth) \(node.text)|"
                    + d.attributes(of: k).map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            }
        }
        let names = HTMLParser.NameCache()
        let pages = try Self.pages() + [("made", Array("<HTML><Body><DIV class=a><svg:rect/><wb:share>x</wb:share><custom-element-with-a-long-name>y</custom-element-with-a-long-name><BR><p>z</DIV>".utf8))]
        var compared = 0
        for (name, bytes) in pages + pages {
            guard let text = WellFormedUTF8(validating: bytes) else { continue }
            #expect(shape(HTMLParser.parse(text, names: names)) == shape(HTMLParser.parse(text)), "\(name)")
            compared += 1
        }
        #expect(compared > 20)
    }

    static func pages() throws -> [(String, [UInt8])] {
        var pages: [(String, [UInt8])] = []
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for folder in ["Samples", "Tests/Fixtures/readability-zh/gmw", "Tests/Fixtures/readability-zh/pixnet",
                       "Tests/Fixtures/readability-zh/qq", "Tests/Fixtures/readability-zh/youth"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".html") {
                pages.append((folder + "/" + name, [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))))
            }
        }
        let broken = ["<p>a<b>b<i>c</p>d</i>e", "<table><tr><td>1<td>2</table>text", "<ul><li>a<li>b</ul><!-- c --><br>",
                      "<input checked disabled value=x><select><option selected>o</select>", "<script>if (a < b) { x = '</p>' }</script><p>after",
                      "&nbsp&nbsp;x&amp&lt;&unknown; y", "<html><head><title>t</title></head><body>" + String(repeating: "<div>", count: 700) + "deep",
                      "plain text, no markup", "", "<style>p { color: red }</style><![CDATA[x]]><p>z"]
        // Script and style text, which the event builder takes in one piece (`takeRawText`).
        let rawText = ["<script></scriptx>a</script><p>b", "<SCRIPT type=x>x</Script >after", "<script>a\u{1}b</script><p>c",
                       "<script>a\u{FFFF}b\u{FFFE}</script>", "<p><script>unterminated", "<script/>x<p>y", "<script></p>x</script>y",
                       "<style>a{}</style", "<script>x<!-- </script> --></script>z", "<p><script>中文 é 𠀋</script>文",
                       "<div><script>abc</sc", "<script>\r\n</script>", "<div><style>p{}</STYLE><script>1</script><script>2</script></div>",
                       "<script>a</script >b</scripts>c", "<script>a\u{0}b</script>c", "<script>x</script", "<script>x</",
                       "<svg><script>x</script></svg><p>y", "<script data-x=\"a>b\" async>y</script>z", "<script>x</script><html><body>y",
                       "<title><script>x</script></title>", "<script x=\"unterminated>x</script>y", "<script>a<b</script>",
                       "<script><div>x</div></script>", "<style>\t</style><p>\u{7F}\u{85}</p>", "<script>&amp;&lt;</script>",
                       "<head><script>var s = \"</style>\";</script><style>b{}</style></head><body><p>t</p></body>",
                       "<table><script>x</script><tr><td>1</td></tr></table>", "<select><script>x</script><option>o</select>",
                       "<script>var aaaaaaaaaaaaaaaa = 1;\u{1}bbbbbbbbbbbbbbbbbbbbbb</SCRIPT>c",
                       "<script>var aaaaaaaaaaaaaaaa = '\u{FFFF}'; bbbbbbbbbbbbbbbbbbbbbbb</script>c",
                       "<style>p.aaaaaaaaaaaaaaaaaaaaaaaa { color: red }\n\t</styleX></STYLE>c",
                       "<script>if (aaaaaaaaaaaaaaaaaaaaa < b && \"ééééééééééééé\") {}</scr" + "ipt>c",
                       "<script>abcdefgh</script><p>between the two scripts, words</p><script>x</script>",
                       "<style>abcdefgh</style><p>between the two style sheets, words</p><style>x</style>"]
        // Text, which the event builder takes in one piece after start and end tags and comments (`takeText`).
        let text = ["<html><body><div>abc<br>def<br/>ghi<img src=x>jkl<!-- c -->mno</div>pqr</body></html>",
                    "<html><head>in head<title>t</title></head>after head<body>b</body>after body</html>after html",
                    "<html><body><div><b>x</div>after autoclose<p>a<p>b<li>c<li>d</body>", "<body><div/>after<p/>x<span/>y</body>",
                    "<body><p>a &amp; b &nbsp;c&nbsp&foo d &#x4e2d;&#20013; e &</p></body>", "<body><p>a\u{1}b</p><p>c\u{0}d</p><p>e\u{FFFF}f</p></body>",
                    "<body><DIV>up</DIV >x</div\n>y</div foo>z<P>a</P>b</body>", "<body><br title=</br>>x<br title=\"</br>\">y</body>",
                    "<body><table>t<tr>u<td>v</td>w</tr>x</table>y</body>", "<body><textarea>a<b>c</textarea>d<title>e</title>f</body>",
                    "<body><pre>\nx</pre>\r\ny\r</body>", "<body><p>ends here", "<body><p>中文，全角！（括号）\u{FF0C}é𠀋</p>文</body>",
                    "<body><select><option>a<option>b</select>c</body>", "<body><ul><li>a</ul>b</li>c</body>",
                    "<!-- before --><html><!-- in html -->x<body><!-- in body -->y</body></html>", "<body><p>a<</p>b</ p>c</>d</1>e</body>",
                    "<body><aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>x"
                        + "</aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>y</body>",
                    "<body><p>" + String(repeating: "长文本，", count: 800) + "</p>" + String(repeating: "x", count: 3000) + "</body>",
                    "<body><wb:share>a</wb:share>b<svg><g>c</g>d</svg>e</body>", "<body><p>a</p>\u{FFFE}b</body>",
                    "<body><p><b>a</b></p>\n</body>\n</html>\n",
                    // libxml2 hands text over in pieces of 1,000 bytes; text in <html> or <head> implies a <p>,
                    // started after a piece is read, with libxml2 on its last byte (here a ">").
                    "<html><head>" + String(repeating: "x", count: 999) + ">yyy</head><body>z</body></html>",
                    "<html>" + String(repeating: "x", count: 999) + ">yyy<body>z</body></html>",
                    String(repeating: "x", count: 999) + ">yyy<p>z</p>"]
        // Start tags whose attributes the event builder leaves out before libxml2 reads them (`compactStartTag`).
        let tags = ["<body><p>t<a href=\"x\" class=\"c\">l</a>u<img src=x class=y/>v<br class=z />w<input checked disabled/>x<br title=t class=z />y</body>",
                    "<body><div>a<a href=x/>b</a>c<a title='x>y' class=k>d</a>e<a href=\"p\"class=\"q\"id=r>f</a></div></body>",
                    "<body><p>a<span\tHREF = \"x\"\n CLASS = 'c'\r>b</span>c<span class=\"a\"class=\"b\" href=x>d</span></body>",
                    "<body><p>a<b href=\"unterminated>b</p></body>", "<body><p>a<b href=\"x\" / class=y>c</b>d<b @x=1 href=y>e</b></body>",
                    "<body><p>a<meta charset=gbk name=x href=y>b<META HREF=y>c</p></body>",
                    "<body><p>a<i href=&quot;x&quot; class=\"&amp;\">b</i><i class=>c</i><i href= >d</i><i href=>e</i></p></body>",
                    "<body><p>a<b " + String(repeating: "h", count: 120) + "=1 class=c>b</b>c<b " + String(repeating: "c", count: 99)
                        + " href=x>d</b></body>",
                    "<body><p>a<b aria-hiddenxxxxxx=1 data-something-long=2 class=c aria-hidden=true>b</b></p></body>",
                    "<body><p>a<b href=\"x\"", "<body><p>a<b href=\"x\" class=\"y\"/", "<body><p>a<b href=x class", "<body><p>a<b title",
                    "<body><p>中文<a href=\"中文\" class=\"中\" title=中>文</a>字</p></body>",
                    "<body><p>a<br title=\"x\"><b HREF=x Class=y ID=z>c</b><b title=x checked>d</b><b title=x checked/>e</p></body>",
                    "<body><p>a<svg:rect xlink:href=\"#x\" class=r/>b<x_y.z href=1 _a=2 :b=3 .c=4 class=5>c</x_y.z></p></body>",
                    "<body><div>x</div><a href=\"y\">after an end tag</a><!-- c --><a href=\"z\">after a comment</a></body>",
                    "<body><div><a href=\"y\"><b title=\"t\"><i data-a=1>tags, no text between</i></b></a></div></body>",
                    "<body><p>a<b title=\"x\u{0}y\" class=c>b</b></p></body>", "<body><p>a<b title=\"x\" class=c\u{0}>b</b></p></body>",
                    "<body><p>a<b title=\"x\" class=\"\u{1}\">b</b><b class=\"\u{FFFF}\" href=1>c</b></p></body>",
                    "<body><table><tr><td>a<td title=x class=y>b<tr title=z>c</table><p>d<li href=x>e<li class=y href=z>f</body>",
                    "<body><p>a<html lang=x href=y><body class=z href=w>b<head title=t>c</p></body>"]
        for (k, page) in (broken + rawText + text + tags).enumerated() { pages.append(("broken-\(k)", Array(page.utf8))) }
        // Not UTF-8 in a script: libxml2 reads it itself.
        pages.append(("not-utf8", Array("<script>a".utf8) + [0xFF, 0xC3] + Array("b</script><p>c\u{0}d".utf8)))
        return pages
    }

    /// Attributes a parse may keep, as the pipeline keeps a few (`BlockExtractor.attributesRead`):
    /// with some, the event builder leaves the others out before libxml2 reads them.
    static let someAttributes: Set<String> = ["class", "id", "style", "lang", "xml:lang", "name", "content", "http-equiv", "checked",
                                             "aria-hidden", "role", "type"]

    @Test(arguments: [(true, false), (false, false), (true, true), (false, true)])
    func eventsBuildTheSameDocumentAsLibxml2sTree(keepsScriptText: Bool, someAttributesOnly: Bool) throws {
        let pages = try Self.pages()
        #expect(pages.count > 20)
        for (name, bytes) in pages {
            Self.expectSameDocuments(name, bytes, keepsScriptText: keepsScriptText, attributes: someAttributesOnly ? Self.someAttributes : nil)
        }
    }

    /// Windows of the real pages with script and style markup, controls and
    /// characters libxml2 leaves out dropped in at random (seeded): what the event
    /// builder reads past libxml2 (`takeRawText`) must be what libxml2 reads.
    @Test func scrambledPagesToo() throws {
        let pieces = ["<script>", "</script>", "</SCRIPT ", "<style type=x>", "</style>", "</styl", "<!--", "-->", "\u{1}", "\u{0}",
                      "\u{FFFF}", "&amp;", "<", ">", "/>", "<script/>", "<p>", "</p>", "中文", "\r\n", "<![CDATA[", "]]>", "\"", "'",
                      "&", "&nbsp", "&foo;", "<br>", "<br/>", "<div/>", "</div>", "</DIV >", "<b>", "</b>", "<li>", "<td>", "</table>",
                      "<head>", "</head>", "<body>", "</body>", "<html>", "</html>", "<!-- c -->", "</", "<p/>",
                      " href=\"x\" ", " class=y", "=", " title='a>b' ", "/", " data-x", "<a href=x class=y>", "<b title=\"t\" id=i/>"]
            .map { Array($0.utf8) }
        var random = SplitMix(seed: 19)
        let pages = try Self.pages().filter { $0.1.count > 10_000 }.map(\.1)
        #expect(pages.count >= 4)
        for round in 0..<300 {
            let page = pages[Int(random.next() % UInt64(pages.count))]
            let start = Int(random.next() % UInt64(page.count - 4096))
            var bytes = Array(page[start..<(start + 4096)])
            for _ in 0..<Int(random.next() % 12) {
                let at = Int(random.next() % UInt64(bytes.count + 1))
                bytes.insert(contentsOf: pieces[Int(random.next() % UInt64(pieces.count))], at: at)
            }
            if round % 5 == 0 { bytes.insert(0xFF, at: Int(random.next() % UInt64(bytes.count))) } // not UTF-8, with and without script text
            Self.expectSameDocuments("scrambled-\(round)", bytes, keepsScriptText: round % 2 == 0,
                                     attributes: round % 3 == 0 ? nil : Self.someAttributes)
        }
    }

    /// Most text is read past libxml2 (`takeText`, `takeRawText`): a change that
    /// quietly stopped it would leave the documents right and the parse slow.
    @Test func textIsReadPastLibxml2() throws {
        func taken(_ bytes: [UInt8], keepsScriptText: Bool = false) -> (taken: Int, document: HTMLDocument) {
            let builder = bytes.withUnsafeBufferPointer {
                TreeBuilder.build($0, count: $0.count, flags: HTMLParser.flags, maxDepth: 512, validUTF8: true, keepsScriptText: keepsScriptText,
                                  keptNames: nil)
            }
            return (builder.bytesTaken, builder.document)
        }
        // After a start tag, an empty element, one closed at once, a comment and an end tag.
        #expect(taken(Array("<html><body><div>abc<br>def<p/>ghi<!-- c -->jkl</div>mno</body></html>".utf8)).taken == 15)
        // Not in <html> or <head>, not past a NUL or a character libxml2 leaves out, not past "&".
        #expect(taken(Array("<html>a<head>b</head><body><p>c\u{0}d</p><p>e\u{1}f</p><p>g\u{FFFF}</p><p>h&amp;i</p></body></html>".utf8)).taken == 1)
        for (name, bytes) in try Self.pages() where name.hasPrefix("Tests/Fixtures") {
            let (count, document) = taken(bytes)
            let text = document.nodes.filter { $0.kind == .text }.reduce(0) { $0 + $1.text.utf8.count }
            #expect(Double(count) >= 0.5 * Double(text), "\(name): \(count) of \(text) bytes")
        }
    }

    /// Attributes no one keeps are left out of start tags before libxml2 reads them
    /// (`compactStartTag`): a change that quietly stopped it would leave the documents
    /// right and the parse slower.
    @Test func attributesLeftOutBeforeLibxml2() throws {
        func dropped(_ bytes: [UInt8]) -> Int {
            bytes.withUnsafeBufferPointer {
                TreeBuilder.build($0, count: $0.count, flags: HTMLParser.flags, maxDepth: 512, validUTF8: true, keepsScriptText: false,
                                  attributes: Self.someAttributes, keptNames: AttributeNameFilter(Self.someAttributes)).bytesDropped
            }
        }
        // After text, a start tag, an end tag and a comment; not <meta>, not a tag whose attributes are all kept.
        #expect(dropped(Array("<html><body><div>abc<a href=\"x\">l</a><b title=t class=c>m</b><!-- c --><i data-x=\"1\"/></div></body></html>".utf8))
                == 9 + 8 + 10)
        #expect(dropped(Array("<html><body><div>a<meta name=x href=y><b class=c>b</b></div></body></html>".utf8)) == 0)
        // None in a page with a NUL, which libxml2 takes for its end.
        #expect(dropped(Array("<html><body><div>abc<a href=\"x\">l</a>\u{0}</div></body></html>".utf8)) == 0)
        for (name, bytes) in try Self.pages() where name.hasPrefix("Tests/Fixtures") {
            #expect(dropped(bytes) > bytes.count / 50, "\(name)")
        }
    }

    /// The options tell their attribute names on a page's bytes once, for every page
    /// parsed with them, and again whenever the names change: a filter that fell out
    /// of step would keep the documents right and the parse slower (or drop a kept name).
    @Test func optionsCarryTheirAttributeFilter() {
        var options = HTMLParser.Options(attributes: Self.someAttributes)
        let tag = Array("<b class=c title=t>".utf8) + [UInt8](filledWith: 0, count: 16)
        func keeps(_ filter: AttributeNameFilter?, _ name: String) -> Bool {
            let offset = name == "class" ? 3 : 11
            return tag.withUnsafeBufferPointer { filter?.keeps($0.baseAddress! + offset, count: name.utf8.count, before: $0.baseAddress! + $0.count) ?? false }
        }
        #expect(options.keptNames != nil)
        #expect(keeps(options.keptNames, "class") && !keeps(options.keptNames, "title"))
        options.attributes = ["title"]
        #expect(!keeps(options.keptNames, "class") && keeps(options.keptNames, "title"))
        options.attributes = nil
        #expect(options.keptNames == nil)
        #expect(HTMLParser.Options().keptNames == nil)
    }

    static func expectSameDocuments(_ name: String, _ bytes: [UInt8], keepsScriptText: Bool, attributes: Set<String>? = nil) {
        let events = HTMLParser.parse(utf8: bytes, options: .init(keepsScriptText: keepsScriptText, attributes: attributes))
        let tree = HTMLParser.parse(utf8: bytes, options: .init(xpaths: ["/html"], keepsScriptText: keepsScriptText, attributes: attributes))
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText = HTMLParser.parse(text, options: .init(keepsScriptText: keepsScriptText, attributes: attributes))
            #expect(fromText.nodes.map(\.text) == events.nodes.map(\.text) && fromText.nodes.count == events.nodes.count
                    && fromText.nodes.indices.map { Array(fromText.attributes(of: $0)) } == events.nodes.indices.map { Array(events.attributes(of: $0)) },
                    "\(name)")
        }
        expectSubtreesAreRanges(events, name)
        expectSubtreesAreRanges(tree, name)
        #expect(events.roots == tree.roots, "\(name)")
        #expect(events.nodes.count == tree.nodes.count, "\(name)")
        #expect(events.nodesBeyondDepthCap == tree.nodesBeyondDepthCap, "\(name)")
        for (k, (a, b)) in zip(events.nodes, tree.nodes).enumerated() {
            let same = a.kind == b.kind && a.name == b.name && events.attributes(of: k) == tree.attributes(of: k) && Array(a.text.unicodeScalars) == Array(b.text.unicodeScalars)
                && a.parent == b.parent && a.subtreeEnd == b.subtreeEnd && a.depth == b.depth
            if !same {
                Issue.record("\(name): \(a.kind) \(a.name) \(a.text.prefix(40).debugDescription) ≠ \(b.kind) \(b.name) \(b.text.prefix(40).debugDescription)")
                break
            }
        }
    }

    /// The tree the parents tell, walked depth first, numbers the nodes 0, 1, 2… (the
    /// roots in order), so each node's subtree is the range up to its `subtreeEnd`,
    /// and `children(of:)` hands back the nodes whose parent it is, in order.
    static func expectSubtreesAreRanges(_ document: HTMLDocument, _ name: String) {
        let nodes = document.nodes
        var children = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() where node.parent >= 0 { children[node.parent].append(index) }
        #expect(document.roots == nodes.indices.filter { nodes[$0].parent < 0 }, "\(name): roots")
        var order: [Int] = []
        var stack = Array(document.roots.reversed())
        while let index = stack.popLast() {
            order.append(index)
            stack.append(contentsOf: children[index].reversed())
        }
        guard order == Array(nodes.indices) else {
            Issue.record("\(name): the nodes are not in document order")
            return
        }
        var size = [Int](repeating: 1, count: nodes.count)
        for index in nodes.indices.reversed() where nodes[index].parent >= 0 { size[nodes[index].parent] += size[index] }
        for index in nodes.indices where nodes[index].subtreeEnd != index + size[index] || Array(document.children(of: index)) != children[index] {
            Issue.record("\(name): node \(index)'s subtree ends at \(nodes[index].subtreeEnd), not \(index + size[index]), or its children differ")
            return
        }
    }

    /// libxml2 attaches a tag after `</html>` to the `<html>` element, also when a
    /// comment came between: in the order the nodes come, that element then lands
    /// after a top-level node. Both builders put the nodes back in document order, an
    /// XPath selection still names the node it selected, and the depth cap (whose
    /// nodes go to an element before them) keeps the ranges too.
    @Test func nodesAttachedToAnEarlierOneAreInDocumentOrder() {
        let late = "<html><body>a<p>b</p>c</body></html><!--d--><p id=x>e</p>"
        for xpaths in [[], ["//p[@id='x']"]] {
            let document = HTMLParser.parse(utf8: Array(late.utf8), options: .init(xpaths: xpaths))
            Self.expectSubtreesAreRanges(document, "late, \(xpaths)")
            #expect(document.nodes.filter { $0.kind != .element }.map(\.text) == ["a", "b", "c", "e", "d"])
            #expect(document.roots.count == 2 && document.textContent(of: document.roots[0]) == "abce")
            if let selected = document.selections[xpaths.first ?? ""]?.nodes {
                #expect(selected.count == 1 && selected.allSatisfy { document.attribute("id", of: $0) == "x" })
            }
        }
        let deep = "<html><body>" + String(repeating: "<div>", count: 6) + "a<p>b</p>c" + String(repeating: "</div>", count: 6)
            + "d</body></html>"
        let capped = HTMLParser.parse(utf8: Array(deep.utf8), options: .init(maxDepth: 3))
        #expect(capped.nodesBeyondDepthCap > 0)
        Self.expectSubtreesAreRanges(capped, "deep")
        #expect(capped.textContent(of: capped.roots[0]) == "abcd")
    }
}
