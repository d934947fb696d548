import DeclprocICU
import DeclprocLocales
import Foundation

/// What `Locales/zh/segment/` holds for word segmentation: the word lexicon (as
/// 64-bit fingerprints, so a lookup builds no String), the Traditional→Simplified
/// fold, and the character classes of the refinement rules. Immutable, shared.
public final class SegmentationData: Sendable {
    let words: Set<UInt64>
    let simplified: [Unicode.Scalar: Unicode.Scalar]
    let numerals: Set<Unicode.Scalar>
    let approximators: Set<Unicode.Scalar>
    let measureWords: Set<Unicode.Scalar>
    let demonstratives: Set<Unicode.Scalar>
    let functionCharacters: Set<Unicode.Scalar>
    let transliteration: Set<Unicode.Scalar>
    let transliterationStrong: Set<Unicode.Scalar>
    let surnames: Set<Unicode.Scalar>
    let numberSuffixes: Set<String>
    let maxWord: Int
    let maxMerge: Int

    /// `extraWords`: a user lexicon (one word per line, an optional tab and frequency).
    public init(store: LocaleStore, extraWords: [String] = []) throws(LocaleStore.MissingData) {
        var words = Set<UInt64>()
        words.reserveCapacity(170_000)
        do {
            for path in ["zh/segment/cedict-words.txt", "zh/pinyin/words.tsv"] {
                try store.forEachRow(path) { words.insert(Self.fingerprint(LocaleStore.scalars($0[0]))) }
            }
        } catch let error as LocaleStore.MissingData { throw error } catch { throw LocaleStore.MissingData(path: "zh/segment", reason: "\(error)") }
        for word in extraWords { words.insert(Self.fingerprint(word.unicodeScalars)) }
        self.words = words
        var simplified: [Unicode.Scalar: Unicode.Scalar] = [:]
        for row in try store.rows("zh/segment/t2s-chars.tsv") where row.count >= 2 {
            if row[0].unicodeScalars.count == 1, row[1].unicodeScalars.count == 1 {
                simplified[row[0].unicodeScalars.first!] = row[1].unicodeScalars.first!
            }
        }
        self.simplified = simplified
        let path = "zh/segment/rules.json"
        guard let object = try? JSONSerialization.jsonObject(with: try store.data(path)) as? [String: Any] else {
            throw LocaleStore.MissingData(path: store.url(path).path, reason: "not a JSON object")
        }
        func set(_ key: String) throws(LocaleStore.MissingData) -> Set<Unicode.Scalar> {
            guard let text = object[key] as? String else {
                throw LocaleStore.MissingData(path: store.url(path).path, reason: "no \"\(key)\" string")
            }
            return Set(text.unicodeScalars)
        }
        numerals = try set("numerals")
        approximators = try set("approximators")
        measureWords = try set("measure_words")
        demonstratives = try set("demonstratives")
        functionCharacters = try set("function_characters")
        transliteration = try set("transliteration")
        transliterationStrong = try set("transliteration_strong")
        surnames = try set("surnames")
        numberSuffixes = Set((object["number_suffixes"] as? [String]) ?? [])
        maxWord = (object["max_word"] as? Int) ?? 8
        maxMerge = (object["max_merge"] as? Int) ?? 4
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

    /// FNV-1a over the scalar values: 160,000 words in 2^64 leave a false match
    /// about once in 10^14 lookups.
    static func fingerprint<S: Sequence>(_ scalars: S) -> UInt64 where S.Element == Unicode.Scalar {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for scalar in scalars {
            var value = scalar.value
            for _ in 0..<3 {
                hash = (hash ^ UInt64(value & 0xFF)) &* 0x0000_0100_0000_01B3
                value >>= 8
            }
        }
        return hash
    }

    func isWord(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool { words.contains(Self.fingerprint(scalars)) }
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

    public init(data: SegmentationData, icu: Segmenter) {
        self.data = data
        self.icu = icu
    }

    /// A token in the folded text: [start, end) in scalars of the line.
    private struct Piece {
        var start: Int
        var end: Int
        var count: Int { end - start }
    }

    public func words(_ text: String) throws(ICUError) -> [Token] {
        let icuTokens = try icu.words(text)
        if icuTokens.isEmpty { return [] }
        let original = Array(text.unicodeScalars)
        let folded = original.map { data.simplified[$0] ?? $0 }
        var pieces = icuTokens.map { Piece(start: $0.start, end: $0.end) }
        pieces = cutNonWords(pieces, folded)
        pieces = joinSingles(pieces, folded)
        pieces = splitMeasureWords(pieces, folded)
        pieces = joinNumbers(pieces, folded)
        pieces = joinForeignNames(pieces, folded)
        pieces = splitNames(pieces, folded)
        pieces = joinPunctuationAndLatin(pieces, folded)
        return pieces.map { Token(text: String(String.UnicodeScalarView(original[$0.start..<$0.end])), start: $0.start, end: $0.end) }
    }

    private func isHan(_ s: ArraySlice<Unicode.Scalar>) -> Bool { !s.isEmpty && s.allSatisfy(\.isHan) }
    private func adjacent(_ a: Piece, _ b: Piece) -> Bool { a.end == b.start }

    /// Step 1: an ICU token of Han characters that is no word is cut into the
    /// fewest pieces (then fewest single characters), if every piece is a word or
    /// a function character; otherwise it stays whole.
    private func cutNonWords(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        for piece in pieces {
            let w = f[piece.start..<piece.end]
            guard piece.count >= 2, isHan(w), !data.isWord(w) else { out.append(piece); continue }
            let n = piece.count
            var best = [(Int, Int)](repeating: (Int.max, Int.max), count: n + 1)
            var back = [Int](repeating: 0, count: n + 1)
            best[0] = (0, 0)
            for j in 1...n {
                for i in max(0, j - data.maxWord)..<j where best[i].0 != Int.max {
                    guard j - i == 1 || data.isWord(f[(piece.start + i)..<(piece.start + j)]) else { continue }
                    let v = (best[i].0 + 1, best[i].1 + (j - i == 1 ? 1 : 0))
                    if v <= best[j] { best[j] = v; back[j] = i } // on a tie the larger i wins
                }
            }
            var cut: [Piece] = []
            var j = n
            while j > 0 { let i = back[j]; cut.append(Piece(start: piece.start + i, end: piece.start + j)); j = i }
            cut.reverse()
            if cut.allSatisfy({ $0.count >= 2 || data.functionCharacters.contains(f[$0.start]) }) { out += cut } else { out.append(piece) }
        }
        return out
    }

    /// Step 2: runs of adjacent single Han characters join into the longest lexicon word.
    private func joinSingles(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        var k = 0
        while k < pieces.count {
            var end = k + 1
            if pieces[k].count == 1, f[pieces[k].start].isHan {
                var m = k + 1
                while m < min(pieces.count, k + data.maxMerge), pieces[m].count == 1, f[pieces[m].start].isHan,
                      adjacent(pieces[m - 1], pieces[m]) {
                    if data.isWord(f[pieces[k].start..<pieces[m].end]) { end = m + 1 }
                    m += 1
                }
            }
            out.append(Piece(start: pieces[k].start, end: pieces[end - 1].end))
            k = end
        }
        return out
    }

    private func isNumber(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
        isDigits(s) || (!s.isEmpty && s.allSatisfy { data.numerals.contains($0) })
    }

    /// ASCII or full-width digits, with inner decimal or thousands separators.
    private func isDigits(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = s.first, let last = s.last, Self.isDigit(first), Self.isDigit(last) else { return false }
        var previousSeparator = false
        for c in s {
            if Self.isDigit(c) { previousSeparator = false; continue }
            guard ".,．，".unicodeScalars.contains(c), !previousSeparator else { return false }
            previousSeparator = true
        }
        return true
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { (0x30...0x39).contains(c.value) || (0xFF10...0xFF19).contains(c.value) }

    /// Step 3: numeral or demonstrative + measure word become two words (一个 → 一 个,
    /// 第一个 → 第一 个, 这种 → 这 种).
    private func splitMeasureWords(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        for piece in pieces {
            let w = f[piece.start..<piece.end]
            if piece.count >= 2, isHan(w), data.measureWords.contains(w.last!) {
                let head = w.dropLast()
                let core = head.first == "第" ? head.dropFirst() : head
                let numeric = !core.isEmpty && core.allSatisfy { data.numerals.contains($0) || data.approximators.contains($0) }
                if numeric || (head.count == 1 && data.demonstratives.contains(head.first!)) {
                    out.append(Piece(start: piece.start, end: piece.end - 1))
                    out.append(Piece(start: piece.end - 1, end: piece.end))
                    continue
                }
            }
            out.append(piece)
        }
        return out
    }

    /// Step 4: number expressions join (20万, 四百五十万, 第6, 500多, 96%).
    private func joinNumbers(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        for piece in pieces {
            if let previous = out.last, adjacent(previous, piece) {
                let p = f[previous.start..<previous.end], w = f[piece.start..<piece.end]
                let join = (isNumber(p) && isNumber(w) && !(isDigits(p) && isDigits(w)))
                    || (p.count == 1 && p.first == "第" && isNumber(w))
                    || (isNumber(p) && data.numberSuffixes.contains(String(String.UnicodeScalarView(w))))
                if join { out[out.count - 1].end = piece.end; continue }
            }
            out.append(piece)
        }
        return out
    }

    /// Step 5: a run of short tokens of transliteration characters, with at least one
    /// single character and one strongly foreign character, is one name (玛丽娜).
    private func joinForeignNames(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        var k = 0
        while k < pieces.count {
            var m = k
            while m < pieces.count {
                let w = f[pieces[m].start..<pieces[m].end]
                guard pieces[m].count <= 2, isHan(w), w.allSatisfy({ data.transliteration.contains($0) }),
                      m == k || adjacent(pieces[m - 1], pieces[m]) else { break }
                m += 1
            }
            let run = pieces[k..<m]
            let characters = run.reduce(0) { $0 + $1.count }
            if run.count >= 2, run.contains(where: { $0.count == 1 }),
               run.contains(where: { f[$0.start..<$0.end].contains { data.transliterationStrong.contains($0) } }),
               characters >= 3 || run.allSatisfy({ $0.count == 1 }) {
                out.append(Piece(start: run.first!.start, end: run.last!.end))
                k = m
            } else {
                out.append(pieces[k])
                k += 1
            }
        }
        return out
    }

    /// Step 6: a surname followed by two single characters (no function characters,
    /// not a word together) is surname + given name (吴 骏彦).
    private func splitNames(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        var k = 0
        while k < pieces.count {
            let t = pieces[k]
            if t.count == 1, data.surnames.contains(f[t.start]), k + 2 < pieces.count {
                let a = pieces[k + 1], b = pieces[k + 2]
                if a.count == 1, b.count == 1, f[a.start].isHan, f[b.start].isHan,
                   !data.functionCharacters.contains(f[a.start]), !data.functionCharacters.contains(f[b.start]),
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
        return out
    }

    /// Step 7: repeated punctuation joins (——, ……); Latin or digits joined by a
    /// hyphen join (AK-47), except digit ranges (600-1100).
    private func joinPunctuationAndLatin(_ pieces: [Piece], _ f: [Unicode.Scalar]) -> [Piece] {
        var out: [Piece] = []
        var k = 0
        func isLatin(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || Self.isDigit($0))
                || (0xFF21...0xFF3A).contains($0.value) || (0xFF41...0xFF5A).contains($0.value) || (0xFF10...0xFF19).contains($0.value) }
        }
        func allDigits(_ s: ArraySlice<Unicode.Scalar>) -> Bool { s.allSatisfy(Self.isDigit) }
        while k < pieces.count {
            let t = pieces[k]
            let w = f[t.start..<t.end]
            if let previous = out.last, adjacent(previous, t) {
                let p = f[previous.start..<previous.end]
                if t.count == 1, Self.isPunctuationOrSymbol(w.first!), p.allSatisfy({ $0 == w.first! }) {
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
        return out
    }

    static func isPunctuationOrSymbol(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}
