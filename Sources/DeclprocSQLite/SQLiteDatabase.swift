import CSQLite

/// SQLite, wrapped once for the modules that keep tables: the records' SQLite
/// output and the deduplicator's index when it outgrows memory.
///
/// The database owns its prepared statements and finalizes them when it closes, so
/// no statement outlives its connection and `close()` really closes the file (the
/// output writer renames it into place right after).
public final class SQLiteDatabase {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    private var db: OpaquePointer?
    private var statements: [SQLiteStatement] = []

    /// `sharedAcrossThreads`: statements of this connection will run on more than one
    /// thread (each statement on one), so SQLite serializes every call on the
    /// connection, whatever threading mode the library defaults to.
    public init(path: String, readOnly: Bool = false, sharedAcrossThreads: Bool = false) throws(Failure) {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | (sharedAcrossThreads ? SQLITE_OPEN_FULLMUTEX : 0)
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            db = nil
            throw Failure(description: message)
        }
    }

    deinit {
        for statement in statements { statement.finalize() }
        if let db { sqlite3_close_v2(db) }
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw Failure(description: message)
        }
    }

    public func prepare(_ sql: String) throws(Failure) -> SQLiteStatement {
        var handle: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &handle, nil) == SQLITE_OK, let handle else { throw Failure(description: lastError) }
        let statement = SQLiteStatement(handle, database: self)
        statements.append(statement)
        return statement
    }

    /// Finalizes the statements and closes the file; any error (a write that could
    /// not be flushed) is reported here rather than lost in a destructor.
    public func close() throws(Failure) {
        for statement in statements { statement.finalize() }
        statements = []
        guard let db else { return }
        guard sqlite3_close(db) == SQLITE_OK else { throw Failure(description: lastError) }
        self.db = nil
    }

    var lastError: String { db.map { String(cString: sqlite3_errmsg($0)) } ?? "the database is closed" }
}

/// A prepared statement of a `SQLiteDatabase`, run again and again with new values.
public final class SQLiteStatement {
    public enum Value {
        case text(String), int(Int), double(Double), blob([UInt8]), null
        public static func optional(_ text: String?) -> Value { text.map { .text($0) } ?? .null }
    }

    /// One result row, valid only inside the closure it is given to.
    public struct Row {
        fileprivate let handle: OpaquePointer
        public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
        public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
        public func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(handle, column) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
        }
        /// The column's bytes (empty for NULL), valid until the row's closure returns.
        public func blob(_ column: Int32) -> UnsafeRawBufferPointer {
            guard let bytes = sqlite3_column_blob(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
        }
    }

    private var handle: OpaquePointer?
    private unowned let database: SQLiteDatabase
    /// SQLITE_TRANSIENT: SQLite copies each bound value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    fileprivate init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    fileprivate func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    /// Runs the statement with `values` for its parameters, expecting no rows.
    public func run(_ values: [Value] = []) throws(SQLiteDatabase.Failure) {
        try query(values) { _ in }
    }

    /// Runs the statement with `values` for its parameters, handing each row to `row`.
    public func query(_ values: [Value] = [], row: (Row) throws -> Void) throws(SQLiteDatabase.Failure) {
        guard let handle else { throw SQLiteDatabase.Failure(description: "the statement was finalized") }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (index, value) in values.enumerated() {
            let i = Int32(index + 1)
            let status: Int32
            switch value {
            case .text(let text): status = sqlite3_bind_text(handle, i, text, -1, Self.transient)
            case .int(let number): status = sqlite3_bind_int64(handle, i, Int64(number))
            case .double(let number): status = sqlite3_bind_double(handle, i, number)
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, i, $0.baseAddress, Int32($0.count), Self.transient) }
            case .null: status = sqlite3_bind_null(handle, i)
            }
            guard status == SQLITE_OK else { throw SQLiteDatabase.Failure(description: database.lastError) }
        }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return
            case SQLITE_ROW:
                do { try row(Row(handle: handle)) } catch {
                    sqlite3_reset(handle)
                    throw SQLiteDatabase.Failure(description: "\(error)")
                }
            default:
                let message = database.lastError
                sqlite3_reset(handle)
                throw SQLiteDatabase.Failure(description: message)
            }
        }
    }
}
