import DeclprocCollections
import DeclprocText

/// Sentences turned into comparable keys: lexicon keywords, numbers (`#12`),
/// months (`@m5`) and name skeletons (`$PLM`), each an integer id.
struct KeySpace {
    let data: AlignmentData
    /// By their bytes (`UTF8Key`): String's own hashing cost some 400 instructions a lookup.
    private var local: [UTF8Key: Int32] = [:]
    /// The local keys, by id from `data.vocabularyCount` on.
    private var localKeys: [String] = []
    /// The local ids asked for since `startLine`, each once, in the order first asked:
    /// what a line's tokens replay (`LineMemo`) to number the same keys the same way.
    private(set) var askedInLine: [Int32] = []

    init(data: AlignmentData) { self.data = data }

    mutating func id(_ key: String) -> Int32 {
        data.keywordID(key) ?? localID(key)
    }

    /// The first bytes of the aligner's own keys, which the lexicon never has: # a
    /// number, @m a month, $ a name's skeleton.
    static let markerBytes: [UInt8] = [0x23, 0x40, 0x24]

    /// The id of one of the aligner's own keys (`markerBytes`): a local id, with no
    /// lexicon lookup.
    mutating func marker(_ key: String) -> Int32 {
        assert(key.utf8.first.map(Self.markerBytes.contains) == true)
        return localID(key)
    }

    /// The id of a key the lexicon is known not to have.
    mutating func localID(_ key: String) -> Int32 {
        let id: Int32
        let utf8Key = UTF8Key(key)
        if let known = local[utf8Key] { id = known } else {
            id = Int32(data.vocabularyCount + localKeys.count)
            local[utf8Key] = id
            localKeys.append(key)
        }
        if !askedInLine.contains(id) { askedInLine.append(id) }
        return id
    }

    func isLocal(_ id: Int32) -> Bool { Int(id) >= data.vocabularyCount }
    /// How many local ids there are: every id is below `data.vocabularyCount` plus this.
    var localCount: Int { localKeys.count }
    func key(_ id: Int32) -> String { localKeys[Int(id) - data.vocabularyCount] }

    mutating func startLine() { askedInLine.removeAll(keepingCapacity: true) }

    /// The most entries a run's table keeps room for into the next run: past it (a long
    /// input), the table is made afresh.
    static let keptRoom = 4096

    /// Empty, as made, for the next run (its tables' room kept, unless a long input
    /// made them large).
    mutating func reset() {
        if local.capacity > Self.keptRoom { local = [:] } else { local.removeAll(keepingCapacity: true) }
        localKeys.removeAll(keepingCapacity: true)
        askedInLine.removeAll(keepingCapacity: true)
    }
}

enum Numbers {
    /// The numerals and their values, as written: the definition `numeralValue`'s
    /// switch is held to (`numeralValuesAreTheTables`).
    static let chinese: [Unicode.Scalar: Int] = {
        var table: [Unicode.Scalar: Int] = ["〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                                            "七": 7, "八": 8, "九": 9, "十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000]
        for d in 0..<10 {
            table[Unicode.Scalar(UInt8(0x30 + d))] = d
            table[Unicode.Scalar(0xFF10 + UInt32(d))!] = d
        }
        return table
    }()

    /// Whether the scalar is a key of `chinese`, without hashing it: asked of nearly
    /// every character a statement has.
    static func isChineseNumeral(_ scalar: Unicode.Scalar) -> Bool { numeralValue(scalar) != nil }

    static let english: [String: Double] = {
        var table: [String: Double] = [:]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        for (value, word) in units.enumerated() { table[word] = Double(value) }
        let tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        let tenths = ["twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"]
        for (k, word) in tens.enumerated() { table[word] = Double(20 + 10 * k); table[tenths[k]] = Double(20 + 10 * k) }
        let ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
                        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
        for (k, word) in ordinals.enumerated() { table[word] = Double(k + 1) }
        table["hundred"] = 100; table["thousand"] = 1000; table["million"] = 1e6; table["billion"] = 1e9
        table["hundredth"] = 100; table["thousandth"] = 1000
        table["once"] = 1; table["twice"] = 2; table["thrice"] = 3; table["dozen"] = 12; table["half"] = 0.5; table["both"] = 2
        return table
    }()

    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                         "november", "december"]

    /// A digit 0-9, ASCII or full width: the numerals read digit by digit whatever
    /// their count.
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { 0x30...0x39 ~= scalar.value || 0xFF10...0xFF19 ~= scalar.value }

    /// A numeral's value (`chinese[scalar]`) without hashing it.
    static func numeralValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: Int(scalar.value - 0x30)
        case 0xFF10...0xFF19: Int(scalar.value - 0xFF10)
        case 0x3007, 0x96F6: 0 // 〇 零
        case 0x4E00: 1 // 一
        case 0x4E8C, 0x4E24: 2 // 二 两
        case 0x4E09: 3 // 三
        case 0x56DB: 4 // 四
        case 0x4E94: 5 // 五
        case 0x516D: 6 // 六
        case 0x4E03: 7 // 七
        case 0x516B: 8 // 八
        case 0x4E5D: 9 // 九
        case 0x5341: 10 // 十
        case 0x767E: 100 // 百
        case 0x5343: 1000 // 千
        case 0x4E07: 10_000 // 万
        case 0x4EBF: 100_000_000 // 亿
        default: nil
        }
    }

    /// 2005 → 2005, 二〇〇五 → 2005 (digit by digit), 一百零五 → 105, 三万五千 → 35000.
    /// Read in place, two passes over the slice: with the values mapped into two
    /// arrays and looked up in a dictionary, a year cost some 1,600 instructions.
    static func chineseValue(_ scalars: ArraySlice<Unicode.Scalar>) -> Int? {
        guard !scalars.isEmpty else { return nil }
        var written = true, belowTen = true // all digits 0-9 (ASCII or full width); all values below ten
        for scalar in scalars {
            guard let v = numeralValue(scalar) else { return nil }
            belowTen = belowTen && v < 10
            written = written && isDigit(scalar)
        }
        if written || (scalars.count > 1 && belowTen) {
            var value = 0
            for scalar in scalars.prefix(18) { value = value * 10 + numeralValue(scalar)! }
            return value
        }
        var total = 0, section = 0, digit = 0
        for scalar in scalars {
            let v = numeralValue(scalar)!
            if v < 10 { digit = v }
            else if v < 10_000 { section += (digit == 0 ? 1 : digit) * v; digit = 0 }
            else { section += digit; total += (section == 0 ? 1 : section) * v; section = 0; digit = 0 }
        }
        return total + section + digit
    }
}

