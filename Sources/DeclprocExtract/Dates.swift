import DeclprocICU
import DeclprocText
import Foundation

/// Finds calendar dates written the ways these pages write them and gives them
/// as ISO 8601: 2005年5月3日, ２００５年５月３日, 二〇〇五年五月三日, 2005-05-03,
/// 2005/5/3, May 3, 2005, 3 May 2005.
public enum DateFinder {
    public struct Found: Sendable, Equatable {
        /// YYYY-MM-DD, or YYYY-MM when the day is not written.
        public let iso: String
        /// Where it was written, in Unicode scalars of the text searched.
        public let start: Int
        public let end: Int
    }

    static let chineseDigits: [Character: Int] = [
        "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    static let monthNames: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    static let patterns: [(RegularExpression, Kind)] = {
        let digit = "[0-9０-９]"
        let han = "[〇零○Ｏ一二三四五六七八九]"
        let hanSmall = "[一二三四五六七八九十]{1,3}"
        let month = "(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?"
        let list: [(String, Kind)] = [
            ("(\(digit){4})\\s*年\\s*(\(digit){1,2})\\s*月(?:\\s*(\(digit){1,2})\\s*[日号號])?", .chineseArabic),
            ("(\(han){4})\\s*年\\s*(\(hanSmall))\\s*月(?:\\s*(\(hanSmall))\\s*[日号號])?", .chineseNumerals),
            ("(?<![0-9])([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9])", .numeric),
            ("\\b\(month)\\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\\s+([0-9]{4})\\b", .englishMonthFirst),
            ("\\b([0-9]{1,2})(?:st|nd|rd|th)?\\s+\(month),?\\s+([0-9]{4})\\b", .englishDayFirst),
        ]
        return list.map { (try! RegularExpression($0.0, caseInsensitive: true), $0.1) }
    }()

    enum Kind { case chineseArabic, chineseNumerals, numeric, englishMonthFirst, englishDayFirst }

    /// What a text holds that some patterns need in every match: each pattern runs only
    /// where it could match. Most lines hold no date, and bridging a line to NSString
    /// and running five regular expressions on it cost 6% of `extract`.
    struct Clues {
        /// 年 after a digit (spaces between allowed), and 月 (the Chinese patterns: one
        /// for ASCII or full-width digits, one for Chinese numerals).
        var arabicYear = false
        var hanYear = false
        /// Four ASCII digits in a row (the numeric and English patterns).
        var fourDigits = false
        /// Four ASCII digits followed by -, / or . (the numeric pattern).
        var fourDigitsAndSeparator = false
        /// An ASCII letter (the English patterns' month names).
        var latinLetter = false

        /// The numeral pattern's year digits, with the lowercase o and ｏ its
        /// case-insensitive matching also takes.
        static let hanYearDigits: ScalarSet = "〇零○ＯOoｏ一二三四五六七八九"

        init(_ text: String) {
            // Through the UTF-8 buffer: iterating the string's UTF-8 view cost four times as much.
            text.withUTF8Bytes { bytes in
                guard let base = bytes.baseAddress else { return }
                var run = 0
                var i = 0
                while i < bytes.count {
                    // Eight bytes of Chinese at a time: a byte above 0x7F is no digit,
                    // separator or letter, and ends a run of digits.
                    if i + 8 <= bytes.count, UTF8Code.hasNoASCII(UTF8Code.word(at: base + i)) {
                        run = 0
                        i += 8
                        continue
                    }
                    let byte = base[i]
                    i += 1
                    if byte >= 0x30 && byte <= 0x39 {
                        run += 1
                        if run >= 4 { fourDigits = true }
                        continue
                    }
                    if run >= 4 && (byte == 0x2D || byte == 0x2F || byte == 0x2E) { fourDigitsAndSeparator = true }
                    run = 0
                    if (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A { latinLetter = true }
                }
            }
            guard text.containsExactly("年"), text.containsExactly("月") else { return }
            // The scalar before each 年, spaces skipped (a superset of the patterns' \s).
            var previous: Unicode.Scalar? = nil
            var arabicYear = false, hanYear = false
            let hanYearDigits = Self.hanYearDigits
            text.forEachScalar { scalar in
                if scalar == "年", let p = previous {
                    if (0x30...0x39).contains(p.value) || (0xFF10...0xFF19).contains(p.value) { arabicYear = true }
                    else if hanYearDigits.contains(p) { hanYear = true }
                }
                if !scalar.isWhiteSpace { previous = scalar }
            }
            self.arabicYear = arabicYear
            self.hanYear = hanYear
        }

        func allow(_ kind: Kind) -> Bool {
            switch kind {
            case .chineseArabic: arabicYear
            case .chineseNumerals: hanYear
            case .numeric: fourDigitsAndSeparator
            case .englishMonthFirst, .englishDayFirst: fourDigits && latinLetter
            }
        }
    }

