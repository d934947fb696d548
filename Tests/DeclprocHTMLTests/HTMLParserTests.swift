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
