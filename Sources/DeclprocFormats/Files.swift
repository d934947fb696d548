import DeclprocFiles
import DeclprocRecords
import Foundation

/// A failure to write output: fatal for the run (exit status 3), with the path.
public struct OutputError: Error, CustomStringConvertible {
    public let description: String
}

/// One JSON object per line, keys sorted, so output is byte-stable across runs.
public enum JSONLines {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func line(_ value: some Encodable) throws -> Data {
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Records go through `RecordJSON`: the same bytes, written directly.
    public static func line(_ record: StatementRecord) -> Data { Data(RecordJSON.encode(record, lineEnd: true)) }
}

/// Writes a file so that it appears complete or not at all: into a temporary
/// file beside it, renamed into place by `commit()`. An existing file is replaced
/// only when `force` is given.
public final class AtomicFile {
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    /// Bytes, not `Data`: appending a record's line to a `Data` went a byte at a
    /// time, more instructions than writing the record's JSON.
    private var buffer: [UInt8] = []
    private var writeback = EarlyWriteback()
    private var committed = false

    public init(path: String, force: Bool) throws {
        self.path = path
        if !force, FileManager.default.fileExists(atPath: path) {
            throw OutputError(description: "\(path) already exists; pass --force to replace it")
        }
        temporaryPath = LeftBehind.temporaryPath(besides: path)
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw OutputError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        self.handle = handle
    }

    deinit {
        if !committed {
            try? writeback.settle()
            try? handle.close()
            unlink(temporaryPath)
        }
    }

    public func write(_ data: Data) throws {
        data.withUnsafeBytes { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws { try write(bytes[...]) }

    public func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        do { try buffer.withUnsafeBytes { try handle.write(contentsOf: $0) } }
        catch { throw OutputError(description: "cannot write \(path): \(error.localizedDescription)") }
        writeback.wrote(buffer.count, descriptor: handle.fileDescriptor)
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws {
        try flush()
        do {
            try writeback.settle()
            try handle.synchronize()
            try handle.close()
        } catch let failure as FlushFailure {
            throw OutputError(description: "cannot write \(path): \(failure)")
        } catch { throw OutputError(description: "cannot write \(path): \(error.localizedDescription)") }
        guard rename(temporaryPath, path) == 0 else {
            throw OutputError(description: "cannot move output into place at \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }
}
