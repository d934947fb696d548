import DeclprocLocales

/// Everything `Locales/zh/pinyin/` says about readings (see its SOURCES.md):
/// characters, phrases, context rules, neighbour-pair and default readings, and
/// surnames. Immutable once loaded, so one lexicon serves every task.
public final class PinyinLexicon: Sendable {
    /// Readings per character, most common first.
    public let characters: [Unicode.Scalar: [PinyinSyllable]]
    /// One reading per phrase, one syllable per character, keyed by the phrase's
    /// fingerprint (`phrase(_:)` compares the characters, so a lookup is exact and
    /// builds no String).
    let phrasesByFingerprint: [UInt64: [(key: [Unicode.Scalar], syllables: [PinyinSyllable])]]
    public let longestPhrase: Int
    /// For each pair of first characters, the longest phrase that starts with it:
    /// most positions in a text start no phrase, and this says so without building
    /// a String.
    let longestByPrefix: [UInt64: Int]
    /// Hand-written context rules per character, in file order.
    let rules: [Unicode.Scalar: [ContextRule]]
    /// Reading of a character after a given character (L) or before one (R), with
    /// how many phrases support it; and a default per character (D).
    let leftPairs: [UInt64: (PinyinSyllable, Int)]
    let rightPairs: [UInt64: (PinyinSyllable, Int)]
    let defaults: [Unicode.Scalar: PinyinSyllable]
    /// Surnames (single and compound) with their surname readings.
    let surnames: [String: [PinyinSyllable]]
    /// Characters read differently in given names.
    let givenNames: [Unicode.Scalar: PinyinSyllable]
    /// Traditional → Simplified, one character for one: the phrase lexicons and
    /// rules are written in Simplified, so Traditional text is read through this.
    let simplified: [Unicode.Scalar: Unicode.Scalar]
    /// Characters only Traditional (or only Simplified) text uses, to tell which a text is.
    let traditionalOnly: Set<Unicode.Scalar>
    let simplifiedOnly: Set<Unicode.Scalar>

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        // Each distinct syllable is parsed once and shared; rows are read as bytes.
        var interned: [Substring: PinyinSyllable] = [:]
        func syllable(_ text: Substring) -> PinyinSyllable? {
            if let known = interned[text] { return known }
            let parsed = PinyinSyllable(numbered: text)
            interned[text] = parsed
            return parsed
        }
        var internedBytes: [ArraySlice<UInt8>: PinyinSyllable] = [:]
        func syllables(_ bytes: ArraySlice<UInt8>, separator: UInt8) -> [PinyinSyllable] {
            var result: [PinyinSyllable] = []
            for part in bytes.split(separator: separator) {
                if let known = internedBytes[part] { result.append(known); continue }
                guard let parsed = syllable(Substring(String(decoding: part, as: UTF8.self))) else { continue }
                internedBytes[part] = parsed
                result.append(parsed)
            }
            return result
        }
        var characters: [Unicode.Scalar: [PinyinSyllable]] = [:]
        var phrases: [UInt64: [(key: [Unicode.Scalar], syllables: [PinyinSyllable])]] = [:]
        var prefixes: [UInt64: Int] = [:]
        var longest = 1
        do {
            try store.forEachRow("zh/pinyin/chars.tsv") { row in
                guard row.count >= 2 else { return }
                let key = LocaleStore.scalars(row[0])
                guard key.count == 1 else { return }
                let readings = syllables(row[1], separator: UInt8(ascii: ","))
                if !readings.isEmpty { characters[key[0]] = readings }
            }
            try store.forEachRow("zh/pinyin/words.tsv") { row in
                guard row.count >= 2 else { return }
                let scalars = LocaleStore.scalars(row[0])
                let readings = syllables(row[1], separator: UInt8(ascii: " "))
                guard readings.count == scalars.count, scalars.count >= 2 else { return }
                let fingerprint = SegmentationData.fingerprint(scalars)
                if phrases[fingerprint]?.contains(where: { $0.key == scalars }) != true {
                    phrases[fingerprint, default: []].append((scalars, readings))
                }
                let key = Self.pair(scalars[0], scalars[1])
                prefixes[key] = max(prefixes[key] ?? 0, scalars.count)
                longest = max(longest, scalars.count)
            }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: store.url("zh/pinyin").path, reason: "\(error)")
        }
        guard !characters.isEmpty else {
            throw LocaleStore.MissingData(path: store.url("zh/pinyin/chars.tsv").path, reason: "holds no readings")
        }

        // Context rules: "@CLASS chars" lines define classes; "char cond reading" lines are rules.
        var classes: [String: Set<Unicode.Scalar>] = [:]
        var rules: [Unicode.Scalar: [ContextRule]] = [:]
        let rulesPath = "zh/pinyin/context_rules.tsv"
        for row in try store.rows(rulesPath) where row.count >= 2 {
            if row[0].hasPrefix("@") { classes[String(row[0])] = Set(row[1].unicodeScalars); continue }
            guard row.count >= 3, let scalar = row[0].unicodeScalars.first, let reading = syllable(row[2]) else {
                throw LocaleStore.MissingData(path: store.url(rulesPath).path, reason: "bad rule line: \(row.joined(separator: "\t"))")
            }
            guard let rule = ContextRule(condition: row[1], reading: reading, classes: classes) else {
                throw LocaleStore.MissingData(path: store.url(rulesPath).path, reason: "bad rule condition: \(row[1])")
            }
            rules[scalar, default: []].append(rule)
        }

        var leftPairs: [UInt64: (PinyinSyllable, Int)] = [:]
        var rightPairs: [UInt64: (PinyinSyllable, Int)] = [:]
        var defaults: [Unicode.Scalar: PinyinSyllable] = [:]
        for row in try store.rows("zh/pinyin/cedict_fallback.tsv") where row.count >= 3 {
            guard let reading = syllable(row[2]) else { continue }
            let scalars = Array(row[1].unicodeScalars)
            switch row[0] {
            case "D" where scalars.count == 1: defaults[scalars[0]] = reading
            case "L" where scalars.count == 2: leftPairs[Self.pair(scalars[0], scalars[1])] = (reading, Int(row[3]) ?? 1)
            case "R" where scalars.count == 2: rightPairs[Self.pair(scalars[0], scalars[1])] = (reading, Int(row[3]) ?? 1)
            default: continue
            }
        }

        var surnames: [String: [PinyinSyllable]] = [:]
        for row in try store.rows("zh/pinyin/surnames.tsv") where row.count >= 2 {
            let readings = row[1].split(separator: " ").compactMap(syllable)
            if readings.count == row[0].unicodeScalars.count { surnames[String(row[0])] = readings }
        }

        var givenNames: [Unicode.Scalar: PinyinSyllable] = [:]
        for row in try store.rows("zh/pinyin/given-names.tsv") where row.count >= 2 {
            if let scalar = row[0].unicodeScalars.first, let reading = syllable(row[1]) { givenNames[scalar] = reading }
        }
        self.givenNames = givenNames
        var simplified: [Unicode.Scalar: Unicode.Scalar] = [:]
        for row in try store.rows("zh/segment/t2s-chars.tsv") where row.count >= 2 {
            let from = row[0].unicodeScalars, to = row[1].unicodeScalars
            if from.count == 1, to.count == 1 { simplified[from.first!] = to.first! }
        }
        traditionalOnly = Set(try store.lines("zh/script/hant-only.txt").compactMap { $0.unicodeScalars.first })
        simplifiedOnly = Set(try store.lines("zh/script/hans-only.txt").compactMap { $0.unicodeScalars.first })
        self.simplified = simplified
        self.characters = characters
        self.phrasesByFingerprint = phrases
        self.longestPhrase = longest
        self.longestByPrefix = prefixes
        self.rules = rules
        self.leftPairs = leftPairs
        self.rightPairs = rightPairs
        self.defaults = defaults
        self.surnames = surnames
    }

    static func pair(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> UInt64 { UInt64(a.value) << 21 | UInt64(b.value) }

    /// The reading of a phrase, if the lexicon has it.
    public func phrase(_ characters: ArraySlice<Unicode.Scalar>) -> [PinyinSyllable]? {
        phrasesByFingerprint[SegmentationData.fingerprint(characters)]?.first { $0.key.elementsEqual(characters) }?.syllables
    }
}

