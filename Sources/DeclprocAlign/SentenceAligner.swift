import DeclprocCollections
import DeclprocLocales
import DeclprocText
import Foundation

/// One bead of an alignment: Chinese sentences `zh` matched with English sentences
/// `en` (either may be empty: a sentence without counterpart).
public struct AlignmentBead: Sendable, Equatable {
    public let zh: Range<Int>
    public let en: Range<Int>
    /// The bead's cost in the dynamic programme (negative: the words agree more than
    /// chance would have them).
    public let cost: Double
    /// A confidence in 0...1: the logistic of minus the cost.
    public var score: Double { 1 / (1 + exp(cost)) }
}

/// Sentence alignment of Chinese and English text.
///
/// Beads from 1–0/0–1 and 1–1 up to 3–5 and 5–3 (Chinese is often cut finer than
/// English). A bead's cost adds its prior, a Gale–Church length term (character
/// counts, ratio and variance estimated from the input itself) and minus the
/// log-likelihood ratio of its lexical evidence: each Chinese token (a CC-CEDICT
/// word's English keywords, a number, a month, a transliterated name's consonant
/// skeleton) found or not among the English keys, against how often it would be
/// found by chance in that many random sentences — and the same from the English
/// side. Rare matches (numbers, names) so weigh far more than common words, with no
/// hand-set weights.
///
/// Two passes: the first in a band around a chain of rare shared keys (widened until
/// the path stays clear of its edges); then lengths, priors and each token's
/// dictionary recall are re-estimated from that path, and the second pass runs in a
/// narrow band around it. Short inputs (a web page's statement and its translation)
/// are aligned over the whole matrix.
///
/// One aligner a thread: it remembers what the English words it has read come to
/// (a statement's words are mostly words read before, and reading one afresh, its
/// stop-word test, stem and keyword, cost as much as aligning its sentence).
public final class SentenceAligner {
    public let data: AlignmentData
    private var englishWords = EnglishWordMemo()
    private var lines: LineMemo
    private var marks = IDMarks()
    /// A run's keys and tokens, kept from run to run and emptied at each start: made
    /// afresh, their dictionaries grew and rehashed from empty in every statement.
    private var space: KeySpace
    private var tokenIndex: [KeyList: Int] = [:]
    private var skeletons = SkeletonMemo()
    private var scratch = ProgrammeScratch()

    /// Lines kept a generation, per language, by default (`LineMemo`): a few hundred
    /// bytes each, about a megabyte in all (see `WordSegmenter.recentLines`).
    public static let recentLines = 512

    public init(data: AlignmentData, recentLines: Int = SentenceAligner.recentLines) {
        self.data = data
        lines = LineMemo(capacity: recentLines)
        space = KeySpace(data: data)
    }

    public func align(zh: [String], en: [String]) -> [AlignmentBead] {
        if zh.isEmpty || en.isEmpty {
            return zh.indices.map { AlignmentBead(zh: $0..<($0 + 1), en: 0..<0, cost: 0) }
                + en.indices.map { AlignmentBead(zh: zh.count..<zh.count, en: $0..<($0 + 1), cost: 0) }
        }
        space.reset()
        if tokenIndex.capacity > KeySpace.keptRoom { tokenIndex = [:] } else { tokenIndex.removeAll(keepingCapacity: true) }
        let run = AlignmentRun(data: data, zh: zh, en: en, words: &englishWords, lines: &lines, marks: &marks,
                               space: &space, tokenIndex: &tokenIndex, skeletons: &skeletons, scratch: &scratch)
        defer { swap(&scratch, &run.scratch) }
        return run.align()
    }
}

/// The tokens of lines read lately, by line: statements and their translations
/// repeat formulaic sentences, and reading a line's tokens afresh is about a third
/// of a short alignment's set-up.
///
/// A line's local keys (numbers, words the lexicon lacks) are numbered by each run
/// in the order it first meets them; the memo keeps them as text, in the order the
/// line first asked for them, and a run reading the line back asks for them in that
/// order, so every key is numbered as reading the line afresh would number it.
struct LineMemo {
    struct Chinese {
        /// The tokens' keys one after another (one array, not one a token: the memo
        /// holds thousands of lines), a local key as `-1 - k` for `locals[k]`; token
        /// `t`'s keys end at `ends[t]`.
        let keys: [Int32]
        let ends: [Int32]
        let locals: [String]
        let runs: [String]
        let length: Int
    }

    struct English {
        let keys: [Int32]
        let locals: [String]
        let names: [String]
        let length: Int
    }

    var chinese: RecentMemo<UTF8Key, Chinese>
    var english: RecentMemo<UTF8Key, English>

    init(capacity: Int) {
        chinese = RecentMemo(capacity: capacity)
        english = RecentMemo(capacity: capacity)
    }

