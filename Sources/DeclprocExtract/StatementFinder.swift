import DeclprocICU
import DeclprocLocales
import DeclprocText
import Foundation

/// The words that mark a first-person declaration in one language
/// (`Locales/<lang>/statements.json`).
///
/// A class: the finder picks one of two for every block and piece it looks at, and
/// copying a struct of twenty lists and strings cost a retain and release of each.
public final class StatementPatterns: Sendable {
    public let language: String
    public let firstPerson: [String]
    public let cues: [String]
    /// Organization key ("party", "youth_league", "young_pioneers", "all") → words.
    public let organizations: [String: [String]]
    public let quotes: [(open: String, close: String)]
    public let translationMarkers: [String]
    public let minCharacters: Int
    public let maxCharacters: Int
    /// Words that open a signature line (声明人：…, Signed: …).
    public let signatureMarkers: [String]
    /// A line opening with one of these (——, —) is a signature.
    public let signatureDashes: [String]
    /// Whole-line date patterns.
    public let datePatterns: [RegularExpression]
    /// The most characters (whitespace aside) a date line has: longer lines, most of
    /// the lines asked about, are not handed to the patterns (each converted the
    /// whole line to UTF-16 for a match that failed at its first character).
    public let dateMaxCharacters: Int
    /// The lists above, compiled for searching (whole words in languages written with spaces).
    let firstPersonWords: CueWords
    let cueWords: CueWords
    let organizationWords: [(key: String, words: CueWords)]
    let translationMarkerWords: CueWords
    /// The quotation marks whose inside is not the writer's own words, as UTF-8; a
    /// mark that closes itself (a plain `"`) cannot tell inside from outside.
    let quotePairs: [(open: [UInt8], close: [UInt8])]
    /// The first scalars of the signature markers and dashes.
    let signatureFirsts: Set<Unicode.Scalar>
    /// Whether some marker or dash has a letter with case: only then is a line
    /// lowercased to be compared with them (a Chinese marker is the same in any case,
    /// and so is a line that starts with it).
    let signatureHasCase: Bool
    /// The markers' and dashes' UTF-8, compared with a line's bytes before anything else.
    let signatureMarkerBytes: [[UInt8]], signatureDashBytes: [[UInt8]]
    /// Markers of ideographs (U+4E00–U+9FFF) and ASCII letters alone: the scalars whose
    /// Characters are themselves, whatever follows (no mark or joiner extends them
    /// when a space or colon comes next).
    let signatureMarkerIsPlain: [Bool]

