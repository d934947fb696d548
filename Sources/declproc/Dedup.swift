import ArgumentParser
import DeclprocCuration
import DeclprocFormats
import DeclprocPipeline
import DeclprocRecords
import DeclprocText
import Foundation

struct Dedup: ParsableCommand {
    static let configuration = CommandConfiguration(
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
        let deduplicator = Deduplicator(simplify: { toSimplified.convert($0) })
        let decoder = JSONDecoder()
        let stdout = LineOutput()
        var statements = 0
        do {
            let file = try output.map { try AtomicFile(path: $0, force: force) }
            for path in records {
                guard let data = FileManager.default.contents(atPath: path) else { throw Fatal("cannot read \(path)") }
                var lineNumber = 0
                for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
                    lineNumber += 1
                    var out: Data
                    if line.range(of: Data(#""record":"page""#.utf8)) != nil {
                        out = Data(line) + Data([0x0A])
                    } else {
                        var record: StatementRecord
                        do { record = try decoder.decode(StatementRecord.self, from: Data(line)) }
                        catch { throw Fatal("\(path):\(lineNumber): not a statement record of schema \(Schema.version): \(Self.describe(error))") }
                        deduplicator.link(&record)
                        statements += 1
                        out = try JSONLines.line(record)
                    }
                    if let file { try file.write(out) } else { try stdout.write(bytes: out) }
                }
            }
            try stdout.finish()
            try file?.commit()
        } catch let error as OutputError {
            throw Fatal(error.description)
        }
        let linked = deduplicator.exactDuplicates + deduplicator.nearDuplicates
        FileHandle.standardError.write(Data(
            "declproc: \(statements) statements read, \(linked) linked as duplicates (\(deduplicator.exactDuplicates) exact, \(deduplicator.nearDuplicates) near)\n".utf8))
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
