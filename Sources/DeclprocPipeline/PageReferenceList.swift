import DeclprocCollections
import DeclprocFiles
import Foundation

/// The pages of a run that yielded no statement, for `summary.json`: kept in memory
/// up to `limit`, then in a scratch file, so a crawl of millions of such pages (most
/// pages of a general crawl) runs in bounded memory.
///
/// The scratch file lies in the run's output directory and is unlinked as soon as it
/// is open, like the deduplication index: it holds paths, and no interruption can
/// leave it behind.
public final class PageReferenceList {
    private var memory: [PageReference] = []
    private let directory: String
    private let limit: Int
    private var file: ScratchFile?
    private var buffer: [UInt8] = []
    public private(set) var count = 0

    public init(spillDirectory: String, limit: Int = 20_000) {
        self.directory = spillDirectory
        self.limit = limit
    }

    public func append(_ reference: PageReference) throws {
        count += 1
        if file == nil {
            memory.append(reference)
            guard memory.count > limit else { return }
            try openSpill()
            for reference in memory { encode(reference) }
            memory = []
        } else {
            encode(reference)
        }
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Every reference, in the order appended.
    public func forEach(_ body: (PageReference) throws -> Void) throws {
        guard let file else { return try memory.forEach(body) }
        try flush()
        var offset: off_t = 0
        var pending: [UInt8] = []
        var chunk = [UInt8](filledWith: 0, count: 1 << 20)
        while true {
            let n: Int
            do { n = try file.read(into: &chunk, count: chunk.count, at: Int(offset)) } catch { throw failure("cannot read", error) }
            if n == 0 { break }
            offset += off_t(n)
            pending += chunk[0..<n]
            var start = 0
            // Each entry: the path's length (4 bytes), the path, the position (8 bytes).
            while pending.count - start >= 4 {
                let length = pending[start..<(start + 4)].reduce(0) { $0 << 8 | Int($1) }
                guard pending.count - start >= 4 + length + 8 else { break }
                let path = String(decoding: pending[(start + 4)..<(start + 4 + length)], as: UTF8.self)
                let position = pending[(start + 4 + length)..<(start + 12 + length)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                try body(PageReference(path: path, position: Int(Int64(bitPattern: position))))
                start += 12 + length
            }
            pending.removeFirst(start)
        }
        // No system call failed here, so errno says nothing: the file itself is wrong.
        guard pending.isEmpty else {
            throw failure("cannot read", ScratchFile.Failure(description: "it ends inside an entry (\(pending.count) bytes left over)"))
        }
    }

    private func encode(_ reference: PageReference) {
        let path = Array(reference.path.utf8)
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: path.count >> shift)) }
        buffer += path
        let position = UInt64(bitPattern: Int64(reference.position))
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: position >> shift)) }
    }

    private func openSpill() throws {
        do { file = try ScratchFile(in: directory, prefix: ".declproc-pages-") } catch {
            throw failure("cannot create a scratch file in \(directory)", error)
        }
    }

    private func flush() throws {
        guard let file else { return }
        do { try file.write(buffer) } catch { throw failure("cannot write", error) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failure(_ what: String, _ error: ScratchFile.Failure) -> Failure {
        Failure(description: "\(what) the list of pages without statements in \(directory): \(error)")
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }
}

extension ExtractionSummary {
    /// The summary as JSON (keys sorted, pretty-printed), its `without_statements`
    /// taken from `list` when given: the same bytes as encoding the summary with the
    /// whole list in it, written piece by piece.
    public func writeJSON(listing list: PageReferenceList?, to write: (Data) throws -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let list, list.count > 0 else { return try write(encoder.encode(self) + Data("\n".utf8)) }
        // Encoded with one marker in the list, which is then replaced by the list's
        // entries, each encoded alone and indented to its depth (the array's items).
        var shell = self
        let marker = PageReference(path: "\u{1}declproc: the list goes here\u{1}", position: 0)
        shell.withoutStatements = [marker]
        let whole = try encoder.encode(shell)
        let item = Self.indented(try encoder.encode(marker))
        guard let range = whole.firstRange(of: item) else { throw PageReferenceList.Failure(description: "cannot lay out summary.json") }
        try write(whole[..<range.lowerBound])
        var first = true
        var chunk = Data()
        try list.forEach { reference in
            if !first { chunk.append(contentsOf: ",\n".utf8) }
            first = false
            chunk.append(Self.indented(try encoder.encode(reference)))
            if chunk.count >= 1 << 20 { try write(chunk); chunk.removeAll(keepingCapacity: true) }
        }
        try write(chunk)
        try write(whole[range.upperBound...] + Data("\n".utf8))
    }

    /// A top-level value's pretty-printed lines as an item of the summary's list (two levels deep).
    private static func indented(_ data: Data) -> Data {
        var out = Data("    ".utf8)
        for byte in data {
            out.append(byte)
            if byte == 0x0A { out.append(contentsOf: "    ".utf8) }
        }
        return out
    }
}
