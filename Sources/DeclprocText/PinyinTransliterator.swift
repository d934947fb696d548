import DeclprocCollections
import DeclprocICU
import DeclprocLocales

/// A syllable and the rule that chose it, so every reading can be explained.
public struct PinyinReading: Sendable {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// A lexicon phrase covering the character.
        case phrase(String)
        /// A hand-written context rule (its condition).
        case rule(String)
        /// The reading most phrases give the character next to this neighbour.
        case neighbour(String)
        /// The character's default reading across phrases.
        case defaultReading
        /// The character's most common reading.
        case character
        /// A surname reading (names mode).
        case surname(String)
        /// ICU's Han-Latin, for characters the lexicons lack.
        case icu

        public var description: String {
            switch self {
            case .phrase(let p): "phrase \(p)"
            case .rule(let r): "rule \(r)"
            case .neighbour(let n): "neighbour \(n)"
            case .defaultReading: "default"
            case .character: "character"
            case .surname(let s): "surname \(s)"
            case .icu: "ICU"
            }
        }
    }

    public let syllable: PinyinSyllable
    public let source: Source
}

/// How Pinyin is written.
public struct PinyinStyle: Sendable, Equatable {
    public var tones: ToneStyle = .marks
    /// With tone numbers: the neutral tone as 5 (`de5`), or bare (`de`).
    public var neutralFive = true
    public var umlaut: PinyinSyllable.Umlaut = .ü
    public init(tones: ToneStyle = .marks) { self.tones = tones }

    /// Whether each syllable is written as a spelling it stores (`PinyinSyllable.stored`):
    /// ü kept as ü, or tone marks, which write ü whatever `umlaut` says.
    var spellsAsStored: Bool { umlaut == .ü || tones == .marks }
}

/// Han to Pinyin, choosing each reading in context.
///
/// In each run of Han characters, lexicon phrases are chosen by dynamic
/// programming: fewest pieces first (longer phrases carry more context), and among
/// equally short cuttings the one that agrees with the word segmenter's boundaries
/// (长城|上|行走, not 上行|走). A character no phrase covers takes, in order: a
/// hand-written context rule (了 at a clause end is le), the reading phrases give it
/// next to the same neighbour, its default across phrases, its most common reading,
/// and last ICU's Han-Latin.
///
/// Owns an ICU transliterator for that last fallback: one per task.
public final class PinyinTransliterator {
    public let lexicon: PinyinLexicon
    private var icu: Transliterator?
    private var icuCache: [Unicode.Scalar: PinyinSyllable?] = [:]
    /// Syllables spelled in the style of the last `write(utf8:…)` (a filter run uses
    /// one), and that style: another style starts the cache afresh.
    private var spellings: [UInt: [UInt8]] = [:]
    private var spellingsStyle: PinyinStyle?
    /// The readings of runs of Han read lately (`RunReadings`), for `syllables`.
    private var runs: RunReadings

    public init(lexicon: PinyinLexicon) {
        self.lexicon = lexicon
        runs = RunReadings(classes: lexicon.contextClasses)
    }

    /// Opens ICU's Han-Latin now rather than at the first character the lexicons
    /// lack, which otherwise pays for it (0.1 s, several times that under a
    /// sanitizer): for callers that time each input, such as the fuzz harnesses.
    public func prepareFallback() {
        if icu == nil { icu = try? Transliterator(id: "Han-Latin") }
    }

    /// One entry per scalar of `text`: the reading of each Han character (nil for
    /// other characters, and for the rare Han character no source can read).
    /// `words` are the text's word tokens (`Segmenter.words`), used to break ties.
    public func readings(_ text: String, words: [Token]) -> [PinyinReading?] {
        readings(Array(scalarsOf: text)) { words.map { $0.start..<$0.end } }
    }

    /// As above, with the words asked for only when a run of Han has two equally
    /// short cuttings into phrases: most lines have none, and then no segmentation is paid for.
    public func readings(_ text: String, words: () -> [Range<Int>]) -> [PinyinReading?] {
        readings(Array(scalarsOf: text), words: words)
    }

    /// The same over scalars already decoded.
    public func readings(_ original: [Unicode.Scalar], words: () -> [Range<Int>]) -> [PinyinReading?] {
        var sink = ReadingSink(count: original.count)
        read(original, words: words, into: &sink)
        return sink.readings
    }

    /// The syllables `readings` would choose, without saying why: what records and
    /// filters write. Building each reading's source (a phrase's text, a neighbour
    /// pair) made a string for most characters, more than the choice itself cost.
    public func syllables(_ original: [Unicode.Scalar], words: () -> [Range<Int>]) -> [PinyinSyllable?] {
        var sink = SyllableSink(count: original.count)
        read(original, words: words, into: &sink)
        return sink.syllables
    }

