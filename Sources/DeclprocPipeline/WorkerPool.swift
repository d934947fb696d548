import DeclprocCuration
import DeclprocExtract
import DeclprocReader
import DeclprocRecords
import Foundation

/// Pages processed on several threads, results handed back in input order.
///
/// The reading thread enqueues pages; each worker thread owns a `PageProcessor` (ICU
/// objects are not shared) and takes the next page; `finish` sees outcomes strictly
/// in the order pages were enqueued. Memory stays bounded whatever the input: at most
/// `pagesPerWorker × count` pages, and at most `byteBudget` bytes of them (64 MiB), are in
/// flight (queued, being processed, or done and waiting for an earlier page); the
/// reader waits when workers fall behind.
///
/// The window is wide because pages differ in cost: a bilingual page with alignment
/// takes many times longer than a list page, and with only two pages per worker in
/// flight the other workers sat idle behind it (two workers used 1.5 cores).
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [(Int, RawPage)] = []
    private var results: [Int: Ordered] = [:]
    private var nextSequence = 0
    private var nextToFinish = 0
    private var stopped = false
    private var threads: [Thread] = []
    private var running = 0
    private let capacity: Int
    /// Raw bytes of the pages in flight, by sequence number (0 for items without a page).
    private var inFlightBytes = 0
    private var bytesOf: [Int: Int] = [:]
    private let byteBudget: Int
    /// Each statement's duplicate-detection features, computed by the worker so the
    /// ordered stage only compares (nil: no deduplication).
    private let features: (@Sendable (StatementRecord) -> Deduplicator.Features)?
    /// Each worker's stage clock (`--stage-times`), read once the workers have stopped.
    private var clocks: [StageClock] = []
    private let measuresStages: Bool

    init(count: Int, resources: Resources, profile: SiteProfile?, redaction: (scope: RedactionScope, key: RedactionKey?),
         features: (@Sendable (StatementRecord) -> Deduplicator.Features)? = nil, measuresStages: Bool = false,
         pagesPerWorker: Int = 16, byteBudget: Int = 64 << 20) throws {
        capacity = pagesPerWorker * count
        self.byteBudget = byteBudget
        self.measuresStages = measuresStages
        self.features = features
        // Made here, so a failure to open ICU is reported before any page is read.
        var processors: [PageProcessor] = []
        for _ in 0..<count {
            let processor = try PageProcessor(resources: resources, profile: profile)
            processor.redaction = redaction
            processors.append(processor)
        }
        for processor in processors {
            let box = ProcessorBox(processor)
            let thread = Thread { [self] in self.work(box.processor) }
            thread.stackSize = 8 << 20
            threads.append(thread)
        }
        running = threads.count
        for thread in threads { thread.start() }
    }

    private func work(_ processor: PageProcessor) {
        if measuresStages {
            // Made on the worker's own thread, whose CPU time it reads.
            let clock = StageClock()
            processor.clock = clock
            condition.lock()
            clocks.append(clock)
            condition.unlock()
        }
        while true {
            condition.lock()
            while pending.isEmpty && !stopped { condition.wait() }
            if pending.isEmpty && stopped {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let (sequence, raw) = pending.removeFirst()
            condition.unlock()
            let outcome = processor.process(raw)
            var computed: [Deduplicator.Features]? = nil
            if let features, case .page(_, let statements) = outcome {
                computed = statements.map(features)
                processor.clock?.lap(.deduplicate)
            }
            condition.lock()
            results[sequence] = .outcome(outcome, features: computed)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Queues a page; first hands `finish` every outcome that is ready in order, and
    /// waits for the oldest when the pool is full.
    func enqueue(_ raw: RawPage, finish: (Ordered) throws -> Void) throws {
        try makeRoom(for: raw.bytes.count, finish: finish)
        condition.lock()
        pending.append((nextSequence, raw))
        bytesOf[nextSequence] = raw.bytes.count
        inFlightBytes += raw.bytes.count
        nextSequence += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Something known without processing (a page rejected while reading, the end of
    /// an input) takes its place in the order all the same.
    func enqueue(_ item: Ordered, finish: (Ordered) throws -> Void) throws {
        try makeRoom(for: 0, finish: finish)
        condition.lock()
        results[nextSequence] = item
        nextSequence += 1
        condition.unlock()
    }

    /// Hands over what is ready, and waits for the oldest outcomes until a page of
    /// `bytes` fits: fewer than `capacity` in flight, and within the byte budget unless
    /// nothing else is in flight (a single page is bounded by `--max-page-bytes`).
    private func makeRoom(for bytes: Int, finish: (Ordered) throws -> Void) throws {
        try deliver(finish: finish) { [self] in
            let inFlight = nextSequence - nextToFinish
            return inFlight >= capacity || (inFlight > 0 && inFlightBytes + bytes > byteBudget)
        }
    }

    /// Pages and raw bytes in flight now.
    var load: (pages: Int, bytes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (nextSequence - nextToFinish, inFlightBytes)
    }

    /// Every outcome enqueued so far, in order.
    func drain(finish: (Ordered) throws -> Void) throws {
        try deliver(finish: finish) { [self] in nextToFinish < nextSequence }
    }

    /// Hands over ready outcomes in order, waiting for the oldest while `mustWait`
    /// (read under the lock) says so.
    private func deliver(finish: (Ordered) throws -> Void, mustWait: () -> Bool) throws {
        while true {
            condition.lock()
            while results[nextToFinish] == nil && mustWait() { condition.wait() }
            guard let outcome = results.removeValue(forKey: nextToFinish) else {
                condition.unlock()
                return
            }
            inFlightBytes -= bytesOf.removeValue(forKey: nextToFinish) ?? 0
            nextToFinish += 1
            condition.unlock()
            try finish(outcome)
        }
    }

    /// The workers' CPU time per stage (complete once they have stopped).
    var stageTimes: StageTimes {
        condition.lock()
        defer { condition.unlock() }
        return clocks.reduce(StageTimes()) { $0 + $1.times }
    }

    /// Lets the workers finish what they hold and exit.
    func stop() {
        condition.lock()
        stopped = true
        pending.removeAll()
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}

/// What the ordered stage sees: a page's outcome, or the end of an input's pages.
enum Ordered: Sendable {
    /// `features`: each statement's, for the deduplicator, when a worker computed them.
    case outcome(PageOutcome, features: [Deduplicator.Features]? = nil)
    case inputDone(index: Int, path: String)
    /// An archive record that holds no page, counted in order like everything else.
    case skipped(reason: String)
}

/// Hands a processor to the one thread that will use it.
private final class ProcessorBox: @unchecked Sendable {
    let processor: PageProcessor
    init(_ processor: PageProcessor) { self.processor = processor }
}
