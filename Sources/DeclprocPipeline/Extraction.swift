import Foundation
import DeclprocCuration
import DeclprocExtract
import DeclprocReader
import DeclprocRecords

/// A page that was read and yielded no statement, for the summary's list.
public struct PageReference: Sendable, Equatable, Encodable {
    public let path: String
    public let position: Int
}

/// The run's accounting. Every page read is in exactly one of three counts:
/// pages = with statements + without statements + rejected.
public struct ExtractionSummary: Sendable, Encodable {
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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case pages, pagesWithStatements = "pages_with_statements", pagesWithoutStatements = "pages_without_statements"
        case rejected, statements, withoutStatements = "without_statements", rejectReasons = "reject_reasons", producer
        case skippedRecords = "skipped_records", excluded, duplicates
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
    static func category(of reason: String) -> String {
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

    public init(resources: Resources) { self.resources = resources }

    public enum Output {
        /// A page read, with its statements (none for a page without statements).
        case page(PageRecord, statements: [StatementRecord])
        case reject(Reject)
    }

    public func run(inputs: [String], write: (Output) throws -> Void) throws -> ExtractionSummary {
        var summary = ExtractionSummary()
        let processor = try PageProcessor(resources: resources, profile: profile)
        processor.redaction = redaction
        let toSimplified = resources.toSimplified
        let deduplicator = deduplicate ? Deduplicator(simplify: { toSimplified.convert($0) }) : nil
        func rejected(_ reject: Reject) throws {
            summary.pages += 1
            summary.rejected += 1
            summary.rejectReasons[ExtractionSummary.category(of: reject.reason), default: 0] += 1
            try write(.reject(reject))
        }
        for item in InputEnumerator(inputs: inputs).items() {
            for pageItem in PageReader.pages(of: item, options: readOptions) {
                switch pageItem {
                case .reject(let reject):
                    try rejected(reject)
                case .skipped(let reason):
                    summary.skippedRecords[reason, default: 0] += 1
                case .page(let raw):
                    switch processor.process(raw) {
                    case .rejected(let reject):
                        try rejected(reject)
                    case .page(let page, var statements):
                        summary.pages += 1
                        let found = statements.count
                        var page = page
                        if let exclusions {
                            // An excluded statement leaves every output, the page's text included.
                            for statement in statements where exclusions.excludes(statement) {
                                page.text = page.text.replacingOccurrences(of: statement.text.original, with: "")
                            }
                            statements.removeAll(where: exclusions.excludes)
                            summary.excluded += found - statements.count
                            page.statements = statements.count
                        }
                        if let deduplicator {
                            for k in statements.indices {
                                deduplicator.link(&statements[k])
                                if statements[k].duplicateOf != nil { summary.duplicates += 1 }
                            }
                        }
                        summary.statements += statements.count
                        if found == 0 {
                            summary.pagesWithoutStatements += 1
                            summary.withoutStatements.append(PageReference(path: page.source.path, position: page.source.position))
                        } else {
                            summary.pagesWithStatements += 1
                        }
                        try write(.page(page, statements: statements))
                    }
                }
            }
        }
        summary.producer = ["declproc": Producer.version, "locales": resources.store.version, "schema_version": String(Schema.version)]
        return summary
    }
}
