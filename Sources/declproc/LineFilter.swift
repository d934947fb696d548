import DeclprocICU
import DeclprocReader
import Foundation

/// The filter contract: read lines from files or stdin, write exactly one line per
/// input line, and flush after every line when the output is a pipe or terminal, so
/// another program can drive us as a co-process.
struct LineFilter {
    let inputs: [String]

    /// Lines are decoded as UTF-8; invalid bytes become U+FFFD and are counted.
    /// A trailing "\r" is dropped (CRLF input), and a last line without "\n" still counts.
    /// Lines of any length are read whole (BufferedReader grows as needed).
    func run(_ transform: (String) throws -> String) throws {
        let output = LineOutput()
        let decoder: CharsetDecoder
        do { decoder = try CharsetDecoder(charset: "UTF-8") } catch { throw Fatal("\(error)") }
        var invalid = 0
        for input in inputs.isEmpty ? ["-"] : inputs {
            let source: ByteSource
            if input == "-" {
                source = FileSource(standardInput: ())
            } else {
                do { source = try FileSource(path: input, allowPipes: true) }
                catch { throw Fatal("\(input): \(error)") }
            }
            let reader = BufferedReader(source)
            while true {
                let bytes: [UInt8]
                do {
                    guard let line = try reader.readLine(maximumLength: .max) else { break }
                    bytes = line
                } catch {
                    throw Fatal("cannot read \(input): \(error)")
                }
                let line: String
                if let valid = String(validating: bytes, as: UTF8.self) {
                    line = valid
                } else {
                    let decoded = try decoder.decode(bytes)
                    invalid += decoded.invalidBytes
                    line = String(decoding: decoded.utf16, as: UTF16.self)
                }
                try output.write(try transform(line))
            }
        }
        try output.finish()
        if invalid > 0 {
            FileHandle.standardError.write(Data("declproc: replaced \(invalid) invalid UTF-8 byte(s) with U+FFFD\n".utf8))
        }
    }
}

/// Buffered stdout that flushes per line unless stdout is a regular file.
final class LineOutput {
    private let flushEachLine: Bool
    private var pending: [UInt8] = []

    init() {
        var info = stat()
        flushEachLine = fstat(1, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG
    }

    func write(_ line: String) throws {
        pending.append(contentsOf: line.utf8)
        pending.append(0x0A)
        if flushEachLine || pending.count >= 1 << 16 { try flush() }
    }

    /// Bytes that already end in a newline (a record writer's lines).
    func write(bytes: Data) throws {
        pending.append(contentsOf: bytes)
        if flushEachLine || pending.count >= 1 << 16 { try flush() }
    }

    func finish() throws { try flush() }

    private func flush() throws {
        var offset = 0
        while offset < pending.count {
            let n = pending[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Fatal("cannot write output: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        pending.removeAll(keepingCapacity: true)
    }
}