    /// `id` as kept: a local id by its place among the line's asked keys.
    static func kept(_ id: Int32, _ space: KeySpace) -> Int32 {
        guard space.isLocal(id) else { return id }
        return -1 - Int32(space.askedInLine.firstIndex(of: id)!)
    }

    /// The locals numbered in this run, in the order the line first asked for them.
    static func localIDs(_ locals: [String], _ space: inout KeySpace) -> [Int32] {
        locals.map { space.localID($0) }
    }

    static func id(_ kept: Int32, _ locals: [Int32]) -> Int32 { kept >= 0 ? kept : locals[Int(-1 - kept)] }
}

/// A token's keys as a dictionary key, hashed once: an array of `Int32` is hashed
/// key by key through `Hasher` at every lookup and insert (some 360 instructions a
/// lookup, half a percent of a run). The digest is FNV-1a over the keys, unmixed, as
/// `UTF8Key`'s is: `Hasher` mixes what `hash(into:)` gives it.
struct KeyList: Hashable {
    /// A slice of the line's tokens (`LineTokens`) or of a name's keys: no array of its own.
    let keys: ArraySlice<Int32>
    private let digest: UInt64

    init(_ keys: ArraySlice<Int32>) {
        self.keys = keys
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(keys.count)
        for key in keys { h = (h ^ UInt64(UInt32(bitPattern: key))) &* 0x0000_0100_0000_01B3 }
        digest = h
    }

    static func == (a: KeyList, b: KeyList) -> Bool { a.digest == b.digest && a.keys == b.keys }
    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    /// As `UTF8Key`'s: the digest mixed with the table's seed, without `Hasher`.
    func _rawHashValue(seed: Int) -> Int { UTF8Key.mixed(digest, seed) }
}

/// A Chinese line's tokens, each a list of keys, the lists one after another: token
/// `t`'s keys end at `ends[t]`. An array a token was an allocation each, some ninety
/// an alignment; a line read back from the memo without local keys shares its arrays.
struct LineTokens: Equatable {
    var keys: [Int32] = []
    var ends: [Int32] = []

    var count: Int { ends.count }

    subscript(token: Int) -> ArraySlice<Int32> { keys[(token == 0 ? 0 : Int(ends[token - 1]))..<Int(ends[token])] }

    mutating func append<Keys: Sequence<Int32>>(_ token: Keys) {
        keys.append(contentsOf: token)
        ends.append(Int32(keys.count))
    }
}

/// What English words come to as keys, by word; cleared when it reaches its bound.
struct EnglishWordMemo {
    struct Reading {
        /// 1...12 for a month's name, 0 otherwise.
        let month: Int8
        let isNumber: Bool
        let isStopword: Bool
        /// The stem's keyword id, or -1 when the lexicon has no such keyword.
        let keyword: Int32
        let stem: String
    }

    static let bound = 1 << 16
    /// By their bytes (`UTF8Key`), as the other memos here: String's own hashing cost
    /// some 400 instructions a lookup.
    private var readings: [UTF8Key: Reading] = [:]

    mutating func reading(_ word: String, data: AlignmentData) -> Reading {
        let key = UTF8Key(word)
        if let known = readings[key] { return known }
        let stem = data.english.stem(word)
        let reading = Reading(month: Int8((Numbers.months.firstIndex(of: word) ?? -1) + 1), isNumber: Numbers.english[word] != nil,
                              isStopword: data.english.isStopword(word), keyword: data.keywordID(stem) ?? -1, stem: stem)
        if readings.count >= Self.bound { readings.removeAll(keepingCapacity: true) }
        readings[key] = reading
        return reading
    }
}

/// The consonant skeletons of English names and of runs of Han characters read in
/// Pinyin, by their text, kept from statement to statement (names recur, and a
/// skeleton made afresh cost as much as the rest of a name's matching); cleared when
/// either reaches its bound.
struct SkeletonMemo {
    static let bound = 1 << 14
    private var englishNames: [UTF8Key: [UInt8]] = [:]
    /// nil: a character of the run has no reading.
    private var runs: [UTF8Key: [UInt8]?] = [:]

    mutating func english(_ name: UTF8Key) -> [UInt8] {
        if let known = englishNames[name] { return known }
        let skeleton = Skeleton.of(name.text, Skeleton.englishTable)
        if englishNames.count >= Self.bound { englishNames.removeAll(keepingCapacity: true) }
        englishNames[name] = skeleton
        return skeleton
    }

