import DeclprocICU
import Foundation

/// The filter contract: read lines from files or stdin, write exactly one line per
/// input line, and flush after every line when the output is a pipe or terminal, so
/// another program can drive us as a co-process.
struct LineFilter {
    let inputs: [String]

    /// Lines are decoded as UTF-8; invalid bytes become U+FFFD and are counted.
    /// A trailing "\r" is dropped (CRLF input), and a last line without "\n" still counts.
    func run(_ transform: (String) throws -> String) throws {
        let output = LineOutput()
        let decoder: CharsetDecoder
        do { decoder = try CharsetDecoder(charset: "UTF-8") } catch { throw Fatal("\(error)") }
        var invalid = 0
        for input in inputs.isEmpty ? ["-"] : inputs {
            let fd: Int32 = input == "-" ? 0 : open(input, O_RDONLY)
            guard fd >= 0 else { throw Fatal("cannot read \(input): \(String(cString: strerror(errno)))") }
            defer { if fd != 0 { close(fd) } }
            var reader = LineReader(fd: fd)
            while let bytes = try reader.next(name: input) {
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

/// Reads "\n"-terminated lines from a file descriptor in large blocks.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    init(fd: Int32) { self.fd = fd }

    mutating func next(name: String) throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var line = buffer[start..<newline]
                start = newline + 1
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                var line = buffer[start...]
                start = buffer.count
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Fatal("cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else { buffer.append(contentsOf: chunk[..<n]) }
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