    private func read<Sink: ReadingChoice>(_ original: [Unicode.Scalar], words: () -> [Range<Int>], into sink: inout Sink) {
        // Read Traditional text through its Simplified form (same length, same offsets).
        // In Simplified text only Traditional-only characters are folded, so that
        // characters both use keep their Simplified sense (著 in 显著 stays zhù).
        var traditional = 0, simplified = 0
        for scalar in original {
            switch lexicon.scriptOnly[scalar] {
            case 1: traditional += 1
            case 2: simplified += 1
            default: break
            }
        }
        // Copied only when a character folds (most Simplified text has none).
        var scalars = original
        let foldsAll = traditional > simplified
        for (k, scalar) in original.enumerated() {
            if let folded = lexicon.simplifiedForm(scalar), foldsAll || lexicon.isTraditionalOnly(scalar) { scalars[k] = folded }
        }
        // The table of runs read lately, held here while the text is read (as a
        // property, every run's use of it was an exclusive access checked at run time).
        var runs = RunReadings.idle
        swap(&runs, &self.runs)
        defer { swap(&runs, &self.runs) }
        var boundaries: [Bool]? = nil
        func wordBoundaries() -> [Bool] {
            if let boundaries { return boundaries }
            var made = [Bool](filledWith: false, count: scalars.count + 1)
            for word in words() { made[word.lowerBound] = true; made[word.upperBound] = true }
            boundaries = made
            return made
        }
        var i = 0
        while i < scalars.count {
            guard scalars[i].isHan else { i += 1; continue }
            var runEnd = i
            while runEnd < scalars.count, scalars[runEnd].isHan { runEnd += 1 }
            let run = i..<runEnd
            i = runEnd
            // Once a run has needed the words, every later run of the text is read
            // with them (its cost then counts them), so only runs before that are kept.
            if boundaries == nil, Sink.keepsOnlySyllables {
                switch sink.recall(run, in: scalars, from: &runs) {
                case .read: continue
                case .tied: _ = choose(scalars, run, wordBoundaries(), into: &sink); continue
                case .missing:
                    let chosen = choose(scalars, run, nil, into: &sink)
                    sink.keep(run, in: scalars, tied: !chosen, into: &runs)
                    if chosen { continue }
                }
            } else if choose(scalars, run, boundaries, into: &sink) {
                continue
            }
            _ = choose(scalars, run, wordBoundaries(), into: &sink)
        }
    }

    public func syllables(_ text: String, words: [Token]) -> [PinyinSyllable?] {
        syllables(Array(scalarsOf: text)) { words.map { $0.start..<$0.end } }
    }