    public init(store: LocaleStore, language: String) throws(LocaleStore.MissingData) {
        let path = "\(language)/statements.json"
        let data = try store.data(path)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let firstPerson = object["first_person"] as? [String], let cues = object["cues"] as? [String],
              let organizations = object["organizations"] as? [String: [String]]
        else { throw LocaleStore.MissingData(path: store.url(path).path, reason: "not the expected JSON (first_person, cues, organizations)") }
        self.language = language
        self.firstPerson = firstPerson
        self.cues = cues
        self.organizations = organizations
        quotes = ((object["quotes"] as? [[String]]) ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        translationMarkers = (object["translation_markers"] as? [String]) ?? []
        minCharacters = (object["min_characters"] as? Int) ?? 10
        maxCharacters = (object["max_characters"] as? Int) ?? 5000
        signatureMarkers = (object["signature_markers"] as? [String]) ?? []
        signatureDashes = (object["signature_dashes"] as? [String]) ?? []
        var patterns: [RegularExpression] = []
        for pattern in (object["date_patterns"] as? [String]) ?? [] {
            guard let regex = try? RegularExpression(pattern, caseInsensitive: true) else {
                throw LocaleStore.MissingData(path: store.url(path).path, reason: "date pattern does not compile: \(pattern)")
            }
            patterns.append(regex)
        }
        datePatterns = patterns
        dateMaxCharacters = (object["date_max_characters"] as? Int) ?? .max
        let wholeWords = language != "zh"
        firstPersonWords = CueWords(firstPerson, wholeWords: wholeWords)
        cueWords = CueWords(cues, wholeWords: wholeWords)
        organizationWords = organizations.keys.sorted().map { ($0, CueWords(organizations[$0]!, wholeWords: wholeWords)) }
        translationMarkerWords = CueWords(translationMarkers, wholeWords: false)
        quotePairs = quotes.filter { $0.open != $0.close }.map { (Array($0.open.utf8), Array($0.close.utf8)) }
        signatureFirsts = Set((signatureMarkers + signatureDashes).compactMap(\.unicodeScalars.first))
        signatureHasCase = (signatureMarkers + signatureDashes).contains { $0.unicodeScalars.contains { $0.properties.isCased } }
        signatureMarkerBytes = signatureMarkers.map { Array($0.utf8) }
        signatureMarkerIsPlain = signatureMarkers.map { marker in
            !marker.isEmpty && marker.unicodeScalars.allSatisfy { s in
                (0x4E00...0x9FFF).contains(s.value) || ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
            }
        }
        signatureDashBytes = signatureDashes.map { Array($0.utf8) }
    }

    /// A line that is a signature (声明人：张三, ——李四 北京, Signed: …).
    public func isSignature(_ line: String) -> Bool {
        // Lowercasing every line of every block cost 2.5% of `extract`; a line whose first
        // scalar, lowercased, opens no marker or dash cannot be a signature.
        guard let first = line.unicodeScalars.first else { return signatureDashes.contains("") || signatureMarkers.contains("") }
        guard mayOpenSignature(first) else { return false }
        // Markers without case (all of Chinese's) open a line as they open it lowercased,
        // and what follows them (spaces, a colon) is the same either way.
        let lower = signatureHasCase ? line.lowercasedQuickly() : line
        // String.hasPrefix compares Characters (1,300 instructions a call here): the
        // UTF-8 bytes are compared first, and only a byte match asks it to confirm. So a
        // line that spells a marker in another normalization form (decomposed, or with a
        // compatibility ideograph) no longer matches it; the first-scalar test above
        // already held lines to the markers' own scalars. After a marker, the colon is
        // looked for in the bytes too (spaces, then ":" or "："), which any line the
        // Characters' test passes has, and only then confirmed by Characters.
        return lower.withUTF8Bytes { bytes in
            for (k, dash) in signatureDashBytes.enumerated() where bytes.starts(with: dash) && lower.hasPrefix(signatureDashes[k]) {
                return true
            }
            for (k, marker) in signatureMarkerBytes.enumerated() where bytes.starts(with: marker) {
                var i = marker.count
                while i < bytes.count, bytes[i] == 0x20 { i += 1 }
                let colon = i < bytes.count && (bytes[i] == 0x3A
                    || (i + 2 < bytes.count && bytes[i] == 0xEF && bytes[i + 1] == 0xBC && bytes[i + 2] == 0x9A))
                guard colon else { continue }
                // A plain marker, spaces and a colon followed by the end, ASCII or an
                // ideograph are the Characters their bytes spell: no Character test needed.
                let after = i + (bytes[i] == 0x3A ? 1 : 3)
                if signatureMarkerIsPlain[k], after == bytes.count || bytes[after] < 0x80 || (0xE4...0xE9).contains(bytes[after]) { return true }
                guard lower.hasPrefix(signatureMarkers[k]) else { continue }
                let rest = lower.dropFirst(signatureMarkers[k].count).drop { $0 == " " }
                if let next = rest.first, next == ":" || next == "：" { return true }
            }
            return false
        }
    }

    /// Whether a line that starts with `first` may be a signature: its first scalar,
    /// lowercased, opens a marker or dash.
    func mayOpenSignature(_ first: Unicode.Scalar) -> Bool {
        signatureFirsts.contains(Unicode.Scalar.lowercaseMappingIfChanged(first.value)?.unicodeScalars.first ?? first)
    }

    /// A line that is only a date.
    func isDate(_ line: String) -> Bool {
        guard !datePatterns.isEmpty, !line.hasMoreVisibleScalars(than: dateMaxCharacters) else { return false }
        let units = [UInt16](utf16Of: line.trimmingSpaces())
        return datePatterns.contains { $0.matches(in: units) }
    }
}

/// A statement found on a page: its text (one block, part of a block, or a block
/// with the signature lines that follow it), and the text translating it, if any.
public struct FoundStatement: Sendable, Equatable {
    /// The statement's text, lines separated by "\n".
    public var text: String {
        didSet {
            textWasAssessed = false
            textLanguage = nil
        }
    }
    /// The block it starts in.
    public var blockIndex: Int
    public var translation: String?
    /// Which rule found it, for `inspect`.
    public var rule: String {
        get {
            switch found {
            case .named(let rule): rule
            case .assessed(let assessment, let split): split ? "split at signatures; " + assessment.reason : assessment.reason
            }
        }
        set { found = .named(newValue) }
    }

