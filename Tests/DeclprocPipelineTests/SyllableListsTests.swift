@testable import DeclprocPipeline
import DeclprocText
import Testing
import TestSupport

/// Words' syllable lists found in the table are the lists made afresh: by hits, by
/// misses and by slots taken over (more words than slots), for words of one to four
/// syllables (kept), longer ones and ones with a character without a syllable (made
/// each time), and lists that share a first syllable but differ in length.
@Suite struct SyllableListsTests {
    @Test func listsFoundAreListsMade() {
        let pool = ["jing1", "jing3", "xin4", "de5", "lv4", "nv3", "zhong1", "guo2", "ren2", "min2", "sheng1", "ming2", "tui4", "dang3",
                    "tuan2", "dui4", "shao4", "xian1", "er2", "a1"].map { PinyinSyllable(numbered: $0[...])! }
        var random = SplitMix(seed: 41)
        let han: [Unicode.Scalar] = Array("我曾经相信少先队的宣传入党入团后来经历了许多事情才知道真相".unicodeScalars)
        var scalars: [Unicode.Scalar] = [], syllables: [PinyinSyllable?] = [], words: [Range<Int>] = []
        for _ in 0..<6_000 {
            let start = scalars.count
            let length = 1 + Int(random.next() % 6)
            for _ in 0..<length {
                switch random.next() % 10 {
                case 0: scalars.append("x"); syllables.append(nil) // not Han
                case 1: scalars.append(han[Int(random.next() % UInt64(han.count))]); syllables.append(nil) // Han without a syllable
                default:
                    scalars.append(han[Int(random.next() % UInt64(han.count))])
                    // Few syllables, so that words recur.
                    syllables.append(pool[Int(random.next() % UInt64(random.next() % 2 == 0 ? 4 : pool.count))])
                }
            }
            words.append(start..<scalars.count)
        }
        var lists = SyllableLists()
        var found = 0
        for round in 0..<3 {
            for k in 0..<words.count {
                let word = words[round == 1 ? words.count - 1 - k : k]
                let list = lists.list(word, scalars, syllables)
                #expect(list == SyllableLists.make(word, scalars, syllables))
                if list.count > 0 { found += 1 }
            }
        }
        #expect(found > 10_000)
        // A first syllable alone, then with another: different lists, whichever came first.
        let one = lists.list(0..<1, ["中"], [pool[6]]), two = lists.list(0..<2, ["中", "国"], [pool[6], pool[7]])
        #expect(one == ["zhōng"] && two == ["zhōng", "guó"])
        #expect(lists.list(0..<1, ["中"], [pool[6]]) == ["zhōng"])
    }
}
