import ArgumentParser
import DeclprocExtract
import DeclprocPipeline
import DeclprocReader
import Foundation

extension Emit: ExpressibleByArgument {}

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extract statements from scraped pages into JSON Lines records.",
        discussion: """
        Every page read ends as records, as a page without statements (listed in the summary), \
        or as a line in the rejects file with its reason.
        Exit status: 0 the run completed (rejects are counted, not failures); 1 with --strict when \
        anything was rejected; 2 usage error; 3 fatal error (output not writable, Locales/ missing).
        """)

    @Argument(help: "HTML files (.gz too), WARC archives, scraper JSON Lines, folders, glob patterns, or - for stdin (default: Samples/).")
    var inputs: [String] = []

    @Option(name: [.short, .customLong("output")], help: "Write records to FILE (default: standard output).")
    var output: String?

    @Option(name: .customLong("out-dir"), help: "Write records.jsonl, rejects.jsonl and summary.json into DIR.")
    var outDir: String?

    @Option(help: "Write rejected pages to FILE (default: beside -o FILE as FILE.rejects.jsonl, else standard error).")
    var rejects: String?

    @Option(help: "Write the run's summary as JSON to FILE.")
    var summary: String?

    @Option(help: "statements (one record per statement) or pages (one record per page).")
    var emit: Emit = .statements

    @Flag(help: "Replace existing output files.")
    var force = false

    @Flag(help: "Exit with status 1 when any page was rejected.")
    var strict = false

    @Option(name: .customLong("max-page-bytes"), help: "Reject pages larger than this many bytes.")
    var maxPageBytes: Int = ReadOptions.defaultMaxPageBytes

    @Option(name: .customLong("from-list"), help: "Also read the inputs listed in FILE, one path per line.")
    var fromList: String?

    @Option(name: .customLong("url-field"), help: "Scraper JSON Lines: the field holding the page's URL.")
    var urlField = "url"

    @Option(name: .customLong("html-field"), help: "Scraper JSON Lines: the field holding the page's HTML.")
    var htmlField = "html"

    @Option(help: "A site profile: JSON with XPath expressions for the site's statement item, title, date and author.")
    var profile: String?

    @OptionGroup var locale: LocaleOptions

    func validate() throws {
        if output != nil && outDir != nil { throw ValidationError("--output and --out-dir are alternatives: give one.") }
        if outDir != nil && (rejects != nil || summary != nil) {
            throw ValidationError("--out-dir writes rejects.jsonl and summary.json itself: drop --rejects/--summary.")
        }
        if maxPageBytes <= 0 { throw ValidationError("--max-page-bytes must be positive.") }
    }

    func run() throws {
        let store = try locale.store()
        let resources: Resources
        do { resources = try Resources(store: store) } catch { throw Fatal(error.description) }
        keepUntilExit(resources.pinyin, resources.segmentation, resources.toSimplified, resources.toTraditional)
        var extraction = Extraction(resources: resources)
        extraction.emit = emit
        extraction.readOptions.maxPageBytes = maxPageBytes
        extraction.readOptions.urlField = urlField
        extraction.readOptions.htmlField = htmlField
        if let profile {
            do { extraction.profile = try SiteProfile.load(profile) } catch { throw Fatal(error.description) }
        }
        var inputs = self.inputs
        if let fromList {
            do { inputs += try InputEnumerator.list(from: fromList) } catch { throw Fatal("\(error)") }
        }
        if inputs.isEmpty && fromList == nil { inputs = [defaultInput()] }

        // Decide every destination before reading a page, so a bad path fails fast.
        var recordsPath = output
        var rejectsPath = rejects
        var summaryPath = summary
        if let outDir {
            do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) }
            catch { throw Fatal("cannot create \(outDir): \(error.localizedDescription)") }
            recordsPath = outDir + "/records.jsonl"
            rejectsPath = outDir + "/rejects.jsonl"
            summaryPath = outDir + "/summary.json"
        } else if let output, rejectsPath == nil {
            rejectsPath = output + ".rejects.jsonl"
        }
        do {
            let recordsFile = try recordsPath.map { try AtomicFile(path: $0, force: force) }
            let rejectsFile = try rejectsPath.map { try AtomicFile(path: $0, force: force) }
            let summaryFile = try summaryPath.map { try AtomicFile(path: $0, force: force) }
            let stdout = LineOutput()
            let result = try extraction.run(inputs: inputs) { item in
                switch item {
                case .statement(let record):
                    if let recordsFile { try recordsFile.write(JSONLines.line(record)) }
                    else { try stdout.write(String(decoding: JSONLines.encoder.encode(record), as: UTF8.self)) }
                case .page(let record):
                    if let recordsFile { try recordsFile.write(JSONLines.line(record)) }
                    else { try stdout.write(String(decoding: JSONLines.encoder.encode(record), as: UTF8.self)) }
                case .reject(let reject):
                    if let rejectsFile { try rejectsFile.write(JSONLines.line(reject)) }
                    else { FileHandle.standardError.write(try JSONLines.line(reject)) }
                }
            }
            try stdout.finish()
            try recordsFile?.commit()
            try rejectsFile?.commit()
            if let summaryFile {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                try summaryFile.write(encoder.encode(result) + Data("\n".utf8))
                try summaryFile.commit()
            }
            var line = "declproc: " + result.line
            if let recordsPath { line += "; records in \(recordsPath)" }
            if result.rejected > 0, let rejectsPath { line += "; rejects in \(rejectsPath)" }
            FileHandle.standardError.write(Data((line + "\n").utf8))
            if strict && result.rejected > 0 { throw ExitCode(1) }
        } catch let error as OutputError {
            throw Fatal(error.description)
        }
    }

    /// `Samples/` in the working directory, else the one in the source tree.
    private func defaultInput() -> String {
        if FileManager.default.fileExists(atPath: "Samples") { return "Samples" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples").path
    }
}