    /// The rule as found: put into words only when asked (`inspect` asks, extraction
    /// never does), which was a string built for every statement.
    private var found: Found
    private enum Found: Sendable, Equatable {
        case named(String)
        case assessed(Assessment, split: Bool)
    }

    public init(text: String, blockIndex: Int, translation: String?, rule: String) {
        self.text = text
        self.blockIndex = blockIndex
        self.translation = translation
        found = .named(rule)
    }

    /// Found by an assessment, of a whole block or (`split`) of a piece of one;
    /// `wasAssessed`: the text is the one assessed (no lines joined to it).
    init(text: String, blockIndex: Int, assessment: Assessment, split: Bool, wasAssessed: Bool) {
        self.text = text
        self.blockIndex = blockIndex
        translation = nil
        found = .assessed(assessment, split: split)
        textWasAssessed = wasAssessed
    }

    /// Whether `text` is still the text the assessment read.
    private var textWasAssessed = false
    /// The language of the patterns for `text` (`StatementFinder.patterns(for:)`),
    /// when the finder worked it out for this text: the declaration reader takes it.
    public internal(set) var textLanguage: String?

    /// The organizations the assessment found in `text`, and the language of the
    /// patterns it used, while `text` is the text it read: reading the declaration
    /// searched every statement for them again (an eighth of the cue-word searches).
    public var assessedOrganizations: (language: String, keys: [String])? {
        guard textWasAssessed, case .assessed(let assessment, _) = found,
              case .statement(_, _, let keys) = assessment.why else { return nil }
        return (assessment.language, keys)
    }

    /// The same statement: whether its assessment's organizations are at hand is no part of it.
    public static func == (a: FoundStatement, b: FoundStatement) -> Bool {
        a.text == b.text && a.blockIndex == b.blockIndex && a.translation == b.translation && a.found == b.found
    }
}

/// Why a block is, or is not, a statement.
public struct Assessment: Sendable, Equatable {
    public var isStatement: Bool
    public var language: String
    /// Why, in words: made when asked (`inspect`), not for every block assessed.
    public var reason: String {
        switch why {
        case .tooShort(let length, let least): "too short (\(length) < \(least) characters)"
        case .tooLong(let length, let most): "too long (\(length) > \(most) characters)"
        case .noFirstPerson(let quoted): quoted ? "no first-person word" : "no first-person word outside quotation marks"
        case .noDeclaringWord: "no declaring word"
        case .noOrganization: "no organization named"
        case .statement(let person, let cue, let organizations):
            "first person “\(person)”, declaring “\(cue)”, \(organizations.joined(separator: "+"))"
        case .furniture: "page furniture (navigation, header, footer, ads)"
        case .mostlyLinks: "mostly links"
        }
    }

    let why: Why

    enum Why: Sendable, Equatable {
        case tooShort(Int, least: Int), tooLong(Int, most: Int), noFirstPerson(quoted: Bool), noDeclaringWord, noOrganization
        case statement(person: String, cue: String, organizations: [String])
        case furniture, mostlyLinks
    }
}

/// Finds the statements among a page's blocks: first-person text that declares
/// leaving (or supporting those who leave) the Party, League or Pioneers.
///
/// The rule is deliberately about the writer, not the topic: news prose and
/// site blurbs talk about declarations in the third person, and forum replies
/// chat in the first person about other things; only text with all three —
/// a first-person voice outside quotation marks, a declaring word, and an
/// organization — is a statement.
///
/// List pages often put several declarations in one block, each closed by its
/// signature and date; such blocks are split at their signatures. Signature
/// lines that stand in blocks of their own are joined to the statement before them.
public struct StatementFinder: Sendable {
    public let chinese: StatementPatterns
    public let english: StatementPatterns
    /// A heading that announces a translation, in either language.
    let translationHeadings: CueWords

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        chinese = try StatementPatterns(store: store, language: "zh")
        english = try StatementPatterns(store: store, language: "en")
        translationHeadings = CueWords(chinese.translationMarkers + english.translationMarkers, wholeWords: false)
    }

