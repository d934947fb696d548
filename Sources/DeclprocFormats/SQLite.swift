import DeclprocFiles
import DeclprocRecords
import DeclprocSQLite
import Foundation

/// A SQLite database of pages, statements, declarants and sentence pairs, with an
/// FTS5 index over segmented words (`docs/formats.md` lists the tables).
///
/// FTS5's tokenizers split on spaces and punctuation, not between Chinese words, so
/// the index is fed the segmenter's words separated by spaces, in both the text's
/// own script and Simplified: `statements_fts MATCH '退党'` finds 退黨 too.
///
/// The database is written into a temporary file in one transaction, with
/// `secure_delete` on and the rollback journal kept in memory, then vacuumed and
/// renamed into place: no freed page or journal can keep text that later steps
/// removed (redaction relies on it).
public final class SQLiteRecordWriter: RecordWriter {
    private let path: String
    private let temporaryPath: String
    private var db: SQLiteDatabase?
    private let insertPage: SQLiteStatement
    private let insertStatement: SQLiteStatement
    private let insertDeclarant: SQLiteStatement
    private let insertPair: SQLiteStatement
    private let insertFTS: SQLiteStatement
    private var committed = false

    static let schema = """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE pages(
      id TEXT PRIMARY KEY, path TEXT NOT NULL, position INTEGER NOT NULL, url TEXT, title TEXT, lang TEXT,
      script TEXT NOT NULL, published TEXT, author TEXT, charset TEXT NOT NULL, statements INTEGER NOT NULL, text TEXT NOT NULL);
    CREATE TABLE statements(
      id TEXT PRIMARY KEY, page_id TEXT NOT NULL REFERENCES pages(id), position INTEGER NOT NULL, lang TEXT NOT NULL,
      script TEXT NOT NULL, kind TEXT NOT NULL, organizations TEXT NOT NULL, date TEXT, province TEXT, city TEXT,
      original TEXT NOT NULL, normalized TEXT NOT NULL, simplified TEXT, traditional TEXT, pinyin TEXT, pinyin_numbers TEXT,
      words TEXT NOT NULL, translation TEXT, translation_lang TEXT, translation_score REAL, duplicate_of TEXT,
      record TEXT NOT NULL);
    CREATE TABLE declarants(
      statement_id TEXT NOT NULL REFERENCES statements(id), position INTEGER NOT NULL, name TEXT NOT NULL,
      alias INTEGER NOT NULL, latin TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL, confidence REAL NOT NULL);
    CREATE TABLE sentence_pairs(
      statement_id TEXT NOT NULL REFERENCES statements(id), position INTEGER NOT NULL, zh_lang TEXT NOT NULL,
      zh TEXT NOT NULL, en TEXT NOT NULL, score REAL);
    CREATE INDEX statements_page ON statements(page_id);
    CREATE INDEX declarants_statement ON declarants(statement_id);
    CREATE INDEX sentence_pairs_statement ON sentence_pairs(statement_id);
    CREATE VIRTUAL TABLE statements_fts USING fts5(statement_id UNINDEXED, words, simplified_words, pinyin, translation,
      tokenize = 'unicode61 remove_diacritics 2');
    """

