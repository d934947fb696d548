@testable import DeclprocPipeline
import DeclprocReader
import DeclprocRecords
import Foundation
import Testing
import TestSupport

/// The worker pool hands outcomes back in input order, and keeps within its window:
/// a number of pages per worker and a byte budget that only a lone page may exceed.
@Suite struct WorkerPoolTests {
    @Test func inputOrderWithinTheWindow() throws {
        let resources = try Resources(store: TestFiles.locales())
        let samples = try FileManager.default.contentsOfDirectory(atPath: TestFiles.repository("Samples").path)
            .filter { $0.hasSuffix(".html") }.sorted()
        #expect(samples.count >= 5)
        var pages: [RawPage] = []
        for round in 0..<3 {
            for name in samples {
                let bytes = try [UInt8](Data(contentsOf: TestFiles.repository("Samples/" + name)))
                pages.append(RawPage(source: PageSource(path: "\(round)/\(name)"), bytes: bytes))
            }
            // Pages of every size, down to none (a reject), up to several times the budget.
            pages.append(RawPage(source: PageSource(path: "\(round)/empty"), bytes: []))
        }
        let budget = 4 << 10
        #expect(pages.contains { $0.bytes.count > budget })
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil),
                                  pagesPerWorker: 2, byteBudget: budget)
        defer { pool.stop() }
        var seen: [String] = []
        func finish(_ ordered: Ordered) {
            guard case .outcome(let outcome, _, _) = ordered else { return }
            switch outcome {
            case .page(let page, _): seen.append(page.source.path)
            case .rejected(let reject): seen.append(reject.input)
            case .statements: break
            }
        }
        for page in pages {
            try pool.enqueue(page, finish: finish)
            let load = pool.load
            #expect(load.pages <= 4)
            #expect(load.bytes <= budget || load.pages == 1, "\(load) after \(page.source.path)")
        }
        try pool.drain(finish: finish)
        #expect(seen == pages.map(\.source.path))
        #expect(pool.load.pages == 0 && pool.load.bytes == 0)
    }

    /// With its window full, the reading thread waits for a run of pages, not for each
    /// one: 200 pages on two workers (a window of 32) take it 28 waits (197 when it waited
    /// for each), under a quarter as many as pages, with every outcome in order all the same.
    @Test func theOrderedStageWaitsForRunsOfPages() throws {
        let resources = try Resources(store: TestFiles.locales())
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: TestFiles.repository("Samples").path)
            .filter { $0.hasSuffix(".html") }.sorted().first)
        let bytes = try [UInt8](Data(contentsOf: TestFiles.repository("Samples/" + name)))
        let pages = (0..<200).map { RawPage(source: PageSource(path: "\($0)"), bytes: bytes) }
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil))
        defer { pool.stop() }
        var seen: [String] = []
        func finish(_ ordered: Ordered) {
            if case .outcome(.page(let page, _), _, _) = ordered { seen.append(page.source.path) }
        }
        for page in pages { try pool.enqueue(page, finish: finish) }
        try pool.drain(finish: finish)
        #expect(seen == pages.map(\.source.path))
        #expect(pool.orderedStageWaits > 0, "the window never filled: the test shows nothing")
        #expect(pool.orderedStageWaits * 4 < pages.count, "\(pool.orderedStageWaits) waits")
    }

    /// What the ordered stage is done with goes back to the worker that made it, to be
    /// freed there: of 200 pages, all but those done after each worker's last hand-over
    /// (a window at most). Past the statement budget a worker's share is freed by the
    /// reading thread instead, so what waits for a worker stays within it.
    @Test(arguments: [4096, 50]) func spentOutcomesGoBackToTheirMaker(statementBudget: Int) throws {
        let resources = try Resources(store: TestFiles.locales())
        let page = Self.listPage(statements: 20, organization: "共青团")
        let pages = (0..<200).map { RawPage(source: PageSource(path: "page-\($0).html"), bytes: page) }
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil), statementBudget: statementBudget)
        defer { pool.stop() }
        var statements = 0
        var finished: [String] = []
        func finish(_ ordered: Ordered) {
            guard case .outcome(.page(let record, let found), _, _) = ordered else { return }
            statements += found.count
            finished.append(record.source.path)
        }
        for page in pages { try pool.enqueue(page, finish: finish) }
        try pool.drain(finish: finish)
        #expect(finished == pages.map(\.source.path))
        #expect(statements == 200 * 20)
        #expect(pool.mostSpentStatements <= statementBudget)
        if statementBudget > 32 * 20 {
            #expect(pool.statementsFreedByMakers >= statements - 32 * 20, "\(pool.statementsFreedByMakers) of \(statements)")
        } else {
            #expect(pool.statementsFreedByMakers > 0)
        }
    }

    /// Without a budget given, the pool holds 8 MiB of pages a worker: pages of 3 MB
    /// (binary, so rejected at once) are read ahead five at a time on two workers,
    /// not the twenty-one a budget of 64 MiB let in.
    @Test func theDefaultByteBudgetIsPerWorker() throws {
        let resources = try Resources(store: TestFiles.locales())
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil))
        defer { pool.stop() }
        var rejected = 0, mostBytes = 0
        func finish(_ ordered: Ordered) {
            if case .outcome(.rejected, _, _) = ordered { rejected += 1 }
        }
        let page = [UInt8](repeating: 0, count: 3 << 20)
        for k in 0..<24 {
            try pool.enqueue(RawPage(source: PageSource(path: "binary-\(k)"), bytes: page), finish: finish)
            let load = pool.load
            mostBytes = max(mostBytes, load.bytes)
            #expect(load.bytes <= 2 * WorkerPool.bytesPerWorker || load.pages == 1, "\(load) after page \(k)")
        }
        try pool.drain(finish: finish)
        #expect(rejected == 24)
        #expect(mostBytes > WorkerPool.bytesPerWorker, "the budget was for two workers, not one")
    }

    /// A list page of `statements` declarations, one a paragraph, each naming someone else.
    static func listPage(statements: Int, organization: String) -> [UInt8] {
        var paragraphs = ""
        for i in 0..<statements {
            paragraphs += "<p>本人王\(["伟", "芳", "静", "磊"][i % 4])\(i)于\(1980 + i % 20)年加入\(organization)，现郑重声明退出\(organization)及其一切组织。</p>\n"
        }
        return Array("<html><head><meta charset='utf-8'></head><body>\(paragraphs)</body></html>".utf8)
    }

    /// A page of many statements comes back in parts while it is built: each part
    /// before its page, none larger than asked, their statements with the page's in
    /// order adding up to the page's count; a worker ahead of the ordered stage holds
    /// at most two parts of a page (the ordered stage here is slow, so workers wait).
    @Test func manyStatementsComeInBoundedParts() throws {
        let resources = try Resources(store: TestFiles.locales())
        let long = Self.listPage(statements: 40, organization: "共青团")
        var pages: [RawPage] = []
        for k in 0..<6 { pages.append(RawPage(source: PageSource(path: "long-\(k).html"), bytes: long)) }
        let whole = try PageProcessor(resources: resources).process(pages[0])
        guard case .page(_, let expected) = whole else { Issue.record("\(whole)"); return }
        #expect(expected.count == 40)
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil), statementsPerPart: 3)
        defer { pool.stop() }
        var current: [String] = [], finished = 0
        func finish(_ ordered: Ordered) {
            guard case .outcome(let outcome, _, _) = ordered else { return }
            usleep(2000)
            switch outcome {
            case .statements(let part, let pageID):
                #expect(part.count == 3)
                #expect(part.allSatisfy { $0.source.path == pages[finished].source.path })
                #expect(pageID == RecordID.make([pages[finished].source.path, "0"]))
                current += part.map(\.text.original)
            case .page(let page, let rest):
                #expect(page.source.path == pages[finished].source.path)
                current += rest.map(\.text.original)
                #expect(current == expected.map(\.text.original))
                #expect(page.statements == 40)
                current = []
                finished += 1
            case .rejected(let reject): Issue.record("\(reject)")
            }
        }
        for page in pages { try pool.enqueue(page, finish: finish) }
        try pool.drain(finish: finish)
        #expect(finished == pages.count)
        #expect(pool.mostPartsHeld == 2)
    }

    /// Records waiting behind a slow page stay within the statement budget (plus what
    /// the workers are building): here the ordered stage sleeps on the first page while
    /// the workers could finish all the others.
    @Test func recordsWaitingBehindASlowPageStayWithinTheBudget() throws {
        let resources = try Resources(store: TestFiles.locales())
        let page = Self.listPage(statements: 40, organization: "少先队")
        let pages = (0..<10).map { RawPage(source: PageSource(path: "page-\($0).html"), bytes: page) }
        let pool = try WorkerPool(count: 2, resources: resources, profile: nil, redaction: ([], nil), statementBudget: 50)
        defer { pool.stop() }
        var finished: [String] = []
        func finish(_ ordered: Ordered) {
            guard case .outcome(.page(let record, let statements), _, _) = ordered else { return }
            #expect(statements.count == 40)
            if finished.isEmpty { sleep(1) }
            finished.append(record.source.path)
        }
        for page in pages { try pool.enqueue(page, finish: finish) }
        try pool.drain(finish: finish)
        #expect(finished == pages.map(\.source.path))
        #expect(pool.mostStatementsHeld > 50, "the budget was never reached: the test shows nothing")
        #expect(pool.mostStatementsHeld <= 50 + 2 * 40)
    }
}