    mutating func pinyin(_ key: UTF8Key, data: AlignmentData) -> [UInt8]? {
        if let known = runs[key] { return known }
        let run = key.text
        let readings = run.unicodeScalars.map { data.pinyin($0) }
        let skeleton = readings.allSatisfy({ $0 != nil }) ? Skeleton.of(readings.map { $0! }.joined(), Skeleton.pinyinTable) : nil
        if runs.count >= Self.bound { runs.removeAll(keepingCapacity: true) }
        runs[key] = .some(skeleton)
        return skeleton
    }
}

/// Constants of the model; see `docs/align.md` for where each comes from.
enum Model {
    static let ratioPrior = 3.0, ratioPriorWeight = 30.0
    static let varianceInitial = 10.0
    static let recallInitial = 0.4, recallPseudo = 4.0, recallGlobalPseudo = 20.0
    static let lexicalWeight = 0.5
    static let priorPseudo = 50.0
    static let anchorBand = 30, pathBand = 8, anchorMaxDF = 3

    /// Bead shapes in tie-break order: 1–1 first, then up to 3–5/5–3, then 1–0 and 0–1.
    static let beads: [(a: Int, b: Int)] = {
        var beads = [(1, 1)]
        for a in 1...5 { for b in 1...5 where (a, b) != (1, 1) && (a <= 3 || b <= 3) { beads.append((a, b)) } }
        return beads + [(1, 0), (0, 1)]
    }()

