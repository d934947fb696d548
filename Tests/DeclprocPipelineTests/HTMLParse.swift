import DeclprocHTML

enum DeclprocHTMLParse {
    static func parse(_ bytes: [UInt8]) -> HTMLDocument { HTMLParser.parse(utf8: bytes) }
}