    /// Every date in `text`, in order of position.
    public static func dates(in text: String) -> [Found] {
        let clues = Clues(text)
        guard patterns.contains(where: { clues.allow($0.1) }) else { return [] }
        let units = [UInt16](utf16Of: text)
        var found: [(Found, Int)] = [] // with UTF-16 location for ordering and overlap
        var taken: [Range<Int>] = []
        // UTF-16 offset → scalar offset, for the spans the records report: made at the
        // first date found (most texts the clues let through hold none).
        var scalarOffsets: [Int] = []
        func scalarAt(_ offset: Int) -> Int {
            if scalarOffsets.isEmpty {
                scalarOffsets.reserveCapacity(units.count + 1)
                var scalars = 0
                for unit in units {
                    scalarOffsets.append(scalars)
                    if !UTF16.isTrailSurrogate(unit) { scalars += 1 }
                }
                scalarOffsets.append(scalars)
            }
            return scalarOffsets[offset]
        }
        for (regex, kind) in patterns where clues.allow(kind) {
            for match in regex.allMatches(in: units) {
                if taken.contains(where: { $0.overlaps(match.range) }) { continue }
                func group(_ i: Int) -> String? {
                    guard i < match.ranges.count, let r = match.ranges[i] else { return nil }
                    return String(utf16Units: units[r])
                }
                var year: Int?, month: Int?, day: Int?
                switch kind {
                case .chineseArabic:
                    year = group(1).flatMap(arabic); month = group(2).flatMap(arabic); day = group(3).flatMap(arabic)
                case .chineseNumerals:
                    year = group(1).flatMap(hanDigits); month = group(2).flatMap(hanNumber); day = group(3).flatMap(hanNumber)
                case .numeric:
                    year = group(1).flatMap(arabic); month = group(2).flatMap(arabic); day = group(3).flatMap(arabic)
                case .englishMonthFirst:
                    month = group(1).flatMap { monthNames[String($0.lowercased().prefix(3))] }
                    day = group(2).flatMap(arabic); year = group(3).flatMap(arabic)
                case .englishDayFirst:
                    day = group(1).flatMap(arabic); month = group(2).flatMap { monthNames[String($0.lowercased().prefix(3))] }
                    year = group(3).flatMap(arabic)
                }
                guard let y = year, (1900...2100).contains(y), let m = month, (1...12).contains(m) else { continue }
                if let d = day, !(1...31).contains(d) { continue }
                var iso = "\(y)-\(m < 10 ? "0" : "")\(m)"
                if let d = day { iso += "-\(d < 10 ? "0" : "")\(d)" }
                found.append((Found(iso: iso, start: scalarAt(match.range.lowerBound), end: scalarAt(match.range.upperBound)),
                              match.range.lowerBound))
                taken.append(match.range)
            }
        }
        return found.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// ASCII or full-width digits.
    static func arabic(_ text: String) -> Int? {
        var value = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: value = value * 10 + Int(scalar.value - 0x30)
            case 0xFF10...0xFF19: value = value * 10 + Int(scalar.value - 0xFF10)
            default: return nil
            }
        }
        return value
    }

    /// 二〇〇五 → 2005 (digit by digit).
    static func hanDigits(_ text: String) -> Int? {
        var value = 0
        for character in text {
            guard let digit = chineseDigits[character] else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// 十二 → 12, 二十六 → 26, 三十一 → 31, 五 → 5.
    static func hanNumber(_ text: String) -> Int? {
        let characters = Array(text)
        if let ten = characters.firstIndex(of: "十") {
            let tens = ten == 0 ? 1 : (chineseDigits[characters[0]] ?? -100)
            let ones = ten == characters.count - 1 ? 0 : (chineseDigits[characters[ten + 1]] ?? -100)
            let value = tens * 10 + ones
            return value > 0 ? value : nil
        }
        return characters.count == 1 ? chineseDigits[characters[0]] : nil
    }
}