    static let initialPriors: [Double] = {
        let raw = beads.map { $0.a == 0 || $0.b == 0 ? 0.005 : exp(-1.6 * Double($0.a + $0.b - 2)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }()
}

final class AlignmentRun {
    let nz: Int, ne: Int
    /// Keys are numbered 0..<keyCount, in the order of their ids in the key space.
    let keyCount: Int
    // Chinese side: distinct tokens per sentence (token ids), each token's keys;
    // the sentence's keys, sorted, with the mask of tokens that carry each.
    // What the sentences hold is fixed once the run is made (constants, so reading
    // them in the programme's inner loops needs no exclusivity check at run time).
    let ztokens: [[Int]]
    /// Tokens are numbered 0..<tokenCount.
    let tokenCount: Int
    let zkeys: [[Int32]]
    let zkeyMasks: [[Mask]]
    // English side: sorted keys per sentence.
    let ekeys: [[Int32]]
    let zlen: [Int], elen: [Int]
    let czsum: [Int], cesum: [Int]
    // Statistics.
    let q: [Double]          // per token
    let r: [Double]          // per key
    /// The counts q and r are made of: English sentences with the token, Chinese
    /// sentences with the key. Tokens (keys) of one count and the default recall have
    /// the same evidence terms, worked out once (`programme`).
    let qCount: [Int], rCount: [Int]
    var c = 3.0, s2 = 10.0
    var piZ: [Double] = [], piE: [Double] = []
    var piZDefault = Model.recallInitial, piEDefault = Model.recallInitial
    var piZKnown: [Bool] = [], piEKnown: [Bool] = []
    var priors = Model.initialPriors
    let epost: Postings
    let zpost: Postings
    /// Every pair of sentences' match (`pair`), row by row, made once when the matrix is
    /// small (a web page's statement and its translation): both passes of the programme
    /// and the re-estimation ask for the same pairs. nil past `pairsMadeUpTo` cells.
    let pairs: [PairMatch?]?
    static let pairsMadeUpTo = 4096
    /// The programme's arrays, moved in from the aligner and back after the run.
    var scratch = ProgrammeScratch()

    /// `space` and `tokenIndex` start empty (`KeySpace.reset`).
    init(data: AlignmentData, zh: [String], en: [String], words: inout EnglishWordMemo, lines: inout LineMemo, marks: inout IDMarks,
         space: inout KeySpace, tokenIndex: inout [KeyList: Int], skeletons memo: inout SkeletonMemo, scratch: inout ProgrammeScratch) {
        swap(&self.scratch, &scratch)
        nz = zh.count
        ne = en.count
        var ztokens: [[Int]] = [], tokenKeys: [ArraySlice<Int32>] = [], zkeys: [[Int32]] = [], zkeyMasks: [[Mask]] = []
        var zlen: [Int] = [], elen: [Int] = [], czsum = [0], cesum = [0]
        tokenIndex.reserveCapacity(zh.reduce(0) { $0 + $1.utf8.count } / 3) // about a token a character, at most; grown, it was rehashed repeatedly
        // The last line each token was seen in: a token counts once a line. (A set of
        // the line's key lists did the same, hashing every list a second time.)
        var lastLine: [Int] = []
        var zNameRuns: [[String]] = []
        for (z, line) in zh.enumerated() {
            let (tokens, runs, length) = Self.readChinese(line, data: data, space: &space, lines: &lines)
            var ids: [Int] = []
            ids.reserveCapacity(tokens.count)
            for token in 0..<tokens.count {
                let keys = tokens[token]
                if keys.isEmpty { continue }
                let id: Int
                let list = KeyList(keys)
                if let known = tokenIndex[list] { id = known } else {
                    id = tokenKeys.count
                    tokenIndex[list] = id
                    tokenKeys.append(keys)
                    lastLine.append(-1)
                }
                if lastLine[id] != z {
                    lastLine[id] = z
                    ids.append(id)
                }
            }
            ztokens.append(ids)
            zNameRuns.append(runs)
            zlen.append(length)
        }
        // Names by their bytes (`UTF8Key`): String's own hashing cost some 400
        // instructions a lookup, and a statement's names were looked up some 47 times
        // (callgrind, 150 web pages).
        var eNames: [[UTF8Key]] = []
        // Each line's keys, some maybe twice: sorted and made unique once ranked (a set
        // a line hashed every key).
        var ekeyLists: [[Int32]] = []
        for line in en {
            let (keys, names, length) = Self.readEnglish(line, data: data, space: &space, words: &words, lines: &lines)
            ekeyLists.append(keys)
            eNames.append(names.map(UTF8Key.init))
            elen.append(length)
        }
        // Names: an English capitalized word and a run of unknown Han characters whose
        // Pinyin has nearly the same consonant skeleton share a key.
        var skeletons: [UTF8Key: [UInt8]] = [:]
        for names in eNames { for name in names where skeletons[name] == nil {
            let skeleton = memo.english(name)
            if skeleton.count >= 2 { skeletons[name] = skeleton }
        } }
        // Sorted, then each once (a set hashed every skeleton's bytes through `Hasher`).
        var distinct = Array(skeletons.values)
        distinct.sort { $0.lexicographicallyPrecedes($1) }
        distinct.removeDuplicates()
        var runCache: [UTF8Key: [Int32]] = [:]
        for (z, runs) in zNameRuns.enumerated() {
            for run in runs where run.hasMoreScalars(than: 1) {
                let run = UTF8Key(run)
                guard let skeleton = memo.pinyin(run, data: data) else { continue }
                if runCache[run] == nil {
                    var hits: [Int32] = []
                    if skeleton.count >= 2 {
                        for candidate in distinct where abs(candidate.count - skeleton.count) <= 1 && candidate[0] == skeleton[0] {
                            if Skeleton.distance(candidate, skeleton) <= (candidate.count - 1) / 3 {
                                hits.append(space.marker("$" + String(decoding: candidate, as: UTF8.self)))
                            }
                        }
                    }
                    runCache[run] = hits.sorted()
                }
                let keys = runCache[run]![...]
                guard !keys.isEmpty else { continue }
                let list = KeyList(keys)
                if let id = tokenIndex[list] { if !ztokens[z].contains(id) { ztokens[z].append(id) } } else {
                    tokenIndex[list] = tokenKeys.count
                    ztokens[z].append(tokenKeys.count)
                    tokenKeys.append(keys)
                }
            }
        }
        for (e, names) in eNames.enumerated() {
            for name in names { if let skeleton = skeletons[name] { ekeyLists[e].append(space.marker("$" + String(decoding: skeleton, as: UTF8.self))) } }
        }
        // Keys renumbered 0..<keyCount in the order of their ids, so that every sorted
        // list keeps its order: what is counted per key is then an array indexed by
        // it, where dictionaries keyed by id were a sixth of a short alignment.
        marks.start(bound: data.vocabularyCount + space.localCount)
        marks.mark(each: tokenKeys)
        marks.mark(each: ekeyLists)
        let keyCount = marks.rankMarked()
        let ekeys = ekeyLists.map { keys in
            var ranked = keys.map(marks.rank)
            ranked.sort()
            ranked.removeDuplicates()
            return ranked
        }
        // The tokens' keys ranked, one list after another (token t's from
        // tokenKeyStart[t]): a ranked list a token was an allocation each.
        var tokenKeyStore = [Int32](filledWith: 0, count: tokenKeys.reduce(0) { $0 + $1.count }), tokenKeyStart = [0]
        tokenKeyStart.reserveCapacity(tokenKeys.count + 1)
        tokenKeyStore.withUnsafeMutableBufferPointer { store in
            var k = 0
            for keys in tokenKeys {
                for key in keys { store[k] = marks.rank(key); k += 1 }
                tokenKeyStart.append(k)
            }
        }
        marks.clear()
        // Each key's mask while a sentence's list is made (empty: not in it yet).
        // (Written through its buffer: a write to an array held in a variable asks the
        // runtime whether it is shared, some 3.6 million times on the web corpus for
        // this set-up's arrays; every key is ranked below keyCount.)
        var maskOf = [Mask](filledWith: Mask(), count: keyCount)
        maskOf.withUnsafeMutableBufferPointer { maskOf in
            for tokens in ztokens {
                var keys: [Int32] = []
                keys.reserveCapacity(tokens.prefix(Mask.capacity).reduce(0) { $0 + tokenKeyStart[$1 + 1] - tokenKeyStart[$1] })
                for (p, token) in tokens.enumerated() where p < Mask.capacity {
                    for k in tokenKeyStart[token]..<tokenKeyStart[token + 1] {
                        let key = tokenKeyStore[k]
                        if maskOf[Int(key)] == Mask() { keys.append(key) }
                        maskOf[Int(key)].insert(p)
                    }
                }
                keys.sort()
                zkeys.append(keys)
                zkeyMasks.append(keys.map { maskOf[Int($0)] })
                for key in keys { maskOf[Int(key)] = Mask() }
            }
        }
        for x in zlen { czsum.append(czsum.last! + x) }
        for x in elen { cesum.append(cesum.last! + x) }
        let epost = Postings(ekeys, keyCount: keyCount), zpost = Postings(zkeys, keyCount: keyCount)
        let englishCount = Double(ne) + 1
        // The last token that counted each English sentence, for tokens of several keys.
        var countedFor = [Int](filledWith: -1, count: ne)
        let qCount = countedFor.withUnsafeMutableBufferPointer { countedFor in
            tokenKeys.indices.map { token in
                let start = tokenKeyStart[token], end = tokenKeyStart[token + 1]
                var count = 0
                if end - start == 1 { count = epost.count(tokenKeyStore[start]) } else {
                    for k in start..<end { for e in epost[tokenKeyStore[k]] where countedFor[e] != token { countedFor[e] = token; count += 1 } }
                }
                return count
            }
        }
        let q = qCount.map { (Double($0) + 0.5) / englishCount }
        let chineseCount = Double(nz) + 1
        let rCount = (0..<keyCount).map { zpost.count(Int32($0)) }
        let r = rCount.map { (Double($0) + 0.5) / chineseCount }
        piE = [Double](filledWith: Model.recallInitial, count: keyCount)
        piEKnown = [Bool](filledWith: false, count: keyCount)
        self.keyCount = keyCount
        self.ztokens = ztokens; self.tokenCount = tokenKeys.count; self.zkeys = zkeys; self.zkeyMasks = zkeyMasks; self.ekeys = ekeys
        self.zlen = zlen; self.elen = elen; self.czsum = czsum; self.cesum = cesum
        self.epost = epost; self.zpost = zpost; self.q = q; self.r = r
        self.qCount = qCount; self.rCount = rCount
        if nz * ne <= Self.pairsMadeUpTo {
            var pairs: [PairMatch?] = []
            pairs.reserveCapacity(nz * ne)
            for z in 0..<nz { for e in 0..<ne { pairs.append(Self.pair(zkeys[z], zkeyMasks[z], ekeys[e])) } }
            self.pairs = pairs
        } else {
            self.pairs = nil
        }
        c = (Double(cesum.last!) + Model.ratioPrior * Model.ratioPriorWeight) / (Double(czsum.last!) + Model.ratioPriorWeight)
        s2 = Model.varianceInitial * c / Model.ratioPrior
        piZ = [Double](filledWith: Model.recallInitial, count: tokenKeys.count)
        piZKnown = [Bool](filledWith: false, count: tokenKeys.count)
    }

    // MARK: Tokenization

    /// A space of Foundation's `CharacterSet.whitespaces`: a tab, a space separator (Zs),
    /// or, as Core Foundation has it, U+200B ZERO WIDTH SPACE.
    static func isHorizontalSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 ? scalar == " " || scalar == "\t" : scalar.value == 0x200B || scalar.properties.generalCategory == .spaceSeparator
    }

    /// `trimmingCharacters(in: .whitespaces)` without Foundation's character-set
    /// machinery, which cost as much as the rest of a line's tokenizing.
    static func trimmingHorizontalSpace(_ line: String) -> String {
        let scalars = line.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isHorizontalSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isHorizontalSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return line }
        return String(line.unicodeScalars[first...last])
    }

