#if canImport(Glibc)
import Glibc
#endif
import DeclprocAlign
import DeclprocCollections
import DeclprocCuration
import DeclprocExtract
import DeclprocHTML
import DeclprocICU
import DeclprocReader
import DeclprocRecords
import DeclprocText

/// What became of one page: records, or a reject with its reason.
public enum PageOutcome: Sendable {
    case page(PageRecord, statements: [StatementRecord])
    case rejected(Reject)
    /// Statements of a page with more than a part's worth, handed on as they are
    /// built (`pageID`: the page record's, which follows with the last of them): a
    /// page's records held at once grew with its statements, about 14 KB each, so a
    /// 14 MB page of 38,000 statements took 650 MB.
    case statements([StatementRecord], pageID: String)

    /// The statement records it carries (none for a reject).
    var records: [StatementRecord] {
        switch self {
        case .page(_, let statements), .statements(let statements, _): statements
        case .rejected: []
        }
    }
}

/// A failure of the caller's `emit`, kept apart from the page's own.
private struct EmitFailure<E: Error>: Error { let error: E }

/// What the reading stages made of a page, before records are built: kept for
/// `inspect`, which shows every decision.
public struct ReadPage {
    /// The page as read, without its bytes (see `PageProcessor.read`).
    public var raw: RawPage
    public var charset: CharsetDecision
    /// How the charset was decided, step by step (only when asked for).
    public var charsetTrace: [String]
    public var document: HTMLDocument
    public var metadata: PageMetadata
    public var blocks: [Block]
    public var mainContent: BlockExtractor.MainContent
    public var statements: [FoundStatement]
    public var script: String
    public var notes: [String]
}

/// The chain of stages for one page: decode → parse → blocks → main content and
/// statements → normalize → segment → transliterate → records.
///
/// Owns ICU objects (decoder, break iterators), so it is not thread-safe: one per task.
public final class PageProcessor {
    public let resources: Resources
    public let profile: SiteProfile?
    /// What to redact, and the key behind pseudonyms (`--redact`).
    public var redaction: (scope: RedactionScope, key: RedactionKey?) = ([], nil)
    private let decoder: PageDecoder
    private let segmenter: Segmenter
    private let words: WordSegmenter
    private let sentenceSegmenter: SentenceSegmenter
    private let normalizer = TextNormalizer()
    private let pinyin: PinyinTransliterator
    /// How every page is parsed: made once, with the attribute names the parse keeps
    /// told on a page's bytes (`HTMLParser.Options`).
    private let parseOptions: HTMLParser.Options
    /// Every record's `producer`, made once (each record then shares its storage).
    private let producer: [String: String]
    /// Made on the first translation (its data is loaded only then), and kept: it
    /// remembers the English words it has read.
    private var aligner: SentenceAligner?
    /// Words' syllable lists met lately, shared by the words read the same way.
    private var syllableLists = SyllableLists()
    /// What the class values of pages read so far say of their elements.
    private var classRoles = BlockExtractor.ClassRoles()
    /// The element names of pages parsed so far.
    private let elementNames = HTMLParser.NameCache()
    /// Charges each stage its CPU time (`--stage-times`); nil when not measured.
    public var clock: StageClock?
    /// The most statements handed on at once by `process(_:emit:)`.
    public var statementsPerPart = PageProcessor.defaultStatementsPerPart
    public static let defaultStatementsPerPart = 256

    public init(resources: Resources, profile: SiteProfile? = nil) throws(ICUError) {
        self.resources = resources
        self.profile = profile
        decoder = try PageDecoder()
        segmenter = try Segmenter()
        words = WordSegmenter(data: resources.segmentation, icu: segmenter)
        sentenceSegmenter = SentenceSegmenter(abbreviations: resources.abbreviations, icu: segmenter)
        pinyin = PinyinTransliterator(lexicon: resources.pinyin)
        parseOptions = HTMLParser.Options(xpaths: profile?.expressions ?? [], keepsScriptText: false,
                                          attributes: BlockExtractor.attributesRead)
        producer = ["declproc": Producer.version, "locales": resources.store.version, "schema_version": String(Schema.version)]
    }

