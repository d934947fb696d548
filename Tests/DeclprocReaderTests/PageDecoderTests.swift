import DeclprocICU
@testable import DeclprocReader
import TestSupport
import Testing

@Suite struct PageDecoderTests {
    static func encode(_ text: String, as charset: String) -> [UInt8] {
        try! CharsetEncoder(charset: charset).encode(text)
    }

    static func gb18030(_ text: String) throws -> [UInt8] { encode(text, as: "GB18030") }

    static func page(_ bytes: [UInt8], transport: String? = nil) -> RawPage {
        RawPage(source: PageSource(path: "test.html"), bytes: bytes, transportCharset: transport)
    }

    static let chinese = "本人郑重声明退出中国共产党及其一切组织，朱镕基、𠮷野家与喆堃都在此列。"

    @Test func bomWins() throws {
        let decoder = try PageDecoder()
        let utf16 = [UInt8(0xFF), 0xFE] + Self.encode("<meta charset=gb2312>" + Self.chinese, as: "UTF-16LE")
        let (text, charset) = try decoder.decode(Self.page(utf16, transport: "gbk"))
        #expect(charset == CharsetDecision(name: "UTF-16LE", decidedBy: .bom, invalidBytes: 0, declared: nil))
        #expect(text.hasSuffix(Self.chinese))
        let utf8 = try decoder.decode(Self.page([0xEF, 0xBB, 0xBF] + Array("<p>é</p>".utf8)))
        #expect(utf8.charset.decidedBy == .bom && utf8.text == "<p>é</p>")
    }

    @Test func gb2312LabelDecodesAsGB18030KeepingGBKOnlyCharacters() throws {
        let bytes = Array("<html><head><meta charset=\"gb2312\"></head><body><p>".utf8) + (try Self.gb18030(Self.chinese))
        let (text, charset) = try PageDecoder().decode(Self.page(bytes))
        #expect(charset.name == "GB18030")
        #expect(charset.decidedBy == .meta)
        #expect(charset.invalidBytes == 0)
        #expect(text.contains(Self.chinese))
    }

    @Test func transportHeaderBeatsMeta() throws {
        let bytes = Array("<meta http-equiv='Content-Type' content='text/html; charset=big5'>".utf8) + (try Self.gb18030(Self.chinese))
        let (text, charset) = try PageDecoder().decode(Self.page(bytes, transport: "GBK"))
        #expect(charset.name == "GB18030" && charset.decidedBy == .transport)
        #expect(text.contains(Self.chinese))
    }

    @Test func utf8PageLabelledGB2312IsDecodedAsUTF8() throws {
        let bytes = Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><p>\(Self.chinese)</p>".utf8)
        let (text, charset) = try PageDecoder().decode(Self.page(bytes))
        #expect(charset.name == "UTF-8")
        #expect(charset.declared == "GB18030")
        #expect(text.contains(Self.chinese))
    }

    @Test func gbPageLabelledUTF8IsRescuedByTheDetector() throws {
        let body = String(repeating: "我们声明退出共青团和少先队，从此与它再无关系。", count: 8)
        let bytes = Array("<meta charset=utf-8><p>".utf8) + (try Self.gb18030(body))
        let (text, charset) = try PageDecoder().decode(Self.page(bytes))
        #expect(charset.name == "GB18030")
        #expect(charset.decidedBy == .detector)
        #expect(charset.declared == "UTF-8")
        #expect(text.contains(body))
    }

    @Test func undeclaredBig5IsDetected() throws {
        let body = String(repeating: "本人鄭重聲明退出中國共產黨及其附屬組織，過去的誓言全部作廢。", count: 10)
        let bytes = Array("<html><body><p>".utf8) + Self.encode(body, as: "Big5") + Array("</p></body></html>".utf8)
        let (text, charset) = try PageDecoder().decode(Self.page(bytes))
        #expect(charset.name == "Big5-HKSCS")
        #expect(charset.decidedBy == .detector)
        #expect(text.contains(body))
    }

    @Test func invalidBytesAreReplacedAndCounted() throws {
        var bytes = Array("<meta charset=gbk><p>".utf8) + (try Self.gb18030("中文"))
        bytes += [0x81, 0x20, 0xFF, 0xFF]
        let (text, charset) = try PageDecoder().decode(Self.page(bytes))
        #expect(charset.invalidBytes > 0)
        #expect(text.contains("中文") && text.contains("\u{FFFD}"))
    }

    @Test func asciiAndUnknownLabels() throws {
        let plain = try PageDecoder().decode(Self.page(Array("<p>hello</p>".utf8)))
        #expect(plain.charset.name == "UTF-8" && plain.charset.decidedBy == .detector)
        let bogus = try PageDecoder().decode(Self.page(Array("<meta charset=x-no-such><p>hello</p>".utf8)))
        #expect(bogus.charset.name == "UTF-8")
        let empty = try PageDecoder().decode(Self.page([]))
        #expect(empty.text.isEmpty)
    }

