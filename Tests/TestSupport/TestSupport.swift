import DeclprocLocales
import DeclprocReader
import Foundation

/// Where tests find their inputs. A missing prerequisite throws, so the test that
/// needs it fails: tests never skip because the machine lacks something.
public enum TestFiles {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The repository root, from this file's place in `Tests/TestSupport/`.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func repository(_ relative: String) -> URL { repositoryRoot.appendingPathComponent(relative) }

    public static func locales() throws -> LocaleStore { try LocaleStore(root: repository("Locales")) }

    /// A file of Debian's `unicode-data` package (Unicode 15.0, as ICU 72), decompressed
    /// if Debian ships it as `.bz2`.
    public static func unicodeData(_ relative: String) throws -> String {
        let plain = URL(fileURLWithPath: "/usr/share/unicode/\(relative)")
        if let data = try? Data(contentsOf: plain) { return String(decoding: data, as: UTF8.self) }
        let compressed = plain.path + ".bz2"
        guard FileManager.default.fileExists(atPath: compressed) else {
            throw Missing(description: "\(plain.path) not found: install Debian's unicode-data (Scripts/test does)")
        }
        let result = try run("/usr/bin/env", ["bzip2", "-dc", compressed])
        guard result.status == 0 else { throw Missing(description: "bzip2 -dc \(compressed) failed: \(result.stderr)") }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// The built `declproc` executable, beside the test bundle.
    public static func executable() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("declproc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = repository(".build/debug/declproc")
        if FileManager.default.isExecutableFile(atPath: fallback.path) { return fallback }
        throw Missing(description: "declproc executable not found near \(CommandLine.arguments[0]); run `swift build` first")
    }

    public struct RunResult: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a program with `input` on stdin and collects its output.
    public static func run(_ program: String, _ arguments: [String], input: Data = Data(),
                           environment: [String: String]? = nil, directory: URL? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        // Write and read concurrently so large inputs and outputs can't deadlock on full pipes.
        let writer = Thread {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let errBox = DataBox()
        let errReader = Thread { errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errBox.data == nil { usleep(1000) }
        return RunResult(status: process.terminationStatus, stdout: out, stderr: String(decoding: errBox.data!, as: UTF8.self))
    }

    /// Runs the built `declproc`.
    public static func declproc(_ arguments: [String], input: Data = Data(), environment: [String: String]? = nil,
                                directory: URL? = nil) throws -> RunResult {
        try run(try executable().path, arguments, input: input, environment: environment, directory: directory)
    }
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    var data: Data? {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}

/// Parses Unicode's `÷ 0041 × 0308 ÷` break-test lines: the code points and the
/// boundary positions between them (in code points).
public struct BreakTestCase: Sendable, CustomStringConvertible {
    public let line: Int
    public let scalars: [Unicode.Scalar]
    public let boundaries: [Int]
    public let source: String
    public var description: String { "line \(line): \(source)" }

    public static func parse(_ file: String) -> [BreakTestCase] {
        var cases: [BreakTestCase] = []
        for (number, rawLine) in file.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            var scalars: [Unicode.Scalar] = []
            var boundaries: [Int] = []
            for field in fields {
                switch field {
                case "÷": boundaries.append(scalars.count)
                case "×": break
                default: scalars.append(Unicode.Scalar(UInt32(field, radix: 16)!)!)
                }
            }
            cases.append(BreakTestCase(line: number + 1, scalars: scalars, boundaries: boundaries, source: String(content)))
        }
        return cases
    }
}

/// Builds WARC archives the way crawlers write them: one gzip member per record.
public struct WARCBuilder {
    public var records: [[UInt8]] = []

    public init() {}

    public mutating func add(type: String, uri: String? = nil, contentType: String, block: [UInt8], id: Int) {
        var header = "WARC/1.1\r\nWARC-Type: \(type)\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-\(String(format: "%012d", id))>\r\n"
        header += "WARC-Date: 2024-05-0\(id % 9 + 1)T12:00:00Z\r\n"
        if let uri { header += "WARC-Target-URI: \(uri)\r\n" }
        header += "Content-Type: \(contentType)\r\nContent-Length: \(block.count)\r\n\r\n"
        records.append(Array(header.utf8) + block + Array("\r\n\r\n".utf8))
    }

    public mutating func response(uri: String, html: [UInt8], headers: [String] = ["Content-Type: text/html"], id: Int) {
        let http = "HTTP/1.1 200 OK\r\n" + headers.map { $0 + "\r\n" }.joined(separator: "") + "\r\n"
        add(type: "response", uri: uri, contentType: "application/http; msgtype=response", block: Array(http.utf8) + html, id: id)
    }

    public var plain: [UInt8] { records.flatMap { $0 } }
    public var gzipped: [UInt8] { records.flatMap { Inflater.gzip($0) } }
}


/// A temporary folder for one test, removed with it.
public final class Workspace {
    public let url: URL
    public init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A small seeded generator (SplitMix64), so randomized tests replay the same
/// cases on every run.
public struct SplitMix {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
