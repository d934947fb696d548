import DeclprocCuration
import DeclprocFiles
import DeclprocFormats
import DeclprocReader
import DeclprocRecords
import Foundation

/// What `--resume` keeps in the output folder while a run is under way
/// (`DIR/.declproc-resume/`): the output in shards, each the pages of consecutive
/// inputs, committed atomically (written beside, fsynced, renamed), and a manifest
/// that lists each committed shard with the identity of each of its inputs (path,
/// size, SHA-256 of the content) and what they added to the summary. A run killed at
/// any moment leaves only whole shards listed; the next run with `--resume` skips
/// the inputs of the shards committed before, unchanged and in order, and assembles
/// the outputs from all shards at the end, so they are the same bytes as an
/// uninterrupted run's.
///
/// A shard closes at the end of the first input after `shardSeconds`: two fsyncs
/// per input made a crawl of small files sixty times slower, while a kill loses at
/// most that much work. While running, the state keeps 16 bytes per committed input
/// (a digest of its identity); the summaries stay in the manifest until the end.
public final class ResumeState {
    public struct Identity: Codable, Equatable, Sendable {
        public var path: String
        public var size: Int64
        public var sha256: String
    }

    /// A manifest line: one committed shard.
    public struct Entry: Codable, Sendable {
        /// The index of the shard's first input in the run's enumeration.
        public var first: Int
        public var inputs: [Identity]
        public var part: String
        public var summary: ExtractionSummary
    }

