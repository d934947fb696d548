@testable import DeclprocText
import Testing
import TestSupport

/// The word boundaries `convert` asks for around overlapping matches, clause by
/// clause: what a position's flag says must not depend on which overlaps asked
/// before it, or a change to when the converter asks would change its output.
@Suite struct WordBoundariesTests {
    /// Real sentences with their punctuation taken out and run together, cut into
    /// clauses of very different lengths (3 to about 1,500 characters).
    static func text() throws -> [Unicode.Scalar] {
        let words = try ConverterTests.realLines().prefix(100).joined().unicodeScalars.filter { WordBoundaries.inWord($0) }
        var scalars: [Unicode.Scalar] = []
        var cuts = [3, 17, 64, 65, 66, 100, 129, 1_500].makeIterator()
        var next = cuts.next()!
        var sinceCut = 0
        for scalar in words {
            if sinceCut == next {
                scalars.append("，")
                sinceCut = 0
                next = cuts.next() ?? 40
            }
            scalars.append(scalar)
            sinceCut += 1
        }
        return scalars
    }

    /// Each position's flag once every position has been asked for, first to last.
    static func flags(_ scalars: [Unicode.Scalar], asking order: [ClosedRange<Int>], _ segmenter: WordSegmenter,
                      stretches: inout [Int]) -> [Bool] {
        var asked: [Int] = []
        var boundaries = WordBoundaries(.stretch({ stretch in
            asked.append(stretch.count)
            return (try? segmenter.spans(stretch)) ?? []
        }))
        for range in order { boundaries.settle(range, in: scalars) }
        stretches = asked
        return (0...scalars.count).map { boundaries[$0] }
    }

    @Test func flagsDoNotDependOnWhatWasAskedBefore() throws {
        let store = try TestFiles.locales()
        let segmenter = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
        let scalars = try Self.text()
        #expect(scalars.count > 2_500)
        var stretches: [Int] = []
        let everything = Self.flags(scalars, asking: (0...scalars.count).map { $0...$0 }, segmenter, stretches: &stretches)
        #expect(everything.filter { $0 }.count > scalars.count / 3, "words are mostly one to three characters")
        // Backwards, and sparse random overlaps (as the converter asks: a match and its
        // rivals, a few positions at a time), in several orders.
        let backwards = Self.flags(scalars, asking: (0...scalars.count).reversed().map { $0...$0 }, segmenter, stretches: &stretches)
        let differing = backwards.indices.filter { backwards[$0] != everything[$0] }
        #expect(differing.isEmpty, "\(differing.count) positions differ, the first at \(differing.first ?? -1)")
        var generator = SplitMix(seed: 20261203)
        for _ in 0..<4 {
            let ranges = (0..<120).map { _ -> ClosedRange<Int> in
                let start = Int(generator.next() % UInt64(scalars.count - 4))
                return start...(start + 1 + Int(generator.next() % 3))
            }
            for order in [ranges, ranges.sorted { $0.lowerBound < $1.lowerBound }] {
                var asked = Array(repeating: false, count: scalars.count + 1)
                for range in order { for k in range { asked[k] = true } }
                let sparse = Self.flags(scalars, asking: order, segmenter, stretches: &stretches)
                for k in asked.indices where asked[k] { #expect(sparse[k] == everything[k], "position \(k)") }
                // A long clause is segmented a window at a time, never whole.
                #expect(stretches.allSatisfy { $0 <= WordBoundaries.window + 2 * WordBoundaries.margin + 1 })
            }
        }
    }
}