    /// `tokenizeChinese`, or what it gave for the same line lately (`LineMemo`).
    static func readChinese(_ line: String, data: AlignmentData, space: inout KeySpace,
                            lines: inout LineMemo) -> (LineTokens, [String], Int) {
        let key = UTF8Key(line)
        if let known = lines.chinese.value(for: key) {
            let locals = LineMemo.localIDs(known.locals, &space)
            // Without local keys the line's keys are the memo's, as they are.
            if locals.isEmpty { return (LineTokens(keys: known.keys, ends: known.ends), known.runs, known.length) }
            var tokens = LineTokens()
            tokens.keys.reserveCapacity(known.keys.count)
            tokens.ends.reserveCapacity(known.ends.count)
            var start = 0
            for end in known.ends {
                let keys = known.keys[start..<Int(end)]
                // A token with a local key is a number (its keys sorted by id) or a word.
                if keys.contains(where: { $0 < 0 }) { tokens.append(keys.map { LineMemo.id($0, locals) }.sorted()) } else { tokens.append(keys) }
                start = Int(end)
            }
            return (tokens, known.runs, known.length)
        }
        space.startLine()
        let read = tokenizeChinese(line, data: data, space: &space)
        lines.chinese.insert(.init(keys: read.0.keys.map { LineMemo.kept($0, space) }, ends: read.0.ends,
                                   locals: space.askedInLine.map(space.key), runs: read.1, length: read.2),
                             for: key)
        return read
    }