    /// Opens now what the first page that needs it would otherwise open (ICU's
    /// Han-Latin, for characters the Pinyin lexicons lack): for callers that time
    /// each page, such as the fuzz harnesses.
    public func prepare() { pinyin.prepareFallback() }

    /// The page's outcome in one piece (its statements all together).
    public func process(_ raw: RawPage) -> PageOutcome {
        var statements: [StatementRecord] = []
        var last: PageOutcome? = nil
        process(raw) { (outcome: PageOutcome) in
            if case .statements(let part, _) = outcome { statements += part } else { last = outcome }
        }
        guard case .page(let page, let rest)? = last else { return last! }
        return .page(page, statements: statements + rest)
    }

    /// The page's outcome, its statements handed to `emit` in parts of at most
    /// `statementsPerPart` as they are built (`.statements`), then the page record with
    /// the last of them (`.page`), or a reject (`.rejected`, before any part). Only
    /// `emit`'s own errors are thrown.
    public func process<E: Error>(_ raw: consuming RawPage, emit: (PageOutcome) throws(E) -> Void) throws(E) {
        clock?.lap(.other)
        let source = raw.source
        // emit's failures pass through the page's own, which become a reject.
        do {
            var page = try read(raw, tracing: false)
            // The tree is not needed past extraction: a large page's is most of its memory.
            page.document = HTMLDocument()
            try records(from: page) { (outcome: PageOutcome) throws(EmitFailure<E>) in
                do throws(E) { try emit(outcome) } catch { throw EmitFailure(error: error) }
            }
        } catch let failure as EmitFailure<E> {
            throw failure.error
        } catch let reject as Reject {
            try emit(.rejected(reject))
        } catch {
            try emit(.rejected(Reject(input: source.path, position: source.position, reason: "internal error: \(error)")))
        }
    }