/// Consonant skeletons, shared by English spelling and Pinyin, for matching
/// transliterated names (亚伯拉罕 yabolahan → PLM, Abraham → PLM).
enum Skeleton {
    static let english: [String: String] = [
        "ph": "F", "th": "D", "sh": "S", "ch": "K", "ck": "K", "gh": "", "qu": "K", "wh": "W",
        "b": "P", "p": "P", "f": "F", "v": "F", "m": "M", "n": "M", "d": "D", "t": "D", "g": "K", "k": "K", "c": "K", "q": "K",
        "x": "S", "l": "L", "r": "L", "s": "S", "z": "S", "j": "Y", "y": "Y", "h": "H", "w": "W",
    ]
    static let pinyin: [String: String] = [
        "zh": "S", "ch": "S", "sh": "S", "ng": "M",
        "b": "P", "p": "P", "f": "F", "m": "M", "n": "M", "d": "D", "t": "D", "g": "K", "k": "K", "h": "H", "j": "S", "q": "S",
        "x": "S", "z": "S", "c": "S", "s": "S", "l": "L", "r": "L", "y": "Y", "w": "W",
    ]

    /// The classes by the ASCII letters of their one- and two-letter keys, in a flat
    /// table: a dictionary's hashing was most of a name's skeleton.
    struct Table: Sendable {
        /// Key (one letter a, or two letters a << 8 | b, all below 0x80) → its class's
        /// letter; `silent` for a sound that writes nothing (gh); 0 for no key.
        let classes: [UInt8]
        static let silent: UInt8 = 1

        init(_ table: [String: String]) {
            var classes = [UInt8](filledWith: 0, count: 0x8000)
            for (key, value) in table {
                let bytes = Array(key.utf8)
                precondition(key.unicodeScalars.allSatisfy(\.isASCII) && (1...2).contains(bytes.count), "skeleton keys are one or two ASCII letters")
                precondition(value.utf8.count <= 1 && value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.isASCII }, "classes are one ASCII letter")
                classes[bytes.count == 1 ? Int(bytes[0]) : Int(bytes[0]) << 8 | Int(bytes[1])] = value.utf8.first ?? Self.silent
            }
            self.classes = classes
        }

        subscript(code: UInt16) -> UInt8 { classes[Int(code)] }
    }
    static let englishTable = Table(english)
    static let pinyinTable = Table(pinyin)

    /// Each character of the lowercased text as its ASCII byte, or 0 for any other
    /// character. ASCII (names nearly always are) is read by byte: the one ASCII
    /// character of two bytes, "\r\n", is one 0, as by Character.
    static func codes(_ text: String) -> [UInt16] {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return codesByCharacter(text) }
        let utf8 = Array(text.utf8)
        var codes: [UInt16] = []
        codes.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == 0x0D, i + 1 < utf8.count, utf8[i + 1] == 0x0A { codes.append(0); i += 2; continue }
            codes.append(UInt16(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte))
            i += 1
        }
        return codes
    }

    static func codesByCharacter(_ text: String) -> [UInt16] {
        text.lowercased().map { $0.utf8.count == 1 ? UInt16($0.utf8.first!) : 0 }
    }

    /// The consonant classes of `text` (ASCII letters), a repeated class written once.
    /// Keys match whole characters, so a letter with a combining mark (ñ written
    /// n + ◌̃) is no key.
    static func of(_ text: String, _ table: Table) -> [UInt8] {
        // Each character as its ASCII byte, or 0 for any other character.
        let chars = codes(text)
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            var matched = false
            if chars[i] != 0 {
                if i + 1 < chars.count, chars[i + 1] != 0, case let cls = table[chars[i] << 8 | chars[i + 1]], cls != 0 {
                    if cls != Table.silent, out.last != cls { out.append(cls) }
                    i += 2
                    matched = true
                } else if case let cls = table[chars[i]], cls != 0 {
                    if cls != Table.silent, out.last != cls { out.append(cls) }
                    i += 1
                    matched = true
                }
            }
            if !matched { i += 1 }
        }
        return out
    }

    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Unicode.Scalar {
    var isAlignHan: Bool { (0x3400...0x9FFF).contains(value) || (0xF900...0xFAFF).contains(value) }
}
