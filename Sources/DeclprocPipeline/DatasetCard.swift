import DeclprocRecords
import DeclprocReport
import Foundation

/// The README of a dataset folder: what is in it, where it came from, how it was made.
/// Counts are accumulated page by page, so the card costs no second pass over the data.
public struct DatasetCard: Sendable {
    /// The same streamed counts the HTML report draws.
    public var counts = ReportData()
    public var sentencePairs = 0

    public init() {}

    /// `page`: nil for statements of a page written ahead of it (the page is counted with its last).
    public mutating func add(page: PageRecord?, statements: [StatementRecord]) {
        if page != nil { counts.addPage() }
        for r in statements {
            counts.add(r)
            if let translation = r.translation {
                sentencePairs += max(1, translation.links.filter { !$0.statement.isEmpty && !$0.translation.isEmpty }.count)
            }
        }
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
        out += "| statements | \(summary.statements) |\n| declarants named | \(counts.declarants) |\n"
        out += "| statements linked as duplicates (`duplicate_of`) | \(summary.duplicates) |\n"
        out += "| statements excluded (`--exclude`) | \(summary.excluded) |\n"
        out += "| statements with a translation | \(counts.withTranslation) |\n| aligned sentence pairs | \(sentencePairs) |\n\n"
        let days = counts.byDay.keys.sorted()
        out += "Dates (the declaration's, else its page's): " + (days.first.map { "\($0) to \(days.last!)" } ?? "none found")
        out += "; \(counts.undated) statements undated.\n\n"
        var organizations = counts.byOrganization
        organizations["all three (三退)"] = counts.allThree
        out += table("kind", counts.byKind) + table("organization", organizations) + table("province", counts.byPlace)
        out += table("language", counts.byLanguage) + table("script", counts.byScript) + table("source", counts.bySource)
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