    /// The reading stages, with every decision kept; throws a `Reject` for a page
    /// that cannot be read. The page read keeps `raw`'s source and notes, not its
    /// bytes: they are let go once decoded, and the decoded text once parsed, so that
    /// neither stays through the later stages (a 20 MB page's heap peaked at 177 MB
    /// instead of 213 MB under massif; `docs/batch.md`, session 27). Taken as
    /// `consuming` so that a caller that hands its page over (the extraction loop, the
    /// workers) lets it go too.
    public func read(_ raw: consuming RawPage, tracing: Bool) throws -> ReadPage {
        let source = raw.source
        func reject(_ reason: String) -> Reject { Reject(input: source.path, position: source.position, reason: reason) }
        guard !raw.bytes.isEmpty else { throw reject("empty page (0 bytes)") }
        if let share = TextCheck.controlByteShare(raw.bytes), share > 0.02 {
            throw reject("not a text page: \(Self.percent(share)) of its first bytes are control bytes (binary content)")
        }

        // Stage: decode.
        var trace: [String] = []
        let charset: CharsetDecision, nulCount: Int, document: HTMLDocument
        do {
            var (text, decided) = try decoder.decodeUTF8(raw, trace: tracing ? { trace.append($0) } : nil)
            charset = decided
            raw.bytes = []
            // libxml2 takes NUL for the end of the input and would drop the rest of the
            // page; the HTML standard reads NUL as U+FFFD, and so do we.
            nulCount = text.replaceNUL()
            if let share = TextCheck.binaryShare(text.bytes), share > 0.1 {
                throw reject("not a text page: \(Self.percent(share)) of its characters are control codes or undecodable (\(charset.name))")
            }
            clock?.lap(.decode)

            // Stage: parse (evaluating a profile's expressions on libxml2's tree) and split into blocks.
            document = HTMLParser.parse(text, options: parseOptions, names: elementNames)
        }
        var metadata = BlockExtractor.metadata(of: document)
        let blocks = BlockExtractor.blocks(of: document, classRoles: &classRoles)
        let main = BlockExtractor.mainContent(blocks, in: document)
        clock?.lap(.parse)

        // Stage: statements, from the profile's items or the generic rules.
        let statements: [FoundStatement]
        if let item = profile?.item {
            statements = SiteProfile.texts(item, in: document).map {
                FoundStatement(text: $0, blockIndex: -1, translation: nil, rule: "profile item \(item)")
            }
        } else {
            statements = resources.statements.statements(in: blocks)
        }

        // Stage: page metadata, the profile's first.
        if let title = SiteProfile.texts(profile?.title, in: document).first { metadata.title = title }
        if let author = SiteProfile.texts(profile?.author, in: document).first { metadata.author = author }
        if let date = SiteProfile.texts(profile?.date, in: document).lazy.compactMap({ DateFinder.dates(in: $0).first?.iso }).first {
            metadata.published = date
        }
        if metadata.published == nil {
            // A dateline near the top: in the title, or the first blocks of the page.
            let candidates = [metadata.title ?? ""] + blocks.prefix(8).filter { !$0.boilerplate }.map(\.text)
            metadata.published = candidates.lazy.compactMap { DateFinder.dates(in: $0).first?.iso }.first { $0.count == 10 }
        }
        let script = resources.scripts.classify(lines: main.blocks.lazy.map { blocks[$0].text },
                                                page: ScriptDetector.PageLanguage(metadata.lang)).script
        var notes = raw.notes
        if document.nodesBeyondDepthCap > 0 {
            notes.append("markup nested deeper than \(parseOptions.maxDepth) levels: \(document.nodesBeyondDepthCap) nodes kept at that depth")
        }
        if charset.invalidBytes > 0 { notes.append("\(charset.invalidBytes) bytes could not be decoded as \(charset.name)") }
        if nulCount > 0 { notes.append("\(nulCount) NUL characters read as U+FFFD") }
        clock?.lap(.extract)
        return ReadPage(raw: raw, charset: charset, charsetTrace: trace, document: document, metadata: metadata,
                        blocks: blocks, mainContent: main, statements: statements, script: script, notes: notes)
    }

    /// The record-building stages. With redaction on, names found anywhere on the
    /// page and contacts are replaced in the statement text before anything is
    /// derived from it, so no normalized, converted or romanized form can keep them.
    func records<E: Error>(from page: ReadPage, emit: (PageOutcome) throws(E) -> Void) throws {
        var source = page.raw.source
        let declarations = page.statements.map { resources.declarations.read($0) }
        clock?.lap(.declaration)
        let redactor = Redactor(
            scope: redaction.scope, key: redaction.key,
            names: declarations.flatMap { $0.declarants.map(\.name) },
            simplify: { self.resources.toSimplified.convert($0) }, traditional: { self.resources.toTraditional.convert($0) },
            pinyin: pinyin)
        var metadata = page.metadata
        var mainText = page.mainContent.blocks.map { page.blocks[$0].text }.joined(separator: "\n")
        if redactor.isActive {
            source.path = redactor.redact(source.path).text
            source.url = source.url.map(redactor.redactURL)
            metadata.title = metadata.title.map { redactor.redact($0).text }
            metadata.author = metadata.author.map { redactor.redact($0).text }
            mainText = redactor.redact(mainText).text
        }
        let pageID = RecordID.make([source.path, String(source.position)])
        // The page's declared language, read once for all its statements' classification.
        let pageLanguage = ScriptDetector.PageLanguage(metadata.lang)
        var statements: [StatementRecord] = []
        var handedOn = 0
        var notes = page.notes
        let partSize = max(1, statementsPerPart)
        clock?.lap(.records)
        for (position, statement) in page.statements.enumerated() {
            if statements.count == partSize {
                try emit(.statements(statements, pageID: pageID))
                handedOn += statements.count
                statements.removeAll(keepingCapacity: true)
            }
            do {
                statements.append(try record(for: statement, declaration: declarations[position], redactor: redactor, position: position,
                                             source: source, metadata: metadata, pageLanguage: pageLanguage, charset: page.charset))
            } catch where handedOn > 0 {
                // Past its first part the page is partly written: a statement that
                // fails is noted on the page, where before it the page is a reject.
                notes.append("statement \(position) could not be processed: \(error)")
            }
        }
        let record = PageRecord(
            id: pageID,
            source: .init(path: source.path, position: source.position, url: source.url,
                          warcRecordID: source.warcRecordID, warcDate: source.warcDate),
            charset: .init(name: page.charset.name, decidedBy: page.charset.decidedBy.rawValue,
                           invalidBytes: page.charset.invalidBytes, declared: page.charset.declared),
            title: metadata.title, lang: metadata.lang, script: page.script, published: metadata.published,
            author: metadata.author, text: mainText, statements: handedOn + statements.count, notes: notes)
        clock?.lap(.records)
        try emit(.page(record, statements: statements))
    }

