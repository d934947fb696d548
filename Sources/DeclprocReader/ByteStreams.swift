internal import CZlib
import DeclprocCollections
import Foundation

/// A stream of bytes read in chunks: files, stdin, and gzip layered on either.
/// Archives are read through these, never loaded whole.
public protocol ByteSource: AnyObject {
    /// Up to about `maximum` more bytes; empty at the end.
    func read(maximum: Int) throws -> [UInt8]
}

/// A failure to read an input: the reason becomes a reject line.
public struct ReadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A file descriptor (a file or stdin).
public final class FileSource: ByteSource {
    private let fd: Int32
    private let owned: Bool
    public let name: String

    /// `allowPipes`: the filters read `<(command)` paths, which are pipes; page
    /// inputs refuse them, so a FIFO in a crawl folder cannot hang a run.
    public init(path: String, allowPipes: Bool = false) throws {
        // O_NONBLOCK only to open: a FIFO must not hang the open itself.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw ReadError("cannot read: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw ReadError("cannot read: \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFIFO where allowPipes, S_IFSOCK where allowPipes: break
        case S_IFDIR: close(fd); throw ReadError("cannot read: is a folder")
        default: close(fd); throw ReadError("cannot read: not a regular file (pipe, socket or device)")
        }
        _ = fcntl(fd, F_SETFL, 0)
        self.fd = fd
        self.owned = true
        self.name = path
    }

    /// Standard input, which may be a pipe.
    public init(standardInput: ()) {
        fd = 0
        owned = false
        name = "-"
    }

    deinit { if owned { close(fd) } }

    /// Read into the array's storage as it is made: zeroing 64 KiB first, twice for
    /// a page of a few kilobytes (its bytes, then the end), cost more than the reading.
    public func read(maximum: Int) throws -> [UInt8] {
        var failure: Int32 = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: max(1, maximum)) { buffer, count in
            count = 0
            while true {
                let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { count = n; return }
                if errno != EINTR { failure = errno; return }
            }
        }
        if failure != 0 { throw ReadError("cannot read: \(String(cString: strerror(failure)))") }
        return chunk
    }
}

/// Bytes already in memory.
public final class MemorySource: ByteSource {
    private var bytes: ArraySlice<UInt8>
    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }
    public func read(maximum: Int) throws -> [UInt8] {
        let chunk = bytes.prefix(maximum)
        bytes = bytes.dropFirst(chunk.count)
        return Array(chunk)
    }
}

/// Inflates gzip (every member of a multi-member file, as WARC.gz writers make
/// them) from another source. A stream that ends inside a member throws after
/// handing out everything that could be inflated.
public final class GzipSource: ByteSource {
    private let upstream: ByteSource
    private let inflater: Inflater
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    private var inMember = false
    private var finished = false
    /// Bytes inflated so far (for ratio limits against gzip bombs).
    public private(set) var produced: Int64 = 0
    /// Compressed bytes consumed so far.
    public private(set) var consumed: Int64 = 0

    /// A gzip bomb is refused once it has inflated `ratioGrace` bytes at more than
    /// `maximumRatio` times its compressed size: HTML and WARC archives of HTML
    /// compress 5 to 20 times, deflate's ceiling is about 1,032, and a page of
    /// zeros should not cost memory and time before the page-size limit notices it.
    public static let maximumRatio: Int64 = 250
    public static let ratioGrace: Int64 = 8 << 20

    public init(_ upstream: ByteSource) throws {
        self.upstream = upstream
        inflater = try Inflater(format: .gzip)
    }