    /// `tokenizeEnglish`, or what it gave for the same line lately (`LineMemo`).
    static func readEnglish(_ line: String, data: AlignmentData, space: inout KeySpace, words: inout EnglishWordMemo,
                            lines: inout LineMemo) -> ([Int32], [String], Int) {
        let key = UTF8Key(line)
        if let known = lines.english.value(for: key) {
            let locals = LineMemo.localIDs(known.locals, &space)
            // Without local keys the line's keys are the memo's, as they are.
            if locals.isEmpty { return (known.keys, known.names, known.length) }
            return (known.keys.map { LineMemo.id($0, locals) }, known.names, known.length)
        }
        space.startLine()
        let read = tokenizeEnglish(line, data: data, space: &space, words: &words)
        lines.english.insert(.init(keys: read.0.map { LineMemo.kept($0, space) }, locals: space.askedInLine.map(space.key),
                                   names: read.1, length: read.2), for: key)
        return read
    }

    static func tokenizeChinese(_ line: String, data: AlignmentData, space: inout KeySpace) -> (LineTokens, [String], Int) {
        let s = Array(Self.trimmingHorizontalSpace(line).unicodeScalars)
        var tokens = LineTokens()
        // At most a token a character, each of a few keys: made at about their size, the
        // two arrays grew by doubling, a handful of allocations a line.
        tokens.keys.reserveCapacity(2 * s.count)
        tokens.ends.reserveCapacity(s.count)
        // A word's keys as the lexicon lists them, made in order here (one array for the line).
        var wordKeys: [Int32] = []
        var runs: [String] = []
        var run: [Unicode.Scalar] = []
        func closeRun() { if !run.isEmpty { runs.append(String(scalars: run)); run.removeAll(keepingCapacity: true) } }
        func isASCIIWord(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || (0xFF10...0xFF19).contains(c.value)
        }
        func number(_ value: Int, followedBy next: Int) -> [Int32] {
            var keys = [space.marker("#\(value)")]
            if next < s.count, s[next] == "月", (1...12).contains(value) { keys.append(space.marker("@m\(value)")) }
            return keys.sorted()
        }
        var i = 0
        // Every headword search starts with a character and most go on to a second:
        // their slots in the lexicon (megabytes, so a cache miss each) are asked for
        // some characters ahead of the search (`ahead`: the first not asked for yet).
        var ahead = 0
        while i < s.count {
            let c = s[i]
            while ahead < min(i + 32, s.count) {
                let one = Fingerprint.adding(s[ahead], to: Fingerprint.empty)
                data.prefetchEntry(one)
                if ahead + 1 < s.count { data.prefetchEntry(Fingerprint.adding(s[ahead + 1], to: one)) }
                ahead += 1
            }
            if isASCIIWord(c) {
                var j = i
                while j < s.count, isASCIIWord(s[j]) { j += 1 }
                closeRun()
                let word = s[i..<j]
                if word.allSatisfy(Numbers.isDigit) {
                    if let value = Numbers.chineseValue(word) { tokens.append(number(value, followedBy: j)) }
                } else {
                    for w in data.english.words(String(scalars: word)) where !data.english.isStopword(w) {
                        tokens.append(CollectionOfOne(space.id(data.english.stem(w))))
                    }
                }
                i = j
                continue
            }
            var best = 0
            var bestKeys: Slice<TableWords<Int32>>? = nil
            var h = Fingerprint.empty
            for length in 1...min(data.longestHeadword, s.count - i) {
                h = Fingerprint.adding(s[i + length - 1], to: h)
                guard let entry = data.entry(h) else { break }
                if let keys = entry.keywords { best = length; bestKeys = keys }
                if !entry.continues { break }
            }
            let numberStart = c == "第" ? i + 1 : i
            var k = numberStart
            while k < s.count, Numbers.isChineseNumeral(s[k]) { k += 1 }
            let numberLength = k > numberStart ? k - i : 0
            if numberLength > 0 && numberLength >= best {
                closeRun()
                if let value = Numbers.chineseValue(s[numberStart..<(i + numberLength)]) {
                    tokens.append(number(value, followedBy: i + numberLength))
                }
                i += numberLength
                continue
            }
            if best > 0 {
                closeRun()
                // Each key once, in order (the lexicon's lists nearly always are).
                // (The slice's bounds, not its `indices`: that getter is not specialized
                // here, some 1,800 instructions a call.)
                wordKeys.removeAll(keepingCapacity: true)
                if let bestKeys {
                    bestKeys.base.withUnsafeBufferPointer { wordKeys.append(contentsOf: UnsafeBufferPointer(rebasing: $0[bestKeys.startIndex..<bestKeys.endIndex])) }
                }
                if !wordKeys.isStrictlyIncreasing {
                    wordKeys.sort()
                    wordKeys.removeDuplicates()
                }
                tokens.append(wordKeys)
                i += best
                continue
            }
            if c.isAlignHan { run.append(c) } else { closeRun() }
            i += 1
        }
        closeRun()
        return (tokens, runs, s.reduce(0) { $0 + ($1.isWhiteSpace ? 0 : 1) })
    }