    public func statements(in blocks: [Block]) -> [FoundStatement] {
        var found: [FoundStatement] = []
        var consumed = Set<Int>()
        for (index, block) in blocks.enumerated() where !consumed.contains(index) {
            guard usable(block) else { continue }
            let pieces = split(block)
            var foundHere: [FoundStatement] = []
            var leading: [String] = []
            for piece in pieces {
                // A block that is one piece has its profile from the block splitter.
                let verdict = assess(text: piece, quoted: block.quoted, profile: pieces.count == 1 ? block.profile : LanguageProfile(piece))
                guard verdict.isStatement else {
                    // Lines that are no statement of their own (a place and date after a
                    // signature, an intro before the first one) stay with their neighbour.
                    if foundHere.isEmpty { leading.append(piece) } else { foundHere[foundHere.count - 1].text += "\n" + piece }
                    continue
                }
                let text = (leading + [piece]).joined(separator: "\n")
                foundHere.append(FoundStatement(text: text, blockIndex: index, assessment: verdict, split: pieces.count > 1,
                                                wasAssessed: leading.isEmpty))
                leading = []
            }
            guard var last = foundHere.popLast() else { continue }
            // Signature and date lines in the blocks that follow belong to the last statement.
            var next = index + 1
            while next < blocks.count, usable(blocks[next]), signatureOnly(blocks[next]) {
                last.text += "\n" + blocks[next].text
                consumed.insert(next)
                next += 1
            }
            let language = patterns(for: last.text).language
            if language == "zh", let (translationIndex, translation) = translation(after: next - 1, in: blocks) {
                last.translation = translation.text
                consumed.insert(translationIndex)
            }
            last.textLanguage = language
            found += foundHere + [last]
        }
        return found
    }

    func usable(_ block: Block) -> Bool { !block.boilerplate && block.linkDensity < 0.5 }

    /// A block of only signature and date lines.
    func signatureOnly(_ block: Block) -> Bool {
        let lines = block.text.lines().map(String.init)
        let p = patterns(for: block.profile)
        // Chinese dates close English statements too; a Chinese block's are asked once.
        let alsoChinese = p !== chinese
        return !lines.isEmpty && lines.allSatisfy { p.isSignature($0) || p.isDate($0) || (alsoChinese && chinese.isDate($0)) }
    }

    /// The block's text cut after each signature (with the date lines that follow
    /// it), when that leaves more than one piece; otherwise the whole text.
    func split(_ block: Block) -> [String] {
        // Fewer than two line feeds make fewer than three lines: most blocks are told
        // so without cutting them into lines.
        let lineFeeds = block.text.withUTF8Bytes { bytes -> Int in
            guard let base = bytes.baseAddress, let first = memchr(base, 0x0A, bytes.count) else { return 0 }
            let after = base.distance(to: first.assumingMemoryBound(to: UInt8.self)) + 1
            return after < bytes.count && memchr(base + after, 0x0A, bytes.count - after) != nil ? 2 : 1
        }
        guard lineFeeds >= 2 else { return [block.text] }
        let lines = block.text.lines().map(String.init)
        guard lines.count >= 3 else { return [block.text] }
        let p = patterns(for: block.profile)
        var pieces: [[String]] = [[]]
        var closing = false
        for line in lines {
            let signature = p.isSignature(line) || p.isDate(line)
            if closing && !signature && !pieces.last!.isEmpty { pieces.append([]) }
            pieces[pieces.count - 1].append(line)
            // A piece closes after a signature or date line that follows its body.
            closing = signature && pieces.last!.count > 1
        }
        let texts = pieces.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") }
        return texts.count > 1 ? texts : [block.text]
    }

    /// Whether a text is a statement, and why.
    public func assess(text: String, quoted: Bool) -> Assessment {
        assess(text: text, quoted: quoted, profile: LanguageProfile(text))
    }

