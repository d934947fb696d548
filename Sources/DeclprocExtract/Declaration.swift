import DeclprocCollections
import DeclprocLocales
import DeclprocText
import Foundation

/// What a statement declares: its kind, the organizations it leaves (or supports
/// leaving), who signed it, when and where. Every field points at the text it came
/// from (offsets in Unicode scalars of the statement's text) and says how sure it is.
public struct Declaration: Sendable, Equatable {
    public struct Declarant: Sendable, Equatable {
        public var name: String
        /// A pen name, net name or alias (化名, 网名, pen name).
        public var alias: Bool
        public var start: Int
        public var end: Int
        public var confidence: Double
    }

    public struct Date: Sendable, Equatable {
        /// ISO 8601: YYYY-MM-DD (or YYYY-MM when no day is written).
        public var value: String
        public var text: String
        public var start: Int
        public var end: Int
        public var confidence: Double
    }

    public struct Place: Sendable, Equatable {
        public var province: String
        public var city: String?
        public var text: String
        public var start: Int
        public var end: Int
        public var confidence: Double
    }

    /// renunciation, support or other.
    public var kind: String
    /// party, youth_league, young_pioneers (三退 names all three), in that order.
    public var organizations: [String]
    public var declarants: [Declarant]
    public var date: Date?
    public var place: Place?
}

/// Reads a statement's declaration fields, from patterns in `Locales/<lang>/statements.json`
/// and the gazetteer `Locales/zh/places.tsv`. The signature — the last lines, or a
/// line opened by 声明人：/化名：/——/Signed: — names the declarants, and the date and
/// place near it are the declaration's; a date in the body alone counts for less.
public struct DeclarationReader: Sendable {
    struct Cues: Sendable {
        let renunciation: CueWords
        let support: CueWords
        let aliasMarkers: [String]
        let separators: Set<Character>
    }

    let finder: StatementFinder
    let chinese: Cues
    let english: Cues
    /// Place name → (province, is a city), longest names first.
    let places: [(name: String, province: String, city: Bool)]
    /// The places' names as scalars, and which places start with each scalar: a line
    /// is scanned once, not searched once per place.
    let placeScalars: [[Unicode.Scalar]]
    /// A scalar → 1 + its list in `placeLists` (0: no place starts with it): two
    /// array reads for each scalar of a line, where a dictionary hashed each.
    let placesByFirst: ScalarMap
    let placeLists: [[Int]]
    /// Each province's cities, in `places` order: a province found looks among its own
    /// cities, not through every place comparing province names.
    let citiesByProvince: [String: [Int]]
    /// Every alias marker in both kinds of brackets, "（化名）" and "(化名)", made once.
    let bracketedAliasMarkers: [String]
    /// Both languages' alias markers, joined once.
    let aliasMarkers: [String]

