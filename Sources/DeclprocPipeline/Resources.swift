import DeclprocExtract
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

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        self.store = store
        pinyin = try PinyinLexicon(store: store)
        segmentation = try SegmentationData(store: store)
        abbreviations = try SentenceSegmenter.abbreviations(store)
        scripts = try ScriptDetector(store: store)
        statements = try StatementFinder(store: store)
        declarations = try DeclarationReader(store: store, finder: statements)
        do {
            toSimplified = try ChineseConverter(configuration: "t2s", store: store)
            toTraditional = try ChineseConverter(configuration: "s2t", store: store)
        } catch let error as LocaleStore.MissingData {
            throw error
        } catch {
            throw LocaleStore.MissingData(path: store.url("zh/convert").path, reason: "\(error)")
        }
    }
}
