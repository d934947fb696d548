import DeclprocRecords
import Foundation

/// TMX 1.4b: one translation unit per aligned sentence pair, Chinese (zh-Hans or
/// zh-Hant) and English, with the statement's id, source and alignment score as
/// properties. Valid against the official DTD (tested with `xmllint --dtdvalid`).
public final class TMXRecordWriter: RecordWriter {
    private let file: AtomicFile
    private var units = 0

    public init(file: AtomicFile, producer: [String: String]) throws {
        self.file = file
        let version = producer["declproc"] ?? "unknown"
        let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE tmx SYSTEM "tmx14.dtd">
        <tmx version="1.4">
          <header creationtool="declproc" creationtoolversion="\(Self.escape(version))" segtype="sentence" \
        o-tmf="declproc" adminlang="en" srclang="*all*" datatype="plaintext">
            <prop type="x-schema-version">\(Schema.version)</prop>
            <prop type="x-locales-version">\(Self.escape(producer["locales"] ?? "unknown"))</prop>
          </header>
          <body>

        """
        try file.write(Data(header.utf8))
    }

    public func write(page: PageRecord, statements: [StatementRecord]) throws {
        for record in statements {
            for (index, pair) in SentencePair.pairs(of: record).enumerated() {
                units += 1
                var unit = "    <tu tuid=\"\(record.id)-\(index)\">\n"
                unit += "      <prop type=\"x-statement-id\">\(record.id)</prop>\n"
                if let duplicate = record.duplicateOf { unit += "      <prop type=\"x-duplicate-of\">\(duplicate)</prop>\n" }
                unit += "      <prop type=\"x-source-path\">\(Self.escape(record.source.path))</prop>\n"
                if let url = record.source.url { unit += "      <prop type=\"x-source-url\">\(Self.escape(url))</prop>\n" }
                if let score = pair.score { unit += "      <prop type=\"x-alignment-score\">\(String(format: "%.3f", score))</prop>\n" }
                unit += "      <tuv xml:lang=\"\(pair.zhLang)\"><seg>\(Self.escape(pair.zh))</seg></tuv>\n"
                unit += "      <tuv xml:lang=\"en\"><seg>\(Self.escape(pair.en))</seg></tuv>\n"
                unit += "    </tu>\n"
                try file.write(Data(unit.utf8))
            }
        }
    }

    public func commit() throws {
        try file.write(Data("  </body>\n</tmx>\n".utf8))
        try file.commit()
    }

    /// XML text: markup characters escaped, and characters XML 1.0 forbids (C0
    /// controls other than tab and newlines, U+FFFE/U+FFFF) dropped.
    static func escape(_ text: String) -> String {
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

    public func write(page: PageRecord, statements: [StatementRecord]) throws {
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
