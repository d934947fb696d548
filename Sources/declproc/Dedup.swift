import ArgumentParser
import DeclprocCuration
import DeclprocFormats
import DeclprocPipeline
import DeclprocReader
import DeclprocRecords
import DeclprocText
import Foundation

struct Dedup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Link duplicate statements across record files (JSON Lines), e.g. the shards of a distributed run.",
        discussion: """
        Reads statement records in the order given and writes them all, each with duplicate_of set to \
        the first record of its group (same declarants; same text after folding Traditional/Simplified, \
        width and punctuation, or nearly the same) or null. Page records pass through unchanged. \
        Nothing is dropped.
        """)

    @Argument(help: "Record files (JSON Lines, as extract writes them).")
    var records: [String]

    @Option(name: [.short, .customLong("output")], help: "Write the linked records to FILE (default: standard output).")
    var output: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    @OptionGroup var dedupMemory: DedupMemoryOption

    @OptionGroup var locale: LocaleOptions

    func validate() throws {
        if records.isEmpty { throw ValidationError("give at least one record file.") }
        if let output, records.contains(output) { throw ValidationError("-o must not be one of the inputs.") }
    }

    func run() throws {
        let store = try locale.store()
        let toSimplified: ChineseConverter
        do { toSimplified = try ChineseConverter(configuration: "t2s", store: store) } catch { throw Fatal("\(error)") }
        keepUntilExit(toSimplified)
        let deduplicator = Deduplicator(options: dedupMemory.options, spillDirectory: CurationOptions.spillDirectory(output: output, outDir: nil),
                                        simplify: { toSimplified.convert($0) })
        let stdout = LineOutput()
        var statements = 0
        do {
            let file = try output.map { try AtomicFile(path: $0, force: force) }
            func put(_ out: Data) throws { if let file { try file.write(out) } else { try stdout.write(bytes: out) } }
            for path in records {
                try RecordLines.forEach(path, page: { try put($0 + Data([0x0A])) }) { record in
                    var record = record
                    try deduplicator.link(&record)
                    statements += 1
                    try put(JSONLines.line(record))
                }
            }
            try deduplicator.close()
            try stdout.finish()
            try file?.commit()
        } catch let error as OutputError {
            throw Fatal(error.description)
        } catch let error as Deduplicator.IndexFailure {
            throw Fatal(error.description)
        }
        let linked = deduplicator.exactDuplicates + deduplicator.nearDuplicates
        FileHandle.standardError.write(Data(
            "declproc: \(statements) statements read, \(linked) linked as duplicates (\(deduplicator.exactDuplicates) exact, \(deduplicator.nearDuplicates) near)\n".utf8))
    }

}

/// The lines of a record file as `extract` writes them: statement records decoded,
/// page records handed on as they are.
enum RecordLines {
    static let pageMarker = Data(#""record":"page""#.utf8)

    static func forEach(_ path: String, page: (Data) throws -> Void = { _ in },
                        statement: (StatementRecord) throws -> Void) throws {
        // Line by line: a crawl's record files run to gigabytes, and reading one whole
        // held all of it in memory twice.
        let decoder = JSONDecoder()
        do {
            try BufferedReader.forEachLine(ofFile: path, allowPipes: true) { number, bytes in
                if bytes.isEmpty { return }
                let line = Data(bytes)
                if line.range(of: pageMarker) != nil { try page(line) } else { try statement(decode(line, decoder, at: "\(path):\(number)")) }
            }
        } catch let error as ReadError {
            throw Fatal(error.description)
        }
    }

    static func decode(_ line: Data, _ decoder: JSONDecoder, at place: String) throws -> StatementRecord {
        do { return try decoder.decode(StatementRecord.self, from: line) }
        catch { throw Fatal("\(place): not a statement record of schema \(Schema.version): \(describe(error))") }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