    static func tokenizeEnglish(_ line: String, data: AlignmentData, space: inout KeySpace,
                                words memo: inout EnglishWordMemo) -> ([Int32], [String], Int) {
        let s = Self.trimmingHorizontalSpace(line)
        let words = data.english.words(s)
        var keys: [Int32] = [] // in the order found, a key maybe twice
        var i = 0
        while i < words.count {
            let w = words[i]
            // Words are lowercase ASCII (`words`): their digits are read as bytes.
            if w.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(w.prefix(18)) {
                keys.append(space.marker("#\(value)"))
                i += 1
                continue
            }
            let reading = memo.reading(w, data: data)
            if reading.isNumber {
                var total = 0.0, current = 0.0, j = i
                while j < words.count, Numbers.english[words[j]] != nil
                        || (words[j] == "and" && j > i && j + 1 < words.count && Numbers.english[words[j + 1]] != nil) {
                    if words[j] != "and" {
                        let v = Numbers.english[words[j]]!
                        if v == 100 { current = (current == 0 ? 1 : current) * 100 }
                        else if v >= 1000 { total += (current == 0 ? 1 : current) * v; current = 0 }
                        else { current += v }
                    }
                    j += 1
                }
                let value = total + current
                if value == value.rounded(), value < 1e15 { keys.append(space.marker("#\(Int(value))")) }
                i = j
                continue
            }
            if reading.month > 0, w != "may" || Self.containsWord("May", in: s) {
                keys.append(space.marker("@m\(reading.month)"))
            }
            if !reading.isStopword {
                keys.append(reading.keyword >= 0 ? reading.keyword : space.localID(reading.stem))
            }
            i += 1
        }
        // Capitalized words of three letters or more are name candidates.
        var names: [String] = []
        let scalars = Array(scalarsOf: s)
        var k = 0
        while k < scalars.count {
            let isStart = k == 0 || !Self.isWordScalar(scalars[k - 1])
            if isStart, ("A"..."Z").contains(scalars[k]) {
                var j = k + 1
                while j < scalars.count, ("a"..."z").contains(scalars[j]) { j += 1 }
                if j - k >= 3, j == scalars.count || !Self.isWordScalar(scalars[j]) {
                    let name = String(scalars: scalars[k..<j])
                    let lower = name.lowercased()
                    if !data.english.isStopword(lower), Numbers.english[lower] == nil { names.append(name) }
                }
                k = j
            } else {
                k += 1
            }
        }
        var visible = 0
        for scalar in s.unicodeScalars where !scalar.isWhiteSpace { visible += 1 }
        return (keys, names, visible)
    }

    static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        // ASCII without the property lookups (letters are its only alphabetic, digits its only numeric scalars).
        if c.isASCII { return ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" }
        return c.properties.isAlphabetic || c.properties.numericType != nil
    }

    static func containsWord(_ word: String, in text: String) -> Bool {
        var search = text[...]
        while let range = search.range(of: word) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && !(after?.isLetter ?? false) && !(after?.isNumber ?? false) {
                return true
            }
            search = text[range.upperBound...]
        }
        return false
    }
}

/// The lines each key is in, in line order: one flat list, cut by key.
struct Postings {
    private let start: [Int]
    private let lines: [Int]