    /// Cuts a run of Han into lexicon phrases and single characters and reads them.
    /// Without `boundaries`, returns false (and writes nothing) when two cuttings
    /// are equally good, for the caller to decide with the words.
    private func choose<Sink: ReadingChoice>(_ scalars: [Unicode.Scalar], _ run: Range<Int>, _ boundaries: [Bool]?,
                                             into sink: inout Sink) -> Bool {
        let n = run.count
        // One scratch block for the four tables (on the stack when small): four arrays
        // per run were a tenth of the filter's time, in allocation alone.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * (n + 1)) { block in
            choose(scalars, run, boundaries, into: &sink, scratch: block)
        }
    }

    private func choose<Sink: ReadingChoice>(_ scalars: [Unicode.Scalar], _ run: Range<Int>, _ boundaries: [Bool]?,
                                             into sink: inout Sink, scratch block: UnsafeMutableBufferPointer<Int>) -> Bool {
        let n = run.count
        let base = run.lowerBound
        // best[k]: lowest cost of cutting the first k characters; back[k]: length of
        // the last piece; phraseEnding[k]: where that piece's syllables start in the pool
        // (0: one character); tied[k] (0 or 1): whether another cutting costs the same.
        let best = UnsafeMutableBufferPointer(rebasing: block[0..<(n + 1)])
        let back = UnsafeMutableBufferPointer(rebasing: block[(n + 1)..<(2 * n + 2)])
        let phraseEnding = UnsafeMutableBufferPointer(rebasing: block[(2 * n + 2)..<(3 * n + 3)])
        let tied = UnsafeMutableBufferPointer(rebasing: block[(3 * n + 3)..<(4 * n + 4)])
        best.initialize(repeating: .max)
        back.initialize(repeating: 1)
        phraseEnding.initialize(repeating: 0)
        tied.initialize(repeating: 0)
        best[0] = 0
        // Every start's slot in the prefix table asked for before the first is read:
        // the lexicon's tables are megabytes, nearly every lookup a cache miss, and
        // misses asked for together are waited for together.
        if n > 1 {
            for start in 0..<(n - 1) {
                lexicon.longestByPrefix.prefetch(Fingerprint.pair(scalars[base + start], scalars[base + start + 1]))
            }
        }
        func cost(_ start: Int, _ end: Int) -> Int {
            var cost = best[start] + 1000
            if let boundaries {
                if !boundaries[base + start] { cost += 1 }
                if !boundaries[base + end] { cost += 1 }
            }
            return cost
        }
        for start in 0..<n where best[start] != .max {
            let single = cost(start, start + 1)
            if single < best[start + 1] {
                best[start + 1] = single; back[start + 1] = 1; phraseEnding[start + 1] = 0; tied[start + 1] = tied[start]
            } else if single == best[start + 1] {
                tied[start + 1] = 1
            }
            guard start + 1 < n,
                  let longest = lexicon.longestByPrefix.value(Fingerprint.pair(scalars[base + start], scalars[base + start + 1]))
            else { continue }
            // The phrases' slots for every length, asked for before the first is read.
            var fingerprint = Fingerprint.adding(scalars[base + start], to: Fingerprint.empty)
            for length in 2...min(Int(longest), n - start) {
                fingerprint = Fingerprint.adding(scalars[base + start + length - 1], to: fingerprint)
                lexicon.phrases.prefetch(fingerprint)
            }
            fingerprint = Fingerprint.adding(scalars[base + start], to: Fingerprint.empty)
            for length in 2...min(Int(longest), n - start) {
                let characters = scalars[(base + start)..<(base + start + length)]
                fingerprint = Fingerprint.adding(scalars[base + start + length - 1], to: fingerprint)
                guard let phrase = lexicon.phraseReadings(characters, fingerprint: fingerprint) else { continue }
                let end = start + length
                let c = cost(start, end)
                if c < best[end] {
                    best[end] = c
                    back[end] = length
                    phraseEnding[end] = phrase
                    tied[end] = tied[start]
                } else if c == best[end] {
                    tied[end] = 1
                }
            }
        }
        if boundaries == nil && tied[n] != 0 { return false }
        // The neighbour pairs of the characters no phrase covers, asked for before
        // any is read (as the prefixes above).
        var end = n
        while end > 0 {
            if phraseEnding[end] == 0 {
                let index = base + end - 1
                if index > 0 { lexicon.leftPairs.prefetch(Fingerprint.pair(scalars[index - 1], scalars[index])) }
                if index + 1 < scalars.count { lexicon.rightPairs.prefetch(Fingerprint.pair(scalars[index], scalars[index + 1])) }
            }
            end -= back[end]
        }
        end = n
        while end > 0 {
            let length = back[end]
            if phraseEnding[end] != 0 {
                let start = phraseEnding[end], first = base + end - length
                sink.phrase(first..<(base + end), in: scalars) { k in lexicon.syllables[Int(lexicon.pool[start + k])] }
            } else {
                single(at: base + end - 1, in: scalars, into: &sink)
            }
            end -= length
        }
        return true
    }

    /// The reading of a character no phrase covers.
    private func single<Sink: ReadingChoice>(at index: Int, in scalars: [Unicode.Scalar], into sink: inout Sink) {
        let c = scalars[index]
        for rule in (lexicon.hasRules(c) ? lexicon.rules[c] ?? [] : []) where rule.holds(at: index, in: scalars) {
            return sink.set(index, rule.reading, .rule(rule.text))
        }
        let left = index > 0 ? lexicon.neighbour(lexicon.leftPairs, scalars[index - 1], c) : nil
        let right = index + 1 < scalars.count ? lexicon.neighbour(lexicon.rightPairs, c, scalars[index + 1]) : nil
        switch (left, right) {
        case let (l?, r?):
            // Both neighbours speak: the better supported wins, the left on a tie.
            return r.1 > l.1 ? sink.set(index, r.0, .neighbour("\(c)\(scalars[index + 1])"))
                : sink.set(index, l.0, .neighbour("\(scalars[index - 1])\(c)"))
        case let (l?, nil): return sink.set(index, l.0, .neighbour("\(scalars[index - 1])\(c)"))
        case let (nil, r?): return sink.set(index, r.0, .neighbour("\(c)\(scalars[index + 1])"))
        case (nil, nil): break
        }
        if let reading = lexicon.defaultReading(c) { return sink.set(index, reading, .defaultReading) }
        if let reading = lexicon.firstReading(of: c) { return sink.set(index, reading, .character) }
        if let reading = icuReading(c) { sink.set(index, reading, .icu) }
    }

    /// ICU's Han-Latin for one character: slow (FACTS 15), so only for characters
    /// the lexicons lack, and cached.
    private func icuReading(_ c: Unicode.Scalar) -> PinyinSyllable? {
        if let cached = icuCache[c] { return cached }
        prepareFallback()
        var reading: PinyinSyllable? = nil
        if let icu, let latin = try? icu.transform(String(c)), !latin.unicodeScalars.contains(where: \.isHan) {
            reading = PinyinSyllable.fromMarked(latin.trimmingSpaces())
        }
        icuCache[c] = reading
        return reading
    }

    /// The text with each Han character replaced by its syllable, syllables
    /// separated from each other and from neighbouring words by single spaces;
    /// everything else as written.
    public func transliterate(_ text: String, words: [Token], style: PinyinStyle = PinyinStyle()) -> String {
        let scalars = Array(scalarsOf: text)
        return write(scalars: scalars, syllables: syllables(scalars) { words.map { $0.start..<$0.end } }, style: style)
    }

    /// The text written with readings already chosen (from `readings`), so a caller
    /// that needs both pays for the choice once.
    public func write(_ text: String, readings: [PinyinReading?], style: PinyinStyle = PinyinStyle()) -> String {
        let scalars = Array(scalarsOf: text)
        precondition(readings.count >= scalars.count, "fewer readings than characters")
        return write(scalars: scalars, syllables: readings.prefix(scalars.count).map { $0?.syllable }, style: style)
    }

    /// `write` for a caller that has the scalars and their syllables already (the
    /// record builder writes two styles from one reading).
    public func write(scalars: [Unicode.Scalar], syllables: [PinyinSyllable?], style: PinyinStyle) -> String {
        if style.spellsAsStored {
            return String(wellFormedUTF8Capacity: Self.storedBound(scalars.count)) { buffer in
                writeStored(scalars, syllables, style, into: buffer.baseAddress!)
            }
        }
        var sink = ArraySink(output: []) { syllable, output in
            var spelled = syllable.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: false)
            spelled.withUTF8 { output.append(contentsOf: $0) }
        }
        sink.output.reserveCapacity(scalars.count * 4)
        write(scalars, syllables, into: &sink)
        return sink.output.withUnsafeBufferPointer(String.init(wellFormedUTF8:))
    }

    /// The text in two styles at once (records carry tone marks and tone numbers): the
    /// spacing is worked out once for both, where two `write` calls walked the text twice.
    public func write(scalars: [Unicode.Scalar], syllables: [PinyinSyllable?], styles first: PinyinStyle,
                      _ second: PinyinStyle) -> (String, String) {
        guard first.spellsAsStored, second.spellsAsStored else {
            return (write(scalars: scalars, syllables: syllables, style: first), write(scalars: scalars, syllables: syllables, style: second))
        }
        let bound = Self.storedBound(scalars.count)
        var secondText = ""
        let firstText = String(wellFormedUTF8Capacity: bound) { a in
            var firstCount = 0
            secondText = String(wellFormedUTF8Capacity: bound) { b in
                var sink = PairSink(first: PointerSink(base: a.baseAddress!, tones: first.tones, neutralFive: first.neutralFive),
                                    second: PointerSink(base: b.baseAddress!, tones: second.tones, neutralFive: second.neutralFive))
                write(scalars, syllables, into: &sink)
                firstCount = sink.first.count
                return sink.second.count
            }
            return firstCount
        }
        return (firstText, secondText)
    }

    public func transliterate(_ text: String, words: [Token], tones: ToneStyle) -> String {
        transliterate(text, words: words, style: PinyinStyle(tones: tones))
    }

    /// Names mode: a surname (compound surnames first) read as a surname, the
    /// given name in context; each capitalized, the given name's syllables joined:
    /// 高智晟 → Gāo Zhìshèng. Text that does not start with Han is transliterated as usual.
    public func name(_ text: String, style: PinyinStyle = PinyinStyle()) -> String {
        let scalars = Array(scalarsOf: text)
        guard let (surname, surnameLength, givenReadings, hanEnd) = nameReadings(scalars) else {
            return transliterate(text, words: [], style: style)
        }
        let given = String(scalars: scalars[surnameLength..<hanEnd])
        func joined(_ syllables: [PinyinSyllable?], _ chars: ArraySlice<Unicode.Scalar>) -> String {
            var out = ""
            for (k, (syllable, c)) in zip(syllables, chars).enumerated() {
                if let syllable {
                    var written = syllable.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: k == 0)
                    // An apostrophe keeps a vowel-initial syllable apart (Xī'ān).
                    if k > 0, let v = written.unicodeScalars.first, "aeoāáǎàēéěèōóǒò".unicodeScalars.contains(v) { written = "'" + written }
                    out += written
                } else {
                    out.unicodeScalars.append(c)
                }
            }
            return out
        }
        var out = joined(surname, scalars[0..<surnameLength])
        if !given.isEmpty { out += " " + joined(givenReadings, scalars[surnameLength..<hanEnd]) }
        if hanEnd < scalars.count {
            let rest = String(scalars: scalars[hanEnd...])
            out += (rest.first?.isWhitespace == true ? "" : " ") + transliterate(rest, words: [], style: style)
        }
        return out
    }

    /// The syllables of a name read in names mode, surname and given name apart
    /// (高智晟 → ["gāo"], ["zhì", "shèng"]); nil when the text does not start with Han.
    public func nameSyllables(_ text: String, style: PinyinStyle = PinyinStyle()) -> (surname: [String], given: [String])? {
        let scalars = Array(scalarsOf: text)
        guard let (surname, surnameLength, given, hanEnd) = nameReadings(scalars) else { return nil }
        func write(_ syllable: PinyinSyllable?, _ c: Unicode.Scalar) -> String {
            syllable?.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: false) ?? String(c)
        }
        return (zip(surname, scalars[0..<surnameLength]).map { write($0, $1) },
                zip(given, scalars[surnameLength..<hanEnd]).map { write($0, $1) })
    }

    private func nameReadings(_ scalars: [Unicode.Scalar])
        -> (surname: [PinyinSyllable?], surnameLength: Int, given: [PinyinSyllable?], hanEnd: Int)? {
        guard let first = scalars.first, first.isHan else { return nil }
        var hanEnd = 0
        while hanEnd < scalars.count, scalars[hanEnd].isHan { hanEnd += 1 }
        var surnameLength = 0
        var surname: [PinyinSyllable?] = []
        for length in [2, 1] where length < hanEnd || (length == 1 && hanEnd == 1) {
            if let key = PinyinLexicon.surnameKey(scalars[0..<length]), let readings = lexicon.surnames[key] {
                surnameLength = length
                surname = readings
                break
            }
        }
        if surnameLength == 0, let reading = syllables([first], words: { [] })[0] {
            surnameLength = 1
            surname = [reading]
        }
        let givenScalars = Array(scalars[surnameLength..<hanEnd])
        var given = PhraseMarkingSink(count: givenScalars.count)
        read(givenScalars, words: { [] }, into: &given)
        let givenReadings = givenScalars.indices.map { k -> PinyinSyllable? in
            // A phrase reading stands; a character read alone takes its given-name reading.
            given.fromPhrase[k] ? given.syllables[k] : lexicon.givenNames[givenScalars[k]] ?? given.syllables[k]
        }
        return (surname, surnameLength, givenReadings, hanEnd)
    }

    /// `write` for the filter's byte path: the same text, appended to `output` as
    /// UTF-8, each syllable's spelling made once per style and kept.
    public func write(utf8 scalars: [Unicode.Scalar], readings: [PinyinReading?], style: PinyinStyle, into output: inout [UInt8]) {
        precondition(readings.count >= scalars.count, "fewer readings than characters")
        write(utf8: scalars, syllables: readings.prefix(scalars.count).map { $0?.syllable }, style: style, into: &output)
    }

    /// The same from syllables alone (`syllables(_:words:)`).
    public func write(utf8 scalars: [Unicode.Scalar], syllables: [PinyinSyllable?], style: PinyinStyle, into output: inout [UInt8]) {
        // Most styles spell a syllable as one of the strings it stores: their bytes are
        // copied as they are. Only ü written otherwise makes a new spelling, kept per
        // syllable (a dictionary lookup each time cost more than the copy).
        if style.spellsAsStored {
            let start = output.count, bound = Self.storedBound(scalars.count)
            output.append(contentsOf: repeatElement(0, count: bound))
            let written = output.withUnsafeMutableBufferPointer { buffer in
                writeStored(scalars, syllables, style, into: buffer.baseAddress! + start)
            }
            output.removeLast(bound - written)
            return
        }
        if spellingsStyle != style {
            spellings.removeAll()
            spellingsStyle = style
        }
        var sink = ArraySink(output: []) { syllable, output in
            let key = syllable.identity
            if let spelled = self.spellings[key] {
                output.append(contentsOf: spelled)
            } else {
                let spelled = Array(syllable.written(style.tones, neutralFive: style.neutralFive, umlaut: style.umlaut, capitalized: false).utf8)
                self.spellings[key] = spelled
                output.append(contentsOf: spelled)
            }
        }
        // The caller's bytes move into the sink and back, uncopied.
        swap(&sink.output, &output)
        write(scalars, syllables, into: &sink)
        swap(&sink.output, &output)
    }

    /// Room enough for `writeStored`: a space and a spelling of at most sixteen bytes
    /// a scalar (a scalar not read takes four at most), and sixteen bytes over for the
    /// last two-word store.
    private static func storedBound(_ scalars: Int) -> Int { 16 + 17 * scalars }

    /// `write` in a style a syllable stores (ü as ü, or tone marks), through a
    /// pointer: each spelling is two stores of its inline bytes, where appending a
    /// String's bytes to an array cost about 400 instructions a syllable.
    private func writeStored(_ scalars: [Unicode.Scalar], _ syllables: [PinyinSyllable?], _ style: PinyinStyle,
                             into base: UnsafeMutablePointer<UInt8>) -> Int {
        var sink = PointerSink(base: base, tones: style.tones, neutralFive: style.neutralFive)
        write(scalars, syllables, into: &sink)
        return sink.count
    }

    /// The spacing rule both paths share: syllables apart from each other and from
    /// other text, except after an opening bracket or Chinese punctuation and before
    /// closing punctuation; other text as it was. Written as UTF-8 bytes, since
    /// building a String by appending cost about a thousand instructions a character.
    private func write<Sink: PinyinSink>(_ scalars: [Unicode.Scalar], _ syllables: [PinyinSyllable?], into sink: inout Sink) {
        var previousWasSyllable = false
        var last: Unicode.Scalar? = nil
        // Read through a pointer, the array is not bounds-checked: a syllable (or nil)
        // for each scalar is checked here, for every public `write` that takes syllables.
        precondition(syllables.count >= scalars.count, "fewer syllables than characters")
        syllables.withUnsafeBufferPointer { syllables in
            for (i, scalar) in scalars.enumerated() {
                if let syllable = syllables[i] {
                    if let last, !Segmenter.isSpace(last), previousWasSyllable || !(Self.opensText(last) || Self.isFullWidthPunctuation(last)) {
                        sink.space()
                    }
                    sink.syllable(syllable)
                    // A syllable ends in a letter or a tone digit: neither space nor punctuation.
                    last = "a"
                    previousWasSyllable = true
                } else {
                    if previousWasSyllable, !Segmenter.isSpace(scalar), !Self.closesText(scalar) { sink.space() }
                    sink.scalar(scalar)
                    last = scalar
                    previousWasSyllable = false
                }
            }
        }
    }

    private static let openers: ScalarSet = "([{「『《〈（【〔“‘\"'"
    private static let otherFullWidth: ScalarSet = "…—“”‘’"
    private static let closers: ScalarSet = ".,;:?!)]}」』》〉）】〕”’\"'。，、；：？！…"

    /// Punctuation that attaches to what follows (no space after it).
    static func opensText(_ s: Unicode.Scalar) -> Bool {
        openers.contains(s)
    }

    /// Chinese punctuation carries its own spacing: no space is added after it.
    static func isFullWidthPunctuation(_ s: Unicode.Scalar) -> Bool {
        (0x3000...0x303F).contains(s.value) || (0xFF01...0xFF0F).contains(s.value)
            || (0xFF1A...0xFF20).contains(s.value) || (0xFF3B...0xFF40).contains(s.value)
            || (0xFF5B...0xFF65).contains(s.value) || otherFullWidth.contains(s)
    }

    /// Punctuation that attaches to what precedes (no space before it).
    static func closesText(_ s: Unicode.Scalar) -> Bool {
        closers.contains(s)
    }
}

