import DeclprocRecords

/// The output formats of `extract` and `dataset` (`--format`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case jsonl, csv, tsv, tmx, parallel, sqlite

    /// The file (or, for `parallel`, the file stem) a format writes in an output folder.
    public var fileName: String {
        switch self {
        case .jsonl: "records.jsonl"
        case .csv: "records.csv"
        case .tsv: "records.tsv"
        case .tmx: "records.tmx"
        case .parallel: "parallel"
        case .sqlite: "records.sqlite"
        }
    }

    /// Formats that can stream to standard output.
    public var streams: Bool { self == .jsonl || self == .csv || self == .tsv }
}

/// A destination for records. A writer sees every page with its statements, in
/// input order, then `commit()`; until then nothing it writes is visible under
/// its final name, so an interrupted run never leaves output that looks complete.
public protocol RecordWriter: AnyObject {
    func write(page: PageRecord, statements: [StatementRecord]) throws
    /// Statements of the page `pageID`, written ahead of it: its `write(page:statements:)`
    /// follows with the last of them (a page with many statements comes in parts).
    func write(statements: [StatementRecord], ofPage pageID: String) throws
    /// The same, with the statements' JSON Lines when a worker encoded them
    /// (`Extraction.encodesLines`): a writer of JSON Lines writes those.
    func write(page: PageRecord, statements: [StatementRecord], lines: EncodedLines?) throws
    func write(statements: [StatementRecord], lines: EncodedLines?, ofPage pageID: String) throws
    func commit() throws
}

extension RecordWriter {
    /// For formats that hold statements only: a page is its statements.
    public func write(page: PageRecord, statements: [StatementRecord]) throws {
        try write(statements: statements, ofPage: page.id)
    }

    /// For formats other than JSON Lines, which have no use for the encoded lines.
    public func write(page: PageRecord, statements: [StatementRecord], lines: EncodedLines?) throws {
        try write(page: page, statements: statements)
    }

    public func write(statements: [StatementRecord], lines: EncodedLines?, ofPage pageID: String) throws {
        try write(statements: statements, ofPage: pageID)
    }
}

/// One aligned pair of sentences (or groups of sentences) from a statement and its
/// translation, Chinese side first whichever side the page put first.
public struct SentencePair: Sendable, Equatable {
    public var zh: String
    public var zhLang: String
    public var en: String
    public var score: Double?

    /// The statement's alignment beads that have text on both sides; the whole
    /// texts when the statement carries a translation but no alignment.
    public static func pairs(of record: StatementRecord) -> [SentencePair] {
        guard let translation = record.translation else { return [] }
        let statementIsChinese = record.lang.hasPrefix("zh")
        let translationIsChinese = translation.lang.hasPrefix("zh")
        guard statementIsChinese != translationIsChinese else { return [] }
        var result: [(String, String, Double?)] = []
        if translation.links.isEmpty {
            result.append((record.text.normalized, translation.text, translation.score))
        } else {
            for link in translation.links where !link.statement.isEmpty && !link.translation.isEmpty {
                let left = link.statement.compactMap { record.sentences.indices.contains($0) ? record.sentences[$0].text : nil }
                let right = link.translation.compactMap { translation.sentences.indices.contains($0) ? translation.sentences[$0] : nil }
                result.append((left.joined(separator: statementIsChinese ? "" : " "),
                               right.joined(separator: translationIsChinese ? "" : " "), link.score))
            }
        }
        return result.map { statementSide, translationSide, score in
            statementIsChinese
                ? SentencePair(zh: statementSide, zhLang: Self.tag(record.lang), en: translationSide, score: score)
                : SentencePair(zh: translationSide, zhLang: Self.tag(translation.lang), en: statementSide, score: score)
        }
    }

    /// BCP 47 tag of a Chinese side: zh-Hans or zh-Hant (a region stays out of TMX's language).
    static func tag(_ lang: String) -> String { lang.hasPrefix("zh-Hant") ? "zh-Hant" : "zh-Hans" }
}

extension StatementRecord {
    /// The id of the page record this statement came from.
    public var pageID: String { RecordID.make([source.path, String(source.page)]) }

    /// The segmented words of the normalized text, space-separated.
    public var wordsLine: String {
        sentences.flatMap { $0.words.map(\.text) }.filter { !$0.allSatisfy(\.isWhitespace) }.joined(separator: " ")
    }
}

/// Makes the writer for a format at a path (for `parallel`, a file stem).
public enum RecordWriters {
    public static func make(_ format: OutputFormat, path: String, force: Bool, emit: Emit = .statements, bom: Bool = true,
                            producer: [String: String]) throws -> RecordWriter {
        switch format {
        case .jsonl: return JSONLinesRecordWriter(file: try AtomicFile(path: path, force: force), emit: emit)
        case .csv: return try DelimitedRecordWriter(file: try AtomicFile(path: path, force: force), style: .csv, bom: bom)
        case .tsv: return try DelimitedRecordWriter(file: try AtomicFile(path: path, force: force), style: .tsv, bom: bom)
        case .tmx: return try TMXRecordWriter(file: try AtomicFile(path: path, force: force), producer: producer)
        case .parallel: return try ParallelRecordWriter(stem: path, force: force)
        case .sqlite: return try SQLiteRecordWriter(path: path, force: force, producer: producer)
        }
    }
}
