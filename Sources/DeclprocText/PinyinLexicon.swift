import DeclprocLocales

/// Everything `Locales/zh/pinyin/` says about readings (see its SOURCES.md):
/// characters, phrases, context rules, neighbour-pair and default readings, and
/// surnames. Immutable once loaded, so one lexicon serves every task.
///
/// The large parts (characters, phrases, neighbour pairs, the Traditional fold)
/// are compiled once into flat tables (`CompiledCache`): syllables are numbered,
/// and every list of them lives in one array (`pool`), so a lookup is a hash probe
/// and a few array reads, with no String and no reference counting.
public final class PinyinLexicon: Sendable {
    /// Every distinct syllable; tables refer to them by index.
    let syllables: [PinyinSyllable]
    /// Lists of syllable indices (characters: count, then readings; phrases: length,
    /// then the characters' scalar values, then one syllable index per character).
    let pool: TableWords<UInt32>
    /// Per character: 1 + where its readings start in `pool` (0: none).
    let characterReadings: ScalarMap
    /// Per phrase fingerprint: where the phrase starts in `pool`.
    let phrases: FingerprintTable
    /// For each pair of first characters, the longest phrase that starts with it:
    /// most positions in a text start no phrase, and this says so in one probe.
    let longestByPrefix: FingerprintTable
    /// Reading of a character after a given character (L) or before one (R):
    /// syllable index << 16 | how many phrases support it.
    let leftPairs: FingerprintTable
    let rightPairs: FingerprintTable
    /// 1 + the default syllable index per character (D), 0: none.
    let defaults: ScalarMap
    /// Traditional → Simplified, one character for one (scalar value, 0: none): the
    /// phrase lexicons and rules are written in Simplified, so Traditional text is read through this.
    let simplified: ScalarMap
    /// 1: only Traditional text uses the character; 2: only Simplified.
    let scriptOnly: ScalarMap
    public let longestPhrase: Int
    /// Hand-written context rules per character, in file order.
    let rules: [Unicode.Scalar: [ContextRule]]
    /// 1 for the few characters that have rules: most characters are told apart in one array read.
    let ruleCharacters: ScalarMap
    /// The characters rules look for around a character, each as 1 + the number of
    /// its class: characters of one class are in the same rules' sets, and are Han or
    /// not alike, so no rule tells them apart (the ten digits, say). 0: in no set.
    /// What a run of Han is read by, beyond its own characters (`RunReadings`).
    let contextClasses: ScalarMap
    /// Surnames (single and compound) with their surname readings, by `surnameKey`.
    let surnames: [UInt64: [PinyinSyllable?]]
    /// Characters read differently in given names.
    let givenNames: [Unicode.Scalar: PinyinSyllable]

    /// A surname of one or two characters as one number, the characters' values side
    /// by side (21 bits each) and the count: looked up for every declarant, where a
    /// String key was hashed through its normalization. nil for longer text.
    static func surnameKey(_ characters: ArraySlice<Unicode.Scalar>) -> UInt64? {
        guard (1...2).contains(characters.count) else { return nil }
        var key = UInt64(characters.count) << 42
        for (k, c) in characters.enumerated() { key |= UInt64(c.value) << (21 * UInt64(k)) }
        return key
    }