    public init(store: LocaleStore, finder: StatementFinder) throws(LocaleStore.MissingData) {
        func cues(_ language: String) throws(LocaleStore.MissingData) -> Cues {
            let path = "\(language)/statements.json"
            guard let object = try? JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any] else {
                throw LocaleStore.MissingData(path: store.url(path).path, reason: "not a JSON object")
            }
            return Cues(renunciation: CueWords(object["renunciation_cues"] as? [String] ?? [], wholeWords: language != "zh"),
                        support: CueWords(object["support_cues"] as? [String] ?? [], wholeWords: language != "zh"),
                        aliasMarkers: object["alias_markers"] as? [String] ?? [],
                        separators: Set((object["name_separators"] as? String) ?? ""))
        }
        self.finder = finder
        chinese = try cues("zh")
        english = try cues("en")
        places = try store.rows("zh/places.tsv").filter { $0.count >= 3 }
            .map { (String($0[0]), String($0[1]), $0[2] == "city") }
            .sorted { $0.name.count > $1.name.count }
        placeScalars = places.map { Array($0.name.unicodeScalars) }
        var byFirst = ScalarMap(), lists: [[Int]] = []
        for (i, name) in placeScalars.enumerated() where !name.isEmpty {
            if byFirst[name[0]] == 0 { lists.append([]); byFirst[name[0]] = UInt32(lists.count) }
            lists[Int(byFirst[name[0]]) - 1].append(i)
        }
        placesByFirst = byFirst
        placeLists = lists
        var cities: [String: [Int]] = [:]
        for (i, place) in places.enumerated() where place.city { cities[place.province, default: []].append(i) }
        citiesByProvince = cities
        aliasMarkers = chinese.aliasMarkers + english.aliasMarkers
        bracketedAliasMarkers = aliasMarkers.flatMap { ["（\($0)）", "(\($0))"] }
    }

    /// A found statement's declaration: what the statement finder learned of its text
    /// (its language's patterns, the organizations its assessment found) is taken, not
    /// worked out again.
    public func read(_ statement: FoundStatement) -> Declaration {
        read(statement.text, organizations: statement.assessedOrganizations, patterns: statement.textLanguage.map(finder.patterns(language:)))
    }

    /// `organizations`: the organization keys of `text` and the language of the
    /// patterns that found them, when the statement finder has them
    /// (`FoundStatement.assessedOrganizations`); taken when that is this text's language.
    /// `patterns`: the patterns for the text's language (`StatementFinder.patterns(for:)`),
    /// when the caller has them.
    public func read(_ text: String, organizations known: (language: String, keys: [String])? = nil,
                     patterns given: StatementPatterns? = nil) -> Declaration {
        let patterns = given ?? finder.patterns(for: text)
        let isChinese = patterns.language == "zh"
        let cues = isChinese ? chinese : english
        let haystack = isChinese ? text : text.lowercasedQuickly()

        // Kind: whichever comes first, a word of leaving or a word of support.
        let renounce = cues.renunciation.earliestOffset(in: haystack)
        let support = cues.support.earliestOffset(in: haystack)
        let kind: String = switch (renounce, support) {
        case let (r?, s?): s < r ? "support" : "renunciation"
        case (_?, nil): "renunciation"
        case (nil, _?): "support"
        case (nil, nil): "other"
        }

        var organizations = known.flatMap { $0.language == patterns.language ? Set($0.keys) : nil }
            ?? finder.organizations(in: text, patterns: patterns)
        if organizations.remove("all") != nil { organizations.formUnion(["party", "youth_league", "young_pioneers"]) }
        let ordered = ["party", "youth_league", "young_pioneers"].filter(organizations.contains)

        let lines = Self.lines(text)
        let signature = signatureLines(lines, patterns: patterns)
        var declarants: [Declaration.Declarant] = []
        for line in signature where declarants.isEmpty {
            declarants = names(in: line, cues: cues, chinese: isChinese)
        }

        // The date: in the signature, else the body's last full date, with less confidence.
        let signatureDates = signature.flatMap { line in
            DateFinder.dates(in: line.text).map { ($0, line.start + $0.start, line.start + $0.end, 0.9) }
        }
        // The body is searched only when the signature holds no date (the search is a
        // third of reading a declaration).
        func bodyDate() -> (DateFinder.Found, Int, Int, Double)? {
            DateFinder.dates(in: text).last { $0.iso.count == 10 }.map { ($0, $0.start, $0.end, 0.6) }
        }
        var date: Declaration.Date? = nil
        if let (found, start, end, confidence) = signatureDates.last ?? bodyDate() {
            let scalars = Array(scalarsOf: text)
            date = .init(value: found.iso, text: String(scalars: scalars[start..<end]), start: start, end: end,
                         confidence: confidence)
        }

        var place: Declaration.Place? = nil
        for line in signature.reversed() where place == nil {
            place = self.place(in: line)
        }
        return Declaration(kind: kind, organizations: ordered, declarants: declarants, date: date, place: place)
    }

    struct Line {
        let text: String
        let start: Int
    }

    static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var start = 0
        for piece in text.lines(omittingEmpty: false) {
            let line = String(piece)
            result.append(Line(text: line, start: start))
            start += line.scalarCount + 1
        }
        return result
    }

    /// The signature: lines opened by a signature word or dash, and, when there are
    /// none, a short last line that carries a date ("Margaret Ellison, Leeds, 14 April 2006").
    func signatureLines(_ lines: [Line], patterns: StatementPatterns) -> [Line] {
        let aliasMarkers = chinese.aliasMarkers
        let marked = lines.dropFirst().filter { line in
            patterns.isSignature(line.text) || aliasMarkers.contains { line.text.hasPrefix($0) }
        }
        if !marked.isEmpty {
            // The lines after the first marked one belong to it (a date, a place).
            let first = lines.firstIndex { $0.start == marked.first!.start }!
            return Array(lines[first...])
        }
        // A signature run into the last paragraph: "…一切组织。声明人：陈建华 2011年3月5日".
        if let last = lines.last, let inline = Self.inlineSignature(last, patterns: patterns) { return [inline] }
        guard lines.count >= 2, let last = lines.last, last.text.scalarCount <= 80,
              !DateFinder.dates(in: last.text).isEmpty else { return [] }
        return [last]
    }

    static let sentenceEnds: ScalarSet = "。！？!?；;."
    static let dashesAndSpaces: ScalarSet = "—―-－─ \u{3000}"

    /// The tail of a line from the last point where a sentence ends and a signature
    /// (marker and colon, or a dash) begins, when that tail is short.
    ///
    /// Linear in the line: each point's tail starts at the first non-space from it
    /// (found in one pass from the end), and a tail is built and tested only when it
    /// is short and not the one just tested. Skipping the spaces afresh and building
    /// every tail made a long line of spaces or full stops quadratic (a fuzzing timeout).
    static func inlineSignature(_ line: Line, patterns: StatementPatterns) -> Line? {
        let scalars = Array(scalarsOf: line.text)
        var firstNonSpace = [Int](filledWith: scalars.count, count: scalars.count + 1)
        for i in scalars.indices.reversed() { firstNonSpace[i] = scalars[i].isWhiteSpace ? firstNonSpace[i + 1] : i }
        var tested = -1
        var k = scalars.count - 1
        while k > 0 {
            if Self.sentenceEnds.contains(scalars[k - 1]) || scalars[k - 1].isWhiteSpace {
                let start = firstNonSpace[k]
                // A tail is made into a string only when its first scalar may open a
                // signature: a long last line has a tail at every full stop.
                if scalars.count - start <= 60, start != tested, start == scalars.count || patterns.mayOpenSignature(scalars[start]) {
                    tested = start
                    let tail = String(scalars: scalars[start...])
                    if patterns.isSignature(tail) { return Line(text: tail, start: line.start + start) }
                }
            }
            k -= 1
        }
        return nil
    }

    /// The names a signature line gives: after its marker or dash, up to the first
    /// space (Chinese) or comma (English), split at 、 and the like.
    func names(in line: Line, cues: Cues, chinese: Bool) -> [Declaration.Declarant] {
        let scalars = Array(scalarsOf: line.text)
        var i = 0
        var alias = false
        // Skip the marker word and its colon, or the dash.
        if let colon = scalars.prefix(12).firstIndex(where: { $0 == ":" || $0 == "：" }) {
            let marker = String(scalars: scalars[..<colon]).lowercasedQuickly()
            alias = aliasMarkers.contains { marker.containsExactly($0) }
            i = colon + 1
        }
        while i < scalars.count, Self.dashesAndSpaces.contains(scalars[i]) { i += 1 }
        // "李明（化名）", "Li Ming (pen name)": an alias marked after the name.
        // Each marker is bracketed: a line without a bracket holds none.
        if line.text.containsExactly("(") || line.text.containsExactly("（") {
            let lower = line.text.lowercasedQuickly()
            if bracketedAliasMarkers.contains(where: { lower.containsExactly($0) }) { alias = true }
        }
        let rest = scalars[i...]
        // A date, or the end of the name part, stops the names.
        func stop(_ c: Unicode.Scalar) -> Bool {
            let digit = c.properties.numericType != nil && !c.isHan
            if chinese { return c.isWhiteSpace || c == "（" || c == "(" || digit }
            return c == "," || c == "，" || c == "(" || c == "—" || c == "–" || digit
        }
        let end = rest.firstIndex(where: stop) ?? scalars.count
        var names: [Declaration.Declarant] = []
        var start = i
        var k = i
        func flush(_ upTo: Int) {
            var a = start, b = upTo
            while a < b, scalars[a].isWhiteSpace { a += 1 }
            while b > a, scalars[b - 1].isWhiteSpace || scalars[b - 1] == "。" || scalars[b - 1] == "." { b -= 1 }
            if b > a {
                let name = String(scalars: scalars[a..<b])
                // A name is a few characters (an alias may be longer): more is prose.
                let limit = chinese ? (alias ? 12 : 6) : 40
                let length = name.characterCount
                if length <= limit, length >= (chinese ? 2 : 3) {
                    names.append(.init(name: name, alias: alias, start: line.start + a, end: line.start + b,
                                       confidence: alias || chinese ? 0.9 : 0.8))
                }
            }
            start = upTo + 1
        }
        let words = !chinese
        while k < end {
            if cues.separators.contains(Character(scalars[k])) || (words && Self.isAnd(scalars, at: k)) {
                flush(k)
                if words && Self.isAnd(scalars, at: k) { k += 4; start = k; continue }
            }
            k += 1
        }
        flush(end)
        return names
    }

    static func isAnd(_ scalars: [Unicode.Scalar], at k: Int) -> Bool {
        k + 5 <= scalars.count && String(scalars: scalars[k..<(k + 5)]) == " and "
    }

    /// The first place of the gazetteer (longest names first) that the line names,
    /// at its first mention.
    func place(in line: Line) -> Declaration.Place? {
        let scalars = Array(scalarsOf: line.text)
        func names(_ name: [Unicode.Scalar], at k: Int) -> Bool {
            k + name.count <= scalars.count && scalars[k..<(k + name.count)].elementsEqual(name)
        }
        var found: (place: Int, at: Int)? = nil
        for k in scalars.indices {
            let list = placesByFirst[scalars[k]]
            guard list != 0 else { continue }
            for i in placeLists[Int(list) - 1] where i < (found?.place ?? .max) && names(placeScalars[i], at: k) { found = (i, k) }
        }
        guard let found else { return nil }
        let entry = places[found.place]
        let start = line.start + found.at
        var end = start + placeScalars[found.place].count
        var text = entry.name
        var city: String? = entry.city ? entry.name : nil
        // A province followed by one of its cities (辽宁沈阳) is one place.
        if !entry.city {
            let after = found.at + placeScalars[found.place].count
            if let next = citiesByProvince[entry.province]?.first(where: { names(placeScalars[$0], at: after) }) {
                city = places[next].name
                text += places[next].name
                end += placeScalars[next].count
            }
        }
        return .init(province: entry.province, city: city, text: text, start: start, end: end, confidence: 0.8)
    }
}