    /// Stages: redact, normalize, classify, segment, transliterate, align — for one statement.
    private func record(for statement: FoundStatement, declaration found: Declaration, redactor: Redactor, position: Int,
                        source: PageSource, metadata: PageMetadata, pageLanguage: ScriptDetector.PageLanguage,
                        charset: CharsetDecision) throws -> StatementRecord {
        var original = statement.text
        var found = found
        var translationText = statement.translation
        if redactor.isActive {
            let (text, offsets) = redactor.redact(original)
            original = text
            for k in found.declarants.indices {
                found.declarants[k].name = redactor.pseudonym(for: found.declarants[k].name) ?? redactor.redact(found.declarants[k].name).text
                found.declarants[k].start = offsets.map(found.declarants[k].start)
                found.declarants[k].end = offsets.map(found.declarants[k].end)
            }
            if var date = found.date {
                date.start = offsets.map(date.start); date.end = offsets.map(date.end); found.date = date
            }
            if var place = found.place {
                place.start = offsets.map(place.start); place.end = offsets.map(place.end); found.place = place
            }
            translationText = translationText.map { redactor.redact($0).text }
        }
        let normalized = try normalizer.normalize(original)
        let classified = resources.scripts.classify(normalized.text, page: pageLanguage)
        let map = normalized.offsets
        clock?.lap(.normalize)
        var sentenceWords: [(Token, [Token])] = []
        var allWords: [Range<Int>] = [] // in normalized-text offsets, for Pinyin's phrase choice and conversion
        // The sentences' words in one call to ICU (its set-up costs as much as a short sentence).
        let sentenceList = try sentenceSegmenter.sentences(scalars: normalized.scalars)
        let wordLists = try self.words.words(each: sentenceList.map(\.text))
        // Made at their size: grown sentence by sentence (through a list of each
        // sentence's spans), they were two allocations a sentence.
        allWords.reserveCapacity(wordLists.reduce(0) { $0 + $1.count })
        sentenceWords.reserveCapacity(sentenceList.count)
        for (sentence, words) in zip(sentenceList, wordLists) {
            for word in words { allWords.append((sentence.start + word.start)..<(sentence.start + word.end)) }
            sentenceWords.append((sentence, words))
        }
        clock?.lap(.segment)
        // As normalizing made them, for the readings, the words' syllables and both written styles.
        let normalizedScalars = normalized.scalars
        let hasHan = normalizedScalars.contains(where: \.isHan)
        // The syllables once, for the words and both styles.
        let syllableOf = hasHan ? pinyin.syllables(normalizedScalars) { allWords } : []
        clock?.lap(.transliterate)
        // The table of lists held here while the words are made (as a property, each
        // word's use of it was an exclusive access checked at run time).
        var syllableLists = SyllableLists.idle
        swap(&syllableLists, &self.syllableLists)
        defer { swap(&syllableLists, &self.syllableLists) }
        let sentences = sentenceWords.map { sentence, words in
            SentenceRecord(
                text: sentence.text, start: map[sentence.start], end: map[sentence.end],
                words: words.map { word in
                    let range = (sentence.start + word.start)..<(sentence.start + word.end)
                    let syllables = hasHan ? syllableLists.list(range, normalizedScalars, syllableOf) : []
                    return Span(text: word.text, start: map[range.lowerBound], end: map[range.upperBound], pinyin: syllables)
                })
        }
        clock?.lap(.records)
        var pinyinText: String? = nil
        var pinyinNumbers: String? = nil
        if hasHan {
            (pinyinText, pinyinNumbers) = pinyin.write(scalars: normalizedScalars, syllables: syllableOf,
                                                       styles: PinyinStyle(tones: .marks), PinyinStyle(tones: .numbers))
        }
        clock?.lap(.transliterate)
        var translation: StatementRecord.Translation? = nil
        if let translationText {
            let text = try normalizer.normalize(translationText).text
            translation = try align(statement: sentences.map(\.text), statementLang: classified.lang, translation: text)
        }
        clock?.lap(.align)
        let declaration = DeclarationFields(
            kind: found.kind, organizations: found.organizations,
            declarants: found.declarants.map { d in
                // A pseudonym stands for the name in every form, Latin included.
                let latin = redactor.scope.contains(.names) ? d.name
                    : d.name.unicodeScalars.contains(where: \.isHan) ? pinyin.name(d.name, style: PinyinStyle(tones: .none)) : nil
                return .init(name: d.name, alias: d.alias, latin: latin, start: d.start, end: d.end, confidence: d.confidence)
            },
            date: found.date.map { .init(value: $0.value, text: $0.text, start: $0.start, end: $0.end, confidence: $0.confidence) },
            place: found.place.map { .init(province: $0.province, city: $0.city, text: $0.text, start: $0.start, end: $0.end,
                                           confidence: $0.confidence) })
        clock?.lap(.transliterate)
        let simplified = hasHan ? resources.toSimplified.convert(scalars: normalizedScalars, wordSpans: nil) : nil
        let traditional = hasHan ? resources.toTraditional.convert(scalars: normalizedScalars, wordSpans: { allWords }) : nil
        clock?.lap(.convert)
        defer { clock?.lap(.records) }
        return StatementRecord(
            id: RecordID.make([source.path, String(source.position), String(position)]),
            source: .init(path: source.path, url: source.url, title: metadata.title, position: position, page: source.position,
                          published: metadata.published),
            lang: classified.lang, script: classified.script,
            text: .init(original: original, normalized: normalized.text, pinyin: pinyinText, pinyinNumbers: pinyinNumbers,
                        simplified: simplified, traditional: traditional),
            sentences: sentences, translation: translation, declaration: declaration,
            charset: .init(name: charset.name, decidedBy: charset.decidedBy.rawValue, invalidBytes: charset.invalidBytes,
                           declared: charset.declared),
            producer: producer,
            redacted: redactor.scope.labels)
    }

