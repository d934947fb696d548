import DeclprocCollections
import DeclprocICU
import DeclprocLocales
import Foundation

/// What `Locales/zh/segment/` holds for word segmentation: the word lexicon (as
/// 64-bit fingerprints, so a lookup builds no String), the Traditional→Simplified
/// fold, and the character classes of the refinement rules. Immutable, shared.
/// The lexicon and fold are compiled once into flat tables (`CompiledCache`).
public final class SegmentationData: Sendable {
    let words: FingerprintSet
    /// A bit per 2^43 fingerprints that holds some word (see `isWord`).
    let wordBits: [UInt64]
    let simplified: ScalarMap
    /// One bit per character class of the rules (`Class`), so a character's classes are one lookup.
    let classes: ScalarMap
    /// Fingerprints of the words that join a number before them (年, 岁…).
    let numberSuffixes: Set<UInt64>
    let maxWord: Int
    let maxMerge: Int

    struct Class: OptionSet {
        let rawValue: UInt32
        static let numeral = Class(rawValue: 1), approximator = Class(rawValue: 2), measureWord = Class(rawValue: 4)
        static let demonstrative = Class(rawValue: 8), function = Class(rawValue: 16), transliteration = Class(rawValue: 32)
        static let transliterationStrong = Class(rawValue: 64), surname = Class(rawValue: 128)
    }

    /// The compiled form's layout; bump when it changes.
    static let format = 3
    static let sources = ["zh/segment/cedict-words.txt", "zh/pinyin/words.tsv", "zh/segment/t2s-chars.tsv"]