/// One hand-written rule: the reading of a character when its neighbours match.
struct ContextRule: Sendable {
    struct Test: Sendable {
        /// -2, -1, +1 or +2: which neighbour.
        let offset: Int
        let characters: Set<Unicode.Scalar>
        /// Also holds where there is no neighbour, or it is not Han (`^`/`$`).
        let matchesEdge: Bool
    }

    let tests: [Test]
    let reading: PinyinSyllable
    let text: String

    init?(condition: Substring, reading: PinyinSyllable, classes: [String: Set<Unicode.Scalar>]) {
        var tests: [Test] = []
        if condition != "*" {
            for part in condition.split(separator: " ") {
                guard let equals = part.firstIndex(of: "=") else { return nil }
                let offset: Int
                switch part[..<equals] {
                case "L": offset = -1
                case "R": offset = 1
                case "L2": offset = -2
                case "R2": offset = 2
                default: return nil
                }
                var characters = Set<Unicode.Scalar>()
                var edge = false
                for item in part[part.index(after: equals)...].split(separator: "|") {
                    if item == "^" || item == "$" { edge = true }
                    else if item.hasPrefix("@") {
                        guard let members = classes[String(item)] else { return nil }
                        characters.formUnion(members)
                    } else {
                        characters.formUnion(item.unicodeScalars)
                    }
                }
                tests.append(Test(offset: offset, characters: characters, matchesEdge: edge))
            }
        }
        self.tests = tests
        self.reading = reading
        self.text = String(condition)
    }

    func holds(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        tests.allSatisfy { test in
            let j = index + test.offset
            guard j >= 0, j < scalars.count, scalars[j].isHan || !test.matchesEdge else { return test.matchesEdge }
            if test.characters.contains(scalars[j]) { return true }
            return test.matchesEdge && !scalars[j].isHan
        }
    }
}
