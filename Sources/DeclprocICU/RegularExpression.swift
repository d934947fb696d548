internal import CICU
#if canImport(Glibc)
import Glibc
#endif

/// An ICU regular expression (`URegularExpression`), compiled once and shared by
/// every thread.
///
/// Why not Foundation's `NSRegularExpression`: on Linux it runs this same ICU engine,
/// but each call bridges the Swift string to an `NSString`, copies it out as UTF-16
/// and maps every range back to string indices: about 10,000 instructions a call,
/// 4% of `extract`. Here the caller hands over UTF-16 once and gets UTF-16 offsets.
///
/// ICU's matching state lives in the expression object, so an object serves one
/// search at a time: idle clones wait in a pool, and a search takes one (or clones
/// the compiled original) and gives it back. The pool's lock is a pthread mutex, not
/// the standard library's `Mutex`: the thread sanitizer sees the one, not the other
/// (whose lock lies in an uninstrumented library), and reported every search.
public final class RegularExpression: @unchecked Sendable {
    private let original: UnsafeMutableRawPointer
    private var idle: [UnsafeMutableRawPointer] = []
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// An empty text that outlives every matcher: ICU rejects a null text pointer,
    /// and a matcher going back to the pool must not point at its last text.
    private let empty: UnsafeMutablePointer<UInt16>
    /// The number of capture groups.
    public let groupCount: Int

    /// Compiles `pattern` (ICU's syntax, as `NSRegularExpression` takes it).
    public init(_ pattern: String, caseInsensitive: Bool = false) throws(ICUError) {
        var error: Int32 = 0
        let units = Array(pattern.utf16)
        let handle = dp_regex_open(units, Int32(units.count), caseInsensitive ? UInt32(DP_REGEX_CASE_INSENSITIVE) : 0, &error)
        guard let handle, error <= 0 else {
            throw ICUError(code: max(error, 1), operation: "compiling regular expression \(pattern)")
        }
        original = handle
        groupCount = Int(dp_regex_group_count(original, &error))
        empty = .allocate(capacity: 1)
        empty.initialize(to: 0)
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        for matcher in idle { dp_regex_close(matcher) }
        dp_regex_close(original)
        empty.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    private func withPool<T>(_ body: (inout [UnsafeMutableRawPointer]) -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body(&idle)
    }

    /// One match: the UTF-16 range of the whole match (`ranges[0]`) and of each
    /// capture group (nil where the group took no part).
    public struct Match: Sendable {
        public let ranges: [Range<Int>?]
        public var range: Range<Int> { ranges[0]! }
    }

    /// Whether the expression matches anywhere in `text` (UTF-16 code units).
    public func matches(in text: [UInt16]) -> Bool {
        searching(text) { handle in
            var error: Int32 = 0
            return dp_regex_find_next(handle, &error) && error <= 0
        }
    }

    /// Every match in `text` (UTF-16 code units), left to right, as `findNext` walks them.
    public func allMatches(in text: [UInt16]) -> [Match] {
        searching(text) { handle in
            var found: [Match] = []
            var error: Int32 = 0
            while dp_regex_find_next(handle, &error), error <= 0 {
                let ranges = (0...groupCount).map { group -> Range<Int>? in
                    let start = dp_regex_start(handle, Int32(group), &error), end = dp_regex_end(handle, Int32(group), &error)
                    return start >= 0 && end >= start ? Int(start)..<Int(end) : nil
                }
                guard error <= 0, ranges[0] != nil else { break }
                found.append(Match(ranges: ranges))
            }
            return found
        }
    }

    /// Runs `body` with an idle matcher set to `text`; a failure to clone or set the
    /// text counts as no match (`body` is not run and `none` is returned).
    private func searching<T>(_ text: [UInt16], _ body: (UnsafeMutableRawPointer) -> T, none: T) -> T {
        var error: Int32 = 0
        guard let handle = withPool({ $0.popLast() }) ?? dp_regex_clone(original, &error), error <= 0 else { return none }
        defer {
            // Unhook the text before it goes away, then return the matcher to the pool.
            var reset: Int32 = 0
            dp_regex_set_text(handle, empty, 0, &reset)
            withPool { $0.append(handle) }
        }
        return text.withUnsafeBufferPointer { units -> T in
            dp_regex_set_text(handle, units.baseAddress ?? UnsafePointer(empty), Int32(units.count), &error)
            return error > 0 ? none : body(handle)
        }
    }

    private func searching(_ text: [UInt16], _ body: (UnsafeMutableRawPointer) -> Bool) -> Bool {
        searching(text, body, none: false)
    }

    private func searching(_ text: [UInt16], _ body: (UnsafeMutableRawPointer) -> [Match]) -> [Match] {
        searching(text, body, none: [])
    }
}
