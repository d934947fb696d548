import DeclprocText
import Foundation
import Testing
import TestSupport

/// OpenCC's curated test cases (Tests/Fixtures/opencc, Apache-2.0) for the eight
/// configurations declproc provides.
@Suite struct ConverterTests {
    struct Case: Decodable {
        let id: String
        let input: String
        let expected: [String: String]
    }
    struct File: Decodable { let cases: [Case] }

    static let configurations = ["s2t", "t2s", "s2tw", "tw2s", "s2twp", "tw2sp", "s2hk", "hk2s"]

    /// Cases that need OpenCC data newer than the dictionaries in Locales/zh/convert
    /// (TSCharacters that prefer 𣨼 for 殢; segmentation with generated regional
    /// phrases). Listed so that any other failure, or one of these starting to
    /// pass, shows up.
    static let knownFailures: Set<String> = [
        "BYVoid_OpenCC_PR_1228_existing_behaviors/t2s", "BYVoid_OpenCC_PR_1229_existing_behaviors/t2s",
        "BYVoid_OpenCC_PR_464_xi_vs_xi/t2s",
        "western_classical_musicians_s2twp/s2twp", "us_states_s2_regional_phrases/s2twp",
    ]

    @Test(arguments: configurations)
    func openCCTestCases(configuration: String) throws {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: TestFiles.repository("Tests/Fixtures/opencc/testcases.json")))
        let store = try TestFiles.locales()
        let converter = try ChineseConverter(configuration: configuration, store: store)
        let words = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        var checked = 0
        for test in file.cases {
            guard let expected = test.expected[configuration] else { continue }
            checked += 1
            let got = converter.convert(test.input, words: try words.words(test.input))
            let known = Self.knownFailures.contains("\(test.id)/\(configuration)")
            if known {
                #expect(got != expected, "\(test.id) now passes: remove it from knownFailures")
            } else {
                #expect(Array(got.unicodeScalars) == Array(expected.unicodeScalars), "\(test.id): \(got) ≠ \(expected)")
            }
        }
        #expect(checked >= 20)
    }

    /// Where OpenCC's longest match runs across a word boundary, word segmentation
    /// settles it (FACTS 6); plain OpenCC matching still gives OpenCC's answer.
    @Test(arguments: [("被发明", "被發明", "被髮明"), ("这个被发送的", "這個被發送的", "這個被髮送的"), ("被发掘出来", "被發掘出來", "被髮掘出來")])
    func wordBoundariesSettleOverlappingMatches(input: String, expected: String, openCC: String) throws {
        let store = try TestFiles.locales()
        let converter = try ChineseConverter(configuration: "s2t", store: store)
        let words = try WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter()).words(input)
        #expect(converter.convert(input, words: words) == expected)
        #expect(converter.convert(input) == openCC)
    }

    @Test func piecesMapBackToTheInput() throws {
        let converter = try ChineseConverter(configuration: "s2t", store: TestFiles.locales())
        let input = "我干活了，头发很长。"
        let pieces = converter.pieces(input)
        #expect(pieces.map(\.text).joined() == "我幹活了，頭髮很長。")
        #expect(pieces.first?.start == 0 && pieces.last?.end == input.unicodeScalars.count)
        for (a, b) in zip(pieces, pieces.dropFirst()) { #expect(a.end == b.start) }
    }

    @Test func unknownConfigurationNamesTheAvailableOnes() throws {
        #expect(throws: ChineseConverter.UnknownConfiguration.self) {
            try ChineseConverter(configuration: "s2x", store: TestFiles.locales())
        }
    }
}
