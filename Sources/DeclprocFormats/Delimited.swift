import DeclprocRecords
import Foundation

/// CSV (RFC 4180) and TSV: one statement per row, flat columns (`docs/formats.md`).
///
/// CSV starts with a UTF-8 byte-order mark unless `bom` is false: spreadsheet
/// programs read a CSV without one in the system's legacy code page and show the
/// Chinese as mojibake. TSV has no quoting, so tab, newline, carriage return and
/// backslash inside a field are written as `\t`, `\n`, `\r` and `\\`.
public final class DelimitedRecordWriter: RecordWriter {
    public enum Style: Sendable { case csv, tsv }

    /// The columns, in order; documented in `docs/formats.md`.
    public static let columns = [
        "id", "page_id", "duplicate_of", "lang", "script", "kind", "organizations", "declarants", "declarants_latin",
        "date", "province", "city", "text", "normalized", "simplified", "traditional", "pinyin", "pinyin_numbers",
        "words", "translation", "translation_lang", "translation_score", "source_path", "source_url", "source_title",
        "page", "position", "charset", "redacted", "schema_version",
    ]

    private let file: AtomicFile?
    private let stream: ((Data) throws -> Void)?
    private let style: Style

    public init(file: AtomicFile, style: Style, bom: Bool) throws {
        self.file = file; self.stream = nil; self.style = style
        try start(bom: bom)
    }

    public init(stream: @escaping (Data) throws -> Void, style: Style, bom: Bool) throws {
        self.file = nil; self.stream = stream; self.style = style
        try start(bom: bom)
    }

    private func start(bom: Bool) throws {
        var header = Data()
        if bom && style == .csv { header.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        header.append(row(Self.columns))
        try put(header)
    }

    public func write(statements: [StatementRecord], ofPage pageID: String) throws {
        for record in statements { try put(row(Self.fields(of: record))) }
    }

    public func commit() throws { try file?.commit() }

    private func put(_ data: Data) throws {
        if let file { try file.write(data) } else { try stream?(data) }
    }

    /// One record's fields, in `columns` order; lists joined with "; ".
    public static func fields(of r: StatementRecord) -> [String] {
        let d = r.declaration
        return [
            r.id, r.pageID, r.duplicateOf ?? "", r.lang, r.script, d.kind, d.organizations.joined(separator: "; "),
            d.declarants.map(\.name).joined(separator: "; "), d.declarants.map { $0.latin ?? $0.name }.joined(separator: "; "),
            d.date?.value ?? "", d.place?.province ?? "", d.place?.city ?? "",
            r.text.original, r.text.normalized, r.text.simplified ?? "", r.text.traditional ?? "", r.text.pinyin ?? "",
            r.text.pinyinNumbers ?? "", r.wordsLine, r.translation?.text ?? "", r.translation?.lang ?? "",
            r.translation?.score.map { String(format: "%.3f", $0) } ?? "",
            r.source.path, r.source.url ?? "", r.source.title ?? "", String(r.source.page), String(r.source.position),
            r.charset.name, r.redacted.joined(separator: "; "), String(Schema.version),
        ]
    }

    private func row(_ fields: [String]) -> Data {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += style == .csv ? "," : "\t" }
            line += style == .csv ? Self.csvField(field) : Self.tsvField(field)
        }
        line += style == .csv ? "\r\n" : "\n"
        return Data(line.utf8)
    }

    static func csvField(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func tsvField(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\\" }) else { return field }
        var out = String.UnicodeScalarView()
        for scalar in field.unicodeScalars {
            switch scalar {
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
