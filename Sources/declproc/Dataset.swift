import ArgumentParser
import DeclprocFormats
import DeclprocPipeline
import DeclprocHTML
import DeclprocICU
import DeclprocRecords
import DeclprocReport
import Foundation

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Extract statements into a dataset folder: data files, the JSON Schema, and a README dataset card.")

    @Argument(help: "Inputs, as for extract (default: Samples/).")
    var inputs: [String] = []

    @Option(name: .customLong("out-dir"), help: "The dataset folder.")
    var outDir: String

    @Option(name: .customLong("format"), help: "Data formats, comma-separated or repeated: jsonl (default), csv, tsv, tmx, parallel, sqlite.")
    var formatNames: [String] = []

    @Flag(name: .customLong("no-bom"), help: "CSV without the UTF-8 byte-order mark.")
    var noBOM = false

    @Flag(help: "Replace existing files in the folder.")
    var force = false

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var curation: CurationOptions
    @OptionGroup var locale: LocaleOptions

    var destination: DestinationOptions {
        // Option groups are made by parsing, never by assignment.
        var arguments = ["--out-dir", outDir] + formatNames.flatMap { ["--format", $0] }
        if noBOM { arguments.append("--no-bom") }
        if force { arguments.append("--force") }
        return try! DestinationOptions.parse(arguments)
    }

    func validate() throws {
        try destination.validate()
        try reading.validate()
        try curation.validate()
    }

    func run() throws {
        var card = DatasetCard()
        var report = ReportData()
        var run = ExtractionRun(reading: reading, curation: curation, destination: destination, locale: locale, emit: .statements)
        run.observe = { page, statements in
            card.add(page: page, statements: statements)
            if page != nil { report.addPage() }
            for statement in statements { report.add(statement) }
        }
        let summary = try run.run(inputs: inputs)
        report.addRejects(summary.rejectReasons)
        do {
            try FileManager.default.createDirectory(atPath: outDir + "/schema", withIntermediateDirectories: true)
            for (name, text) in SchemaFiles.files {
                let file = try AtomicFile(path: outDir + "/schema/" + name, force: force)
                try file.write(Data((text + "\n").utf8))
                try file.commit()
            }
            let provenance = [("declproc", Producer.version), ("ICU", ICU.version), ("libxml2", HTMLParser.libxml2Version),
                              ("Locales", summary.producer["locales"] ?? "?"), ("record schema", String(Schema.version)),
                              ("inputs", inputs.isEmpty ? "Samples" : inputs.joined(separator: ", ")),
                              ("redacted", curation.scope.labels.isEmpty ? "nothing" : curation.scope.labels.joined(separator: ", ")),
                              ("made", ISO8601DateFormatter().string(from: Date()))]
            let html = ReportPage(data: report, provenance: provenance, namesRedacted: curation.scope.contains(.names)).html()
            let reportFile = try AtomicFile(path: outDir + "/report.html", force: force)
            try reportFile.write(Data(html.utf8))
            try reportFile.commit()
            let files = destination.formats.map { $0 == .parallel ? "parallel.zh, parallel.en, parallel.ids" : $0.fileName }
                + ["rejects.jsonl", "summary.json", "report.html (charts: open in a browser)", "schema/record.schema.json", "schema/reject.schema.json"]
            let readme = card.markdown(summary: summary, files: files, redaction: curation.scope.labels,
                                       excludeList: curation.exclude != nil, inputs: inputs.isEmpty ? ["Samples"] : inputs)
            let file = try AtomicFile(path: outDir + "/README.md", force: force)
            try file.write(Data(readme.utf8))
            try file.commit()
        } catch let error as OutputError {
            throw Fatal(error.description)
        } catch {
            throw Fatal("cannot write \(outDir): \(error.localizedDescription)")
        }
    }
}
