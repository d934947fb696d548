import ArgumentParser
import DeclprocCuration
import DeclprocExtract
import DeclprocFormats
import DeclprocPipeline
import DeclprocReader
import DeclprocRecords
import Foundation

extension Emit: ExpressibleByArgument {}

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract statements from scraped pages into records (JSON Lines, CSV, TSV, TMX, parallel text, SQLite).",
        discussion: """
        Every page read ends as records, as a page without statements (listed in the summary), \
        or as a line in the rejects file with its reason.
        Exit status: 0 the run completed (rejects are counted, not failures); 1 with --strict when \
        anything was rejected; 2 usage error; 3 fatal error (output not writable, Locales/ missing).
        """)

    @Argument(help: "HTML files (.gz too), WARC archives, scraper JSON Lines, folders, glob patterns, or - for stdin (default: Samples/).")
    var inputs: [String] = []

    @OptionGroup var destination: DestinationOptions

    @Option(help: "statements (one record per statement) or pages (one record per page); JSON Lines only.")
    var emit: Emit = .statements

    @Flag(help: "Exit with status 1 when any page was rejected.")
    var strict = false

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var curation: CurationOptions
    @OptionGroup var locale: LocaleOptions

    func validate() throws {
        try destination.validate()
        try reading.validate()
        try curation.validate()
    }

    func run() throws {
        let result = try ExtractionRun(reading: reading, curation: curation, destination: destination, locale: locale, emit: emit)
            .run(inputs: inputs)
        if strict && result.rejected > 0 { throw ExitCode(1) }
    }
}