    public func read(maximum: Int) throws -> [UInt8] {
        var output = [UInt8](filledWith: 0, count: max(1, maximum))
        var written = 0
        while written == 0 && !finished {
            if inputOffset == input.count {
                if !upstreamEnded {
                    input = try upstream.read(maximum: 1 << 16)
                    inputOffset = 0
                    if input.isEmpty { upstreamEnded = true }
                }
                if upstreamEnded && inputOffset == input.count {
                    finished = true
                    if inMember { throw ReadError("truncated gzip data: the stream ends inside a member") }
                    break
                }
            }
            inMember = true
            let (status, used, made) = input[inputOffset...].withUnsafeBufferPointer { src in
                output.withUnsafeMutableBufferPointer { dst in
                    inflater.run(src, into: UnsafeMutableBufferPointer(rebasing: dst[written...]))
                }
            }
            inputOffset += used
            consumed += Int64(used)
            written += made
            produced += Int64(made)
            if produced > Self.ratioGrace, produced > consumed * Self.maximumRatio {
                finished = true
                throw ReadError("gzip bomb refused: \(produced >> 20) MiB inflated from \(consumed >> 10) KiB (more than \(Self.maximumRatio) times)")
            }
            switch status {
            case .progress, .needInput: continue
            case .streamEnd:
                // Another member may follow.
                inMember = false
                try inflater.reset()
                if written > 0 { break }
            case .error(let message):
                finished = true
                throw ReadError("corrupt gzip data: \(message)")
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

/// zlib's inflate, owned here and ended exactly once.
public final class Inflater {
    public enum Format: Int32 { case gzip = 0, zlib = 1, raw = 2, auto = 3 }
    enum Status { case progress, streamEnd, needInput, error(String) }

    private let handle: UnsafeMutableRawPointer

    public init(format: Format) throws {
        guard let handle = dp_inflater_open(format.rawValue) else { throw ReadError("cannot start zlib") }
        self.handle = handle
    }

    deinit { dp_inflater_close(handle) }

    func reset() throws {
        guard dp_inflater_reset(handle) == 0 else { throw ReadError("cannot restart zlib") }
    }

    func run(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> (Status, Int, Int) {
        var consumed: Int64 = 0
        var produced: Int64 = 0
        let status = dp_inflater_run(handle, input.baseAddress, Int64(input.count), output.baseAddress,
                                     Int64(output.count), &consumed, &produced)
        let result: Status = switch status {
        case 0: .progress
        case 1: .streamEnd
        case 2: .needInput
        default: .error(String(cString: dp_inflater_message(handle)).isEmpty ? "invalid compressed data" : String(cString: dp_inflater_message(handle)))
        }
        return (result, Int(consumed), Int(produced))
    }

    /// Inflates a whole buffer (an HTTP body with gzip or deflate content-encoding),
    /// stopping with an error past `limit` bytes of output.
    public static func inflate(_ bytes: [UInt8], format: Format, limit: Int) throws -> [UInt8] {
        let inflater = try Inflater(format: format)
        var output: [UInt8] = []
        var chunk = [UInt8](filledWith: 0, count: 1 << 16)
        var offset = 0
        while true {
            let (status, used, made) = bytes[offset...].withUnsafeBufferPointer { src in
                chunk.withUnsafeMutableBufferPointer { inflater.run(src, into: $0) }
            }
            offset += used
            output.append(contentsOf: chunk[..<made])
            if output.count > limit { throw ReadError("decompressed body larger than \(limit) bytes") }
            if Int64(output.count) > GzipSource.ratioGrace, Int64(output.count) > Int64(max(offset, 1)) * GzipSource.maximumRatio {
                throw ReadError("compression bomb refused: \(output.count >> 20) MiB inflated from \(offset >> 10) KiB (more than \(GzipSource.maximumRatio) times)")
            }
            switch status {
            case .progress: continue
            case .streamEnd: return output
            case .needInput:
                if made == 0 && used == 0 { throw ReadError("truncated compressed body") }
            case .error(let message): throw ReadError("corrupt compressed body: \(message)")
            }
        }
    }

    /// One gzip member holding `bytes` (for writing test archives and outputs).
    public static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var output = [UInt8](filledWith: 0, count: Int(dp_gzip_bound(Int64(bytes.count))))
        let written = bytes.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dp_gzip(src.baseAddress, Int64(src.count), $0.baseAddress, Int64($0.count), level) }
        }
        precondition(written >= 0, "gzip bound too small")
        output.removeSubrange(Int(written)...)
        return output
    }

}

extension BufferedReader {
    /// Each line of the file at `path` (numbered from 1, without its "\n" and "\r"),
    /// read a buffer at a time: record files and resume parts run to gigabytes. A file
    /// that cannot be opened or read throws `ReadError` naming it; what `body` throws
    /// passes through unchanged.
    public static func forEachLine(ofFile path: String, allowPipes: Bool = false,
                                   _ body: (_ number: Int, _ line: [UInt8]) throws -> Void) throws {
        let reader: BufferedReader
        do { reader = BufferedReader(try FileSource(path: path, allowPipes: allowPipes)) } catch { throw ReadError("cannot read \(path): \(error)") }
        var number = 0
        while true {
            let line: [UInt8]
            do {
                guard let next = try reader.readLine(maximumLength: .max) else { return }
                line = next
            } catch {
                throw ReadError("cannot read \(path): \(error)")
            }
            number += 1
            try body(number, line)
        }
    }
}

/// Reads lines and counted blocks from a source, holding at most one chunk
/// beyond what was asked for.
public final class BufferedReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var offset = 0
    private var ended = false
    /// Bytes handed out so far: the reader's position in the (decompressed) stream.
    public private(set) var position: Int64 = 0

    /// Called before each read from the source, which may wait for more input: a
    /// filter flushes its output there, so a program talking to it line by line
    /// gets each answer, while a bulk run still writes in large blocks.
    public var beforeReading: (() throws -> Void)?

    public init(_ source: ByteSource) { self.source = source }

    private func fill() throws -> Bool {
        if ended { return false }
        try beforeReading?()
        // What has been handed out is dropped once it passes a chunk's size (the part
        // left, usually a line's start, moves to the front), so the buffer stays about
        // two chunks long instead of cycling through a megabyte; a long line, once at
        // the front, is not moved again. (`convert`'s simulated last-level misses fell
        // by a tenth; no change in its time could be told from the machine's noise.)
        if offset > 0 && offset == buffer.count { buffer.removeAll(keepingCapacity: true); offset = 0 }
        else if offset >= 1 << 16 { buffer.removeSubrange(0..<offset); offset = 0 }
        let chunk = try source.read(maximum: 1 << 16)
        if chunk.isEmpty { ended = true; return false }
        // An empty buffer takes the chunk as it is, without a copy (a page of a few kilobytes is one chunk).
        if buffer.isEmpty { buffer = chunk } else { buffer.append(contentsOf: chunk) }
        return true
    }

    /// The next bytes without consuming them (fewer at the end of the stream).
    public func peek(count: Int) throws -> [UInt8] {
        while buffer.count - offset < count, try fill() {}
        return Array(buffer[offset..<min(buffer.count, offset + count)])
    }

    /// Puts bytes back in front of what is left to read.
    public func unread(_ bytes: ArraySlice<UInt8>) {
        buffer.replaceSubrange(0..<offset, with: bytes)
        offset = 0
        position -= Int64(bytes.count)
    }

    /// Skips the rest of the current line, however long, keeping memory bounded.
    public func discardLine() throws {
        while true {
            if let newline = buffer[offset...].firstIndex(of: 0x0A) {
                position += Int64(newline + 1 - offset)
                offset = newline + 1
                return
            }
            position += Int64(buffer.count - offset)
            offset = buffer.count
            if !(try fill()) { return }
        }
    }


    /// The next line without its "\n" (and "\r"), or nil at the end. A line longer
    /// than `maximumLength` throws: real header lines are short.
    public func readLine(maximumLength: Int = 1 << 16) throws -> [UInt8]? {
        guard let line = try nextLine(maximumLength: maximumLength) else { return nil }
        return Array(buffer[line])
    }

    /// The next line and those after it that are already in the buffer (at most
    /// `limit` lines), handed to `body` together where they lie; false at the end.
    /// Nothing is read for the lines after the first, so a co-process that writes a
    /// line and waits for its answer still gets it; a filter that pays per call
    /// (ICU's break iterator) pays once for all of them.
    public func withBufferedLines(limit: Int = 256, maximumLength: Int = 1 << 16,
                                  _ body: ([UnsafeBufferPointer<UInt8>]) throws -> Void) throws -> Bool {
        guard let first = try nextLine(maximumLength: maximumLength) else { return false }
        var lines = [first]
        while lines.count < limit, let line = bufferedLine(searchingFrom: offset) { lines.append(line) }
        try buffer.withUnsafeBufferPointer { bytes in try body(lines.map { UnsafeBufferPointer(rebasing: bytes[$0]) }) }
        return true
    }

    /// The next line if all of it, newline included, is in the buffer (searched from
    /// `from`, a position at or after `offset`, with memchr); consumed.
    private func bufferedLine(searchingFrom from: Int) -> Range<Int>? {
        let found = buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard from < bytes.count, let hit = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) else { return nil }
            return bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let newline = found else { return nil }
        let start = offset
        position += Int64(newline + 1 - offset)
        offset = newline + 1
        return start..<(newline > start && buffer[newline - 1] == 0x0D ? newline - 1 : newline)
    }

