import DeclprocExtract
import DeclprocReader
import DeclprocRecords

/// What `extract` writes: statement records (default) or one record per page.
public enum Emit: String, Sendable, CaseIterable {
    case statements, pages
}

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
    public var statements = 0
    public var withoutStatements: [PageReference] = []
    public var rejectReasons: [String: Int] = [:]
    /// Archive records that hold no page (WARC requests, metadata, images…), by reason.
    public var skippedRecords: [String: Int] = [:]
    public var producer: [String: String] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case pages, pagesWithStatements = "pages_with_statements", pagesWithoutStatements = "pages_without_statements"
        case rejected, statements, withoutStatements = "without_statements", rejectReasons = "reject_reasons", producer
        case skippedRecords = "skipped_records"
    }

    /// The one line printed at the end of a run.
    public var line: String {
        "\(pages) pages read: \(statements) statements from \(pagesWithStatements) pages, "
            + "\(pagesWithoutStatements) pages without statements, \(rejected) rejected"
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
    public var emit: Emit = .statements
    public var readOptions = ReadOptions()
    public var profile: SiteProfile?

    public init(resources: Resources) { self.resources = resources }

    public enum Output {
        case statement(StatementRecord)
        case page(PageRecord)
        case reject(Reject)
    }

    public func run(inputs: [String], write: (Output) throws -> Void) throws -> ExtractionSummary {
        var summary = ExtractionSummary()
        let processor = try PageProcessor(resources: resources, profile: profile)
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
                    case .page(let page, let statements):
                        summary.pages += 1
                        summary.statements += statements.count
                        if statements.isEmpty {
                            summary.pagesWithoutStatements += 1
                            summary.withoutStatements.append(PageReference(path: page.source.path, position: page.source.position))
                        } else {
                            summary.pagesWithStatements += 1
                        }
                        switch emit {
                        case .pages: try write(.page(page))
                        case .statements: for statement in statements { try write(.statement(statement)) }
                        }
                    }
                }
            }
        }
        summary.producer = ["declproc": Producer.version, "locales": resources.store.version, "schema_version": String(Schema.version)]
        return summary
    }
}
