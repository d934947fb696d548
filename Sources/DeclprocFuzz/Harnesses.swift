import DeclprocICU
import DeclprocLocales
import DeclprocPipeline
import DeclprocReader
import DeclprocText
import Foundation

/// The entry points that take outside bytes, each as one fuzzing harness: the
/// same function libFuzzer drives (`declproc-fuzz`, built with
/// `-sanitize=fuzzer,address` by `Scripts/fuzz`) and the test suite replays on
/// every input kept under `Tests/Fuzz/<harness>/`.
///
/// A harness returns normally for any input: errors are expected outcomes (a
/// reject, a decoding error); a crash, a hang, a leak or a runaway allocation is a
/// finding.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// Charset detection and decoding (BOM, meta, transport header, detection).
    case charset
    /// A page through the whole pipeline: decoding, libxml2, blocks, statements, records.
    case page
    /// WARC archives (plain or gzip members).
    case warc
    /// Scraper JSON Lines.
    case jsonl
    /// gzip streams (members, truncation, bombs).
    case gzip
    /// The text filters on arbitrary Unicode (the bytes as UTF-8, invalid bytes replaced).
    case normalize, convert, segment, transliterate

    /// Loads what the harnesses share (Locales/, ICU), before the first input, so
    /// that start-up is not counted against the first input's time limit.
    public static func prepare() { _ = FuzzEngine.shared }

    /// Runs the harness on one input.
    public func run(_ bytes: [UInt8]) {
        let engine = FuzzEngine.shared
        switch self {
        case .charset:
            // The first byte picks a transport charset label, so header and content disagree too.
            let labels = [nil, "utf-8", "gbk", "gb2312", "big5", "utf-16", "x-bogus", "iso-8859-1"]
            let label = bytes.first.map { labels[Int($0) % labels.count] } ?? nil
            _ = try? engine.decoder.decode(RawPage(source: PageSource(path: "fuzz"), bytes: Array(bytes.dropFirst()), transportCharset: label))
        case .page:
            _ = engine.processor.process(RawPage(source: PageSource(path: "fuzz.html"), bytes: bytes))
        case .warc:
            let reader = WARCReader(reader: BufferedReader(Self.source(bytes)), path: "fuzz.warc", options: engine.options)
            while let item = reader.next() { if case .page(let page) = item { _ = engine.processor.process(page) } }
        case .jsonl:
            let reader = JSONLinesReader(reader: BufferedReader(MemorySource(bytes)), path: "fuzz.jsonl", options: engine.options)
            while let item = reader.next() { if case .page(let page) = item { _ = engine.processor.process(page) } }
        case .gzip:
            _ = try? Inflater.inflate(bytes, format: .auto, limit: 1 << 20)
            if let source = try? GzipSource(MemorySource(bytes)) {
                var total = 0
                while total < 4 << 20, let chunk = try? source.read(maximum: 1 << 16), !chunk.isEmpty { total += chunk.count }
            }
        case .normalize, .convert, .segment, .transliterate:
            let text = String(decoding: bytes, as: UTF8.self)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) { engine.filter(self, String(line)) }
        }
    }

    /// WARC bytes as read from disk: gzip members are inflated the way the reader does for `.warc.gz`.
    private static func source(_ bytes: [UInt8]) -> ByteSource {
        if bytes.starts(with: [0x1F, 0x8B]), let gzip = try? GzipSource(MemorySource(bytes)) { return gzip }
        return MemorySource(bytes)
    }
}

/// What the harnesses share: loaded once per process (as in a real run), then used
/// for every input. Fuzzing runs one input at a time, so one set of ICU objects serves.
final class FuzzEngine: @unchecked Sendable {
    static let shared = FuzzEngine()

    let resources: Resources
    let processor: PageProcessor
    let decoder: PageDecoder
    let options: ReadOptions
    let normalizer = TextNormalizer()
    let words: WordSegmenter
    let pinyin: PinyinTransliterator
    let s2t: ChineseConverter
    let t2s: ChineseConverter
    var scratch = ChineseConverter.Scratch()

    private init() {
        do {
            let store = try LocaleStore.locate()
            resources = try Resources(store: store)
            processor = try PageProcessor(resources: resources)
            decoder = try PageDecoder()
            var options = ReadOptions()
            options.maxPageBytes = 1 << 20
            self.options = options
            words = WordSegmenter(data: resources.segmentation, icu: try Segmenter())
            pinyin = PinyinTransliterator(lexicon: resources.pinyin)
            s2t = resources.toTraditional
            t2s = resources.toSimplified
            // Loaded on the first translation otherwise, and opened on the first Han
            // character the lexicons lack, which would count against that input's time.
            _ = try resources.alignment.get()
            processor.prepare()
            pinyin.prepareFallback()
        } catch {
            // Not a finding: the harness cannot start without its data.
            FileHandle.standardError.write(Data("declproc-fuzz: cannot load Locales/: \(error)\n".utf8))
            exit(2)
        }
    }

    func filter(_ harness: FuzzHarness, _ line: String) {
        switch harness {
        case .normalize:
            var options = TextNormalizer.Options()
            options.form = line.utf8.count % 2 == 0 ? .nfc : .nfkc
            _ = try? TextNormalizer(options: options).normalize(line)
            _ = try? normalizer.normalize(line)
        case .convert:
            _ = s2t.convert(line) { (try? self.words.words(line)) ?? [] }
            _ = t2s.pieces(line)
            // The filter's byte path, on the same line as valid UTF-8.
            var output: [UInt8] = []
            Array(line.utf8).withUnsafeBufferPointer { bytes in
                s2t.convert(utf8: bytes, into: &output, scratch: &scratch) { (try? self.words.spans($0)) ?? [] }
            }
        case .segment:
            _ = try? words.words(line)
        case .transliterate:
            let tokens = (try? words.words(line)) ?? []
            _ = pinyin.transliterate(line, words: tokens)
            _ = pinyin.name(line)
            // The filter's byte path: readings chosen lazily, written as UTF-8.
            let scalars = Array(line.unicodeScalars)
            var output: [UInt8] = []
            pinyin.write(utf8: scalars, readings: pinyin.readings(scalars) { (try? self.words.spans(scalars)) ?? [] },
                         style: PinyinStyle(), into: &output)
        default:
            break
        }
    }
}
