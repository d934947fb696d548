import DeclprocCollections
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
/// `pagesPerWorker × count` pages, and at most `byteBudget` bytes of them (8 MiB a
/// worker), are in flight (queued, being processed, or done and waiting for an earlier
/// page); the reader waits when workers fall behind.
///
/// The byte budget binds only where pages average half a megabyte or more (sixteen a
/// worker of 512 KB fill it; the benchmark corpora's average 4 and 27 KB). It was
/// 64 MiB for any number of workers: on two, pages of 5 MB then held a dozen read
/// ahead, and the run peaked at 223 MB where 16 MiB peaks at 174 MB in the same time
/// (`docs/batch.md`, session 27). Per worker, so that a machine of many cores still
/// has a page or two queued for each.
///
/// A page with many statements comes back in parts as they are built
/// (`PageOutcome.statements`): a worker holds at most `partsAhead` parts the ordered
/// stage has not taken, and waits for it past that, so a page's records in memory stay
/// bounded however many statements it has. Records waiting behind a slow page are
/// bounded too: past `statementBudget` of them a worker starts only the page the
/// ordered stage is waiting for (pages of a few hundred statements each, sixteen a
/// worker, would otherwise hold some 14 KB a statement for all of them).
///
/// The window is wide because pages differ in cost: a bilingual page with alignment
/// takes many times longer than a list page, and with only two pages per worker in
/// flight the other workers sat idle behind it (two workers used 1.5 cores).
final class WorkerPool: @unchecked Sendable {
    // Two conditions, so that a wake-up reaches only a thread that can act on it:
    // the workers wait on `work` for a page, the reading thread waits on `done` for
    // the outcomes it needs next. With one condition broadcast on every page and
    // every outcome, each woke all three threads, most of them to sleep again: two
    // jobs spent about 2% of their CPU in the scheduler, against 0.2% with one.
    /// Guards `pending`, `stopped` and `running`.
    private let work = NSCondition()
    /// Guards `results`, `awaited`, `closing`, `spent` and the statements held; workers
    /// waiting for the ordered stage to take their parts or let them start wait on it
    /// too, so it is broadcast.
    private let done = NSCondition()
    private var pending: [(Int, RawPage)] = []
    /// What the ordered stage has not taken yet, by sequence number: a page's parts
    /// arrive one by one, and the slot is complete with its last.
    private var results: [Int: Slot] = [:]
    private struct Slot {
        var items: [Ordered] = []
        var complete = false
        /// The worker that made the items (-1: the reading thread).
        var maker = -1
    }
    /// What the ordered stage is done with, by the worker that made it, freed by that
    /// worker when it next hands something over or starts a page. Freed by the
    /// reading thread, each record's memory went back to another thread's heap (an
    /// atomic operation a block), and the arrays it shares with its maker's memos (a
    /// word's tokens, its Pinyin list) had their reference counts changed by both
    /// cores at once: two jobs took 4% longer on the default corpus.
    private var spent: [[[Ordered]]]
    /// The statements in each worker's `spent`. A worker busy with one long page
    /// collects nothing meanwhile; past `statementBudget`, what the reading thread is
    /// done with of that worker's is freed there, so memory stays bounded as before.
    private var spentStatements: [Int]
    /// For tests: the statements freed by the workers that made them, and the most
    /// held for one worker at once.
    private(set) var statementsFreedByMakers = 0
    private(set) var mostSpentStatements = 0
    /// What the reading thread is done with since it last held `done`, by maker.
    private var spentHere: [(maker: Int, items: [Ordered], statements: Int)] = []
    private let partsAhead = 2
    /// The most parts of one page held at once, for tests: never above `partsAhead`.
    private(set) var mostPartsHeld = 0
    /// Set by `stop`: a worker waiting to hand over a part gives the page up.
    private var closing = false
    /// Statements handed over and not yet taken by the ordered stage, and how many
    /// workers wait for that or `nextToFinish` to change.
    private var heldStatements = 0
    private var waitingToStart = 0
    private let statementBudget: Int
    /// The most statements held at once, for tests.
    private(set) var mostStatementsHeld = 0
    /// The sequence number the reading thread is waiting for (-1: it is not waiting),
    /// and the last of the run of pages it waits to see complete before it is woken
    /// (`orderedStageMayGo`).
    private var awaited = -1
    private var awaitedEnd = -1
    /// At most this many pages are let complete before the waiting reading thread is
    /// woken, while twice as many are in flight. Woken for every page, it took a core
    /// from a worker a thousand times a second on two cores (1,009 voluntary and 1,086
    /// involuntary context switches in a two-job run of the web corpus, against 61 and
    /// 8 with one job), and each switch cost the worker its caches.
    private let wakeBatch: Int
    /// How many times the reading thread waited for the workers, for tests.
    private(set) var orderedStageWaits = 0
    private var stopped = false
    private var threads: [Thread] = []
    private var running = 0
    // The reading thread's own: only it reads or writes them, so it reads them
    // without a lock. `nextToFinish` is also read by workers (which page may start
    // past the statement budget), so it is changed under `done`.
    private var nextSequence = 0
    private var nextToFinish = 0
    private let capacity: Int
    /// Raw bytes of the pages in flight, by sequence number (0 for items without a page).
    private var inFlightBytes = 0
    private var bytesOf: [Int: Int] = [:]
    private let byteBudget: Int
    /// The default byte budget is this much a worker.
    static let bytesPerWorker = 8 << 20
    /// Each statement's duplicate-detection features, computed by the worker so the
    /// ordered stage only compares (nil: no deduplication).
    private let features: (@Sendable (StatementRecord) -> Deduplicator.Features)?
    /// Whether workers encode the JSON Lines of the records they make (`Extraction.encodesLines`).
    private let encodesLines: Bool
    /// Each worker's stage clock (`--stage-times`), read once the workers have stopped.
    private var clocks: [StageClock] = []
    private let measuresStages: Bool

