import Foundation

/// A file a run keeps beside its output while it works, unlinked as soon as it is
/// open: what it holds (names, paths) goes with the process however that ends, and
/// nothing is written outside the chosen output. Closed with this object.
public final class ScratchFile {
    /// What the system said (`strerror`), or that the file was cut short.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(errno code: Int32) { description = String(cString: strerror(code)) }
        public init(description: String) { self.description = description }
    }

    private let descriptor: Int32

    /// A new, empty file in `directory`, named from `prefix` until it is unlinked.
    public init(in directory: String, prefix: String) throws(Failure) {
        let path = directory + "/" + prefix + "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        unlink(path)
    }

    deinit { close(descriptor) }

    /// Appends all `count` bytes from `bytes`.
    public func write(_ bytes: UnsafeRawPointer, count: Int) throws(Failure) {
        var written = 0
        while written < count {
            let n = Glibc.write(descriptor, bytes + written, count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(errno: errno) }
            written += n
        }
    }

    /// Appends all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(Failure) {
        // Pointers are used inside the closures and failures thrown outside them: a
        // closure throwing a typed error through `withUnsafeBytes` crashes Swift 6's
        // optimizer.
        let code = bytes.withUnsafeBytes { raw in
            raw.isEmpty ? nil : Self.code { () throws(Failure) in try write(raw.baseAddress!, count: raw.count) }
        }
        if let code { throw code }
    }

    /// Reads at most `count` bytes at `offset` into the start of `buffer` (grown to
    /// hold them): how many (0 at the end of the file).
    public func read(into buffer: inout [UInt8], count: Int, at offset: Int) throws(Failure) -> Int {
        if buffer.count < count { buffer += repeatElement(0, count: count - buffer.count) }
        var result = 0
        let failure = buffer.withUnsafeMutableBytes { raw in
            Self.code { () throws(Failure) in result = try read(raw.baseAddress!, count: count, at: offset) }
        }
        if let failure { throw failure }
        return result
    }

    /// Reads exactly `count` bytes at `offset` into the start of `buffer` (grown to
    /// hold them).
    public func read(exactly count: Int, into buffer: inout [UInt8], at offset: Int) throws(Failure) {
        if buffer.count < count { buffer += repeatElement(0, count: count - buffer.count) }
        let failure = buffer.withUnsafeMutableBytes { raw in
            Self.code { () throws(Failure) in
                var done = 0
                while done < count {
                    let n = try read(raw.baseAddress! + done, count: count - done, at: offset + done)
                    guard n > 0 else { throw Failure(description: "the file is short") }
                    done += n
                }
            }
        }
        if let failure { throw failure }
    }

    private func read(_ bytes: UnsafeMutableRawPointer, count: Int, at offset: Int) throws(Failure) -> Int {
        while true {
            let n = pread(descriptor, bytes, count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure(errno: errno) }
            return n
        }
    }

    /// `body`'s failure, if any, as a value.
    private static func code(_ body: () throws(Failure) -> Void) -> Failure? {
        do { try body() } catch { return error }
        return nil
    }
}