    @Test(arguments: [
        ("gb2312", "GB18030"), ("GBK", "GB18030"), ("x-gbk", "GB18030"), ("big5", "Big5-HKSCS"), ("BIG5-HKSCS", "Big5-HKSCS"),
        ("utf8", "UTF-8"), ("iso-8859-1", "windows-1252"), ("windows-1251", "windows-1251"), ("cp1250", "windows-1250"),
        ("ISO8859-2", "ISO-8859-2"), ("shift_jis", "Shift_JIS"), ("euc-kr", "EUC-KR"), ("'utf-8'", "UTF-8"),
    ])
    func labels(label: String, canonical: String) {
        #expect(CharsetLabel.canonical(label) == canonical)
    }

    @Test(arguments: [
        ("<meta charset=\"gb2312\">", "gb2312"),
        ("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=GBK\">", "gbk"),
        ("<meta content='text/html;charset=big5' http-equiv='content-type'>", "big5"),
        ("<meta name=\"description\" content=\"charset=utf-8 talk\"><meta charset=utf-8>", "utf-8"),
        ("<p>no declaration</p>", nil),
        ("<MeTa CharSet = BIG5 >", "big5"),
        ("<meta\r\ncharset=\"gb2312\"/>", "gb2312"),
        ("<meta charset=gbk\u{4E2D}\u{6587}>", "gbk"),
        ("<meta charset='\u{0C}gbk '>", "gbk"),
        ("<meta name=x><meta http-equiv=refresh content=\"5; charset=big5\"><meta charset=utf-8>", "utf-8"),
        ("<meta charset=>", nil),
    ])
    func metaPrescan(html: String, label: String?) {
        #expect(MetaCharset.scan(Array(html.utf8)) == label)
    }

    /// The counts that tell UTF-8 from a legacy charset, against a count made one
    /// sequence at a time, on seeded mixes of ASCII, Chinese, the edges of UTF-8
    /// (overlong E0, surrogate ED, four-byte, truncated) and GBK bytes.
    @Test func utf8CountsAsOneSequenceAtATime() {
        func reference(_ bytes: [UInt8]) -> (valid: Int, invalid: Int) {
            var valid = 0, invalid = 0, i = 0
            while i < bytes.count {
                let lead = bytes[i]
                if lead < 0x80 { i += 1; continue }
                let length = (0xC2...0xDF).contains(lead) ? 2 : (0xE0...0xEF).contains(lead) ? 3 : (0xF0...0xF4).contains(lead) ? 4 : 0
                var ok = length > 0 && i + length <= bytes.count && (1..<max(length, 1)).allSatisfy { bytes[i + $0] & 0xC0 == 0x80 }
                if ok, lead == 0xE0, bytes[i + 1] < 0xA0 { ok = false }
                if ok, lead == 0xED, bytes[i + 1] > 0x9F { ok = false }
                if ok { valid += 1; i += length } else { invalid += 1; i += 1 }
            }
            return (valid, invalid)
        }
        let pieces: [[UInt8]] = [Array("<p class=\"x\">".utf8), Array("中文声明退出".utf8), Array("，。".utf8), [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80],
                                 [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEC, 0xBF, 0xBF], [0xE1, 0x80, 0x80], Array("𠀀é".utf8), [0xE4, 0xB8],
                                 [0xD6, 0xD0, 0xCE, 0xC4], [0xC3], [0xFF], [0x80, 0x80], Array("abcdefgh".utf8)]
        var random = SplitMix(seed: 20)
        for _ in 0..<500 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) { bytes += pieces[Int(random.next() % UInt64(pieces.count))] }
            let counted = UTF8Check.counts(bytes), expected = reference(bytes)
            #expect(counted.valid == expected.valid && counted.invalid == expected.invalid, "\(bytes)")
            // Stopped early, a count still answers as the whole count does.
            for ratio in [2, 20] {
                let partial = UTF8Check.counts(bytes, hopelessAt: ratio)
                #expect((partial.invalid * ratio <= partial.valid) == (expected.invalid * ratio <= expected.valid), "\(ratio) \(bytes)")
                #expect(partial.valid <= expected.valid && partial.invalid <= expected.invalid)
            }
            #expect(UTF8Check.isConfidentlyUTF8(bytes) == (expected.valid >= 4 && expected.invalid * 20 <= expected.valid), "\(bytes)")
            #expect(UTF8Check.isMostlyUTF8(bytes) == (expected.valid >= 8 && expected.invalid * 2 <= expected.valid), "\(bytes)")
        }
        // A GBK page is seen not to be UTF-8 long before its end.
        let gbk = Array(repeating: [0xD6, 0xD0, 0xCE, 0xC4] as [UInt8], count: 5_000).joined() + Array("<p>".utf8)
        #expect(UTF8Check.counts(Array(gbk), hopelessAt: 20).invalid * 10 < UTF8Check.counts(Array(gbk)).invalid)
    }
}