    /// `extraWords`: a user lexicon (one word per line, an optional tab and frequency).
    public init(store: LocaleStore, extraWords: [String] = []) throws(LocaleStore.MissingData) {
        var words: FingerprintSet
        var simplified: ScalarMap
        do {
            var reader = try store.cache.load("segmentation", format: Self.format, sources: Self.sources, store: store) {
                try Self.compile(store)
            }
            words = try FingerprintSet(from: &reader)
            simplified = try ScalarMap(from: &reader)
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: store.url("zh/segment").path, reason: "\(error)")
        }
        for word in extraWords { words.insert(Fingerprint.of(word.unicodeScalars)) }
        self.words = words
        var bits = [UInt64](filledWith: 0, count: 1 << 15)
        words.forEachKey { key in
            let bit = Int(truncatingIfNeeded: key >> 43)
            bits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        wordBits = bits
        self.simplified = simplified
        let path = "zh/segment/rules.json"
        guard let object = try? JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any] else {
            throw LocaleStore.MissingData(path: store.url(path).path, reason: "not a JSON object")
        }
        var classes = ScalarMap()
        let keys: [(String, Class)] = [("numerals", .numeral), ("approximators", .approximator), ("measure_words", .measureWord),
                                       ("demonstratives", .demonstrative), ("function_characters", .function),
                                       ("transliteration", .transliteration), ("transliteration_strong", .transliterationStrong),
                                       ("surnames", .surname)]
        for (key, flag) in keys {
            guard let text = object[key] as? String else {
                throw LocaleStore.MissingData(path: store.url(path).path, reason: "no \"\(key)\" string")
            }
            for scalar in text.unicodeScalars { classes[scalar] |= flag.rawValue }
        }
        self.classes = classes
        numberSuffixes = Set(((object["number_suffixes"] as? [String]) ?? []).map { Fingerprint.of($0.unicodeScalars) })
        maxWord = (object["max_word"] as? Int) ?? 8
        maxMerge = (object["max_merge"] as? Int) ?? 4
    }

    /// The flat tables from the text files: every word's fingerprint, and the one-for-one fold.
    static func compile(_ store: LocaleStore) throws -> [UInt8] {
        var words = FingerprintSet(expected: 170_000)
        for path in ["zh/segment/cedict-words.txt", "zh/pinyin/words.tsv"] {
            try store.forEachRow(path) { words.insert(Fingerprint.of(LocaleStore.scalars($0[0]))) }
        }
        var writer = BinaryWriter()
        words.write(to: &writer)
        try oneForOneFold(store).write(to: &writer)
        return writer.bytes
    }

    /// Traditional → Simplified where one character maps to one (`t2s-chars.tsv`),
    /// as scalar values (0: none): what segmentation and Pinyin read Traditional text through.
    static func oneForOneFold(_ store: LocaleStore) throws -> ScalarMap {
        var simplified = ScalarMap()
        try store.forEachRow("zh/segment/t2s-chars.tsv") { row in
            guard row.count >= 2 else { return }
            let from = LocaleStore.scalars(row[0]), to = LocaleStore.scalars(row[1])
            if from.count == 1, to.count == 1 { simplified[from[0]] = to[0].value }
        }
        return simplified
    }

    /// Reads a user lexicon: one word per line, optionally a tab and a frequency.
    public static func userLexicon(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LocaleStore.MissingData(path: path, reason: "cannot read lexicon")
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            let word = line.split(separator: "\t").first.map(String.init)?.trimmingSpaces() ?? ""
            return word.isEmpty || word.hasPrefix("#") ? nil : word
        }
    }

    @inline(__always) func isWord<C: Collection>(_ scalars: C) -> Bool where C.Element == Unicode.Scalar {
        isWord(fingerprint: Fingerprint.of(scalars))
    }

    @inline(__always) func isWord(fingerprint: UInt64) -> Bool {
        // Most lookups are for non-words: a 256 KB bit set (one bit per 2^21 slot,
        // about one word in twelve slots set) answers them from cache.
        let bit = Int(truncatingIfNeeded: fingerprint >> 43)
        guard wordBits[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { return false }
        return words.contains(fingerprint)
    }

    /// The length of the longest lexicon word of two or more characters that starts
    /// at `start` and runs past `end`, if any.
    public func longestWord(_ scalars: [Unicode.Scalar], from start: Int, beyond end: Int) -> Int? {
        let longest = min(maxWord, scalars.count - start), shortest = max(2, end - start + 1)
        guard longest >= shortest else { return nil }
        // Each prefix's fingerprint extends the one before, so the text is hashed
        // once, not once per length tried (the converter asks this at every
        // position inside a phrase that starts with a function character).
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: longest + 1) { prints in
            var hash = Fingerprint.empty
            for k in 0..<longest {
                hash = Fingerprint.adding(scalars[start + k], to: hash)
                prints[k + 1] = hash
            }
            for length in stride(from: longest, through: shortest, by: -1) where isWord(fingerprint: prints[length]) {
                return length
            }
            return nil
        }
    }
    @inline(__always) func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = simplified[scalar]
        return value == 0 ? scalar : Unicode.Scalar(value) ?? scalar
    }
    @inline(__always) func has(_ scalar: Unicode.Scalar, _ flag: Class) -> Bool { classes[scalar] & flag.rawValue != 0 }
}

/// Chinese word segmentation: ICU's dictionary break, refined by a lexicon and a
/// few general rules, so unknown words and compounds don't fall apart (and
/// numbers, measure words, names and foreign names come out as people write them).
///
/// Steps, each over the whole token list: cut ICU tokens that are not words into
/// words; join runs of single characters that form a word; split numeral or
/// demonstrative + measure word; join number expressions; join transliterated
/// foreign names; split surname + given name; join repeated punctuation and
/// hyphenated Latin. Traditional text is looked up through its Simplified form.
///
/// Word F1 on Universal Dependencies GSDSimp test: 0.874 (ICU alone 0.790; see
/// `docs/text-engine.md`). Owns ICU break iterators: one per task.
public final class WordSegmenter {
    public let data: SegmentationData
    private let icu: Segmenter

    /// Buffers the passes reuse from line to line (a segmenter serves one task at a time).
    private struct Scratch {
        var folded: [Unicode.Scalar] = []
        let pieces = PieceList()
        let out = PieceList()
        var cuts = CutScratch()
    }

    /// The cutting pass's tables, reused from piece to piece: new arrays for each
    /// token that is no word cost a third of that pass.
    private struct CutScratch {
        var best: [(Int, Int)] = []
        var back: [Int] = []
        var cut: [Piece] = []
    }
    private var scratch = Scratch()
    /// Each line's words are its own (see `spans(lines:at:)`), so a sentence seen
    /// lately keeps its words: formulaic sentences recur from statement to statement,
    /// and looking one up costs a fraction of a microsecond where segmenting it costs several.
    private var recent: RecentMemo<UTF8Key, [Token]>
    /// ICU's word spans of the clauses read lately (`icuSpans`): a line that is new
    /// (a name, a year) mostly repeats clauses of lines before it.
    private var recentClauseSpans: RecentMemo<ScalarsKey, [Range<Int>]>
    /// Clauses kept a generation: a clause is shorter than a line, and a new line
    /// brings several.
    public static let recentClauses = 2048