    /// One line of a part: a page with its statements, statements of the page with
    /// id `pageID` written ahead of it, or a reject.
    public struct PartLine: Codable {
        public var page: PageRecord?
        public var statements: [StatementRecord]?
        public var pageID: String?
        public var reject: Reject?
        public init(page: PageRecord? = nil, statements: [StatementRecord]? = nil, pageID: String? = nil, reject: Reject? = nil) {
            self.page = page; self.statements = statements; self.pageID = pageID; self.reject = reject
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// A committed shard as the run keeps it: where its inputs start, a digest of
    /// each one's identity, and where its line is in the manifest.
    private struct Committed {
        let first: Int
        let inputs: [Digest]
        let part: String
        let offset: UInt64
        var end: Int { first + inputs.count }
    }

    struct Digest: Equatable {
        let a: UInt64, b: UInt64
        init(_ identity: Identity) {
            let bytes = ContentHash.sha256(bytes: Array("\(identity.path)\u{0}\(identity.size)\u{0}\(identity.sha256)".utf8))
            a = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            b = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    public let folder: String
    /// How long a shard collects inputs before it is committed.
    public var shardSeconds = 0.5
    private let manifestPath: String
    private var committed: [Committed] = []
    private var manifest: FileHandle?
    private var partHandle: FileHandle?
    private var partTemporary: String?
    /// The shard being written: its first input, its inputs' identities, when it began.
    private var open: (first: Int, inputs: [Identity], started: Date)?
    /// The run's summary when the last input finished, and when the last shard was committed.
    private var pendingSummary = ExtractionSummary()
    private var lastSummary = ExtractionSummary()
    /// The pages without statements since the last commit (`Extraction.pageWithoutStatements`):
    /// each shard's go into its manifest line, not into the run's summary.
    private var pendingReferences: [PageReference] = []

    public init(outDir: String) throws {
        folder = outDir + "/.declproc-resume"
        manifestPath = folder + "/manifest.jsonl"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        LeftBehind.remove(in: folder, prefix: Self.temporaryPart.prefix, suffix: Self.temporaryPart.suffix)
        let finished = FileManager.default.fileExists(atPath: folder + "/complete")
        if FileManager.default.fileExists(atPath: manifestPath) {
            let valid = try load(finished: finished)
            // A line cut short by a kill, or one that does not follow on, is not a
            // commitment: the manifest ends before it.
            if let handle = FileHandle(forWritingAtPath: manifestPath) {
                if (try? handle.seekToEnd()) != valid { try? handle.truncate(atOffset: valid) }
                try? handle.close()
            }
        } else {
            guard FileManager.default.createFile(atPath: manifestPath, contents: nil) else {
                throw Failure(description: "cannot write \(manifestPath)")
            }
        }
        // Parts no manifest line lists: of a shard killed between its rename and its
        // line, or of an older layout. The shards that replace them may start elsewhere.
        let listed = Set(committed.map(\.part))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix("part-") && name.hasSuffix(".jsonl") && !listed.contains(name) {
            unlink(folder + "/" + name)
        }
        guard let handle = FileHandle(forWritingAtPath: manifestPath) else {
            throw Failure(description: "cannot write \(manifestPath)")
        }
        handle.seekToEndOfFile()
        manifest = handle
    }

    /// Reads the manifest line by line (it grows with the crawl) into `committed`;
    /// returns the length of its valid part. A later line for inputs already listed
    /// replaces them and everything after: the run that wrote it redid them.
    private func load(finished: Bool) throws -> UInt64 {
        let reader: BufferedReader
        do { reader = BufferedReader(try FileSource(path: manifestPath)) } catch { throw Failure(description: "cannot read \(manifestPath): \(error)") }
        let decoder = JSONDecoder()
        var valid: UInt64 = 0
        while true {
            let start = UInt64(reader.position)
            guard let line = try? reader.readLine(maximumLength: .max) else { break }
            // Only a whole line, with its newline, counts.
            guard UInt64(reader.position) == start + UInt64(line.count) + 1,
                  let entry = try? decoder.decode(Entry.self, from: Data(line)) else { break }
            committed.removeAll { $0.first >= entry.first }
            guard entry.first == (committed.last?.end ?? 0) else { break }
            // A finished run's parts are gone; its manifest still says what it read.
            guard finished || FileManager.default.fileExists(atPath: folder + "/" + entry.part) else { break }
            committed.append(Committed(first: entry.first, inputs: entry.inputs.map(Digest.init), part: entry.part, offset: start))
            valid = UInt64(reader.position)
        }
        return valid
    }

    public var hasCommittedInputs: Bool { !committed.isEmpty }

    /// The run this state belongs to finished: its outputs are complete.
    public var isComplete: Bool { FileManager.default.fileExists(atPath: folder + "/complete") }

    /// Whether the inputs are exactly those the finished run committed, unchanged.
    public func matchesAll<Items: Sequence>(_ items: Items) -> Bool where Items.Element == InputEnumerator.Item {
        let expected = committed.flatMap(\.inputs)
        var count = 0
        for item in items {
            guard count < expected.count, case .file(let path) = item, let identity = Self.identity(of: path),
                  Digest(identity) == expected[count] else { return false }
            count += 1
        }
        return count == expected.count
    }

    /// How many inputs, from the first, can be skipped: those of the shards committed
    /// before, as long as each input is unchanged (deduplication depends on everything
    /// earlier, so the first change ends the skipping). The shards after are forgotten.
    public func skippable<Items: Sequence>(_ items: Items) -> Int where Items.Element == InputEnumerator.Item {
        var iterator = items.makeIterator()
        var kept = 0
        shards: for shard in committed {
            for digest in shard.inputs {
                guard let item = iterator.next(), case .file(let path) = item, let identity = Self.identity(of: path),
                      Digest(identity) == digest else { break shards }
            }
            kept += 1
        }
        committed.removeLast(committed.count - kept)
        return committed.last?.end ?? 0
    }

    /// Marks the run finished (the outputs are in place) and frees the parts; the
    /// manifest stays, so running the same command again knows there is nothing to do.
    public func complete() throws {
        let marker = folder + "/complete"
        guard FileManager.default.createFile(atPath: marker, contents: Data("complete\n".utf8)),
              let handle = FileHandle(forWritingAtPath: marker) else { throw Failure(description: "cannot write \(marker)") }
        try handle.synchronize()
        try handle.close()
        for shard in committed { try? FileManager.default.removeItem(atPath: folder + "/" + shard.part) }
    }

    /// A part's name: its first input, and this run's own mark, so that a shard of
    /// this run never replaces a file an earlier manifest line still names (a run
    /// killed between the rename and its line would otherwise leave other inputs'
    /// pages under a committed shard's name).
    private func part(_ first: Int) -> String { String(format: "part-%08d-%08x.jsonl", first, runMark) }
    private let runMark = UInt32.random(in: 0...UInt32.max)

    /// The manifest lines of the committed shards, in input order: one pass over the
    /// manifest (the committed shards' lines come in the order of their inputs).
    private func forEachEntry(_ body: (Entry) throws -> Void) throws {
        guard !committed.isEmpty else { return }
        let decoder = JSONDecoder()
        var next = 0
        do {
            let reader = BufferedReader(try FileSource(path: manifestPath))
            while next < committed.count {
                let start = UInt64(reader.position)
                guard let line = try reader.readLine(maximumLength: .max) else { break }
                guard start == committed[next].offset else { continue }
                try body(try decoder.decode(Entry.self, from: Data(line)))
                next += 1
            }
        } catch let error as ReadError {
            throw Failure(description: "cannot read \(manifestPath): \(error)")
        }
        guard next == committed.count else { throw Failure(description: "\(manifestPath) changed during the run") }
    }

    /// Every line of the committed parts, in input order.
    public func forEachLine(_ body: (PartLine) throws -> Void) throws {
        let decoder = JSONDecoder()
        // Line by line: one input (a large WARC archive) can make a part of gigabytes.
        for shard in committed {
            do {
                try BufferedReader.forEachLine(ofFile: folder + "/" + shard.part) { _, line in
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

    /// The name of a part being written, around the writer's process id.
    private static let temporaryPart = (prefix: ".part-", suffix: ".tmp")

    /// The current shard's part, written beside its final name until committed.
    private func openPart() throws {
        guard partHandle == nil else { return }
        let path = folder + "/" + Self.temporaryPart.prefix + String(getpid()) + Self.temporaryPart.suffix
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure(description: "cannot write \(path)")
        }
        partHandle = handle
        partTemporary = path
    }

    /// The input `index` is finished (`summary`: the run's so far). It joins the open
    /// shard, which is committed when it is old enough or `now` says so (the run is
    /// stopping).
    public func inputDone(index: Int, path: String, summary: ExtractionSummary, now: Bool = false) throws {
        let identity = Self.identity(of: path) ?? Identity(path: path, size: -1, sha256: "")
        if open == nil { open = (index, [], Date()) }
        open!.inputs.append(identity)
        pendingSummary = summary
        if now || Date().timeIntervalSince(open!.started) >= shardSeconds { try commit() }
    }

    /// Commits the open shard, if any: its part renamed into place, then its line in
    /// the manifest, each fsynced.
    public func commit() throws {
        guard let shard = open else { return }
        let summary = pendingSummary
        // Inputs with no page (an archive of requests only) still get their (empty) part.
        try openPart()
        let part = part(shard.first)
        try partHandle!.synchronize()
        try partHandle!.close()
        partHandle = nil
        guard rename(partTemporary!, folder + "/" + part) == 0 else {
            throw Failure(description: "cannot commit \(folder)/\(part): \(String(cString: strerror(errno)))")
        }
        var entry = Entry(first: shard.first, inputs: shard.inputs, part: part, summary: summary.since(lastSummary))
        entry.summary.withoutStatements += pendingReferences
        pendingReferences = []
        lastSummary = summary
        var data = try JSONLines.encoder.encode(entry)
        data.append(0x0A)
        let offset = try manifest!.offset()
        try manifest!.write(contentsOf: data)
        try manifest!.synchronize()
        committed.append(Committed(first: shard.first, inputs: shard.inputs.map(Digest.init), part: part, offset: offset))
        open = nil
    }

    /// A page without statements of the shard being written.
    public func noteWithoutStatements(_ reference: PageReference) {
        pendingReferences.append(reference)
    }

    /// The summary of the whole run: every committed shard's share. With `list`,
    /// the pages without statements go there instead of into the summary.
    public func summary(listing list: PageReferenceList? = nil) throws -> ExtractionSummary {
        var total = ExtractionSummary()
        try forEachEntry { entry in
            var share = entry.summary
            if let list {
                for reference in share.withoutStatements { try list.append(reference) }
                share.withoutStatements = []
            }
            total = total.adding(share)
        }
        return total
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
