import DeclprocCuration
import DeclprocFormats
import DeclprocReader
import DeclprocRecords
import Foundation

/// What `--resume` keeps in the output folder while a run is under way
/// (`DIR/.declproc-resume/`): one part file per input, committed atomically
/// (written beside, fsynced, renamed), and a manifest that lists each committed
/// input by its identity (path, size, SHA-256 of its content) with what it added to
/// the summary. A run killed at any moment leaves only whole parts listed; the next
/// run with `--resume` skips the inputs already committed, unchanged, and in order,
/// and assembles the outputs from all parts at the end, so they are the same bytes
/// as an uninterrupted run's.
public final class ResumeState {
    public struct Identity: Codable, Equatable, Sendable {
        public var path: String
        public var size: Int64
        public var sha256: String
    }

    public struct Entry: Codable, Sendable {
        public var index: Int
        public var input: Identity
        public var part: String
        public var summary: ExtractionSummary
    }

    /// One line of a part: a page with its statements, or a reject.
    public struct PartLine: Codable {
        public var page: PageRecord?
        public var statements: [StatementRecord]?
        public var reject: Reject?
        public init(page: PageRecord? = nil, statements: [StatementRecord]? = nil, reject: Reject? = nil) {
            self.page = page; self.statements = statements; self.reject = reject
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public let folder: String
    private var committed: [Int: Entry] = [:]
    private var prefixHolds = true
    private var manifest: FileHandle?
    private var partHandle: FileHandle?
    private var partTemporary: String?
    private var lastSummary = ExtractionSummary()

    public init(outDir: String) throws {
        folder = outDir + "/.declproc-resume"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        LeftBehind.remove(in: folder, prefix: ".part-", suffix: ".tmp")
        let manifestPath = folder + "/manifest.jsonl"
        let finished = FileManager.default.fileExists(atPath: folder + "/complete")
        if let data = FileManager.default.contents(atPath: manifestPath) {
            // A line cut short by a kill is not a commitment: only whole lines count.
            var valid = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                valid += line.count + 1
                guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(line)) else { break }
                // A finished run's parts are gone; its manifest still says what it read.
                if finished || FileManager.default.fileExists(atPath: folder + "/" + entry.part) { committed[entry.index] = entry }
            }
            if valid < data.count, let handle = FileHandle(forWritingAtPath: manifestPath) {
                try? handle.truncate(atOffset: UInt64(valid))
                try? handle.close()
            }
        } else {
            FileManager.default.createFile(atPath: manifestPath, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: manifestPath) else {
            throw Failure(description: "cannot write \(manifestPath)")
        }
        handle.seekToEndOfFile()
        manifest = handle
    }

    public var hasCommittedInputs: Bool { !committed.isEmpty }

    /// The run this state belongs to finished: its outputs are complete.
    public var isComplete: Bool { FileManager.default.fileExists(atPath: folder + "/complete") }

    /// Whether the inputs are exactly those the finished run committed, unchanged.
    public func matchesAll<Items: Sequence>(_ items: Items) -> Bool where Items.Element == InputEnumerator.Item {
        let all = committed
        var count = 0
        for (index, item) in items.enumerated() {
            guard index < all.count, let entry = all[index], case .file(let path) = item, Self.identity(of: path) == entry.input
            else { return false }
            count += 1
        }
        return count == all.count
    }

    /// Marks the run finished (the outputs are in place) and frees the parts; the
    /// manifest stays, so running the same command again knows there is nothing to do.
    public func complete() throws {
        let marker = folder + "/complete"
        guard FileManager.default.createFile(atPath: marker, contents: Data("complete\n".utf8)),
              let handle = FileHandle(forWritingAtPath: marker) else { throw Failure(description: "cannot write \(marker)") }
        try handle.synchronize()
        try handle.close()
        for entry in committed.values { try? FileManager.default.removeItem(atPath: folder + "/" + entry.part) }
    }

    /// Whether an input can be skipped: committed with the same identity, and so was
    /// every input before it (deduplication depends on everything earlier).
    public func skip(index: Int, item: InputEnumerator.Item) -> Bool {
        guard prefixHolds, let entry = committed[index], case .file(let path) = item,
              let identity = Self.identity(of: path), identity == entry.input else {
            prefixHolds = false
            committed = committed.filter { $0.key < index }
            return false
        }
        return true
    }

    /// The committed entries, in input order.
    public var entries: [Entry] { committed.values.sorted { $0.index < $1.index } }

    /// Every line of the committed parts, in input order.
    public func forEachLine(_ body: (PartLine) throws -> Void) throws {
        let decoder = JSONDecoder()
        // Line by line: one input (a large WARC archive) can make a part of gigabytes.
        for entry in entries {
            do {
                try BufferedReader.forEachLine(ofFile: folder + "/" + entry.part) { _, line in
                    if !line.isEmpty { try body(try decoder.decode(PartLine.self, from: Data(line))) }
                }
            } catch let error as ReadError {
                throw Failure(description: error.description)
            }
        }
    }

    // MARK: Writing

    public func write(_ line: PartLine) throws {
        try openPart()
        var data = try JSONLines.encoder.encode(line)
        data.append(0x0A)
        try partHandle!.write(contentsOf: data)
    }

    /// The current input's part, written beside its final name until committed.
    private func openPart() throws {
        guard partHandle == nil else { return }
        let path = folder + "/.part-\(getpid()).tmp"
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw Failure(description: "cannot write \(path)") }
        partHandle = handle
        partTemporary = path
    }

    /// Commits the input just finished: its part renamed into place, then its line
    /// in the manifest, each fsynced.
    public func commit(index: Int, path: String, summary: ExtractionSummary) throws {
        // An input with no page (an archive of requests only) still gets its (empty) part.
        try openPart()
        let part = String(format: "part-%08d.jsonl", index)
        try partHandle!.synchronize()
        try partHandle!.close()
        partHandle = nil
        guard rename(partTemporary!, folder + "/" + part) == 0 else {
            throw Failure(description: "cannot commit \(folder)/\(part): \(String(cString: strerror(errno)))")
        }
        let identity = Self.identity(of: path) ?? Identity(path: path, size: -1, sha256: "")
        let entry = Entry(index: index, input: identity, part: part, summary: summary.since(lastSummary))
        lastSummary = summary
        var data = try JSONLines.encoder.encode(entry)
        data.append(0x0A)
        try manifest!.write(contentsOf: data)
        try manifest!.synchronize()
        committed[index] = entry
    }

    /// The summary of the whole run: every committed part's share.
    public var summary: ExtractionSummary {
        entries.reduce(ExtractionSummary()) { $0.adding($1.summary) }
    }

    /// Forgets the state (a run started afresh).
    public func remove() {
        try? manifest?.close()
        manifest = nil
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func identity(of path: String) -> Identity? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64,
              let digest = ContentHash.sha256(file: path) else { return nil }
        return Identity(path: path, size: size, sha256: digest)
    }
}
