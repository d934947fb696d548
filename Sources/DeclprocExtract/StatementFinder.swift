import DeclprocLocales
import DeclprocText
import Foundation

/// The words that mark a first-person declaration in one language
/// (`Locales/<lang>/statements.json`).
public struct StatementPatterns: Sendable {
    public let language: String
    public let firstPerson: [String]
    public let cues: [String]
    /// Organization key ("party", "youth_league", "young_pioneers", "all") → words.
    public let organizations: [String: [String]]
    public let quotes: [(open: String, close: String)]
    public let translationMarkers: [String]
    public let minCharacters: Int
    public let maxCharacters: Int

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
    }
}

/// A statement found on a page: its block, and the block translating it, if any.
public struct FoundStatement: Sendable, Equatable {
    public var block: Block
    public var blockIndex: Int
    public var translation: Block?
}

/// Finds the statements among a page's blocks: first-person text that declares
/// leaving (or supporting those who leave) the Party, League or Pioneers.
///
/// The rule is deliberately about the writer, not the topic: news prose and
/// site blurbs talk about declarations in the third person, and forum replies
/// chat in the first person about other things; only a block with all three —
/// a first-person voice outside quotation marks, a declaring word, and an
/// organization — is a statement.
public struct StatementFinder: Sendable {
    public let chinese: StatementPatterns
    public let english: StatementPatterns

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        chinese = try StatementPatterns(store: store, language: "zh")
        english = try StatementPatterns(store: store, language: "en")
    }

    public func statements(in blocks: [Block]) -> [FoundStatement] {
        var found: [FoundStatement] = []
        var consumed = Set<Int>()
        for (index, block) in blocks.enumerated() where !consumed.contains(index) && !block.boilerplate && block.linkDensity < 0.5 {
            guard let patterns = isStatement(block) else { continue }
            var statement = FoundStatement(block: block, blockIndex: index, translation: nil)
            if patterns.language == "zh", let (translationIndex, translation) = translation(after: index, in: blocks) {
                statement.translation = translation
                consumed.insert(translationIndex)
            }
            found.append(statement)
        }
        return found
    }

    /// The patterns of the language the block is a statement in, or nil.
    public func isStatement(_ block: Block) -> StatementPatterns? {
        let profile = LanguageProfile(block.text)
        let patterns = profile.isMostlyChinese ? chinese : english
        let length = profile.visibleCharacters
        guard length >= patterns.minCharacters, length <= patterns.maxCharacters else { return nil }
        let text = patterns.language == "zh" ? block.text : block.text.lowercased()
        let unquoted = block.quoted ? text : removingQuotations(text, patterns.quotes)
        guard contains(unquoted, anyOf: patterns.firstPerson, words: patterns.language != "zh"),
              contains(text, anyOf: patterns.cues, words: patterns.language != "zh"),
              !organizations(in: block.text, patterns: patterns).isEmpty
        else { return nil }
        return patterns
    }

    /// Organization keys a text mentions ("party", "youth_league", "young_pioneers"; "all" for 三退).
    public func organizations(in text: String, patterns: StatementPatterns) -> Set<String> {
        let haystack = patterns.language == "zh" ? text : text.lowercased()
        var keys = Set<String>()
        for (key, words) in patterns.organizations where contains(haystack, anyOf: words, words: patterns.language != "zh") {
            keys.insert(key)
        }
        return keys
    }

    /// A translation follows a Chinese statement when a marker says so: a short
    /// heading naming a translation, or an English block that opens with one.
    private func translation(after index: Int, in blocks: [Block]) -> (Int, Block)? {
        var next = index + 1
        var marked = false
        let markers = chinese.translationMarkers + english.translationMarkers
        if next < blocks.count, blocks[next].text.unicodeScalars.count <= 40,
           contains(blocks[next].text.lowercased(), anyOf: markers, words: false) {
            marked = true
            next += 1
        }
        guard next < blocks.count else { return nil }
        let candidate = blocks[next]
        guard !candidate.boilerplate, !LanguageProfile(candidate.text).isMostlyChinese,
              LanguageProfile(candidate.text).visibleCharacters >= english.minCharacters else { return nil }
        let opensWithMarker = contains(String(candidate.text.lowercased().prefix(30)), anyOf: english.translationMarkers, words: false)
        return marked || opensWithMarker ? (next, candidate) : nil
    }

    /// With `words`, a needle matches whole words only, except that a trailing `*`
    /// lets any ending follow (`renounc*`).
    private func contains(_ text: String, anyOf needles: [String], words: Bool) -> Bool {
        for pattern in needles {
            let open = words && pattern.hasSuffix("*")
            let needle = open ? String(pattern.dropLast()) : pattern
            var search = text[...]
            while let range = search.firstRange(of: needle) {
                if !words { return true }
                let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
                let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
                if !(before?.isLetter ?? false), open || !(after?.isLetter ?? false) { return true }
                search = text[range.upperBound...]
            }
        }
        return false
    }

    private func removingQuotations(_ text: String, _ quotes: [(open: String, close: String)]) -> String {
        var result = text
        for quote in quotes where quote.open != quote.close {
            var output = ""
            var rest = result[...]
            while let open = rest.firstRange(of: quote.open) {
                output += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstRange(of: quote.close) else {
                    rest = rest[open.lowerBound...]
                    break
                }
                rest = rest[close.upperBound...]
            }
            result = output + rest
        }
        return result
    }
}

/// Counts that say which language a text is mostly in.
struct LanguageProfile {
    let han: Int
    let latin: Int
    let visibleCharacters: Int

    init(_ text: String) {
        var han = 0, latin = 0, visible = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace { continue }
            visible += 1
            if scalar.isHan { han += 1 } else if scalar.properties.isAlphabetic, scalar.value < 0x250 { latin += 1 }
        }
        self.han = han
        self.latin = latin
        self.visibleCharacters = visible
    }

    /// A Chinese character carries about as much as three Latin letters.
    var isMostlyChinese: Bool { han > 0 && Double(han) >= Double(latin) / 3 }
}