    /// `profile`: the text's (`LanguageProfile(text)`), where the caller has it.
    func assess(text: String, quoted: Bool, profile: LanguageProfile) -> Assessment {
        let p = patterns(for: profile)
        let length = profile.visibleCharacters
        func no(_ why: Assessment.Why) -> Assessment { Assessment(isStatement: false, language: p.language, why: why) }
        if length < p.minCharacters { return no(.tooShort(length, least: p.minCharacters)) }
        if length > p.maxCharacters { return no(.tooLong(length, most: p.maxCharacters)) }
        let words = p.language != "zh"
        let haystack = words ? text.lowercasedQuickly() : text
        let unquoted = quoted ? haystack : removingQuotations(haystack, p.quotePairs)
        guard let person = p.firstPersonWords.firstPattern(in: unquoted) else { return no(.noFirstPerson(quoted: quoted)) }
        guard let cue = p.cueWords.firstPattern(in: haystack) else { return no(.noDeclaringWord) }
        let organizations = organizationKeys(in: text, patterns: p)
        guard !organizations.isEmpty else { return no(.noOrganization) }
        return Assessment(isStatement: true, language: p.language, why: .statement(person: person, cue: cue, organizations: organizations))
    }

    /// Whether a block is a statement (as a whole), and why; nil reason for page furniture.
    public func assess(_ block: Block) -> Assessment {
        if block.boilerplate { return Assessment(isStatement: false, language: "", why: .furniture) }
        if block.linkDensity >= 0.5 { return Assessment(isStatement: false, language: "", why: .mostlyLinks) }
        return assess(text: block.text, quoted: block.quoted)
    }

    /// The patterns of a language `patterns(for:)` gave ("zh", else English's).
    public func patterns(language: String) -> StatementPatterns {
        language == chinese.language ? chinese : english
    }

    public func patterns(for text: String) -> StatementPatterns {
        patterns(for: LanguageProfile(text))
    }

    func patterns(for profile: LanguageProfile) -> StatementPatterns {
        profile.isMostlyChinese ? chinese : english
    }

    /// Organization keys a text mentions ("party", "youth_league", "young_pioneers"; "all" for 三退).
    public func organizations(in text: String, patterns: StatementPatterns) -> Set<String> {
        Set(organizationKeys(in: text, patterns: patterns))
    }

    /// The same keys in sorted order, without a set to hash them into.
    func organizationKeys(in text: String, patterns: StatementPatterns) -> [String] {
        let words = patterns.language != "zh"
        let haystack = words ? text.lowercasedQuickly() : text
        // Room for every key first: grown from empty, the list was reallocated for
        // the second key of most statements.
        var keys: [String] = []
        keys.reserveCapacity(patterns.organizationWords.count)
        for (key, needles) in patterns.organizationWords where needles.firstPattern(in: haystack) != nil { keys.append(key) }
        return keys
    }

    /// A translation follows a Chinese statement when a marker says so: a short
    /// heading naming a translation, or an English block that opens with one.
    private func translation(after index: Int, in blocks: [Block]) -> (Int, Block)? {
        var next = index + 1
        var marked = false
        if next < blocks.count, !blocks[next].text.hasMoreScalars(than: 40),
           translationHeadings.firstPattern(in: blocks[next].text.lowercasedQuickly()) != nil {
            marked = true
            next += 1
        }
        guard next < blocks.count else { return nil }
        let candidate = blocks[next]
        guard !candidate.boilerplate, !candidate.profile.isMostlyChinese,
              candidate.characters >= english.minCharacters else { return nil }
        // The opening lowercased, not the whole block: lowercasing maps each character
        // on its own, so the first thirty characters are the same either way.
        let opensWithMarker = english.translationMarkerWords.firstPattern(in: String(candidate.text.prefix(30)).lowercasedQuickly()) != nil
        return marked || opensWithMarker ? (next, candidate) : nil
    }

