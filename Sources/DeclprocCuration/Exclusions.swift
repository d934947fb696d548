import DeclprocRecords
import Foundation

/// Statements to leave out of every output (`--exclude FILE`): a takedown list of
/// record ids, URLs or names, one per line (`#` starts a comment).
public struct ExclusionList: Sendable {
    public private(set) var ids: Set<String> = []
    public private(set) var urls: Set<String> = []
    /// Names folded to Simplified, so a name listed in either script matches both.
    public private(set) var names: Set<String> = []
    private let simplify: @Sendable (String) -> String

    public init(lines: [String], simplify: @escaping @Sendable (String) -> String) {
        self.simplify = simplify
        for raw in lines {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.count == 16, line.allSatisfy(\.isHexDigit) { ids.insert(line.lowercased()) }
            else if line.contains("://") { urls.insert(line) }
            else { names.insert(simplify(line)) }
        }
    }

    public init(file: String, simplify: @escaping @Sendable (String) -> String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        self.init(lines: text.components(separatedBy: .newlines), simplify: simplify)
    }

    public var isEmpty: Bool { ids.isEmpty && urls.isEmpty && names.isEmpty }

    /// Whether the statement is listed: by id, by its page's URL, or by a declarant's
    /// name (or a listed name appearing in its text).
    public func excludes(_ record: StatementRecord) -> Bool {
        if ids.contains(record.id) { return true }
        if let url = record.source.url, urls.contains(url) { return true }
        guard !names.isEmpty else { return false }
        if record.declaration.declarants.contains(where: { names.contains(simplify($0.name)) }) { return true }
        let simplified = record.text.simplified ?? record.text.normalized
        return names.contains { $0.count >= 2 && simplified.contains($0) }
    }
}
