import DeclprocPipeline
import DeclprocRecords
import Foundation
import Testing
import TestSupport

/// The hand-written record JSON is byte for byte what JSONEncoder writes.
@Suite struct RecordJSONTests {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test func sameBytesAsJSONEncoderOnEveryRecord() throws {
        let resources = try Resources(store: TestFiles.locales())
        var extraction = Extraction(resources: resources)
        extraction.jobs = 1
        var statements: [StatementRecord] = [], pages: [PageRecord] = []
        _ = try extraction.run(inputs: [TestFiles.repository("Samples").path, TestFiles.repository("Tests/Fixtures/warc").path,
                                        TestFiles.repository("Tests/Fixtures/readability-zh").path]) { output in
            if case .page(let page, let records, _) = output { pages.append(page); statements += records }
        }
        #expect(statements.count > 50)
        for record in statements {
            #expect(RecordJSON.encode(record) == Array(try Self.encoder.encode(record)), "\(record.id)")
        }
        for page in pages { #expect(RecordJSON.encode(page) == Array(try Self.encoder.encode(page))) }
        // Strings that need escaping, or look as if they might.
        var odd = statements[0]
        odd.text.original = "a\"b\\c/d\ne\rf\tg\u{8}h\u{C}i\u{1}j\u{1F}k\u{7F}l\u{2028}m\u{FEFF}n😀o𠮷"
        odd.source.url = "https://example.org/a?b=c&d=</script>"
        odd.declaration.declarants = [.init(name: "名", alias: true, latin: nil, start: 0, end: 1, confidence: 1.0)]
        odd.translation = .init(text: "x", lang: "en", score: 0.125, sentences: ["x"], links: [.init(statement: [0, 1], translation: [], score: 0.3333333333333333)])
        #expect(RecordJSON.encode(odd) == Array(try Self.encoder.encode(odd)))
        // Numbers are written into the buffer two digits at a time: every length, both
        // signs, the ends, pairs of zeros and nines.
        let numbers = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 1009, 10_000, 99_999, 100_100, 65535, 1_000_000, 123_456_789,
                       999_999_999_999, Int(Int32.max),
                       1_000_000_000_000_000_000, Int.max, -1, -10, -12345, Int.min + 1, Int.min]
        for (k, number) in numbers.enumerated() {
            odd.source.position = number
            odd.source.page = numbers[(k + 7) % numbers.count]
            odd.declaration.declarants[0].start = numbers[(k + 3) % numbers.count]
            #expect(RecordJSON.encode(odd) == Array(try Self.encoder.encode(odd)), "\(number)")
        }
        // Text is scanned eight bytes at a time (the last eight overlapping the ones
        // before), four to seven bytes as two overlapping halves, shorter text byte by
        // byte: each escape at every position of text of every length from one byte to 18.
        for escape in ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "中"] {
            for length in 0...17 {
                for padding in 0...length {
                    odd.text.original = String(repeating: "a", count: padding) + escape + String(repeating: "b", count: length - padding)
                    #expect(RecordJSON.encode(odd) == Array(try Self.encoder.encode(odd)), "\(padding) of \(length)")
                }
            }
        }
        odd.text.original = ""
        #expect(RecordJSON.encode(odd) == Array(try Self.encoder.encode(odd)))
    }

    /// Lines a worker encoded are each record's own line, whatever `duplicate_of` the
    /// ordered stage gives each record afterwards: none, a link, a link taken away, a
    /// link changed, one that needs escaping; at the first record, the last, and together.
    @Test func encodedLinesFollowTheLinksGivenLater() throws {
        let resources = try Resources(store: TestFiles.locales())
        var extraction = Extraction(resources: resources)
        extraction.jobs = 1
        extraction.deduplicate = false
        var statements: [StatementRecord] = []
        _ = try extraction.run(inputs: [TestFiles.repository("Samples").path]) { output in
            if case .page(_, let records, _) = output { statements += records }
        }
        #expect(statements.count > 20)
        statements[3].duplicateOf = statements[0].id
        // Quoted, as long as null.
        statements[5].duplicateOf = "ab"
        let lines = RecordJSON.encodeLines(statements)
        #expect(lines.count == statements.count)
        func written(_ records: [StatementRecord]) throws -> [UInt8] {
            var bytes: [UInt8] = []
            try lines.write(for: records) { bytes += $0 }
            return bytes
        }
        func expected(_ records: [StatementRecord]) -> [UInt8] {
            records.flatMap { RecordJSON.encode($0, lineEnd: true) }
        }
        #expect(try written(statements) == expected(statements))
        let last = statements.count - 1
        let changes: [[(Int, String?)]] = [
            [(0, "a")], [(last, statements[1].id)], [(3, nil)], [(3, statements[2].id)], [(5, nil)], [(5, "cd")],
            [(0, "q\"u\\o\nte"), (1, "b"), (2, "c"), (3, nil), (last, "z")],
        ]
        for change in changes {
            var linked = statements
            for (k, link) in change { linked[k].duplicateOf = link }
            #expect(try written(linked) == expected(linked), "\(change)")
        }
        var none: [UInt8] = []
        try RecordJSON.encodeLines([]).write(for: []) { none += $0 }
        #expect(none.isEmpty)
    }
}
