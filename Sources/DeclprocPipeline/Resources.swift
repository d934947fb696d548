import DeclprocAlign
import DeclprocExtract
import Foundation
import DeclprocLocales
import DeclprocText

/// Everything loaded from `Locales/` once per run and shared by every task:
/// immutable, so safe to share.
public struct Resources: Sendable {
    public let store: LocaleStore
    public let pinyin: PinyinLexicon
    public let segmentation: SegmentationData
    public let abbreviations: Set<String>
    public let scripts: ScriptDetector
    public let statements: StatementFinder
    public let declarations: DeclarationReader
    public let toSimplified: ChineseConverter
    public let toTraditional: ChineseConverter
    /// The aligner's lexicon, loaded the first time a page carries a translation.
    public let alignment: LazyData<AlignmentData>

    /// `threads`: how many threads may load at once. With two, the Pinyin lexicon
    /// (about two fifths of the loading) is read on a thread of its own while the
    /// rest loads on the caller's: a run with more than one job has the cores for it,
    /// and nothing is done on them before everything is loaded. One job loads on its
    /// one thread, as before.
    public init(store: LocaleStore, threads: Int = 1) throws(LocaleStore.MissingData) {
        self.store = store
        let pinyinLoad = threads > 1 ? LoadingThread { () throws(LocaleStore.MissingData) in try PinyinLexicon(store: store) } : nil
        segmentation = try SegmentationData(store: store)
        abbreviations = try SentenceSegmenter.abbreviations(store)
        scripts = try ScriptDetector(store: store)
        statements = try StatementFinder(store: store)
        declarations = try DeclarationReader(store: store, finder: statements)
        alignment = LazyData { () throws(LocaleStore.MissingData) -> AlignmentData in try AlignmentData(store: store) }
        do {
            toSimplified = try ChineseConverter(configuration: "t2s", store: store)
            toTraditional = try ChineseConverter(configuration: "s2t", store: store, lexicon: segmentation)
        } catch let error as LocaleStore.MissingData {
            throw error
        } catch {
            throw LocaleStore.MissingData(path: store.url("zh/convert").path, reason: "\(error)")
        }
        if let pinyinLoad {
            pinyin = try pinyinLoad.value()
        } else {
            pinyin = try PinyinLexicon(store: store)
        }
    }
}

/// A value loaded on a thread of its own, collected where it is needed.
final class LoadingThread<Value: Sendable>: @unchecked Sendable {
    private let done = NSCondition()
    private var result: Result<Value, LocaleStore.MissingData>?

    init(_ load: @escaping @Sendable () throws(LocaleStore.MissingData) -> Value) {
        let thread = Thread { [self] in
            let loaded = Result { () throws(LocaleStore.MissingData) -> Value in try load() }
            done.lock()
            result = loaded
            done.broadcast()
            done.unlock()
        }
        // The main thread's stack, which loading has always had.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the load to end.
    func value() throws(LocaleStore.MissingData) -> Value {
        done.lock()
        while result == nil { done.wait() }
        let loaded = result!
        done.unlock()
        return try loaded.get()
    }
}

/// Data loaded on first use and then shared: most runs never need it, and those
/// that do should not pay for it at start-up.
public final class LazyData<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Value, LocaleStore.MissingData>?
    private let load: @Sendable () throws(LocaleStore.MissingData) -> Value

    public init(_ load: @escaping @Sendable () throws(LocaleStore.MissingData) -> Value) { self.load = load }

    public func get() throws(LocaleStore.MissingData) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if value == nil {
            do { value = .success(try load()) } catch { value = .failure(error) }
        }
        return try value!.get()
    }
}