    /// The translation cut into sentences and aligned with the statement's: beads
    /// as links, and an overall score weighted by the characters each bead covers.
    func align(statement: [String], statementLang: String, translation text: String) throws -> StatementRecord.Translation {
        let lang = resources.scripts.classify(text).lang
        let sentences = try sentenceSegmenter.sentences(text).map { $0.text.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !statement.isEmpty, !sentences.isEmpty else { return .init(text: text, lang: lang) }
        if self.aligner == nil { self.aligner = SentenceAligner(data: try resources.alignment.get()) }
        let aligner = self.aligner!
        let statementIsChinese = statementLang.hasPrefix("zh") || !lang.hasPrefix("zh")
        let beads = statementIsChinese ? aligner.align(zh: statement, en: sentences) : aligner.align(zh: sentences, en: statement)
        var weighted = 0.0, total = 0.0
        let links = beads.map { bead -> StatementRecord.Translation.Link in
            let zhSide = Array(bead.zh), enSide = Array(bead.en)
            let chars = zhSide.reduce(0) { $0 + (statementIsChinese ? statement : sentences)[$1].characterCount }
                + enSide.reduce(0) { $0 + (statementIsChinese ? sentences : statement)[$1].characterCount }
            let score = (bead.zh.isEmpty || bead.en.isEmpty) ? 0 : bead.score
            weighted += score * Double(chars)
            total += Double(chars)
            let rounded = (score * 1000).rounded() / 1000
            return statementIsChinese ? .init(statement: zhSide, translation: enSide, score: rounded)
                                      : .init(statement: enSide, translation: zhSide, score: rounded)
        }
        let score = total > 0 ? (weighted / total * 1000).rounded() / 1000 : nil
        return .init(text: text, lang: lang, score: score, sentences: sentences, links: links)
    }

    static func percent(_ share: Double) -> String {
        share >= 0.01 ? "\(Int((share * 100).rounded()))%" : "<1%"
    }

}

/// declproc's own version, as records and `--version` report it.
public enum Producer {
    public static let version = "0.3.0"
}

/// A word's `pinyin` list (one syllable with tone marks per Han character), kept by
/// the syllables it is made of: words recur, and the same word read the same way
/// gets the same list, an array shared by its records instead of one allocated for
/// each word (the largest source of allocations on the web corpus: 454,000 of 3.8
/// million). A direct-mapped table of the last lists of one to four syllables, by
/// their syllables' identities; a list holds nothing but the syllables' `marked`
/// forms, so a list found is the list that would be made. A syllable's identity is
/// never another's (`PinyinSyllable.identity`), so a key stands for its syllables alone.
struct SyllableLists {
    private static let slots = 4096
    private static let width = 4
    private var keys = [UInt](filledWith: 0, count: SyllableLists.slots * SyllableLists.width)
    private var lists = [[String]](filledWith: [], count: SyllableLists.slots)

