import Foundation
import Testing
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
        #expect(p.name == "p" && p.text == "" && p.attribute("id") == "a")
        let text = doc.nodes[p.children[0]]
        #expect(text.kind == .text && text.text == "字" && text.name == "" && text.parent == doc.firstElement(named: "p"))
        #expect(doc.nodes.contains { $0.kind == .comment && $0.text == "c" && $0.name == "" })
    }

    @Test func titleAndAttributes() {
        let doc = parse("<html lang=zh-CN><head><title> 三退  声明 </title></head><body><p class='x' hidden>t</p></body></html>")
        #expect(doc.title == "三退 声明")
        let html = doc.nodes[doc.firstElement(named: "html")!]
        #expect(html.attribute("lang") == "zh-CN")
        let p = doc.nodes[doc.firstElement(named: "p")!]
        #expect(p.attribute("class") == "x")
        #expect(p.attribute("hidden") != nil)
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
        for (k, page) in broken.enumerated() { pages.append(("broken-\(k)", Array(page.utf8))) }
        return pages
    }

    @Test func eventsBuildTheSameDocumentAsLibxml2sTree() throws {
        let pages = try Self.pages()
        #expect(pages.count > 20)
        for (name, bytes) in pages {
            let events = HTMLParser.parse(utf8: bytes)
            let tree = HTMLParser.parse(utf8: bytes, options: .init(xpaths: ["/html"]))
            #expect(events.roots == tree.roots, "\(name)")
            #expect(events.nodes.count == tree.nodes.count, "\(name)")
            #expect(events.nodesBeyondDepthCap == tree.nodesBeyondDepthCap, "\(name)")
            for (a, b) in zip(events.nodes, tree.nodes) {
                let same = a.kind == b.kind && a.name == b.name && a.attributes == b.attributes && Array(a.text.unicodeScalars) == Array(b.text.unicodeScalars)
                    && a.parent == b.parent && a.children == b.children && a.depth == b.depth
                if !same {
                    Issue.record("\(name): \(a.kind) \(a.name) \(a.text.prefix(40).debugDescription) ≠ \(b.kind) \(b.name) \(b.text.prefix(40).debugDescription)")
                    break
                }
            }
        }
    }
}
