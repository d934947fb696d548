import DeclprocICU
import DeclprocReader
import DeclprocText
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
        try runBytes { line, output in
            let text = String(decoding: line, as: UTF8.self)
            output.append(contentsOf: try transform(text).utf8)
        }
    }

    /// The same contract over bytes: each line (valid UTF-8: invalid bytes were
    /// replaced) is handed over without making a String, and the transform appends
    /// its output line (without the newline) to the output buffer.
    func runBytes(_ transform: (UnsafeBufferPointer<UInt8>, inout [UInt8]) throws -> Void) throws {
        try runBatches { lines, output in
            for line in lines {
                try transform(line, &output)
                output.append(0x0A)
            }
        }
    }
}

extension LineFilter {
    /// The byte contract again, for a transform that does better with several lines
    /// at once: it gets the lines already read (valid UTF-8, as above) and appends
    /// one output line for each, each ending in "\n". Lines are not held back
    /// waiting for more input.
    func runBatches(_ transform: ([UnsafeBufferPointer<UInt8>], inout [UInt8]) throws -> Void) throws {
        // Each line is read where it lies in the reader's buffer; only a line with
        // invalid bytes is copied (to replace them).
        try forEachBatch { lines, repair, output in
            // Lines with invalid bytes are replaced by repaired copies, kept until the transform is done.
            var copies: [UnsafeMutableBufferPointer<UInt8>] = []
            defer { for copy in copies { copy.deallocate() } }
            var checked = lines
            for k in checked.indices where !UTF8Code.isValid(checked[k]) {
                let bytes = try repair.repaired(checked[k])
                let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
                _ = copy.initialize(from: bytes)
                copies.append(copy)
                checked[k] = UnsafeBufferPointer(copy)
            }
            try transform(checked, &output)
        }
    }

    /// The contract once more, for a transform that works on scalars: the lines
    /// already read, decoded into `scalars`, each followed by "\n"; it appends one
    /// output line for each to `output`. The lines are checked as they are decoded:
    /// checking each line first and decoding it after read every byte twice, a
    /// twentieth of `convert`'s time. A line with invalid bytes is repaired as
    /// above, then decoded.
    func runScalarBatches(_ transform: (inout [Unicode.Scalar], inout [UInt8]) throws -> Void) throws {
        var scalars: [Unicode.Scalar] = []
        try forEachBatch { lines, repair, output in
            scalars.removeAll(keepingCapacity: true)
            for line in lines {
                if !UTF8Scalars.decode(checking: line, into: &scalars) {
                    try repair.repaired(line).withUnsafeBufferPointer { UTF8Scalars.decode($0, into: &scalars) }
                }
                scalars.append("\n")
            }
            try transform(&scalars, &output)
        }
    }

    /// Reads every input a batch of lines at a time (the lines the reader's buffer
    /// holds, each where it lies) and hands each batch to `body` with the means to
    /// repair a line and the output buffer. Output waits in the buffer until the
    /// input does (the reader's `beforeReading`), not flushed line by line: a write
    /// per line was a tenth of `convert`'s time.
    private func forEachBatch(_ body: ([UnsafeBufferPointer<UInt8>], inout LineRepair, inout [UInt8]) throws -> Void) throws {
        let output = LineOutput(flushEachLine: false)
        var repair = try LineRepair()
        for input in inputs.isEmpty ? ["-"] : inputs {
            let source: ByteSource
            if input == "-" {
                source = FileSource(standardInput: ())
            } else {
                do { source = try FileSource(path: input, allowPipes: true) }
                catch { throw Fatal("\(input): \(error)") }
            }
            let reader = BufferedReader(source)
            reader.beforeReading = { try output.flush() }
            var failure: Error? = nil
            while true {
                let more: Bool
                do {
                    more = try reader.withBufferedLines(maximumLength: .max) { lines in
                        do { try output.writeBatch { try body(lines, &repair, &$0) } }
                        catch { failure = error }
                    }
                } catch {
                    throw Fatal("cannot read \(input): \(error)")
                }
                if let failure { throw failure }
                if !more { break }
            }
        }
        try output.finish()
        if repair.invalidBytes > 0 {
            FileHandle.standardError.write(Data("declproc: replaced \(repair.invalidBytes) invalid UTF-8 byte(s) with U+FFFD\n".utf8))
        }
    }
}

/// A line's invalid bytes replaced by U+FFFD (by ICU's converter, as pages are
/// decoded), and how many there were in all.
struct LineRepair {
    private let decoder: CharsetDecoder
    private(set) var invalidBytes = 0

    init() throws {
        do { decoder = try CharsetDecoder(charset: "UTF-8") } catch { throw Fatal("\(error)") }
    }

    mutating func repaired(_ line: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        let decoded = try decoder.decode(line)
        invalidBytes += decoded.invalidBytes
        return Array(decoded.text.utf8)
    }
}

/// Buffered stdout that flushes per line unless stdout is a regular file (or the caller flushes).
final class LineOutput {
    private let flushEachLine: Bool
    private var pending: [UInt8] = []

    /// `flushEachLine` nil: when stdout is not a regular file.
    init(flushEachLine: Bool? = nil) {
        var info = stat()
        self.flushEachLine = flushEachLine ?? (fstat(1, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG)
    }

    func write(_ line: String) throws {
        pending.append(contentsOf: line.utf8)
        pending.append(0x0A)
        if flushEachLine || pending.count >= 1 << 16 { try flush() }
    }

    /// Several lines written by `body`, each with its newline.
    func writeBatch(_ body: (inout [UInt8]) throws -> Void) throws {
        try body(&pending)
        if flushEachLine || pending.count >= 1 << 16 { try flush() }
    }

    /// Bytes that already end in a newline (a record writer's lines).
    func write(bytes: Data) throws {
        pending.append(contentsOf: bytes)
        if flushEachLine || pending.count >= 1 << 16 { try flush() }
    }

    func finish() throws { try flush() }

    func flush() throws {
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