    init(count: Int, resources: Resources, profile: SiteProfile?, redaction: (scope: RedactionScope, key: RedactionKey?),
         features: (@Sendable (StatementRecord) -> Deduplicator.Features)? = nil, encodesLines: Bool = false,
         measuresStages: Bool = false, pagesPerWorker: Int = 16, byteBudget: Int? = nil,
         statementsPerPart: Int = PageProcessor.defaultStatementsPerPart, statementBudget: Int = 4096) throws {
        self.statementBudget = statementBudget
        capacity = pagesPerWorker * count
        wakeBatch = max(1, capacity / 4)
        self.byteBudget = byteBudget ?? Self.bytesPerWorker * count
        self.measuresStages = measuresStages
        self.features = features
        self.encodesLines = encodesLines
        spent = Array(filledWith: [], count: count)
        spentStatements = Array(filledWith: 0, count: count)
        // Made here, so a failure to open ICU is reported before any page is read.
        var processors: [PageProcessor] = []
        for _ in 0..<count {
            let processor = try PageProcessor(resources: resources, profile: profile)
            processor.redaction = redaction
            processor.statementsPerPart = statementsPerPart
            processors.append(processor)
        }
        for (index, processor) in processors.enumerated() {
            let box = ProcessorBox(processor)
            let thread = Thread { [self] in self.work(box.processor, index: index) }
            thread.stackSize = 8 << 20
            threads.append(thread)
        }
        running = threads.count
        for thread in threads { thread.start() }
    }

