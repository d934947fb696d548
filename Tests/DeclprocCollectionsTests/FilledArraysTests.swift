import Testing
import DeclprocCollections

/// `Array(filledWith:count:)` stands in for `Array(repeating:count:)` everywhere in
/// the sources, so it must make the same arrays: every count from none up, elements
/// of any size, class references shared as `repeating` shares them.
struct FilledArraysTests {
    final class Box {}

    @Test(arguments: [0, 1, 2, 7, 8, 63, 64, 1000])
    func sameAsRepeating(count: Int) {
        #expect([Int](filledWith: -1, count: count) == [Int](repeating: -1, count: count))
        #expect([Double](filledWith: .infinity, count: count) == [Double](repeating: .infinity, count: count))
        #expect([UInt8](filledWith: 0xFF, count: count) == [UInt8](repeating: 0xFF, count: count))
        #expect([String?](filledWith: nil, count: count) == [String?](repeating: nil, count: count))
        #expect([[Int]](filledWith: [1, 2], count: count) == [[Int]](repeating: [1, 2], count: count))
        #expect([(UInt64, UInt64)](filledWith: (1, 2), count: count).allSatisfy { $0 == (1, 2) })
        let filled = [Int](filledWith: 0, count: count)
        #expect(filled.count == count && filled.capacity >= count)
    }

    @Test func referencesAreShared() {
        let box = Box()
        let filled = [Box](filledWith: box, count: 5)
        #expect(filled.allSatisfy { $0 === box })
    }
}