    /// Lines kept a generation (`RecentMemo`) by default: some 500 bytes each, so at
    /// most about 1 MB a segmenter. Larger memos find more (on the web benchmark
    /// corpus 53% of lines at 1,024, 62% at 4,096), but each worker keeps its own,
    /// and at 4,096 (with the aligner's at 2,048) two workers' peak rose by 20 MB.
    public static let recentLines = 1024

    public init(data: SegmentationData, icu: Segmenter, recentLines: Int = WordSegmenter.recentLines) {
        self.data = data
        self.icu = icu
        recent = RecentMemo(capacity: recentLines)
        recentClauseSpans = RecentMemo(capacity: Self.recentClauses)
    }

    /// ICU's word spans of `text` (`Segmenter.wordSpans`), clause by clause. ICU
    /// breaks on both sides of a clause mark (。！？、（）“”，；：) that stands between
    /// ideographs, other such marks, line breaks or the text's ends, whatever lies
    /// beyond (no word rule joins an ideograph: ，；： join only digits or letters
    /// around them), and starts afresh at each break; so a clause's spans are those
    /// of the clause alone, and the mark is a word of its own. The clauses ICU has
    /// not seen lately go to it in one call, a line break between each (as lines do).
    /// ICU's dictionary break is most of segmenting: on the web benchmark corpus a
    /// clause memo leaves ICU some 200,000 ideographs to read where a line memo left
    /// 350,000. `clauseSpansAreICUsOwn` holds the result to ICU's on the whole text.
    func icuSpans(_ text: [Unicode.Scalar]) throws(ICUError) -> [Range<Int>] {
        @inline(__always) func isMark(_ c: Unicode.Scalar) -> Bool {
            switch c.value {
            case 0x3002, 0xFF01, 0xFF1F, 0x3001, 0xFF08, 0xFF09, 0x201C, 0x201D, 0xFF0C, 0xFF1B, 0xFF1A: true
            default: false
            }
        }
        @inline(__always) func fences(_ c: Unicode.Scalar) -> Bool {
            (0x4E00...0x9FFF).contains(c.value) || (0x3400...0x4DBF).contains(c.value) || c == "\n" || isMark(c)
        }
        let n = text.count
        // The clauses, and after each the mark that ends it (nil at the text's end).
        var clauses: [(range: Range<Int>, mark: Int?)] = []
        var start = 0
        for i in 0..<n where isMark(text[i]) && (i == 0 || fences(text[i - 1])) && (i + 1 == n || fences(text[i + 1])) {
            clauses.append((start..<i, i))
            start = i + 1
        }
        guard !clauses.isEmpty else { return try icu.wordSpans(text) }
        clauses.append((start..<n, nil))
        var known: [[Range<Int>]?] = [], keys: [ScalarsKey?] = []
        known.reserveCapacity(clauses.count)
        keys.reserveCapacity(clauses.count)
        var batch: [Unicode.Scalar] = [], batchRanges: [Range<Int>] = []
        for clause in clauses {
            guard !clause.range.isEmpty else { known.append([]); keys.append(nil); continue }
            let key = ScalarsKey(text[clause.range])
            if let spans = recentClauseSpans.value(for: key) { known.append(spans); keys.append(nil); continue }
            known.append(nil)
            keys.append(key)
            if !batchRanges.isEmpty { batch.append("\n") }
            let at = batch.count
            batch.append(contentsOf: text[clause.range])
            batchRanges.append(at..<batch.count)
        }
        if !batchRanges.isEmpty {
            let spans = try icu.wordSpans(batch)
            var next = 0, s = 0
            for k in known.indices where known[k] == nil {
                let range = batchRanges[next]
                next += 1
                let first = s
                while s < spans.count, spans[s].lowerBound < range.upperBound {
                    // A word across a line break would break ICU's rules: were it to happen, ICU reads the text whole.
                    guard spans[s].lowerBound >= range.lowerBound, spans[s].upperBound <= range.upperBound else { return try icu.wordSpans(text) }
                    s += 1
                }
                let own = spans[first..<s].map { ($0.lowerBound - range.lowerBound)..<($0.upperBound - range.lowerBound) }
                known[k] = own
                recentClauseSpans.insert(own, for: keys[k]!.compacted)
            }
        }
        var result: [Range<Int>] = []
        result.reserveCapacity(known.reduce(clauses.count) { $0 + ($1?.count ?? 0) })
        for (k, clause) in clauses.enumerated() {
            for span in known[k]! { result.append((span.lowerBound + clause.range.lowerBound)..<(span.upperBound + clause.range.lowerBound)) }
            if let mark = clause.mark { result.append(mark..<(mark + 1)) }
        }
        return result
    }

