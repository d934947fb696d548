internal import CWriteback
import Foundation

/// Gets a file's bytes onto the disk as they are written, so that the fsync that
/// commits the file waits for the last stretch only.
///
/// Two steps, because the disk has two caches to pass. Each stretch written is handed
/// to the device at once (`sync_file_range`): without that the kernel held a run's
/// output in memory until its dirty-page limits or the commit, and at the end of a run
/// the 71 MB of records of the web benchmark corpus took 84 ms of fsync with no work
/// left to overlap it. That alone does not make the data durable: a disk (a virtual
/// one above all) keeps what it was handed in a cache of its own, which only a flush
/// empties, and fsync's flush took about a millisecond for every megabyte the file had
/// grown since the last one. On this project's machines a run's 491 MB of records still
/// waited 0.2 s for its fsync, with both cores idle, 3% of a two-job run. So every
/// `flushInterval` bytes the file is also flushed (`fdatasync`), on a thread of its own
/// that only waits for the disk while the writer goes on; the commit's fsync is left
/// with the last stretch.
public struct EarlyWriteback {
    /// The file's length so far: where the next write starts.
    private var length: Int64 = 0
    private var sinceFlush = 0
    private let flushInterval: Int
    private let flusher: BackgroundFlush

    public static let defaultFlushInterval = 32 << 20

    /// `flush`: `fdatasync`, or a stand-in for tests; it returns 0 or an `errno`.
    public init(flushInterval: Int = Self.defaultFlushInterval,
                flush: @escaping @Sendable (Int32) -> Int32 = { fdatasync($0) == 0 ? 0 : errno }) {
        self.flushInterval = flushInterval
        flusher = BackgroundFlush(flush: flush)
    }

    /// `count`: the bytes just appended to the file. Returns whether the kernel took
    /// the request; a refusal (not a regular file, a kernel without the call) changes
    /// nothing but the timing, so writers need not look.
    @discardableResult
    public mutating func wrote(_ count: Int, descriptor: Int32) -> Bool {
        guard count > 0 else { return true }
        let taken = dp_start_writeback(descriptor, length, Int64(count)) == 0
        length += Int64(count)
        sinceFlush += count
        // One flush at a time: past the interval while one runs, the next write asks again.
        if taken, sinceFlush >= flushInterval, flusher.start(descriptor) { sinceFlush = 0 }
        return taken
    }

    /// Waits for a flush under way, and throws if any failed. Call it before the
    /// descriptor's last fsync or its close: a flush must not outlive the descriptor it
    /// was given, and the kernel reports a write error to one flush of a descriptor
    /// only, so a failure the background flush saw would not reach the commit's fsync.
    public func settle() throws {
        flusher.wait()
        if let code = flusher.failure { throw FlushFailure(code: code) }
    }

    /// Flushes started so far, for tests.
    public var flushes: Int { flusher.started }
}

/// A background flush of an output file failed: the file may not be on the disk.
public struct FlushFailure: Error, CustomStringConvertible {
    public let code: Int32
    public var description: String { "flushing to disk failed: \(String(cString: strerror(code)))" }
}

/// Flushes on a serial queue, never more than one at a time.
private final class BackgroundFlush: @unchecked Sendable {
    private let lock = NSLock()
    private let flush: @Sendable (Int32) -> Int32
    private let queue = DispatchQueue(label: "declproc.writeback")
    private var running = false
    private var startedCount = 0
    /// The first failure's `errno`.
    private var firstFailure: Int32?

    init(flush: @escaping @Sendable (Int32) -> Int32) { self.flush = flush }

    var started: Int { lock.lock(); defer { lock.unlock() }; return startedCount }
    var failure: Int32? { lock.lock(); defer { lock.unlock() }; return firstFailure }

    /// Whether a flush of `descriptor` started (false while one is under way).
    func start(_ descriptor: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if running { return false }
        running = true
        startedCount += 1
        queue.async { [self] in
            let code = flush(descriptor)
            lock.lock()
            if code != 0 && firstFailure == nil { firstFailure = code }
            running = false
            lock.unlock()
        }
        return true
    }

    func wait() {
        if started > 0 { queue.sync {} }
    }
}
