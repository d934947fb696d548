import DeclprocCollections
import Foundation

/// The stages a page goes through, as `extract --stage-times` reports them. Reading
/// (files, gzip, WARC and JSON Lines framing), decoding and parsing, and finding
/// statements and page metadata together are extraction alone, the part peers such as
/// resiliparse do; the rest builds records.
public enum Stage: Int, CaseIterable, Sendable {
    case read, decode, parse, extract, declaration, normalize, segment, transliterate, convert, align, records, deduplicate, write
    /// Queues, locks and bookkeeping between stages.
    case other

    public var name: String { String(describing: self) }

    /// The stages that make up extraction alone.
    public static let extraction: [Stage] = [.read, .decode, .parse, .extract]
}

/// CPU seconds per stage, summed over the threads that ran it.
public struct StageTimes: Sendable, Equatable {
    public var seconds = [Double](filledWith: 0, count: Stage.allCases.count)

    public init() {}

    public subscript(_ stage: Stage) -> Double {
        get { seconds[stage.rawValue] }
        set { seconds[stage.rawValue] = newValue }
    }

    public static func + (a: StageTimes, b: StageTimes) -> StageTimes {
        var sum = a
        for stage in Stage.allCases { sum[stage] += b[stage] }
        return sum
    }

    /// By stage name, rounded to milliseconds (the summary's `stage_seconds`).
    public var named: [String: Double] {
        Dictionary(uniqueKeysWithValues: Stage.allCases.map { ($0.name, (self[$0] * 1000).rounded() / 1000) })
    }
}

/// A lap timer on the calling thread's CPU clock: each lap charges the CPU time since
/// the previous one to a stage, so the stages of a page need one call each and no
/// nesting. CPU time, not wall time: a worker waiting for a page, or a reader waiting
/// for a worker, is charged nothing, and a busy machine does not inflate a stage.
/// One per thread; off unless asked for, since each lap is a system call.
public final class StageClock {
    public private(set) var times = StageTimes()
    private var last: UInt64

    public init() { last = Self.now() }

    @inline(__always)
    public func lap(_ stage: Stage) {
        let now = Self.now()
        times.seconds[stage.rawValue] += Double(now &- last) / 1e9
        last = now
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
