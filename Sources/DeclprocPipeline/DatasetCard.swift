import DeclprocRecords
import Foundation

/// The README of a dataset folder: what is in it, where it came from, how it was made.
/// Counts are accumulated page by page, so the card costs no second pass over the data.
public struct DatasetCard: Sendable {
    public var byKind: [String: Int] = [:]
    public var byOrganization: [String: Int] = [:]
    public var byLanguage: [String: Int] = [:]
    public var byScript: [String: Int] = [:]
    public var bySource: [String: Int] = [:]
    public var withTranslation = 0
    public var sentencePairs = 0
    public var earliest: String?
    public var latest: String?
    public var undated = 0
    public var declarants = 0

    public init() {}

    public mutating func add(page: PageRecord, statements: [StatementRecord]) {
        for r in statements {
            byKind[r.declaration.kind, default: 0] += 1
            if r.declaration.organizations.isEmpty { byOrganization["none named", default: 0] += 1 }
            for o in r.declaration.organizations { byOrganization[o, default: 0] += 1 }
            byLanguage[r.lang, default: 0] += 1
            byScript[r.script, default: 0] += 1
            bySource[Self.source(of: r), default: 0] += 1
            declarants += r.declaration.declarants.count
            if let translation = r.translation {
                withTranslation += 1
                sentencePairs += max(1, translation.links.filter { !$0.statement.isEmpty && !$0.translation.isEmpty }.count)
            }
            if let date = r.declaration.date?.value {
                if earliest == nil || date < earliest! { earliest = date }
                if latest == nil || date > latest! { latest = date }
            } else {
                undated += 1
            }
        }
    }

    /// A statement's source: its URL's host, else the folder its file is in.
    static func source(of r: StatementRecord) -> String {
        if let url = r.source.url, let host = URL(string: url)?.host { return host }
        let folder = (r.source.path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    public func markdown(summary: ExtractionSummary, files: [String], redaction: [String], excludeList: Bool,
                         inputs: [String], created: Date = Date()) -> String {
        func table(_ title: String, _ counts: [String: Int], limit: Int = 20) -> String {
            guard !counts.isEmpty else { return "" }
            var out = "| \(title) | statements |\n|---|---:|\n"
            for (key, count) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(limit) {
                out += "| \(key.replacingOccurrences(of: "|", with: "\\|")) | \(count) |\n"
            }
            if counts.count > limit { out += "| … \(counts.count - limit) more | |\n" }
            return out + "\n"
        }
        let iso = ISO8601DateFormatter()
        var out = "# Dataset card\n\n"
        out += "Statements extracted by declproc \(summary.producer["declproc"] ?? "?") (Locales \(summary.producer["locales"] ?? "?"), "
        out += "record schema \(summary.producer["schema_version"] ?? "?")) on \(iso.string(from: created)).\n\n"
        out += "## Contents\n\n"
        out += "| | count |\n|---|---:|\n"
        out += "| pages read | \(summary.pages) |\n| pages with statements | \(summary.pagesWithStatements) |\n"
        out += "| pages without statements | \(summary.pagesWithoutStatements) |\n| pages rejected | \(summary.rejected) |\n"
        out += "| statements | \(summary.statements) |\n| declarants named | \(declarants) |\n"
        out += "| statements linked as duplicates (`duplicate_of`) | \(summary.duplicates) |\n"
        out += "| statements excluded (`--exclude`) | \(summary.excluded) |\n"
        out += "| statements with a translation | \(withTranslation) |\n| aligned sentence pairs | \(sentencePairs) |\n\n"
        out += "Dates of the declarations: " + (earliest.map { "\($0) to \(latest!)" } ?? "none found")
        out += "; \(undated) statements undated.\n\n"
        out += table("kind", byKind) + table("organization", byOrganization) + table("language", byLanguage)
        out += table("script", byScript) + table("source", bySource)
        if !summary.rejectReasons.isEmpty { out += table("reject reason", summary.rejectReasons).replacingOccurrences(of: "| statements |", with: "| pages |") }
        out += "## Files\n\n"
        for file in files { out += "- `\(file)`\n" }
        out += "\nThe record schema is in `schema/record.schema.json` (JSON Schema 2020-12), rejected pages in `rejects.jsonl` "
        out += "(`schema/reject.schema.json`), the run's accounting in `summary.json`.\n\n"
        out += "## Personal data\n\n"
        out += "The people named in these statements may be at risk. "
        if redaction.contains("names") {
            out += "Declarants' names are redacted: every form of each name (as written, Simplified, Traditional, Pinyin) "
            out += "is replaced by a pseudonym keyed by a secret that is not part of the dataset. "
        } else {
            out += "**Names are not redacted**: this dataset names real people; share it accordingly (`--redact names`). "
        }
        out += redaction.contains("contacts") ? "Phone numbers, e-mail addresses and ID numbers are redacted. " : "Contacts are not redacted. "
        out += excludeList ? "Statements on the takedown list were excluded.\n\n" : "No takedown list was applied.\n\n"
        out += "## Inputs\n\n"
        for input in inputs.prefix(20) { out += "- `\(input)`\n" }
        if inputs.count > 20 { out += "- … \(inputs.count - 20) more\n" }
        return out
    }
}
