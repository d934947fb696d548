import Foundation
import DeclprocCuration
import DeclprocExtract
import DeclprocReader
import DeclprocRecords

/// A page that was read and yielded no statement, for the summary's list.
public struct PageReference: Sendable, Equatable, Codable {
    public let path: String
    public let position: Int
    public init(path: String, position: Int) {
        self.path = path
        self.position = position
    }
}

/// The run's accounting. Every page read is in exactly one of three counts:
/// pages = with statements + without statements + rejected.
public struct ExtractionSummary: Sendable, Codable {
    public var pages = 0
    public var pagesWithStatements = 0
    public var pagesWithoutStatements = 0
    public var rejected = 0
    /// Statements written (excluded ones are not).
    public var statements = 0
    /// Statements left out by `--exclude`.
    public var excluded = 0
    /// Statements linked to an earlier one (`duplicate_of`): same folded text, or nearly.
    public var duplicates = 0
    public var withoutStatements: [PageReference] = []
    public var rejectReasons: [String: Int] = [:]
    /// Archive records that hold no page (WARC requests, metadata, images…), by reason.
    public var skippedRecords: [String: Int] = [:]
    public var producer: [String: String] = [:]
    /// CPU seconds per stage (`Stage`), when the run measured them (`--stage-times`).
    public var stageSeconds: [String: Double]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case pages, pagesWithStatements = "pages_with_statements", pagesWithoutStatements = "pages_without_statements"
        case rejected, statements, withoutStatements = "without_statements", rejectReasons = "reject_reasons", producer
        case skippedRecords = "skipped_records", excluded, duplicates, stageSeconds = "stage_seconds"
    }

    /// What this summary counted beyond `earlier` (a snapshot of the same run).
    public func since(_ earlier: ExtractionSummary) -> ExtractionSummary {
        var d = ExtractionSummary()
        d.pages = pages - earlier.pages
        d.pagesWithStatements = pagesWithStatements - earlier.pagesWithStatements
        d.pagesWithoutStatements = pagesWithoutStatements - earlier.pagesWithoutStatements
        d.rejected = rejected - earlier.rejected
        d.statements = statements - earlier.statements
        d.excluded = excluded - earlier.excluded
        d.duplicates = duplicates - earlier.duplicates
        d.withoutStatements = Array(withoutStatements.dropFirst(earlier.withoutStatements.count))
        d.rejectReasons = rejectReasons.compactMapValues { $0 }.reduce(into: [:]) { r, e in
            let n = e.value - (earlier.rejectReasons[e.key] ?? 0); if n != 0 { r[e.key] = n } }
        d.skippedRecords = skippedRecords.reduce(into: [:]) { r, e in
            let n = e.value - (earlier.skippedRecords[e.key] ?? 0); if n != 0 { r[e.key] = n } }
        d.producer = producer
        return d
    }

    /// The sum of two parts of a run.
    public func adding(_ other: ExtractionSummary) -> ExtractionSummary {
        var s = self
        s.pages += other.pages
        s.pagesWithStatements += other.pagesWithStatements
        s.pagesWithoutStatements += other.pagesWithoutStatements
        s.rejected += other.rejected
        s.statements += other.statements
        s.excluded += other.excluded
        s.duplicates += other.duplicates
        s.withoutStatements += other.withoutStatements
        for (k, v) in other.rejectReasons { s.rejectReasons[k, default: 0] += v }
        for (k, v) in other.skippedRecords { s.skippedRecords[k, default: 0] += v }
        if s.producer.isEmpty { s.producer = other.producer }
        if let times = other.stageSeconds {
            s.stageSeconds = (s.stageSeconds ?? [:]).merging(times, uniquingKeysWith: +)
        }
        return s
    }

    /// The one line printed at the end of a run.
    public var line: String {
        var line = "\(pages) pages read: \(statements) statements from \(pagesWithStatements) pages, "
            + "\(pagesWithoutStatements) pages without statements, \(rejected) rejected"
        if duplicates > 0 { line += "; \(duplicates) duplicates linked" }
        if excluded > 0 { line += "; \(excluded) statements excluded" }
        return line
    }

    /// Rejects grouped by the start of their reason ("cannot read", "empty page", …).
    public static func category(of reason: String) -> String {
        String(reason.prefix { $0 != ":" && $0 != "(" }).trimmingCharacters()
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Drives inputs through the page stages and hands every outcome to `write`.
public struct Extraction {
    public let resources: Resources
    public var readOptions = ReadOptions()
    public var profile: SiteProfile?
    /// Link duplicates (`duplicate_of`) across the whole run.
    public var deduplicate = true
    /// Statements to leave out (`--exclude`).
    public var exclusions: ExclusionList?
    public var redaction: (scope: RedactionScope, key: RedactionKey?) = ([], nil)
    /// Pages processed at once (`--jobs`): each worker owns its ICU objects; output
    /// order is input order whatever the number.
    public var jobs = 1
    /// This worker's share of the pages (`--shard K/N`), chosen by a hash of each
    /// page's identity (input path and position), so it does not depend on the order
    /// or grouping of the inputs.
    public var shard: Shard?
    /// Told after each input and page, for progress reports.
    public var progress: ((ProgressEvent) -> Void)?
    /// Inputs to pass over (by their index in the enumeration), e.g. those a resumed
    /// run has already committed.
    public var skipInput: ((Int, InputEnumerator.Item) -> Bool)?
    /// The deduplicator to use, e.g. one primed with an interrupted run's records;
    /// made afresh when nil.
    public var deduplicator: Deduplicator?
    /// Where deduplication's index moves when it outgrows memory (the run's output
    /// directory); nil keeps it in memory.
    public var spillDirectory: String?
    public var deduplication = Deduplicator.Options()
    /// Measure each stage's CPU time into the summary's `stageSeconds` (`--stage-times`).
    public var measuresStages = false
    /// With several jobs, each worker encodes its statements' JSON Lines, handed on in
    /// `Output` for a JSON Lines writer (`RecordWriter.write(statements:lines:ofPage:)`);
    /// set when one will write them.
    public var encodesLines = false
    /// The most statements of a page built before they are handed on to be written
    /// (`PageOutcome.statements`).
    public var statementsPerPart = PageProcessor.defaultStatementsPerPart
    /// Told of each page without statements instead of listing it in the summary's
    /// `withoutStatements`, which grows with the crawl (`PageReferenceList` keeps
    /// such a list in bounded memory).
    public var pageWithoutStatements: ((PageReference) throws -> Void)?

    public init(resources: Resources) { self.resources = resources }

    public enum Output {
        /// A page read, with its statements (none for a page without statements).
        /// `lines`: the statements' JSON Lines when a worker encoded them (`encodesLines`),
        /// with `duplicate_of` as the worker knew it, which the writer brings up to date.
        case page(PageRecord, statements: [StatementRecord], lines: EncodedLines?)
        /// Statements of the page with id `pageID`, which comes next (`.page`, with the
        /// last of its statements): a page with many statements is written in parts.
        case statements([StatementRecord], pageID: String, lines: EncodedLines?)
        case reject(Reject)
        /// All of an input's pages have been written; `summary` is the run's so far.
        case inputDone(index: Int, path: String, summary: ExtractionSummary)
    }

    public func run(inputs: [String], write: (Output) throws -> Void) throws -> ExtractionSummary {
        var summary = ExtractionSummary()
        // The reading thread's clock: reading, and the ordered stage (deduplication and
        // writing); with one job, the page stages too, through the processor.
        let clock = measuresStages ? StageClock() : nil
        let toSimplified = resources.toSimplified
        let deduplicator = deduplicate
            ? self.deduplicator ?? Deduplicator(options: deduplication, spillDirectory: spillDirectory, simplify: { toSimplified.convert($0) }) : nil
        func rejected(_ reject: Reject) throws {
            summary.pages += 1
            summary.rejected += 1
            summary.rejectReasons[ExtractionSummary.category(of: reject.reason), default: 0] += 1
            progress?(.page(statements: 0, rejected: true))
            clock?.lap(.other)
            try write(.reject(reject))
            clock?.lap(.write)
        }
        // The ordered stage: everything that needs all earlier pages (duplicates,
        // accounting, writing) happens here, one page at a time, in input order.
        /// The page whose statements are coming in parts: how many were found and
        /// kept so far, and the texts of those excluded (taken out of its text at the end).
        var partial = (found: 0, kept: 0, excluded: [String]())
        /// Exclusions and duplicates for statements in order; returns how many were found.
        /// Lines encoded by a worker are dropped when exclusions remove a statement.
        func curate(_ statements: inout [StatementRecord], features: [Deduplicator.Features]?, lines: inout EncodedLines?) throws -> Int {
            let found = statements.count
            if let exclusions {
                // An excluded statement leaves every output, the page's text included
                // (each statement asked once: a list of names is searched in its text).
                statements.removeAll { statement in
                    guard exclusions.excludes(statement) else { return false }
                    partial.excluded.append(statement.text.original)
                    return true
                }
                summary.excluded += found - statements.count
                if statements.count != found { lines = nil }
            }
            if let deduplicator {
                // Features computed by a worker are for the statements as found;
                // exclusions may have removed some, so they are used only when all remain.
                let precomputed = features?.count == statements.count ? features : nil
                clock?.lap(.other)
                // Each record written to only when its link changes (a duplicate): the
                // array is shared with the pool's hand-over, and any write to an
                // element copies it whole. Given its features, a record is not passed
                // at all (passed, it was copied).
                for k in statements.indices {
                    let duplicateOf = if let precomputed {
                        try deduplicator.canonicalID(id: statements[k].id, features: precomputed[k])
                    } else {
                        try deduplicator.canonicalID(of: statements[k])
                    }
                    if statements[k].duplicateOf != duplicateOf { statements[k].duplicateOf = duplicateOf }
                    if duplicateOf != nil { summary.duplicates += 1 }
                }
                clock?.lap(.deduplicate)
            }
            summary.statements += statements.count
            return found
        }
        func finish(_ ordered: Ordered) throws {
            let outcome: PageOutcome
            let features: [Deduplicator.Features]?
            var lines: EncodedLines?
            switch ordered {
            case .outcome(let o, let f, let l): outcome = o; features = f; lines = l
            case .skipped(let reason):
                summary.skippedRecords[reason, default: 0] += 1
                return
            case .inputDone(let index, let path):
                progress?(.inputDone(path: path))
                try write(.inputDone(index: index, path: path, summary: summary))
                return
            }
            switch outcome {
            case .rejected(let reject):
                try rejected(reject)
            case .statements(var statements, let pageID):
                partial.found += try curate(&statements, features: features, lines: &lines)
                partial.kept += statements.count
                progress?(.statements(statements.count))
                clock?.lap(.other)
                try write(.statements(statements, pageID: pageID, lines: lines))
                clock?.lap(.write)
            case .page(var page, var statements):
                summary.pages += 1
                let found = try curate(&statements, features: features, lines: &lines) + partial.found
                for text in partial.excluded { page.text = page.text.replacingOccurrences(of: text, with: "") }
                page.statements = partial.kept + statements.count
                partial = (0, 0, [])
                if found == 0 {
                    summary.pagesWithoutStatements += 1
                    let reference = PageReference(path: page.source.path, position: page.source.position)
                    if let pageWithoutStatements { try pageWithoutStatements(reference) } else { summary.withoutStatements.append(reference) }
                } else {
                    summary.pagesWithStatements += 1
                }
                progress?(.page(statements: statements.count, rejected: false))
                clock?.lap(.other)
                try write(.page(page, statements: statements, lines: lines))
                clock?.lap(.write)
            }
        }

        let features = deduplicator.map { deduplicator -> @Sendable (StatementRecord) -> Deduplicator.Features in
            let options = deduplicator.options, simplify = deduplicator.simplify
            return { Deduplicator.features(of: $0, options: options, simplify: simplify) }
        }
        let workers = jobs > 1 ? try WorkerPool(count: jobs, resources: resources, profile: profile, redaction: redaction,
                                                features: features, encodesLines: encodesLines, measuresStages: measuresStages,
                                                statementsPerPart: statementsPerPart) : nil
        let processor = workers == nil ? try PageProcessor(resources: resources, profile: profile) : nil
        processor?.statementsPerPart = statementsPerPart
        processor?.redaction = redaction
        processor?.clock = clock
        clock?.lap(.other)
        defer { workers?.stop() }
        for (index, item) in InputEnumerator(inputs: inputs).items().enumerated() {
            if skipInput?(index, item) == true { continue }
            let itemPath: String
            switch item {
            case .file(let path): itemPath = path
            case .standardInput: itemPath = "-"
            case .unreadable(let reject): itemPath = reject.input
            }
            for pageItem in PageReader.pages(of: item, options: readOptions) {
                clock?.lap(.read)
                // Consumed, so that the page's bytes go as soon as the processor is done
                // with them (`PageProcessor.read`), not with this iteration.
                switch consume pageItem {
                case .reject(let reject):
                    guard shard?.includes(path: reject.input, position: reject.position) ?? true else { continue }
                    if let workers { try workers.enqueue(.outcome(.rejected(reject)), finish: finish) } else { try rejected(reject) }
                case .skipped(let reason):
                    // Counted by the shard that owns the archive's first page, so shards add up.
                    guard shard?.includes(path: itemPath, position: 0) ?? true else { continue }
                    if let workers { try workers.enqueue(.skipped(reason: reason), finish: finish) } else { try finish(.skipped(reason: reason)) }
                case .page(let raw):
                    guard shard?.includes(path: raw.source.path, position: raw.source.position) ?? true else { continue }
                    if let workers { try workers.enqueue(raw, finish: finish) } else { try processor!.process(raw) { try finish(.outcome($0)) } }
                }
                clock?.lap(.other)
            }
            clock?.lap(.read)
            if let workers { try workers.enqueue(.inputDone(index: index, path: itemPath), finish: finish) }
            else { try finish(.inputDone(index: index, path: itemPath)) }
        }
        try workers?.drain(finish: finish)
        try deduplicator?.close()
        if let clock {
            clock.lap(.other)
            workers?.stop()
            var times = clock.times + (workers?.stageTimes ?? StageTimes())
            // The deduplication index's merges run on a thread of their own.
            if let deduplicator { times[.deduplicate] += deduplicator.mergeSeconds }
            summary.stageSeconds = times.named
        }
        summary.producer = ["declproc": Producer.version, "locales": resources.store.version, "schema_version": String(Schema.version)]
        return summary
    }
}

/// What progress reports are made of.
public enum ProgressEvent: Sendable {
    /// A page done: `statements` counts those not already reported in parts.
    case page(statements: Int, rejected: Bool)
    /// Statements of a page still in progress.
    case statements(Int)
    case inputDone(path: String)
}

/// `--shard K/N`: pages whose identity hashes to K modulo N. K may be given from
/// 0 or from 1 (K and K+N are the same share), so 0/4…3/4 and 1/4…4/4 both cover
/// every page exactly once.
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0...n).contains(k) else { return nil }
        index = k % n
        count = n
    }

    public func includes(path: String, position: Int) -> Bool {
        RecordID.hash([path + "#" + String(position)]) % UInt64(count) == UInt64(index)
    }
}