extension StringProtocol {
    /// The text without leading and trailing Unicode whitespace.
    package func trimmingSpaces() -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhiteSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhiteSpace })!
        // The slice's UTF-8 copied as it is (exact scalar bounds, not rounded to
        // characters): re-encoding it scalar by scalar cost 18,000 instructions a call.
        return String(Substring(scalars[first...last]))
    }
}

/// Where the writer's text goes: the spacing is the writer's, the bytes the sink's.
private protocol PinyinSink {
    mutating func space()
    mutating func syllable(_ syllable: PinyinSyllable)
    mutating func scalar(_ scalar: Unicode.Scalar)
}

/// Bytes appended to an array, each syllable spelled by a closure: for the styles
/// that write ü otherwise, whose spellings are made, not stored.
private struct ArraySink: PinyinSink {
    var output: [UInt8]
    let spell: (PinyinSyllable, inout [UInt8]) -> Void
    mutating func space() { output.append(0x20) }
    mutating func syllable(_ syllable: PinyinSyllable) { spell(syllable, &output) }
    mutating func scalar(_ scalar: Unicode.Scalar) { UTF8Scalars.append(scalar, to: &output) }
}

/// Bytes stored through a pointer into room the caller has made (`storedBound`),
/// each syllable as the spelling it stores.
private struct PointerSink: PinyinSink {
    let base: UnsafeMutablePointer<UInt8>
    let tones: ToneStyle
    let neutralFive: Bool
    var count = 0

