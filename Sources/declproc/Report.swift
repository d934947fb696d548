import ArgumentParser
import DeclprocCuration
import DeclprocFormats
import DeclprocHTML
import DeclprocICU
import DeclprocLocales
import DeclprocPipeline
import DeclprocReader
import DeclprocRecords
import DeclprocReport
import DeclprocText
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (charts, totals, a sample) of records or pages.",
        discussion: """
        INPUT: records in JSON Lines (as extract writes them; a rejects.jsonl beside them is counted), \
        the SQLite database of --format sqlite, or pages, which are extracted first. \
        The report has no script and loads nothing from the network.
        """)

    @Argument(help: "Record files (.jsonl), SQLite databases (.sqlite), or pages as for extract (default: Samples/).")
    var inputs: [String] = []

    @Option(name: [.short, .customLong("output")], help: "The HTML file to write.")
    var output: String

    @Flag(help: "Replace an existing file.")
    var force = false

    @Option(help: "names: show the sample with declarants' names replaced by pseudonyms.")
    var redact: [String] = []

    @OptionGroup var locale: LocaleOptions

    func validate() throws {
        if case .failure(let unknown) = RedactionScope.parse(redact) { throw ValidationError(unknown.description) }
    }

    func run() throws {
        var data = ReportData()
        let scope = (try? RedactionScope.parse(redact).get()) ?? []
        let records = inputs.filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".sqlite") }
        let pages = inputs.filter { !($0.hasSuffix(".jsonl") || $0.hasSuffix(".sqlite")) }
        let store = try locale.store()
        let resources: Resources
        do { resources = try Resources(store: store) } catch { throw Fatal(error.description) }
        keepUntilExit(resources.pinyin, resources.segmentation, resources.toSimplified, resources.toTraditional)
        // A key of the moment: pseudonyms only need to be consistent within this report.
        let key = try? RedactionKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        if !pages.isEmpty || inputs.isEmpty {
            var extraction = Extraction(resources: resources)
            if !scope.isEmpty { extraction.redaction = (scope, key) }
            let summary = try extraction.run(inputs: pages.isEmpty ? [ExtractionRun.defaultInput()] : pages) { item in
                switch item {
                case .page(_, let statements, _):
                    data.addPage()
                    for statement in statements { data.add(statement) }
                case .statements(let statements, _, _):
                    for statement in statements { data.add(statement) }
                case .reject, .inputDone: break
                }
            }
            data.addRejects(summary.rejectReasons)
        }
        for path in records {
            try RecordInput.read(path, into: &data) { record in
                guard !scope.isEmpty else { return record }
                // Records already written keep their texts: the sample's fields are redacted here.
                let redactor = Redactor(scope: scope, key: key, names: record.declaration.declarants.map(\.name),
                                        simplify: { resources.toSimplified.convert($0) }, traditional: { resources.toTraditional.convert($0) },
                                        pinyin: PinyinTransliterator(lexicon: resources.pinyin))
                var r = record
                r.text.normalized = redactor.redact(r.text.normalized).text
                r.text.pinyin = r.text.pinyin.map { redactor.redact($0).text }
                if let text = r.translation?.text { r.translation?.text = redactor.redact(text).text }
                return r
            }
        }
        let page = ReportPage(data: data, provenance: provenance(store: store), namesRedacted: scope.contains(.names))
        do {
            let file = try AtomicFile(path: output, force: force)
            try file.write(Data(page.html().utf8))
            try file.commit()
        } catch let error as OutputError { throw Fatal(error.description) }
        FileHandle.standardError.write(Data("declproc: report of \(data.statements) statements from \(data.pages) pages written to \(output)\n".utf8))
    }

    func provenance(store: DeclprocLocales.LocaleStore) -> [(String, String)] {
        [("declproc", Producer.version), ("ICU", ICU.version), ("Unicode", ICU.unicodeVersion), ("libxml2", HTMLParser.libxml2Version),
         ("Locales", store.version), ("record schema", String(Schema.version)),
         ("inputs", inputs.isEmpty ? "Samples" : inputs.joined(separator: ", ")),
         ("made", ISO8601DateFormatter().string(from: Date()))]
    }
}


/// Records read back for a report: JSON Lines (with a `rejects.jsonl` beside them
/// counted as rejects) or the SQLite database's `record` column.
enum RecordInput {
    static func read(_ path: String, into data: inout ReportData, transform: (StatementRecord) -> StatementRecord) throws {
        var pages = Set<String>()
        func add(_ record: StatementRecord) {
            let record = transform(record)
            if pages.insert(record.pageID).inserted { data.addPage() }
            data.add(record)
        }
        if path.hasSuffix(".sqlite") {
            let rows: [Data]
            do { rows = try SQLiteRecords.records(path) } catch { throw Fatal("cannot read \(path): \(error)") }
            let decoder = JSONDecoder()
            for (k, row) in rows.enumerated() { add(try RecordLines.decode(row, decoder, at: "\(path): record \(k + 1)")) }
            return
        }
        try RecordLines.forEach(path, statement: add)
        let rejects = (path as NSString).deletingLastPathComponent + "/rejects.jsonl"
        if let rejectBytes = FileManager.default.contents(atPath: rejects.hasPrefix("/") ? rejects : "./" + rejects) {
            var reasons: [String: Int] = [:]
            for line in rejectBytes.split(separator: 0x0A) {
                if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let reason = object["reason"] as? String {
                    reasons[ExtractionSummary.category(of: reason), default: 0] += 1
                }
            }
            data.addRejects(reasons)
        }
    }
}