    /// Where the next line lies in `buffer` (filled as far as it needs), consumed.
    private func nextLine(maximumLength: Int) throws -> Range<Int>? {
        // How far past `offset` has been searched already; relative, because fill()
        // may move the buffer's contents.
        var scanned = 0
        while true {
            if let line = bufferedLine(searchingFrom: offset + scanned) { return line }
            scanned = buffer.count - offset
            if scanned > maximumLength { throw ReadError("line longer than \(maximumLength) bytes") }
            if !(try fill()) {
                guard offset < buffer.count else { return nil }
                let start = offset
                position += Int64(buffer.count - offset)
                offset = buffer.count
                return start..<buffer.count
            }
        }
    }

    /// Exactly `count` bytes, or fewer if the stream ends first.
    public func read(count: Int) throws -> [UInt8] {
        while buffer.count - offset < count, try fill() {}
        let n = min(count, buffer.count - offset)
        let result = Array(buffer[offset..<(offset + n)])
        offset += n
        position += Int64(n)
        return result
    }

    /// Skips `count` bytes without keeping them; returns how many were skipped.
    public func skip(count: Int64) throws -> Int64 {
        var remaining = count
        while remaining > 0 {
            if offset == buffer.count, !(try fill()) { break }
            let n = Int(min(remaining, Int64(buffer.count - offset)))
            offset += n
            position += Int64(n)
            remaining -= Int64(n)
        }
        return count - remaining
    }

    /// Everything left, up to `limit` bytes; throws past the limit.
    public func readAll(limit: Int) throws -> [UInt8] {
        repeat {
            if buffer.count - offset > limit { throw ReadError("larger than \(limit) bytes") }
            // Past a megabyte, room up to the limit (and the chunk that crosses it) is
            // made at once. Grown by doubling, a page near the limit was copied into
            // buffers of twice the size on the way, and left behind freed ones of
            // half, a quarter… of it, which an allocator that keeps freed memory for
            // reuse keeps resident (with mimalloc, tried in session 16, a 200 MB page
            // peaked at 218 MB).
            let room = offset + limit + (1 << 16) + 1
            if buffer.count - offset > 1 << 20, buffer.capacity < room { buffer.reserveCapacity(room) }
        } while try fill()
        // A copy of exactly the bytes: the buffer handed over would keep a chunk's
        // 64 KiB for each page of a few kilobytes while it waits for a worker.
        let all = try read(count: buffer.count - offset)
        // The stream is over: a large buffer goes now rather than with the reader,
        // which lives on while the page is processed (with one job), doubling it.
        if buffer.capacity > 1 << 20 { buffer = []; offset = 0 }
        return all
    }
}