    mutating func space() {
        base[count] = 0x20
        count += 1
    }

    mutating func syllable(_ syllable: PinyinSyllable) {
        count += syllable.storedUTF8(tones, neutralFive: neutralFive).write(to: base + count)
    }

    mutating func scalar(_ scalar: Unicode.Scalar) {
        count += UTF8Code.encode(scalar.value, into: base, at: count)
    }
}

/// Two sinks written alike (`write(scalars:syllables:styles:_:)`).
private struct PairSink: PinyinSink {
    var first: PointerSink
    var second: PointerSink

    mutating func space() {
        first.space()
        second.space()
    }

    mutating func syllable(_ syllable: PinyinSyllable) {
        first.syllable(syllable)
        second.syllable(syllable)
    }

    mutating func scalar(_ scalar: Unicode.Scalar) {
        first.scalar(scalar)
        second.scalar(scalar)
    }
}

/// Where the readings' choice writes what it chose: a sink that keeps the syllables
/// only never evaluates a source (the sources are autoclosures).
private protocol ReadingChoice {
    mutating func set(_ index: Int, _ syllable: PinyinSyllable, _ source: @autoclosure () -> PinyinReading.Source)
    /// A phrase over `range` of `scalars`, its k-th character read `syllable(k)`.
    mutating func phrase(_ range: Range<Int>, in scalars: [Unicode.Scalar], _ syllable: (Int) -> PinyinSyllable)
    /// Whether the sink keeps nothing but the syllables, so that a run's syllables
    /// read before (`RunReadings`) are all it needs.
    static var keepsOnlySyllables: Bool { get }
    /// The run's syllables as read before, written into the sink, if they were.
    mutating func recall(_ run: Range<Int>, in scalars: [Unicode.Scalar], from memo: inout RunReadings) -> RunReadings.Found
    /// Keeps the run's syllables just read (or that it needed the words).
    func keep(_ run: Range<Int>, in scalars: [Unicode.Scalar], tied: Bool, into memo: inout RunReadings)
}