    /// `keysByLine`: each line's keys, each once, all below `keyCount`.
    ///
    /// Counted and filled through the arrays' buffers: each write to an array held in a
    /// variable asked the runtime whether the array was shared (1.4 million times on
    /// the web corpus), and keys and lines are in bounds by the precondition.
    init(_ keysByLine: [[Int32]], keyCount: Int) {
        var start = [Int](filledWith: 0, count: keyCount + 1)
        start.withUnsafeMutableBufferPointer { start in
            for keys in keysByLine { for key in keys { start[Int(key) + 1] += 1 } }
            for key in 0..<keyCount { start[key + 1] += start[key] }
        }
        var next = start
        var lines = [Int](filledWith: 0, count: start[keyCount])
        lines.withUnsafeMutableBufferPointer { lines in
            next.withUnsafeMutableBufferPointer { next in
                for (line, keys) in keysByLine.enumerated() {
                    for key in keys { lines[next[Int(key)]] = line; next[Int(key)] += 1 }
                }
            }
        }
        self.start = start
        self.lines = lines
    }

    func count(_ key: Int32) -> Int { start[Int(key) + 1] - start[Int(key)] }
    subscript(key: Int32) -> ArraySlice<Int> { lines[start[Int(key)]..<start[Int(key) + 1]] }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Array where Element: Comparable {
    var isStrictlyIncreasing: Bool {
        guard count > 1 else { return true }
        for k in 1..<count where !(self[k - 1] < self[k]) { return false }
        return true
    }
}

extension Array where Element: Equatable {
    /// Drops each element equal to the one before it (on a sorted array: the duplicates).
    mutating func removeDuplicates() {
        guard count > 1 else { return }
        var kept = 1
        for k in 1..<count where self[k] != self[kept - 1] {
            self[kept] = self[k]
            kept += 1
        }
        removeLast(count - kept)
    }
}

/// The ids a run's keys have, each numbered by its place among them in id order,
/// told by a bit per id: the bits are kept from run to run (cleared after each, word
/// by word where bits were set), so a run pays for the ids it has and one pass over
/// the words. Sorting every key of every token and sentence to find them, then a
/// binary search per key, was a tenth of a short alignment's set-up.
struct IDMarks {
    private var bits: [UInt64] = []
    /// A bit per word of `bits` that has a bit set: ranking reads these, not the
    /// thousand words CC-CEDICT's keywords take.
    private var summary: [UInt64] = []
    /// For each word with a bit set, how many ids are marked in the words before it.
    private var before: [Int32] = []
    /// The words with a bit set, to clear.
    private var used: [Int] = []
    /// The words that can hold a bit in this run.
    private var words = 0

    /// Ready to mark ids below `bound`; every bit is clear.
    mutating func start(bound: Int) {
        words = bound / 64 + 1
        if bits.count < words {
            bits += repeatElement(0, count: words - bits.count)
            before += repeatElement(0, count: words - before.count)
        }
        if summary.count < words / 64 + 1 { summary += repeatElement(0, count: words / 64 + 1 - summary.count) }
    }

    /// Marks every id of every list (through the bits' buffer: a write to the array
    /// asked the runtime whether it was shared, once an id).
    mutating func mark<Lists: Sequence>(each lists: Lists) where Lists.Element: Sequence<Int32> {
        var used = self.used
        self.used = []
        defer { self.used = used }
        let words = self.words
        bits.withUnsafeMutableBufferPointer { bits in
            for ids in lists {
                for id in ids {
                    let word = Int(id) >> 6
                    precondition(word < words, "an id past the bound marks were started for")
                    if bits[word] == 0 {
                        used.append(word)
                        summary[word >> 6] |= 1 << UInt64(word & 63)
                    }
                    bits[word] |= 1 << UInt64(id & 63)
                }
            }
        }
    }

    /// Numbers the marked ids in order; returns how many there are. (The words with a
    /// bit set, in order, from the summary's bits: a pass over all the words, a
    /// thousand for CC-CEDICT's keywords, cost a run some 3,000 instructions.)
    mutating func rankMarked() -> Int {
        var count: Int32 = 0
        bits.withUnsafeBufferPointer { bits in
            before.withUnsafeMutableBufferPointer { before in
                for group in 0..<(words / 64 + 1) {
                    var set = summary[group]
                    while set != 0 {
                        let word = group << 6 | set.trailingZeroBitCount
                        set &= set &- 1
                        before[word] = count
                        count += Int32(truncatingIfNeeded: bits[word].nonzeroBitCount)
                    }
                }
            }
        }
        return Int(count)
    }

    /// The place of a marked id among the marked ids, in id order.
    @inline(__always)
    func rank(_ id: Int32) -> Int32 {
        let word = Int(id) >> 6
        let below = bits[word] & ((1 << UInt64(id & 63)) &- 1)
        return before[word] + Int32(truncatingIfNeeded: below.nonzeroBitCount)
    }

    mutating func clear() {
        for word in used {
            bits[word] = 0
            summary[word >> 6] = 0
        }
        used.removeAll(keepingCapacity: true)
    }
}
