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

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        self.store = store
        pinyin = try PinyinLexicon(store: store)
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
