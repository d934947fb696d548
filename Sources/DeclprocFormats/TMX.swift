import DeclprocRecords
import Foundation

/// TMX 1.4b: one translation unit per aligned sentence pair, Chinese (zh-Hans or
/// zh-Hant) and English, with the statement's id, source and alignment score as
/// properties. Valid against the official DTD (tested with `xmllint --dtdvalid`).
/// The pieces of a TMX 1.4b document, shared by record output and `align --format tmx`.
public enum TMXDocument {
    public static func header(producer: [String: String]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE tmx SYSTEM "tmx14.dtd">
        <tmx version="1.4">
          <header creationtool="declproc" creationtoolversion="\(escape(producer["declproc"] ?? "unknown"))" segtype="sentence" \
        o-tmf="declproc" adminlang="en" srclang="*all*" datatype="plaintext">
            <prop type="x-schema-version">\(Schema.version)</prop>
            <prop type="x-locales-version">\(escape(producer["locales"] ?? "unknown"))</prop>
          </header>
          <body>
        """
    }

    public static let footer = "  </body>\n</tmx>"

    /// One translation unit: properties first, then the Chinese and English variants.
    public static func unit(id: String, properties: [(String, String)], zhLang: String, zh: String, en: String) -> String {
        var unit = "    <tu tuid=\"\(escape(id))\">\n"
        for (type, value) in properties { unit += "      <prop type=\"\(type)\">\(escape(value))</prop>\n" }
        unit += "      <tuv xml:lang=\"\(zhLang)\"><seg>\(escape(zh))</seg></tuv>\n"
        unit += "      <tuv xml:lang=\"en\"><seg>\(escape(en))</seg></tuv>\n"
        unit += "    </tu>"
        return unit
    }

    /// XML text: markup characters escaped, and characters XML 1.0 forbids (C0
    /// controls other than tab and newlines, U+FFFE/U+FFFF) dropped.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "\t", "\n", "\r": out.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// TMX 1.4b: one translation unit per aligned sentence pair, Chinese (zh-Hans or
/// zh-Hant) and English, with the statement's id, source and alignment score as
/// properties. Valid against the official DTD (tested with `xmllint --dtdvalid`).
public final class TMXRecordWriter: RecordWriter {
    private let file: AtomicFile

    public init(file: AtomicFile, producer: [String: String]) throws {
        self.file = file
        try file.write(Data((TMXDocument.header(producer: producer) + "\n").utf8))
    }

    public func write(statements: [StatementRecord], ofPage pageID: String) throws {
        for record in statements {
            for (index, pair) in SentencePair.pairs(of: record).enumerated() {
                var properties = [("x-statement-id", record.id)]
                if let duplicate = record.duplicateOf { properties.append(("x-duplicate-of", duplicate)) }
                properties.append(("x-source-path", record.source.path))
                if let url = record.source.url { properties.append(("x-source-url", url)) }
                if let score = pair.score { properties.append(("x-alignment-score", String(format: "%.3f", score))) }
                let unit = TMXDocument.unit(id: "\(record.id)-\(index)", properties: properties, zhLang: pair.zhLang, zh: pair.zh, en: pair.en)
                try file.write(Data((unit + "\n").utf8))
            }
        }
    }

    public func commit() throws {
        try file.write(Data((TMXDocument.footer + "\n").utf8))
        try file.commit()
    }
}

/// Parallel text: two files with one aligned pair per line (`STEM.zh`, `STEM.en`)
/// and a third naming each line's statement (`STEM.ids`), the input most
/// machine-translation toolkits take. Line breaks inside a side become spaces.
public final class ParallelRecordWriter: RecordWriter {
    private let zh: AtomicFile
    private let en: AtomicFile
    private let ids: AtomicFile

    public init(stem: String, force: Bool) throws {
        zh = try AtomicFile(path: stem + ".zh", force: force)
        en = try AtomicFile(path: stem + ".en", force: force)
        ids = try AtomicFile(path: stem + ".ids", force: force)
    }

    public func write(statements: [StatementRecord], ofPage pageID: String) throws {
        for record in statements {
            for pair in SentencePair.pairs(of: record) {
                try zh.write(Data((Self.oneLine(pair.zh) + "\n").utf8))
                try en.write(Data((Self.oneLine(pair.en) + "\n").utf8))
                try ids.write(Data((record.id + "\n").utf8))
            }
        }
    }

    public func commit() throws {
        try zh.commit(); try en.commit(); try ids.commit()
    }

    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0 }))
    }
}