extension ReadingChoice {
    static var keepsOnlySyllables: Bool { false }
    mutating func recall(_ run: Range<Int>, in scalars: [Unicode.Scalar], from memo: inout RunReadings) -> RunReadings.Found {
        .missing
    }
    func keep(_ run: Range<Int>, in scalars: [Unicode.Scalar], tied: Bool, into memo: inout RunReadings) {}
}

private struct ReadingSink: ReadingChoice {
    var readings: [PinyinReading?]
    init(count: Int) { readings = [PinyinReading?](filledWith: nil, count: count) }
    mutating func set(_ index: Int, _ syllable: PinyinSyllable, _ source: @autoclosure () -> PinyinReading.Source) {
        readings[index] = PinyinReading(syllable: syllable, source: source())
    }
    mutating func phrase(_ range: Range<Int>, in scalars: [Unicode.Scalar], _ syllable: (Int) -> PinyinSyllable) {
        let source = PinyinReading.Source.phrase(String(scalars: scalars[range]))
        for (k, index) in range.enumerated() { readings[index] = PinyinReading(syllable: syllable(k), source: source) }
    }
}

private struct SyllableSink: ReadingChoice {
    var syllables: [PinyinSyllable?]
    init(count: Int) { syllables = [PinyinSyllable?](filledWith: nil, count: count) }
    @inline(__always)
    mutating func set(_ index: Int, _ syllable: PinyinSyllable, _ source: @autoclosure () -> PinyinReading.Source) {
        syllables[index] = syllable
    }
    @inline(__always)
    mutating func phrase(_ range: Range<Int>, in scalars: [Unicode.Scalar], _ syllable: (Int) -> PinyinSyllable) {
        for (k, index) in range.enumerated() { syllables[index] = syllable(k) }
    }
    static var keepsOnlySyllables: Bool { true }
    mutating func recall(_ run: Range<Int>, in scalars: [Unicode.Scalar], from memo: inout RunReadings) -> RunReadings.Found {
        memo.recall(run, in: scalars, into: &syllables)
    }
    func keep(_ run: Range<Int>, in scalars: [Unicode.Scalar], tied: Bool, into memo: inout RunReadings) {
        memo.keep(run, in: scalars, syllables: tied ? nil : syllables[run])
    }
}

