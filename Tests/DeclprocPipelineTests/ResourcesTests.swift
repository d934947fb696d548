@testable import DeclprocPipeline
import DeclprocLocales
import DeclprocText
import Foundation
import Testing
import TestSupport

/// `Resources(store:threads:)` loads the Pinyin lexicon on a thread of its own when it
/// may use two: what it loads, and how it fails, must not depend on that.
@Suite struct ResourcesTests {
    @Test func twoThreadsLoadWhatOneLoads() throws {
        let store = try TestFiles.locales()
        let one = try Resources(store: store, threads: 1)
        let two = try Resources(store: store, threads: 2)
        let text = "我们曾经相信长城和重庆的银行行长，今天退出中國共產黨。"
        let words = try WordSegmenter(data: one.segmentation, icu: Segmenter()).words(text)
        #expect(try WordSegmenter(data: two.segmentation, icu: Segmenter()).words(text) == words)
        #expect(words.count > 10)
        let marks = PinyinTransliterator(lexicon: one.pinyin).transliterate(text, words: words, tones: .marks)
        #expect(PinyinTransliterator(lexicon: two.pinyin).transliterate(text, words: words, tones: .marks) == marks)
        #expect(marks.contains("cháng chéng"))
        #expect(two.toTraditional.convert(text) == one.toTraditional.convert(text))
        #expect(two.toSimplified.convert(text) == one.toSimplified.convert(text))
    }

    /// A lexicon missing from a copy of Locales is reported as missing whichever
    /// thread was loading it, and loading with two threads neither hangs nor crashes.
    @Test(arguments: ["zh/pinyin/chars.tsv", "zh/segment/cedict-words.txt"])
    func aMissingFileIsReportedFromEitherThread(removed: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-resources-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: TestFiles.repository("Locales"), to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent(removed))
        let store = try LocaleStore(root: directory)
        for threads in [1, 2] {
            do {
                _ = try Resources(store: store, threads: threads)
                Issue.record("loaded without \(removed) (\(threads) threads)")
            } catch {
                #expect(error.description.contains(removed), "\(error)")
            }
        }
    }
}