    private func work(_ processor: PageProcessor, index: Int) {
        if measuresStages {
            // Made on the worker's own thread, whose CPU time it reads.
            let clock = StageClock()
            processor.clock = clock
            work.lock()
            clocks.append(clock)
            work.unlock()
        }
        var spent: [[Ordered]] = []
        while true {
            work.lock()
            while pending.isEmpty && !stopped { work.wait() }
            if pending.isEmpty && stopped {
                running -= 1
                work.broadcast()
                work.unlock()
                return
            }
            let (sequence, raw) = pending.removeFirst()
            work.unlock()
            done.lock()
            takeSpent(of: index, into: &spent)
            while heldStatements > statementBudget, sequence != nextToFinish, !closing {
                waitingToStart += 1
                done.wait()
                waitingToStart -= 1
            }
            done.unlock()
            // Freed here, outside the lock.
            spent.removeAll()
            try? processor.process(raw) { (outcome: PageOutcome) throws(Closing) in
                var computed: [Deduplicator.Features]? = nil
                if let features {
                    computed = outcome.records.map(features)
                    processor.clock?.lap(.deduplicate)
                }
                var lines: EncodedLines? = nil
                if encodesLines {
                    lines = RecordJSON.encodeLines(outcome.records)
                    processor.clock?.lap(.write)
                }
                let last: Bool
                if case .statements = outcome { last = false } else { last = true }
                try hand(.outcome(outcome, features: computed, lines: lines), sequence: sequence, last: last, maker: index, spent: &spent)
                spent.removeAll()
            }
        }
    }

    private struct Closing: Error {}

    private static func statements(in item: Ordered) -> Int {
        guard case .outcome(let outcome, _, _) = item else { return 0 }
        return outcome.records.count
    }

    /// Stores a worker's outcome (or part of one) for the ordered stage; a part waits
    /// while `partsAhead` of the page's are still there.
    /// `spent`: what the ordered stage is done with of the worker's, taken to be freed.
    private func hand(_ item: Ordered, sequence: Int, last: Bool, maker: Int, spent: inout [[Ordered]]) throws(Closing) {
        done.lock()
        defer { done.unlock() }
        takeSpent(of: maker, into: &spent)
        while !last, !closing, (results[sequence]?.items.count ?? 0) >= partsAhead { done.wait() }
        if closing { throw Closing() }
        results[sequence, default: Slot(maker: maker)].items.append(item)
        heldStatements += Self.statements(in: item)
        mostStatementsHeld = max(mostStatementsHeld, heldStatements)
        if last { results[sequence]!.complete = true } else { mostPartsHeld = max(mostPartsHeld, results[sequence]!.items.count) }
        if awaited >= 0, sequence >= awaited, sequence <= awaitedEnd || heldStatements > statementBudget, orderedStageMayGo() {
            done.broadcast()
        }
    }

    /// Whether the waiting reading thread has work it must do now (under `done`): the
    /// awaited page has something, and either every page up to `awaitedEnd` is
    /// complete, or the first that is not has parts (its worker may be waiting for them
    /// to be taken), or more statements are held than the budget (workers wait for
    /// them to be taken before they start a page).
    private func orderedStageMayGo() -> Bool {
        guard let first = results[awaited], !first.items.isEmpty else { return false }
        if heldStatements > statementBudget { return true }
        var sequence = awaited
        while sequence <= awaitedEnd {
            guard let slot = results[sequence] else { return false }
            if !slot.complete { return !slot.items.isEmpty }
            sequence += 1
        }
        return true
    }

    /// Queues a page; first hands `finish` every outcome that is ready in order, and
    /// waits for the oldest (a run of them, `orderedStageMayGo`) when the pool is full.
    func enqueue(_ raw: RawPage, finish: (Ordered) throws -> Void) throws {
        try makeRoom(for: raw.bytes.count, finish: finish)
        bytesOf[nextSequence] = raw.bytes.count
        inFlightBytes += raw.bytes.count
        work.lock()
        pending.append((nextSequence, raw))
        work.signal()
        work.unlock()
        nextSequence += 1
    }