/// Where records go: standard output, `-o FILE`, or `--out-dir DIR` with any formats.
struct DestinationOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: "Write records to FILE (default: standard output).")
    var output: String?

    @Option(name: .customLong("out-dir"), help: "Write the records (one file per format), rejects.jsonl and summary.json into DIR.")
    var outDir: String?

    @Option(name: .customLong("format"),
            help: "Output formats, comma-separated or repeated: jsonl (default), csv, tsv, tmx, parallel, sqlite. Several need --out-dir.")
    var formatNames: [String] = []

    @Flag(name: .customLong("no-bom"), help: "CSV without the UTF-8 byte-order mark.")
    var noBOM = false

    @Option(help: "Write rejected pages to FILE (default: beside -o FILE as FILE.rejects.jsonl, else standard error).")
    var rejects: String?

    @Option(help: "Write the run's summary as JSON to FILE.")
    var summary: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    @Flag(help: "Resumable run (needs --out-dir): finished inputs are committed in shards under DIR/.declproc-resume; run the same command again after an interruption to continue where it stopped.")
    var resume = false

    @Option(name: .customLong("commit-every"), help: "With --resume: seconds between commits of finished inputs (default 0.5). An interruption loses at most this much work plus the inputs under way; each commit costs two fsyncs.")
    var commitEvery: Double?
    var commitInterval: Double { commitEvery ?? 0.5 }

    var formats: [OutputFormat] {
        let names = formatNames.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
        var result: [OutputFormat] = []
        for name in names { if let f = OutputFormat(rawValue: name), !result.contains(f) { result.append(f) } }
        return result.isEmpty ? [.jsonl] : result
    }

    func validate() throws {
        let names = formatNames.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
        for name in names where OutputFormat(rawValue: name) == nil {
            throw ValidationError("unknown format '\(name)': choose from \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if output != nil && outDir != nil { throw ValidationError("--output and --out-dir are alternatives: give one.") }
        if outDir != nil && (rejects != nil || summary != nil) {
            throw ValidationError("--out-dir writes rejects.jsonl and summary.json itself: drop --rejects/--summary.")
        }
        if formats.count > 1 && outDir == nil { throw ValidationError("several formats need --out-dir DIR.") }
        if resume && outDir == nil { throw ValidationError("--resume needs --out-dir DIR (where the run keeps its state).") }
        if let commitEvery {
            guard resume else { throw ValidationError("--commit-every only applies with --resume.") }
            guard commitEvery.isFinite, commitEvery >= 0 else { throw ValidationError("--commit-every takes a number of seconds, 0 or more.") }
        }
        if outDir == nil && output == nil, let format = formats.first, !format.streams {
            throw ValidationError("--format \(format.rawValue) writes files: give -o FILE or --out-dir DIR.")
        }
    }
}

/// How pages are read.
struct ReadingOptions: ParsableArguments {
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

    @Option(help: "Pages processed at once (default: all cores). Output is the same for any number.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Process only share K of N (K from 0 or 1): pages chosen by a hash of their input path and position.")
    var shard: String?

    @Option(name: .customLong("statements-per-part"), help: "A page with more statements is written in parts of this many as they are built, so its records in memory stay bounded (default 256). Output is the same for any number.")
    var statementsPerPart: Int = PageProcessor.defaultStatementsPerPart

    @Flag(help: "No progress reports on standard error (the final line stays).")
    var quiet = false

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress lines when standard error is not a terminal (default 10).")
    var progressInterval: Double = 10

    @Flag(name: .customLong("stage-times"), help: "Measure the CPU time of each stage (read, decode, parse, extract, declaration, normalize, segment, transliterate, convert, align, records, deduplicate, write) into the summary's stage_seconds and a line on standard error.")
    var stageTimes = false

    func validate() throws {
        if maxPageBytes <= 0 { throw ValidationError("--max-page-bytes must be positive.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if statementsPerPart < 1 { throw ValidationError("--statements-per-part must be at least 1.") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 <= N and 0 <= K <= N, e.g. --shard 2/8.") }
    }
}

/// What happens to records across the run: deduplication, exclusion, redaction.
/// `--dedup-memory`, for both commands that link duplicates (extract and dedup).
struct DedupMemoryOption: ParsableArguments {
    @Option(name: .customLong("dedup-memory"),
            help: "Megabytes of memory for the duplicate index (default 32); past half of it, the index goes on in unlinked scratch files in the output's directory, with the newest entries and a filter in memory. Links are the same either way.")
    var megabytes: Int?

    var options: Deduplicator.Options {
        var options = Deduplicator.Options()
        if let megabytes { options.memoryBudget = max(0, megabytes) << 20 }
        return options
    }
}

struct CurationOptions: ParsableArguments {
    @Option(help: "Redact: names (declarants' names, in every form, become keyed pseudonyms), contacts (phone numbers, e-mail, ID numbers); comma-separated.")
    var redact: [String] = []

    @Option(name: .customLong("redact-key-file"), help: "The secret behind name pseudonyms (else $DECLPROC_REDACT_KEY); at least 16 bytes.")
    var redactKeyFile: String?

    @Option(help: "Leave out statements listed in FILE: record ids, URLs or names, one per line.")
    var exclude: String?

    @Flag(name: .customLong("no-dedup"), help: "Do not link duplicate statements (duplicate_of stays null).")
    var noDedup = false

    @OptionGroup var dedupMemory: DedupMemoryOption

    var deduplication: Deduplicator.Options { dedupMemory.options }

    /// Where the deduplication index spills: beside the output (never elsewhere);
    /// nil for standard output or an output that is no regular file (`-o /dev/stdout`,
    /// a pipe), where it stays in memory.
    static func spillDirectory(output: String?, outDir: String?) -> String? {
        if let outDir { return outDir }
        guard let output else { return nil }
        var info = stat()
        if stat(output, &info) == 0, info.st_mode & S_IFMT != S_IFREG { return nil }
        return URL(fileURLWithPath: output).deletingLastPathComponent().path
    }

    var scope: RedactionScope { (try? RedactionScope.parse(redact).get()) ?? [] }

    func validate() throws {
        if case .failure(let unknown) = RedactionScope.parse(redact) { throw ValidationError(unknown.description) }
        if scope.contains(.names) {
            do { _ = try RedactionKey.load(file: redactKeyFile) } catch { throw ValidationError(error.description) }
        }
    }
}

/// One extraction run from inputs to committed outputs, shared by `extract` and `dataset`.
struct ExtractionRun {
    let reading: ReadingOptions
    let curation: CurationOptions
    let destination: DestinationOptions
    let locale: LocaleOptions
    var emit: Emit = .statements
    /// Also called for every page and its statements (the dataset card counts them);
    /// the page is nil for a part of a page's statements written ahead of it.
    var observe: ((PageRecord?, [StatementRecord]) -> Void)? = nil

    init(reading: ReadingOptions, curation: CurationOptions, destination: DestinationOptions, locale: LocaleOptions, emit: Emit) {
        self.reading = reading; self.curation = curation; self.destination = destination; self.locale = locale; self.emit = emit
    }

    @discardableResult
    func run(inputs: [String]) throws -> ExtractionSummary {
        let store = try locale.store()
        let resources: Resources
        do { resources = try Resources(store: store, threads: min(reading.jobs, 2)) } catch { throw Fatal(error.description) }
        keepUntilExit(resources.pinyin, resources.segmentation, resources.toSimplified, resources.toTraditional)
        var extraction = Extraction(resources: resources)
        extraction.readOptions.maxPageBytes = reading.maxPageBytes
        extraction.readOptions.urlField = reading.urlField
        extraction.readOptions.htmlField = reading.htmlField
        extraction.deduplicate = !curation.noDedup
        extraction.deduplication = curation.deduplication
        // One job is one thread of work, merges of the deduplication index included.
        extraction.deduplication.mergesInBackground = reading.jobs > 1
        extraction.spillDirectory = CurationOptions.spillDirectory(output: destination.output, outDir: destination.outDir)
        extraction.jobs = reading.jobs
        extraction.statementsPerPart = reading.statementsPerPart
        extraction.measuresStages = reading.stageTimes
        extraction.shard = reading.shard.flatMap(Shard.init)
        if let profile = reading.profile {
            do { extraction.profile = try SiteProfile.load(profile) } catch { throw Fatal(error.description) }
        }
        if let exclude = curation.exclude {
            let toSimplified = resources.toSimplified
            do { extraction.exclusions = try ExclusionList(file: exclude, simplify: { toSimplified.convert($0) }) }
            catch { throw Fatal("cannot read \(exclude): \(error.localizedDescription)") }
        }
        if !curation.scope.isEmpty {
            do {
                let key = curation.scope.contains(.names) ? try RedactionKey.load(file: curation.redactKeyFile) : nil
                extraction.redaction = (curation.scope, key)
            } catch { throw Fatal(error.description) }
        }
        var inputs = inputs
        if let fromList = reading.fromList {
            do { inputs += try InputEnumerator.list(from: fromList) } catch { throw Fatal("\(error)") }
        }
        if inputs.isEmpty && reading.fromList == nil { inputs = [Self.defaultInput()] }

        // Decide every destination before reading a page, so a bad path fails fast.
        let producer = ["declproc": Producer.version, "locales": store.version, "schema_version": String(Schema.version)]
        var rejectsPath = destination.rejects
        var summaryPath = destination.summary
        var recordPaths: [String] = []
        do {
            var state: ResumeState? = nil
            if destination.resume, let outDir = destination.outDir {
                do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) }
                catch { throw Fatal("cannot create \(outDir): \(error.localizedDescription)") }
                do { state = try ResumeState(outDir: outDir) } catch { throw Fatal("\(error)") }
                if state!.isComplete {
                    // The same command again after it finished: nothing to do, unless the inputs changed.
                    if state!.matchesAll(InputEnumerator(inputs: inputs).items()), !destination.force {
                        let done = try state!.summary()
                        FileHandle.standardError.write(Data("declproc: already complete: \(done.line); outputs in \(outDir)\n".utf8))
                        return done
                    }
                    guard destination.force else {
                        throw Fatal("\(outDir) holds a finished run of other inputs; pass --force to start again")
                    }
                    state!.remove()
                    do { state = try ResumeState(outDir: outDir) } catch { throw Fatal("\(error)") }
                }
                state!.shardSeconds = destination.commitInterval
                try prepareResume(state!, extraction: &extraction, inputs: inputs, resources: resources)
            }
            // A resumed run replaces the outputs it assembles: they are its own. A new
            // one checks now, not after all the work, that it may write them.
            let force = destination.force || (state?.hasCommittedInputs ?? false)
            if let state, !force, let outDir = destination.outDir {
                for name in destination.formats.map(\.fileName) + ["rejects.jsonl", "summary.json"]
                where FileManager.default.fileExists(atPath: outDir + "/" + name) {
                    state.remove()
                    throw Fatal("\(outDir)/\(name) already exists; pass --force to replace it")
                }
            }
            var writers: [RecordWriter] = []
            let stdout = LineOutput()
            func openOutputs() throws {
                if let outDir = destination.outDir {
                    do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) }
                    catch { throw Fatal("cannot create \(outDir): \(error.localizedDescription)") }
                    rejectsPath = outDir + "/rejects.jsonl"
                    summaryPath = outDir + "/summary.json"
                    for format in destination.formats {
                        let path = outDir + "/" + format.fileName
                        recordPaths.append(format == .parallel ? path + ".{zh,en,ids}" : path)
                        writers.append(try RecordWriters.make(format, path: path, force: force, emit: emit,
                                                              bom: !destination.noBOM, producer: producer))
                    }
                } else if let output = destination.output {
                    if rejectsPath == nil { rejectsPath = output + ".rejects.jsonl" }
                    recordPaths.append(output)
                    writers.append(try RecordWriters.make(destination.formats[0], path: output, force: force, emit: emit,
                                                          bom: !destination.noBOM, producer: producer))
                } else {
                    let stream: (Data) throws -> Void = { try stdout.write(bytes: $0) }
                    switch destination.formats[0] {
                    case .csv: writers.append(try DelimitedRecordWriter(stream: stream, style: .csv, bom: !destination.noBOM))
                    case .tsv: writers.append(try DelimitedRecordWriter(stream: stream, style: .tsv, bom: false))
                    default: writers.append(JSONLinesRecordWriter(stream: stream, emit: emit))
                    }
                }
            }
            func hand(_ page: PageRecord, _ statements: [StatementRecord], lines: EncodedLines? = nil) throws {
                observe?(page, statements)
                for writer in writers { try writer.write(page: page, statements: statements, lines: lines) }
            }
            func hand(_ statements: [StatementRecord], ofPage pageID: String, lines: EncodedLines? = nil) throws {
                observe?(nil, statements)
                for writer in writers { try writer.write(statements: statements, lines: lines, ofPage: pageID) }
            }
            // Pages without statements are listed only in the summary file: kept in
            // bounded memory for it, and not kept at all without one.
            let withoutStatements = (destination.outDir ?? summaryPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
                .map { PageReferenceList(spillDirectory: $0) }
            if let state {
                extraction.pageWithoutStatements = { state.noteWithoutStatements($0) }
            } else {
                extraction.pageWithoutStatements = { try withoutStatements?.append($0) }
            }
            let reporter = reading.quiet ? nil : ProgressReporter(inputs: inputs, logInterval: reading.progressInterval)
            extraction.progress = reporter.map { reporter in { reporter.record($0) } }
            var result: ExtractionSummary
            var rejectsFile: AtomicFile? = nil
            if let state {
                // Pages go to the current input's part; each finished input is committed.
                let thisRun = try extraction.run(inputs: inputs) { item in
                    switch item {
                    case .page(let page, let statements, _): try state.write(.init(page: page, statements: statements))
                    case .statements(let statements, let pageID, _): try state.write(.init(statements: statements, pageID: pageID))
                    case .reject(let reject): try state.write(.init(reject: reject))
                    case .inputDone(let index, let path, let summary):
                        let stopping = Interruption.requested
                        try state.inputDone(index: index, path: path, summary: summary, now: stopping)
                        if stopping { throw Interruption() }
                    }
                }
                try state.commit()
                reporter?.end()
                // Assemble the outputs from every part, in input order.
                try openOutputs()
                rejectsFile = try rejectsPath.map { try AtomicFile(path: $0, force: force) }
                try state.forEachLine { line in
                    if let page = line.page {
                        try hand(page, line.statements ?? [])
                    } else if let statements = line.statements, let pageID = line.pageID {
                        try hand(statements, ofPage: pageID)
                    } else if let reject = line.reject {
                        try rejectsFile?.write(JSONLines.line(reject))
                    }
                }
                result = try state.summary(listing: withoutStatements)
                result.producer = producer
                result.stageSeconds = thisRun.stageSeconds
            } else {
                try openOutputs()
                rejectsFile = try rejectsPath.map { try AtomicFile(path: $0, force: force) }
                // Workers encode the records' JSON when JSON Lines will hold them.
                extraction.encodesLines = emit == .statements && writers.contains { $0 is JSONLinesRecordWriter }
                result = try extraction.run(inputs: inputs) { item in
                    switch item {
                    case .page(let page, let statements, let lines):
                        try hand(page, statements, lines: lines)
                    case .statements(let statements, let pageID, let lines):
                        try hand(statements, ofPage: pageID, lines: lines)
                    case .reject(let reject):
                        if let rejectsFile { try rejectsFile.write(JSONLines.line(reject)) }
                        else { FileHandle.standardError.write(try JSONLines.line(reject)) }
                    case .inputDone: break
                    }
                }
                reporter?.end()
            }
            let summaryFile = try summaryPath.map { try AtomicFile(path: $0, force: force) }
            try stdout.finish()
            for writer in writers { try writer.commit() }
            try rejectsFile?.commit()
            if let summaryFile {
                try result.writeJSON(listing: withoutStatements) { try summaryFile.write($0) }
                try summaryFile.commit()
            }
            try state?.complete()
            var line = "declproc: " + result.line
            if !recordPaths.isEmpty { line += "; records in \(recordPaths.joined(separator: ", "))" }
            if result.rejected > 0, let rejectsPath { line += "; rejects in \(rejectsPath)" }
            FileHandle.standardError.write(Data((line + "\n").utf8))
            if let seconds = result.stageSeconds {
                let stages = Stage.allCases.map { "\($0.name) \(String(format: "%.2f", seconds[$0.name] ?? 0))" }
                FileHandle.standardError.write(Data(("declproc: CPU seconds by stage: " + stages.joined(separator: ", ") + "\n").utf8))
            }
            return result
        } catch let error as OutputError {
            throw Fatal(error.description)
        } catch let error as Deduplicator.IndexFailure {
            throw Fatal(error.description)
        } catch is Interruption {
            FileHandle.standardError.write(Data("declproc: interrupted; every finished input is committed: run the same command again (with --resume) to continue\n".utf8))
            throw ExitCode(130)
        } catch let error as ResumeState.Failure {
            throw Fatal(error.description)
        } catch let error as PageReferenceList.Failure {
            throw Fatal(error.description)
        }
    }

    /// Skips the inputs an interrupted run committed (an unbroken, unchanged prefix),
    /// primes deduplication with their records, and lets SIGINT/SIGTERM end the run
    /// after the input under way is committed.
    private func prepareResume(_ state: ResumeState, extraction: inout Extraction, inputs: [String], resources: Resources) throws {
        let skipped = state.skippable(InputEnumerator(inputs: inputs).items())
        extraction.skipInput = { index, _ in index < skipped }
        if extraction.deduplicate {
            let toSimplified = resources.toSimplified
            let deduplicator = Deduplicator(options: extraction.deduplication, spillDirectory: extraction.spillDirectory, simplify: { toSimplified.convert($0) })
            try state.forEachLine { line in
                for var statement in line.statements ?? [] { try deduplicator.link(&statement) }
            }
            extraction.deduplicator = deduplicator
        }
        Interruption.install()
    }

    /// `Samples/` in the working directory, else the one in the source tree.
    static func defaultInput() -> String {
        if FileManager.default.fileExists(atPath: "Samples") { return "Samples" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples").path
    }
}

/// SIGINT or SIGTERM during a resumable run: finish and commit the input under way, then stop.
struct Interruption: Error {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }

    static func install() {
        signal(SIGINT) { _ in Interruption.flag = 1 }
        signal(SIGTERM) { _ in Interruption.flag = 1 }
        // A parent may have started us with these blocked (spawned from a thread that
        // blocks them): unblock, or the request would wait unseen until the end.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