/// The syllables of runs of Han read lately, by the run and what the two characters
/// on each side are to the context rules: statements are formulaic, and most of
/// their runs were read before, a lexicon lookup for every phrase that starts at
/// each of their characters. Beyond its own characters, a run's reading depends
/// only on the rules' tests of the characters up to two places away (the neighbour
/// pairs are of Han only, and the characters next to a run are not Han), so those
/// are kept by their class (`PinyinLexicon.contextClasses`): "1986年" and "2005年"
/// read 年 alike. A run whose cuttings tied is kept as such, to be read with the
/// words at once. A direct-mapped table of 4,096 runs; a run is found by a digest and
/// then compared whole, so a run found is the run read, and its syllables the ones
/// it gets.
struct RunReadings {
    enum Found { case missing, read, tied }
    private static let slots = 4096
    /// A character in no rule's set: Han, or not Han (or no character: a place before
    /// the text's start or past its end, which the rules read as they read a
    /// character that is not Han).
    private static let otherHan: UInt32 = 0x11_0000, none: UInt32 = 0x11_0001
    private var windows: [[UInt32]]
    /// nil: the run's cuttings tied.
    private var readings: [[PinyinSyllable?]?]
    let classes: ScalarMap

    init(classes: ScalarMap) {
        self.classes = classes
        windows = [[UInt32]](filledWith: [], count: Self.slots)
        readings = [[PinyinSyllable?]?](filledWith: nil, count: Self.slots)
    }