    /// A token in the folded text: [start, end) in scalars of the line.
    fileprivate struct Piece {
        var start: Int
        var end: Int
        var count: Int { end - start }
    }

    public func words(_ text: String) throws(ICUError) -> [Token] {
        try words(each: [text])[0]
    }

    /// The words of several texts (a statement's sentences), each as `words` gives
    /// them, with one call to ICU for all (see `spans(lines:at:)`). A text segmented
    /// lately is not segmented again (`recent`).
    public func words(each texts: [String]) throws(ICUError) -> [[Token]] {
        var result: [[Token]] = []
        result.reserveCapacity(texts.count)
        var text: [Unicode.Scalar] = [], ranges: [Range<Int>] = [], missing: [(index: Int, key: UTF8Key)] = []
        for (k, item) in texts.enumerated() {
            let key = UTF8Key(item)
            if let known = recent.value(for: key) {
                result.append(known)
                continue
            }
            result.append([])
            missing.append((k, key))
            if !ranges.isEmpty { text.append("\n") }
            let start = text.count
            item.withUTF8Bytes { UTF8Scalars.decode($0, into: &text) }
            ranges.append(start..<text.count)
        }
        guard !missing.isEmpty else { return result }
        let spans = try spans(lines: text, at: ranges)
        for (line, (range, spans)) in zip(missing, zip(ranges, spans)) {
            let tokens = spans.map { span in
                Token(text: String(scalars: text[(range.lowerBound + span.lowerBound)..<(range.lowerBound + span.upperBound)]),
                      start: span.lowerBound, end: span.upperBound)
            }
            recent.insert(tokens, for: line.key)
            result[line.index] = tokens
        }
        return result
    }

    /// The words as spans of `scalars`, no String built (what the transliterator and
    /// the converter need: boundaries).
    public func spans(_ original: [Unicode.Scalar]) throws(ICUError) -> [Range<Int>] {
        try spans(lines: original, at: [0..<original.count])[0]
    }