    static let format = 3
    static let sources = ["zh/pinyin/chars.tsv", "zh/pinyin/words.tsv", "zh/pinyin/cedict_fallback.tsv",
                          "zh/segment/t2s-chars.tsv", "zh/script/hant-only.txt", "zh/script/hans-only.txt"]

    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        do {
            var reader = try store.cache.load("pinyin", format: Self.format, sources: Self.sources, store: store) {
                try Self.compile(store)
            }
            let names = try reader.readString().split(separator: " ")
            syllables = names.compactMap { PinyinSyllable(numbered: $0) }
            guard syllables.count == names.count else { throw BinaryReader.Corrupt() }
            pool = try reader.readWords(UInt32.self)
            characterReadings = try ScalarMap(from: &reader)
            phrases = try FingerprintTable(from: &reader)
            longestByPrefix = try FingerprintTable(from: &reader)
            leftPairs = try FingerprintTable(from: &reader)
            rightPairs = try FingerprintTable(from: &reader)
            defaults = try ScalarMap(from: &reader)
            simplified = try ScalarMap(from: &reader)
            scriptOnly = try ScalarMap(from: &reader)
            longestPhrase = Int(try reader.read(UInt64.self))
            guard reader.isAtEnd else { throw BinaryReader.Corrupt() }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: store.url("zh/pinyin").path, reason: "\(error)")
        }
        guard characterReadings[Unicode.Scalar(0x4E00)!] != 0 else {
            throw LocaleStore.MissingData(path: store.url("zh/pinyin/chars.tsv").path, reason: "holds no reading of 一")
        }
        func syllable(_ text: Substring) -> PinyinSyllable? { PinyinSyllable(numbered: text) }

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
        self.rules = rules
        let sets = rules.values.flatMap { $0.flatMap { $0.tests.map(\.characters) } }
        var contextClasses = ScalarMap(), classNumbers: [[Int]: UInt32] = [:]
        for scalar in sets.reduce(into: Set<Unicode.Scalar>(), { $0.formUnion($1) }) {
            let membership = sets.indices.filter { sets[$0].contains(scalar) } + [scalar.isHan ? 1 : 0]
            let number = classNumbers[membership] ?? UInt32(classNumbers.count)
            classNumbers[membership] = number
            contextClasses[scalar] = number + 1
        }
        self.contextClasses = contextClasses
        var ruleCharacters = ScalarMap()
        for scalar in rules.keys { ruleCharacters[scalar] = 1 }
        self.ruleCharacters = ruleCharacters

        var surnames: [UInt64: [PinyinSyllable?]] = [:]
        for row in try store.rows("zh/pinyin/surnames.tsv") where row.count >= 2 {
            let readings = row[1].split(separator: " ").compactMap(syllable)
            let characters = Array(row[0].unicodeScalars)
            if readings.count == characters.count, let key = Self.surnameKey(characters[...]) { surnames[key] = readings }
        }
        self.surnames = surnames

        var givenNames: [Unicode.Scalar: PinyinSyllable] = [:]
        for row in try store.rows("zh/pinyin/given-names.tsv") where row.count >= 2 {
            if let scalar = row[0].unicodeScalars.first, let reading = syllable(row[1]) { givenNames[scalar] = reading }
        }
        self.givenNames = givenNames
    }

    /// The flat tables from the text files.
    static func compile(_ store: LocaleStore) throws -> [UInt8] {
        // Each distinct syllable gets a number; rows are read as bytes.
        var names: [String] = []
        var numbers: [ArraySlice<UInt8>: UInt32] = [:]
        func syllables(_ bytes: ArraySlice<UInt8>, separator: UInt8) -> [UInt32] {
            var result: [UInt32] = []
            for part in bytes.split(separator: separator) {
                if let known = numbers[part] { result.append(known); continue }
                guard let parsed = PinyinSyllable(numbered: Substring(String(decoding: part, as: UTF8.self))) else { continue }
                let number = UInt32(names.count)
                names.append(parsed.numbered)
                numbers[part] = number
                result.append(number)
            }
            return result
        }
        var pool: [UInt32] = [0] // offset 0 is never a list, so 0 can mean "none"
        var characters = ScalarMap()
        var phrases = FingerprintTable(expected: 120_000)
        var prefixes = FingerprintTable(expected: 60_000)
        var longest = 1
        try store.forEachRow("zh/pinyin/chars.tsv") { row in
            guard row.count >= 2 else { return }
            let key = LocaleStore.scalars(row[0])
            guard key.count == 1 else { return }
            let readings = syllables(row[1], separator: UInt8(ascii: ","))
            guard !readings.isEmpty else { return }
            characters[key[0]] = UInt32(pool.count) + 1
            pool.append(UInt32(readings.count))
            pool += readings
        }
        try store.forEachRow("zh/pinyin/words.tsv") { row in
            guard row.count >= 2 else { return }
            let scalars = LocaleStore.scalars(row[0])
            let readings = syllables(row[1], separator: UInt8(ascii: " "))
            guard readings.count == scalars.count, scalars.count >= 2 else { return }
            // The first line for a phrase wins. Two phrases with one fingerprint keep
            // the first; `phrase(_:)` compares characters, so the other is unknown, never wrong.
            guard phrases.insert(Fingerprint.of(scalars), UInt32(pool.count)) else { return }
            pool.append(UInt32(scalars.count))
            pool += scalars.map(\.value)
            pool += readings
            let count = UInt32(scalars.count)
            prefixes.update(Fingerprint.pair(scalars[0], scalars[1])) { old in max(old ?? 0, count) }
            longest = max(longest, scalars.count)
        }
        var left = FingerprintTable(expected: 20_000), right = FingerprintTable(expected: 20_000)
        var defaults = ScalarMap()
        try store.forEachRow("zh/pinyin/cedict_fallback.tsv") { row in
            guard row.count >= 3, let reading = syllables(row[2], separator: UInt8(ascii: " ")).first else { return }
            let scalars = LocaleStore.scalars(row[1])
            let support = row.count >= 4 ? UInt32(String(decoding: row[3], as: UTF8.self)) ?? 1 : 1
            let value = reading << 16 | min(support, 0xFFFF)
            switch (row[0].first, scalars.count) {
            case (UInt8(ascii: "D"), 1): defaults[scalars[0]] = reading + 1
            // Neighbour pairs are of Han only: a run of Han is read without looking at
            // the characters around it but through the rules (`RunReadings`).
            case (UInt8(ascii: "L"), 2) where scalars.allSatisfy(\.isHan):
                left.update(Fingerprint.pair(scalars[0], scalars[1])) { _ in value }
            case (UInt8(ascii: "R"), 2) where scalars.allSatisfy(\.isHan):
                right.update(Fingerprint.pair(scalars[0], scalars[1])) { _ in value }
            default: return
            }
        }
        let simplified = try SegmentationData.oneForOneFold(store)
        var scriptOnly = ScalarMap()
        for (path, flag) in [("zh/script/hant-only.txt", UInt32(1)), ("zh/script/hans-only.txt", UInt32(2))] {
            try store.forEachRow(path) { row in
                if let scalar = LocaleStore.scalars(row[0]).first, scriptOnly[scalar] == 0 { scriptOnly[scalar] = flag }
            }
        }
        guard names.count < 0xFFFF else { throw LocaleStore.MissingData(path: store.url("zh/pinyin").path, reason: "too many syllables") }
        var writer = BinaryWriter()
        writer.write(names.joined(separator: " "))
        writer.write(pool)
        characters.write(to: &writer)
        phrases.write(to: &writer)
        prefixes.write(to: &writer)
        left.write(to: &writer)
        right.write(to: &writer)
        defaults.write(to: &writer)
        simplified.write(to: &writer)
        scriptOnly.write(to: &writer)
        writer.write(UInt64(longest))
        return writer.bytes
    }

    /// Readings of a character, most common first.
    public func readings(of character: Unicode.Scalar) -> [PinyinSyllable] {
        let start = Int(characterReadings[character])
        guard start > 0 else { return [] }
        let count = Int(pool[start - 1])
        return pool[start..<(start + count)].map { syllables[Int($0)] }
    }

    /// The most common reading of a character.
    @inline(__always) func firstReading(of character: Unicode.Scalar) -> PinyinSyllable? {
        let start = Int(characterReadings[character])
        return start > 0 ? syllables[Int(pool[start])] : nil
    }

    /// Where a phrase's syllable indices start in `pool`, if the lexicon has it.
    @inline(__always) func phraseReadings(_ characters: ArraySlice<Unicode.Scalar>) -> Int? {
        phraseReadings(characters, fingerprint: Fingerprint.of(characters))
    }

    /// The same, for a caller that has the characters' fingerprint (`Fingerprint.of`).
    @inline(__always) func phraseReadings(_ characters: ArraySlice<Unicode.Scalar>, fingerprint: UInt64) -> Int? {
        guard let start = phrases.value(fingerprint).map(Int.init) else { return nil }
        let length = Int(pool[start])
        guard length == characters.count else { return nil }
        var k = start + 1
        for c in characters {
            if pool[k] != c.value { return nil }
            k += 1
        }
        return k
    }

    /// The reading of a phrase, if the lexicon has it.
    public func phrase(_ characters: ArraySlice<Unicode.Scalar>) -> [PinyinSyllable]? {
        phraseReadings(characters).map { start in pool[start..<(start + characters.count)].map { syllables[Int($0)] } }
    }

    @inline(__always) func neighbour(_ table: FingerprintTable, _ a: Unicode.Scalar, _ b: Unicode.Scalar) -> (PinyinSyllable, Int)? {
        table.value(Fingerprint.pair(a, b)).map { (syllables[Int($0 >> 16)], Int($0 & 0xFFFF)) }
    }

    @inline(__always) func defaultReading(_ c: Unicode.Scalar) -> PinyinSyllable? {
        let value = defaults[c]
        return value == 0 ? nil : syllables[Int(value - 1)]
    }

    @inline(__always) func simplifiedForm(_ c: Unicode.Scalar) -> Unicode.Scalar? {
        let value = simplified[c]
        return value == 0 ? nil : Unicode.Scalar(value)
    }

    @inline(__always) func hasRules(_ c: Unicode.Scalar) -> Bool { ruleCharacters[c] != 0 }

    @inline(__always) func isTraditionalOnly(_ c: Unicode.Scalar) -> Bool { scriptOnly[c] == 1 }
    @inline(__always) func isSimplifiedOnly(_ c: Unicode.Scalar) -> Bool { scriptOnly[c] == 2 }
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