    public init(path: String, force: Bool, producer: [String: String]) throws {
        self.path = path
        if !force, FileManager.default.fileExists(atPath: path) {
            throw OutputError(description: "\(path) already exists; pass --force to replace it")
        }
        temporaryPath = LeftBehind.temporaryPath(besides: path)
        unlink(temporaryPath)
        do {
            let db = try SQLiteDatabase(path: temporaryPath)
            self.db = db
            try db.execute("PRAGMA secure_delete = ON; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;")
            try db.execute(Self.schema)
            try db.execute("BEGIN")
            // A page's statements may come before its row (a page with many statements
            // is written in parts): references are checked when the transaction ends.
            try db.execute("PRAGMA defer_foreign_keys = ON")
            insertPage = try db.prepare("INSERT INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
            insertStatement = try db.prepare("INSERT INTO statements VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
            insertDeclarant = try db.prepare("INSERT INTO declarants VALUES (?,?,?,?,?,?,?,?)")
            insertPair = try db.prepare("INSERT INTO sentence_pairs VALUES (?,?,?,?,?,?)")
            insertFTS = try db.prepare("INSERT INTO statements_fts VALUES (?,?,?,?,?)")
            let meta = try db.prepare("INSERT INTO meta VALUES (?,?)")
            var entries = producer.map { ("producer." + $0.key, $0.value) }
            entries.append(("schema_version", String(Schema.version)))
            for (key, value) in entries.sorted(by: { $0.0 < $1.0 }) { try meta.run([.text(key), .text(value)]) }
        } catch {
            db = nil
            unlink(temporaryPath)
            throw OutputError(description: "cannot write \(path): \(error)")
        }
    }

    deinit {
        db = nil
        if !committed { unlink(temporaryPath) }
    }

    public func write(page: PageRecord, statements: [StatementRecord]) throws {
        try run(insertPage, [
            .text(page.id), .text(page.source.path), .int(page.source.position), .optional(page.source.url), .optional(page.title),
            .optional(page.lang), .text(page.script), .optional(page.published), .optional(page.author), .text(page.charset.name),
            .int(page.statements), .text(page.text),
        ])
        try write(statements: statements, ofPage: page.id)
    }

    public func write(statements: [StatementRecord], ofPage pageID: String) throws {
        for r in statements {
            let words = r.wordsLine
            try run(insertStatement, [
                .text(r.id), .text(pageID), .int(r.source.position), .text(r.lang), .text(r.script), .text(r.declaration.kind),
                .text(r.declaration.organizations.joined(separator: " ")), .optional(r.declaration.date?.value),
                .optional(r.declaration.place?.province), .optional(r.declaration.place?.city), .text(r.text.original),
                .text(r.text.normalized), .optional(r.text.simplified), .optional(r.text.traditional), .optional(r.text.pinyin),
                .optional(r.text.pinyinNumbers), .text(words), .optional(r.translation?.text), .optional(r.translation?.lang),
                r.translation?.score.map { .double($0) } ?? .null, .optional(r.duplicateOf),
                .text(String(decoding: RecordJSON.encode(r), as: UTF8.self)),
            ])
            for (position, d) in r.declaration.declarants.enumerated() {
                try run(insertDeclarant, [
                    .text(r.id), .int(position), .text(d.name), .int(d.alias ? 1 : 0), .optional(d.latin), .int(d.start), .int(d.end),
                    .double(d.confidence),
                ])
            }
            for (position, pair) in SentencePair.pairs(of: r).enumerated() {
                try run(insertPair, [.text(r.id), .int(position), .text(pair.zhLang), .text(pair.zh), .text(pair.en),
                                     pair.score.map { .double($0) } ?? .null])
            }
            try run(insertFTS, [.text(r.id), .text(words), .text(Self.simplifiedWords(r) ?? ""), .optional(r.text.pinyin),
                                .optional(r.translation?.text)])
        }
    }

    public func commit() throws {
        do {
            try db?.execute("COMMIT")
            try db?.execute("INSERT INTO statements_fts(statements_fts) VALUES ('optimize')")
            try db?.execute("VACUUM")
            try db?.close()
            db = nil
        } catch {
            throw OutputError(description: "cannot write \(path): \(error)")
        }
        guard rename(temporaryPath, path) == 0 else {
            throw OutputError(description: "cannot move output into place at \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    /// The words cut out of the Simplified text at the normalized text's word
    /// boundaries (the conversion keeps lengths for all but rare phrases; then nil).
    static func simplifiedWords(_ r: StatementRecord) -> String? {
        guard let simplified = r.text.simplified, simplified != r.text.normalized else { return nil }
        let target = Array(simplified.unicodeScalars)
        let normalizedCount = r.text.normalized.unicodeScalars.count
        guard target.count == normalizedCount else { return simplified }
        let source = Array(r.text.normalized.unicodeScalars)
        var words: [String] = []
        var cursor = 0
        for word in r.sentences.lazy.flatMap(\.words) {
            let scalars = Array(word.text.unicodeScalars)
            guard !scalars.isEmpty, scalars.count <= source.count else { continue }
            // Words come in text order; find this one at or after the previous.
            var i = cursor
            while i + scalars.count <= source.count, !source[i..<(i + scalars.count)].elementsEqual(scalars) { i += 1 }
            guard i + scalars.count <= source.count else { continue }
            let piece = String(String.UnicodeScalarView(target[i..<(i + scalars.count)]))
            if !piece.allSatisfy(\.isWhitespace) { words.append(piece) }
            cursor = i + scalars.count
        }
        return words.joined(separator: " ")
    }

    private func run(_ statement: SQLiteStatement, _ values: [SQLiteStatement.Value]) throws {
        do { try statement.run(values) } catch { throw OutputError(description: "cannot write \(path): \(error)") }
    }
}

/// Reading back what `SQLiteRecordWriter` wrote.
public enum SQLiteRecords {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// Each statement's JSON record, in the order written.
    public static func records(_ path: String) throws -> [Data] {
        do {
            let db = try SQLiteDatabase(path: path, readOnly: true)
            var rows: [Data] = []
            try db.prepare("SELECT record FROM statements ORDER BY rowid").query { row in rows.append(Data(row.blob(0))) }
            try db.close()
            return rows
        } catch {
            throw Failure(description: error.description)
        }
    }
}