    /// The words of several lines at once, each as `spans` of that line alone would
    /// give them (spans in the line's scalars): `text` holds the lines at `lines`,
    /// separated by "\n". ICU breaks at every line break (rules WB3a and WB3b), so
    /// it segments them as one text and its set-up, a fifth of the time on short
    /// lines, is paid once.
    public func spans(lines text: [Unicode.Scalar], at lines: [Range<Int>]) throws(ICUError) -> [[Range<Int>]] {
        let icuSpans = try self.icuSpans(text)
        var folded: [Unicode.Scalar] = [], cuts = CutScratch()
        let pieces = scratch.pieces, out = scratch.out
        swap(&folded, &scratch.folded)
        swap(&cuts, &scratch.cuts)
        defer {
            swap(&folded, &scratch.folded)
            swap(&cuts, &scratch.cuts)
        }
        folded.removeAll(keepingCapacity: true)
        folded.append(contentsOf: text)
        // Folded in place through a pointer (an append per scalar checked the array each time).
        folded.withUnsafeMutableBufferPointer { folded in
            for k in folded.indices { folded[k] = data.fold(folded[k]) }
        }
        var result: [[Range<Int>]] = []
        result.reserveCapacity(lines.count)
        var next = 0 // the first of ICU's spans not yet given to a line
        var crossed = false
        // The passes read the text through a pointer: a slice of an array would
        // retain and release its storage at every look at a piece. Each pass writes
        // into the other of two buffers kept from line to line (a new array per
        // pass and line was an eighth of the time).
        folded.withUnsafeBufferPointer { all in
            for line in lines {
                pieces.removeAll(keepingCapacity: true)
                while next < icuSpans.count, icuSpans[next].lowerBound < line.upperBound {
                    let span = icuSpans[next]
                    if span.lowerBound >= line.lowerBound, span.upperBound <= line.upperBound {
                        pieces.append(Piece(start: span.lowerBound - line.lowerBound, end: span.upperBound - line.lowerBound))
                    } else if span.lowerBound >= line.lowerBound || span.upperBound > line.lowerBound {
                        crossed = true
                    }
                    next += 1
                }
                let f = UnsafeBufferPointer(rebasing: all[line])
                cutNonWords(pieces, into: out, f, &cuts)
                joinSingles(out, into: pieces, f)
                splitMeasureWords(pieces, into: out, f)
                joinNumbers(out, into: pieces, f)
                joinForeignNames(pieces, into: out, f)
                splitNames(out, into: pieces, f)
                joinPunctuationAndLatin(pieces, into: out, f)
                result.append(out.spans)
            }
        }
        // A word across a line break would break ICU's rules: were it to happen,
        // each line is segmented on its own.
        if crossed, lines.count > 1 { return try lines.map { line throws(ICUError) in try spans(Array(text[line])) } }
        return result
    }

    typealias Text = UnsafeBufferPointer<Unicode.Scalar>
    typealias Stretch = Slice<UnsafeBufferPointer<Unicode.Scalar>>

    private func isHan(_ s: Stretch) -> Bool { !s.isEmpty && s.allSatisfy(\.isHan) }
    private func adjacent(_ a: Piece, _ b: Piece) -> Bool { a.end == b.start }

    /// Step 1: an ICU token of Han characters that is no word is cut into the
    /// fewest pieces (then fewest single characters), if every piece is a word or
    /// a function character; otherwise it stays whole.
    private func cutNonWords(_ pieces: PieceList, into out: PieceList, _ f: Text, _ scratch: inout CutScratch) {
        out.removeAll(keepingCapacity: true)
        for piece in pieces {
            let w = f[piece.start..<piece.end]
            guard piece.count >= 2, isHan(w), !data.isWord(w) else { out.append(piece); continue }
            let n = piece.count
            scratch.best.removeAll(keepingCapacity: true)
            scratch.best.append(contentsOf: repeatElement((Int.max, Int.max), count: n + 1))
            scratch.back.removeAll(keepingCapacity: true)
            scratch.back.append(contentsOf: repeatElement(0, count: n + 1))
            scratch.best[0] = (0, 0)
            // Forward from each settled position, so each candidate word's
            // fingerprint extends the previous one instead of hashing it afresh.
            // Every j still sees its i in ascending order, so ties go as before.
            for i in 0..<n where scratch.best[i].0 != Int.max && data.maxWord >= 1 {
                var fingerprint = Fingerprint.empty
                for j in (i + 1)...min(n, i + data.maxWord) {
                    fingerprint = Fingerprint.adding(f[piece.start + j - 1], to: fingerprint)
                    guard j - i == 1 || data.isWord(fingerprint: fingerprint) else { continue }
                    let v = (scratch.best[i].0 + 1, scratch.best[i].1 + (j - i == 1 ? 1 : 0))
                    if v <= scratch.best[j] { scratch.best[j] = v; scratch.back[j] = i } // on a tie the larger i wins
                }
            }
            scratch.cut.removeAll(keepingCapacity: true)
            var j = n
            while j > 0 { let i = scratch.back[j]; scratch.cut.append(Piece(start: piece.start + i, end: piece.start + j)); j = i }
            scratch.cut.reverse()
            if scratch.cut.allSatisfy({ $0.count >= 2 || data.has(f[$0.start], .function) }) { for cut in scratch.cut { out.append(cut) } } else { out.append(piece) }
        }
    }