    init() {}

    private init(idle: Void) {
        keys = []
        lists = []
    }

    /// A table of no room that stands in for a processor's while it is in use.
    static let idle = SyllableLists(idle: ())

    mutating func list(_ range: Range<Int>, _ scalars: [Unicode.Scalar], _ syllables: [PinyinSyllable?]) -> [String] {
        var key = (UInt(0), UInt(0), UInt(0), UInt(0))
        var count = 0
        for i in range where scalars[i].isHan {
            guard count < Self.width, let syllable = syllables[i] else { return Self.make(range, scalars, syllables) }
            let id = syllable.identity
            switch count {
            case 0: key.0 = id
            case 1: key.1 = id
            case 2: key.2 = id
            default: key.3 = id
            }
            count += 1
        }
        if count == 0 { return [] }
        // Unused places stay 0, which no object's address is: lists of different lengths differ.
        let mixed = (key.0 &* 0x9E37_79B9_7F4A_7C15) ^ (key.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (key.2 &* 0x1656_67B1_9E37_79F9)
            ^ (key.3 &* 0x27D4_EB2F_1656_67C5)
        let slot = Int(truncatingIfNeeded: (mixed ^ mixed >> 29) & UInt(Self.slots - 1))
        let base = slot * Self.width
        if keys[base] == key.0, keys[base + 1] == key.1, keys[base + 2] == key.2, keys[base + 3] == key.3 { return lists[slot] }
        let made = Self.make(range, scalars, syllables)
        (keys[base], keys[base + 1], keys[base + 2], keys[base + 3]) = key
        lists[slot] = made
        return made
    }

    /// The list made afresh; sized at the first Han character (grown one syllable at a
    /// time, the lists cost an array reallocation for most words).
    static func make(_ range: Range<Int>, _ scalars: [Unicode.Scalar], _ syllables: [PinyinSyllable?]) -> [String] {
        var list: [String] = []
        for i in range where scalars[i].isHan {
            if list.isEmpty { list.reserveCapacity(range.upperBound - i) }
            list.append(syllables[i]?.marked ?? String(scalars[i]))
        }
        return list
    }
}