    /// The text with everything between paired quotation marks removed.
    private func removingQuotations(_ text: String, _ quotes: [(open: [UInt8], close: [UInt8])]) -> String {
        // Most texts hold none of the marks: they are looked for in the text's own
        // storage, and the text is copied only when one opens a quotation.
        guard let firstQuote = text.withUTF8Bytes({ bytes in
            quotes.firstIndex { open, _ in open.withUnsafeBufferPointer { UTF8Search.firstIndex(of: $0, in: bytes, from: 0) != nil } }
        }) else { return text }
        var bytes = Array(text.utf8)
        for (open, close) in quotes[firstQuote...] {
            guard UTF8Search.firstIndex(of: open, in: bytes, from: 0) != nil else { continue }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                if let start = UTF8Search.firstIndex(of: open, in: bytes, from: i) {
                    guard let end = UTF8Search.firstIndex(of: close, in: bytes, from: start + open.count) else {
                        output += bytes[i...]
                        i = bytes.count
                        break
                    }
                    output += bytes[i..<start]
                    i = end + close.count
                } else {
                    output += bytes[i...]
                    i = bytes.count
                }
            }
            bytes = output
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Counts that say which language a text is mostly in, how many characters it shows,
/// and how many clause marks it has (the main-content scores count them): all taken
/// in the one pass over the text.
struct LanguageProfile: Equatable {
    private(set) var han = 0
    private(set) var latin = 0
    private(set) var visibleCharacters = 0
    private(set) var clausePunctuation = 0

    /// The marks that end or divide clauses, Chinese and ASCII.
    static let clauseMarks: ScalarSet = "，。、；！？,.;!?：:"

    init() {}

    /// The profile of a text and another after it.
    static func + (a: LanguageProfile, b: LanguageProfile) -> LanguageProfile {
        var sum = a
        sum.han += b.han
        sum.latin += b.latin
        sum.visibleCharacters += b.visibleCharacters
        sum.clausePunctuation += b.clausePunctuation
        return sum
    }

    init(_ text: String) {
        self = text.withUTF8Bytes { LanguageProfile(utf8: $0) }
    }

    /// What an ASCII byte counts as, from the same tests as any scalar: white space
    /// (0), a Latin letter (1), a clause mark (2) or another visible character (3).
    /// Markup-heavy pages have as many ASCII bytes in their text as ideographs.
    private static let asciiClasses: [UInt8] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        return scalar.isWhiteSpace ? 0 : scalar.isLatinLetter ? 1 : clauseMarks.contains(scalar) ? 2 : 3
    }

    /// The profile of well-formed UTF-8.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var han = 0, latin = 0, visible = 0, marks = 0
        let clauseMarks = Self.clauseMarks
        if let base = bytes.baseAddress {
            let asciiClasses = Self.asciiClasses
            var i = 0
            while i < bytes.count {
                if base[i] < 0x80 {
                    switch asciiClasses.withUnsafeBufferPointer({ $0[Int(base[i])] }) {
                    case 0: break
                    case 1: visible &+= 1; latin &+= 1
                    case 2: visible &+= 1; marks &+= 1
                    default: visible &+= 1
                    }
                    i &+= 1
                    continue
                }
                // Two such ideographs in one load, while the text runs on in them.
                if i &+ 8 <= bytes.count {
                    let word = UTF8Code.word(at: base + i)
                    if UTF8Code.startsWithTwoThreeByte(word),
                       Self.isCommonIdeograph(UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word &>> 8)),
                       Self.isCommonIdeograph(UInt8(truncatingIfNeeded: word &>> 24), UInt8(truncatingIfNeeded: word &>> 32)) {
                        han &+= 2
                        visible &+= 2
                        i &+= 6
                        continue
                    }
                }
                // An ideograph from U+4E00 to U+9FFF (most of a Chinese text: visible, Han,
                // no clause mark), told without decoding.
                if i &+ 1 < bytes.count, Self.isCommonIdeograph(base[i], base[i &+ 1]) {
                    han &+= 1
                    visible &+= 1
                    i &+= 3
                    continue
                }
                let (value, length) = UTF8Code.decode(base, at: i)
                i &+= length
                let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                if scalar.isWhiteSpace { continue }
                visible &+= 1
                if scalar.isHan { han &+= 1 } else if scalar.isLatinLetter { latin &+= 1 } else if clauseMarks.contains(scalar) { marks &+= 1 }
            }
        }
        self.han = han
        self.latin = latin
        self.visibleCharacters = visible
        self.clausePunctuation = marks
    }

    /// Whether the character whose first two bytes these are is an ideograph from
    /// U+4E00 to U+9FFF: they are E4 B8 to E9 BF.
    @inline(__always)
    private static func isCommonIdeograph(_ lead: UInt8, _ second: UInt8) -> Bool {
        (UInt16(lead) << 8 | UInt16(second)) &- 0xE4B8 <= 0xE9BF - 0xE4B8
    }

    /// A Chinese character carries about as much as three Latin letters.
    var isMostlyChinese: Bool { han > 0 && Double(han) >= Double(latin) / 3 }
}