    /// Step 2: runs of adjacent single Han characters join into the longest lexicon word.
    private func joinSingles(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        var k = 0
        while k < pieces.count {
            var end = k + 1
            if pieces[k].count == 1, f[pieces[k].start].isHan {
                var m = k + 1
                // The run's fingerprint grows by one character a step.
                var fingerprint = Fingerprint.adding(f[pieces[k].start], to: Fingerprint.empty)
                while m < min(pieces.count, k + data.maxMerge), pieces[m].count == 1, f[pieces[m].start].isHan,
                      adjacent(pieces[m - 1], pieces[m]) {
                    fingerprint = Fingerprint.adding(f[pieces[m].start], to: fingerprint)
                    if data.isWord(fingerprint: fingerprint) { end = m + 1 }
                    m += 1
                }
            }
            out.append(Piece(start: pieces[k].start, end: pieces[end - 1].end))
            k = end
        }
    }

    private func isNumber(_ s: Stretch) -> Bool {
        isDigits(s) || (!s.isEmpty && s.allSatisfy { data.has($0, .numeral) })
    }

    private static let numberSeparators: ScalarSet = ".,．，"

    /// ASCII or full-width digits, with inner decimal or thousands separators.
    private func isDigits(_ s: Stretch) -> Bool {
        guard let first = s.first, let last = s.last, Self.isDigit(first), Self.isDigit(last) else { return false }
        var previousSeparator = false
        for c in s {
            if Self.isDigit(c) { previousSeparator = false; continue }
            guard Self.numberSeparators.contains(c), !previousSeparator else { return false }
            previousSeparator = true
        }
        return true
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { (0x30...0x39).contains(c.value) || (0xFF10...0xFF19).contains(c.value) }

    /// Step 3: numeral or demonstrative + measure word become two words (一个 → 一 个,
    /// 第一个 → 第一 个, 这种 → 这 种).
    private func splitMeasureWords(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        for piece in pieces {
            let w = f[piece.start..<piece.end]
            if piece.count >= 2, data.has(w.last!, .measureWord), isHan(w) {
                let head = w.dropLast()
                let core = head.first == "第" ? head.dropFirst() : head
                let numeric = !core.isEmpty && core.allSatisfy { data.has($0, .numeral) || data.has($0, .approximator) }
                if numeric || (head.count == 1 && data.has(head.first!, .demonstrative)) {
                    out.append(Piece(start: piece.start, end: piece.end - 1))
                    out.append(Piece(start: piece.end - 1, end: piece.end))
                    continue
                }
            }
            out.append(piece)
        }
    }

    /// Step 4: number expressions join (20万, 四百五十万, 第6, 500多, 96%).
    private func joinNumbers(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        var previousIsNumber = false // whether out.last is a number, each piece tested once
        for piece in pieces {
            let w = f[piece.start..<piece.end]
            let number = isNumber(w)
            if let previous = out.last, adjacent(previous, piece) {
                let p = f[previous.start..<previous.end]
                let join = (previousIsNumber && number && !(isDigits(p) && isDigits(w)))
                    || (p.count == 1 && p.first == "第" && number)
                    || (previousIsNumber && data.numberSuffixes.contains(Fingerprint.of(w)))
                if join {
                    out[out.count - 1].end = piece.end
                    previousIsNumber = isNumber(f[previous.start..<piece.end])
                    continue
                }
            }
            out.append(piece)
            previousIsNumber = number
        }
    }

    /// Step 5: a run of short tokens of transliteration characters, with at least one
    /// single character and one strongly foreign character, is one name (玛丽娜).
    private func joinForeignNames(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        var k = 0
        while k < pieces.count {
            var m = k
            while m < pieces.count {
                let w = f[pieces[m].start..<pieces[m].end]
                // The class test before the Han test: most pieces fail it at their first character.
                guard pieces[m].count <= 2, w.allSatisfy({ data.has($0, .transliteration) }), isHan(w),
                      m == k || adjacent(pieces[m - 1], pieces[m]) else { break }
                m += 1
            }
            // A name needs two pieces or more.
            if m - k < 2 {
                out.append(pieces[k])
                k += 1
                continue
            }
            let run = pieces[k..<m]
            let characters = run.reduce(0) { $0 + $1.count }
            if run.count >= 2, run.contains(where: { $0.count == 1 }),
               run.contains(where: { f[$0.start..<$0.end].contains { data.has($0, .transliterationStrong) } }),
               characters >= 3 || run.allSatisfy({ $0.count == 1 }) {
                out.append(Piece(start: run.first!.start, end: run.last!.end))
                k = m
            } else {
                out.append(pieces[k])
                k += 1
            }
        }
    }

    /// Step 6: a surname followed by two single characters (no function characters,
    /// not a word together) is surname + given name (吴 骏彦).
    private func splitNames(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        var k = 0
        while k < pieces.count {
            let t = pieces[k]
            if t.count == 1, data.has(f[t.start], .surname), k + 2 < pieces.count {
                let a = pieces[k + 1], b = pieces[k + 2]
                if a.count == 1, b.count == 1, f[a.start].isHan, f[b.start].isHan,
                   !data.has(f[a.start], .function), !data.has(f[b.start], .function),
                   adjacent(t, a), adjacent(a, b), !data.isWord(f[a.start..<b.end]) {
                    out.append(t)
                    out.append(Piece(start: a.start, end: b.end))
                    k += 3
                    continue
                }
            }
            out.append(t)
            k += 1
        }
    }

    /// Step 7: repeated punctuation joins (——, ……); Latin or digits joined by a
    /// hyphen join (AK-47), except digit ranges (600-1100).
    private func joinPunctuationAndLatin(_ pieces: PieceList, into out: PieceList, _ f: Text) {
        out.removeAll(keepingCapacity: true)
        var k = 0
        func isLatin(_ s: Stretch) -> Bool {
            !s.isEmpty && s.allSatisfy { (0x41...0x5A).contains($0.value) || (0x61...0x7A).contains($0.value) || Self.isDigit($0)
                || (0xFF21...0xFF3A).contains($0.value) || (0xFF41...0xFF5A).contains($0.value) || (0xFF10...0xFF19).contains($0.value) }
        }
        func allDigits(_ s: Stretch) -> Bool { s.allSatisfy(Self.isDigit) }
        while k < pieces.count {
            let t = pieces[k]
            let w = f[t.start..<t.end]
            if let previous = out.last, adjacent(previous, t) {
                let p = f[previous.start..<previous.end]
                // The cheap test first: a repeat of the same character is rare, the category lookup is not cheap.
                if t.count == 1, p.allSatisfy({ $0 == w.first! }), Self.isPunctuationOrSymbol(w.first!) {
                    out[out.count - 1].end = t.end
                    k += 1
                    continue
                }
                if t.count == 1, w.first == "-" || w.first == "－", k + 1 < pieces.count, adjacent(t, pieces[k + 1]) {
                    let next = f[pieces[k + 1].start..<pieces[k + 1].end]
                    if isLatin(p), isLatin(next), !(allDigits(p) && allDigits(next)) {
                        out[out.count - 1].end = pieces[k + 1].end
                        k += 2
                        continue
                    }
                }
            }
            out.append(t)
            k += 1
        }
    }

    static func isPunctuationOrSymbol(_ c: Unicode.Scalar) -> Bool {
        if c.isHan { return false }
        if c.isASCII {
            let v = c.value
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

/// The passes' lists of pieces, in memory the list owns and keeps from line to line:
/// every pass appends each piece it keeps, and an Array's append asked the runtime
/// whether its buffer was shared each time, and emptying one cost a call per pass.
private final class PieceList: RandomAccessCollection {
    private var base: UnsafeMutablePointer<WordSegmenter.Piece>
    private var capacity = 256
    private(set) var count = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(_ i: Int) -> WordSegmenter.Piece {
        @inline(__always) get {
            precondition(i >= 0 && i < count, "piece index out of range")
            return base[i]
        }
        @inline(__always) set {
            precondition(i >= 0 && i < count, "piece index out of range")
            base[i] = newValue
        }
    }

    @inline(__always)
    func append(_ piece: WordSegmenter.Piece) {
        if count == capacity { grow() }
        (base + count).initialize(to: piece)
        count += 1
    }

    func removeAll(keepingCapacity: Bool) { count = 0 }

    var spans: [Range<Int>] { (0..<count).map { base[$0].start..<base[$0].end } }

    private func grow() {
        let larger = UnsafeMutablePointer<WordSegmenter.Piece>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }
}
