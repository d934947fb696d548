import DeclprocRecords
import Foundation

/// What JSON Lines output holds: statement records (default) or one record per page.
public enum Emit: String, Sendable, CaseIterable {
    case statements, pages
}

/// JSON Lines: one statement record per line (or one page record per line with
/// `emit: .pages`), to a file or to a line-flushed stream.
public final class JSONLinesRecordWriter: RecordWriter {
    private let file: AtomicFile?
    private let stream: ((Data) throws -> Void)?
    private let emit: Emit

    public init(file: AtomicFile, emit: Emit) {
        self.file = file; self.stream = nil; self.emit = emit
    }

    /// Writes each line through `stream` (standard output, say).
    public init(stream: @escaping (Data) throws -> Void, emit: Emit) {
        self.file = nil; self.stream = stream; self.emit = emit
    }

    public func write(page: PageRecord, statements: [StatementRecord]) throws {
        try write(page: page, statements: statements, lines: nil)
    }

    public func write(statements: [StatementRecord], ofPage pageID: String) throws {
        try write(statements: statements, lines: nil, ofPage: pageID)
    }

    public func write(page: PageRecord, statements: [StatementRecord], lines: EncodedLines?) throws {
        switch emit {
        case .pages: try put(RecordJSON.encode(page, lineEnd: true))
        case .statements: try write(statements: statements, lines: lines, ofPage: page.id)
        }
    }

    /// Without lines encoded by a worker (one job, or exclusions), each record is encoded here.
    public func write(statements: [StatementRecord], lines: EncodedLines?, ofPage pageID: String) throws {
        guard emit == .statements else { return }
        guard let lines, lines.count == statements.count else {
            for record in statements { try put(RecordJSON.encode(record, lineEnd: true)) }
            return
        }
        if let file {
            try lines.write(for: statements) { try file.write($0) }
        } else if let stream {
            // One call, so a line-flushed stream never ends on part of a line.
            var all: [UInt8] = []
            try lines.write(for: statements) { all.append(contentsOf: $0) }
            if !all.isEmpty { try stream(Data(all)) }
        }
    }

    private func put(_ line: [UInt8]) throws {
        if let file { try file.write(line) } else { try stream?(Data(line)) }
    }

    public func commit() throws { try file?.commit() }
}
