import DeclprocICU
import Testing
import TestSupport

/// Unicode's conformance files, run through our bindings. Results are compared as
/// scalar arrays: Swift's String == is canonical equivalence and would hide NFC/NFD
/// differences (FACTS 20).
@Suite struct ConformanceTests {
    static func scalars(_ utf16: [UInt16]) -> [UInt32] {
        String(decoding: utf16, as: UTF16.self).unicodeScalars.map(\.value)
    }

    @Test func normalizationTestEveryLine() throws {
        let file = try TestFiles.unicodeData("NormalizationTest.txt")
        let forms: [(String, Normalizer)] = [("NFC", .nfc), ("NFD", .nfd), ("NFKC", .nfkc), ("NFKD", .nfkd)]
        var listedInPart1 = Set<UInt32>()
        var part = ""
        var checked = 0
        var failures: [String] = []
        for line in file.split(separator: "\n") {
            if line.hasPrefix("@Part") { part = String(line.prefix(6)); continue }
            if line.hasPrefix("#") { continue }
            let columns = line.split(separator: ";", omittingEmptySubsequences: false).prefix(5).map { column in
                column.split(separator: " ").map { UInt32($0, radix: 16)! }
            }
            guard columns.count == 5 else { continue }
            if part == "@Part1" { listedInPart1.insert(columns[0][0]) }
            let utf16 = columns.map { c in c.flatMap { Array(String(Unicode.Scalar($0)!).utf16) } }
            // Expected column for each form and which source columns must map to it.
            let rules: [(form: Int, expected: Int, sources: [Int])] = [
                (0, 1, [0, 1, 2]), (0, 3, [3, 4]),
                (1, 2, [0, 1, 2]), (1, 4, [3, 4]),
                (2, 3, [0, 1, 2, 3, 4]),
                (3, 4, [0, 1, 2, 3, 4]),
            ]
            for rule in rules {
                for source in rule.sources {
                    let got = Self.scalars(try forms[rule.form].1.normalize(utf16: utf16[source]))
                    checked += 1
                    if got != columns[rule.expected], failures.count < 20 {
                        failures.append("\(forms[rule.form].0)(c\(source + 1)) of \(line)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(checked > 100_000, "only \(checked) checks: is the file complete?")

        // Part 1's rule: every code point not listed there is unchanged by all four forms.
        var unchangedFailures: [UInt32] = []
        for value in UInt32(0)...0x10FFFF where !(0xD800...0xDFFF).contains(value) && !listedInPart1.contains(value) {
            let utf16 = Array(String(Unicode.Scalar(value)!).utf16)
            for (_, normalizer) in forms where try normalizer.normalize(utf16: utf16) != utf16 {
                unchangedFailures.append(value)
            }
        }
        #expect(unchangedFailures.isEmpty, "changed though not listed: \(unchangedFailures.prefix(20))")
        #expect(listedInPart1.count > 10_000)
    }

    static func check(_ file: String, _ kind: BreakIterator.Kind) throws -> (checked: Int, failures: [String]) {
        // WordBreakTest.txt is untailored UAX #29, where ':' is MidLetter. ICU's root
        // rules follow CLDR, which takes ':' out of MidLetter except for Swedish and
        // Finnish, so "sv" is the locale whose rules are the untailored ones.
        let iterator = try BreakIterator(kind, locale: kind == .word ? "sv" : "en")
        var failures: [String] = []
        let cases = BreakTestCase.parse(file)
        for test in cases {
            var utf16: [UInt16] = []
            var scalarAt: [Int: Int] = [:] // UTF-16 offset -> scalar index
            for (index, scalar) in test.scalars.enumerated() {
                scalarAt[utf16.count] = index
                utf16.append(contentsOf: UTF16.encode(scalar)!)
            }
            scalarAt[utf16.count] = test.scalars.count
            let got = try iterator.boundaries(utf16: utf16).map { scalarAt[$0.offset] ?? -1 }
            if got != test.boundaries { failures.append("\(test) got \(got)") }
        }
        return (cases.count, failures)
    }

    @Test func wordBreakTestEveryLine() throws {
        let (checked, failures) = try Self.check(try TestFiles.unicodeData("auxiliary/WordBreakTest.txt"), .word)
        #expect(checked > 1_800)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(10))")
    }

    @Test func sentenceBreakTestEveryLine() throws {
        let (checked, failures) = try Self.check(try TestFiles.unicodeData("auxiliary/SentenceBreakTest.txt"), .sentence)
        #expect(checked > 500)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(10))")
    }

    @Test func versions() {
        #expect(ICU.version == "72.1")
        #expect(ICU.unicodeVersion == "15.0")
    }
}