    private init() {
        classes = ScalarMap()
        windows = []
        readings = []
    }

    /// A table of no room that stands in for a transliterator's while it is in use.
    static let idle = RunReadings()

    /// A character next to a run (not in it), as the rules see it: by class.
    @inline(__always)
    private func context(_ scalars: [Unicode.Scalar], _ j: Int) -> UInt32 {
        guard j >= 0, j < scalars.count else { return Self.none }
        let c = scalars[j]
        let number = classes[c]
        if number != 0 { return 0x12_0000 + number }
        return c.isHan ? Self.otherHan : Self.none
    }

    /// The run's window, written into `window` (`run.count + 4` values): the two
    /// characters before it and the two after by class, its own as they are. Made
    /// once for a run's lookup, where its digest and its comparison each made it.
    @inline(__always)
    private func fill(_ window: UnsafeMutableBufferPointer<UInt32>, _ run: Range<Int>, _ scalars: [Unicode.Scalar]) {
        window[0] = context(scalars, run.lowerBound - 2)
        window[1] = context(scalars, run.lowerBound - 1)
        var k = 2
        for j in run {
            window[k] = scalars[j].value
            k += 1
        }
        window[k] = context(scalars, run.upperBound)
        window[k + 1] = context(scalars, run.upperBound + 1)
    }

    private static func slot(_ window: UnsafeBufferPointer<UInt32>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in window { h = (h ^ UInt64(value)) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: (h ^ h >> 32) & UInt64(Self.slots - 1))
    }

    private func holds(_ slot: Int, _ window: UnsafeBufferPointer<UInt32>) -> Bool {
        windows[slot].withUnsafeBufferPointer { kept in
            guard kept.count == window.count else { return false }
            for k in 0..<kept.count where kept[k] != window[k] { return false }
            return true
        }
    }

    func recall(_ run: Range<Int>, in scalars: [Unicode.Scalar], into syllables: inout [PinyinSyllable?]) -> Found {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: run.count + 4) { room in
            fill(room, run, scalars)
            let window = UnsafeBufferPointer(room)
            let slot = Self.slot(window)
            guard holds(slot, window) else { return .missing }
            guard let reading = readings[slot] else { return .tied }
            for (k, syllable) in reading.enumerated() { syllables[run.lowerBound + k] = syllable }
            return .read
        }
    }

    mutating func keep(_ run: Range<Int>, in scalars: [Unicode.Scalar], syllables: ArraySlice<PinyinSyllable?>?) {
        let window = [UInt32](unsafeUninitializedCapacity: run.count + 4) { window, count in
            fill(window, run, scalars)
            count = run.count + 4
        }
        let slot = window.withUnsafeBufferPointer(Self.slot)
        windows[slot] = window
        readings[slot] = syllables.map(Array.init)
    }
}

/// The syllables, and which came from a lexicon phrase (names mode reads a character
/// no phrase covers as a given name).
private struct PhraseMarkingSink: ReadingChoice {
    var syllables: [PinyinSyllable?]
    var fromPhrase: [Bool]
    init(count: Int) {
        syllables = [PinyinSyllable?](filledWith: nil, count: count)
        fromPhrase = [Bool](filledWith: false, count: count)
    }
    mutating func set(_ index: Int, _ syllable: PinyinSyllable, _ source: @autoclosure () -> PinyinReading.Source) {
        syllables[index] = syllable
    }
    mutating func phrase(_ range: Range<Int>, in scalars: [Unicode.Scalar], _ syllable: (Int) -> PinyinSyllable) {
        for (k, index) in range.enumerated() {
            syllables[index] = syllable(k)
            fromPhrase[index] = true
        }
    }
}
