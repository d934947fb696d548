@testable import DeclprocPipeline
import DeclprocReader
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
            guard case .outcome(let outcome, _) = ordered else { return }
            switch outcome {
            case .page(let page, _): seen.append(page.source.path)
            case .rejected(let reject): seen.append(reject.input)
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
}