    /// Something known without processing (a page rejected while reading, the end of
    /// an input) takes its place in the order all the same.
    func enqueue(_ item: Ordered, finish: (Ordered) throws -> Void) throws {
        try makeRoom(for: 0, finish: finish)
        done.lock()
        results[nextSequence] = Slot(items: [item], complete: true)
        done.unlock()
        nextSequence += 1
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

    /// Pages and raw bytes in flight now (asked on the reading thread).
    var load: (pages: Int, bytes: Int) { (nextSequence - nextToFinish, inFlightBytes) }

    /// Every outcome enqueued so far, in order.
    func drain(finish: (Ordered) throws -> Void) throws {
        try deliver(finish: finish) { [self] in nextToFinish < nextSequence }
    }

    /// Hands over ready outcomes in order, waiting for the oldest (a run of them) while
    /// `mustWait` says so.
    private func deliver(finish: (Ordered) throws -> Void, mustWait: () -> Bool) throws {
        while true {
            done.lock()
            var unclaimed = handBackSpent()
            if results[nextToFinish]?.items.isEmpty ?? true, mustWait() {
                // A run of pages at once while the workers have as many more to do.
                let inFlight = nextSequence - nextToFinish
                awaited = nextToFinish
                awaitedEnd = nextToFinish + max(1, min(wakeBatch, inFlight / 2)) - 1
                orderedStageWaits += 1
                while !orderedStageMayGo() { done.wait() }
                awaited = -1
                awaitedEnd = -1
            }
            guard let slot = results[nextToFinish], !slot.items.isEmpty else {
                done.unlock()
                unclaimed.removeAll()
                return
            }
            let sequence = nextToFinish
            let statements = slot.items.reduce(0) { $0 + Self.statements(in: $1) }
            heldStatements -= statements
            if slot.complete {
                results.removeValue(forKey: sequence)
                nextToFinish += 1
            } else {
                results[sequence]!.items.removeAll()
            }
            // A worker may be waiting to hand over its next part, or to start a page.
            if !slot.complete || waitingToStart > 0 { done.broadcast() }
            done.unlock()
            unclaimed.removeAll()
            if slot.complete { inFlightBytes -= bytesOf.removeValue(forKey: sequence) ?? 0 }
            for item in slot.items { try finish(item) }
            if slot.maker >= 0 { spentHere.append((slot.maker, slot.items, statements)) }
        }
    }

    /// Hands worker `maker` what the ordered stage is done with of its own, for it to
    /// free once it has let go of `done` (under `done`).
    private func takeSpent(of maker: Int, into spent: inout [[Ordered]]) {
        swap(&spent, &self.spent[maker])
        statementsFreedByMakers += spentStatements[maker]
        spentStatements[maker] = 0
    }

    /// Moves `spentHere` to the workers' `spent` (under `done`), and returns what a
    /// worker has left unclaimed past the statement budget, to be freed by the caller
    /// once it has let go of the lock.
    private func handBackSpent() -> [[Ordered]] {
        var unclaimed: [[Ordered]] = []
        for (maker, items, statements) in spentHere {
            if spentStatements[maker] + statements > statementBudget {
                unclaimed.append(items)
            } else {
                spent[maker].append(items)
                spentStatements[maker] += statements
                mostSpentStatements = max(mostSpentStatements, spentStatements[maker])
            }
        }
        spentHere.removeAll(keepingCapacity: true)
        return unclaimed
    }

    /// The workers' CPU time per stage (complete once they have stopped).
    var stageTimes: StageTimes {
        work.lock()
        defer { work.unlock() }
        return clocks.reduce(StageTimes()) { $0 + $1.times }
    }

    /// Lets the workers finish what they hold and exit.
    func stop() {
        done.lock()
        closing = true
        done.broadcast()
        done.unlock()
        work.lock()
        stopped = true
        pending.removeAll()
        work.broadcast()
        while running > 0 { work.wait() }
        work.unlock()
    }
}

/// What the ordered stage sees: a page's outcome, or the end of an input's pages.
enum Ordered: Sendable {
    /// `features`: each statement's, for the deduplicator, when a worker computed them;
    /// `lines`: the statements' JSON Lines, when a worker encoded them.
    case outcome(PageOutcome, features: [Deduplicator.Features]? = nil, lines: EncodedLines? = nil)
    case inputDone(index: Int, path: String)
    /// An archive record that holds no page, counted in order like everything else.
    case skipped(reason: String)
}

/// Hands a processor to the one thread that will use it.
private final class ProcessorBox: @unchecked Sendable {
    let processor: PageProcessor
    init(_ processor: PageProcessor) { self.processor = processor }
}
