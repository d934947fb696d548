@testable import DeclprocText
import Testing
import TestSupport

@Suite struct RecentMemoTests {
    /// Two generations of three: the fourth entry starts a new one, an entry found in
    /// the previous one moves back, and the generation before goes.
    @Test func whatRecursStaysWhatCameOnceGoes() {
        var memo = RecentMemo<String, Int>(capacity: 3)
        for (k, key) in ["a", "b", "c", "d"].enumerated() { memo.insert(k, for: key) }
        #expect(memo.count == 4)
        #expect(memo.value(for: "a") == 0) // from the previous generation, moved back
        memo.insert(4, for: "e")
        memo.insert(5, for: "f") // the current generation (d, a, e) was full
        #expect(memo.value(for: "b") == nil && memo.value(for: "c") == nil)
        #expect(memo.value(for: "a") == 0 && memo.value(for: "d") == 3 && memo.value(for: "f") == 5)
        #expect(memo.value(for: "g") == nil)
    }

    /// On a seeded run of lookups and inserts over 200 keys, the memo never answers a
    /// value other than the last one inserted for the key and keeps at most twice its
    /// capacity; 20 keys that make half the lookups are mostly found, the 180 others
    /// (each back after some 360 steps, past what 64 entries hold) seldom.
    @Test func boundedAndNeverWrong() {
        var memo = RecentMemo<Int, Int>(capacity: 32)
        var truth: [Int: Int] = [:]
        var random = SplitMix(seed: 5)
        var hot = 0, hotHits = 0, cold = 0, coldHits = 0
        for step in 0..<20_000 {
            let key = random.next() % 2 == 0 ? Int(random.next() % 20) : 20 + Int(random.next() % 180)
            if let value = memo.value(for: key) {
                #expect(value == truth[key], "key \(key)")
                if key < 20 { hotHits += 1 } else { coldHits += 1 }
            } else {
                memo.insert(step, for: key)
                truth[key] = step
            }
            if key < 20 { hot += 1 } else { cold += 1 }
            #expect(memo.count <= 64)
        }
        #expect(Double(hotHits) / Double(hot) > 0.7, "\(hotHits) of \(hot)")
        #expect(Double(coldHits) / Double(cold) < 0.3, "\(coldHits) of \(cold)")
    }

    /// Equal keys are equal bytes: canonically equivalent text spelled otherwise is
    /// another key (the memo's results are for the exact text).
    @Test func textKeysAreTheirBytes() {
        #expect(UTF8Key("e\u{301}") != UTF8Key("\u{E9}"))
        #expect(UTF8Key("本人声明") == UTF8Key(String("x本人声明".dropFirst())))
        var memo = RecentMemo<UTF8Key, Int>(capacity: 4)
        memo.insert(1, for: UTF8Key("\u{E9}"))
        #expect(memo.value(for: UTF8Key("e\u{301}")) == nil)
        #expect(memo.value(for: UTF8Key("\u{E9}")) == 1)
    }
}
