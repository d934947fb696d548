import DeclprocICU
import DeclprocLocales

/// Tells Simplified from Traditional Chinese, and Chinese from English, by counting
/// characters that only one writing system uses (sets in `Locales/zh/script/`).
public final class ScriptDetector: Sendable {
    public struct Result: Sendable, Equatable {
        /// ISO 15924: Hans, Hant, Latn, or Zyyy when no script dominates.
        public let script: String
        /// BCP 47: zh-Hans, zh-Hant, en (with a region when the page gave one or
        /// the text shows one), or und.
        public let lang: String
        /// For Chinese text: "simplified", "traditional", or "mixed" when both kinds of
        /// telling characters are common; nil when the text tells nothing.
        public var chinese: String? = nil
        /// TW or HK when the text uses that region's variant characters (台 vs 臺 aside).
        public var region: String? = nil
    }

    /// What each telling character tells, as flags: Simplified only, Traditional only,
    /// and the character forms only Taiwan's (or only Hong Kong's) standard uses, from
    /// OpenCC's variant tables: 裡 (TW) and 裏 (HK) for 裏/里. One table read per
    /// character, where four hashed sets cost 8% of reading a page.
    let telling: ScalarMap
    private static let hansOnly: UInt32 = 1, hantOnly: UInt32 = 2, taiwanForm: UInt32 = 4, hongKongForm: UInt32 = 8

    static let sources = ["zh/script/hans-only.txt", "zh/script/hant-only.txt", "zh/convert/TWVariants.txt",
                          "zh/convert/HKVariants.txt", "zh/script/region-neutral.txt"]
    /// The compiled form's layout; bump when it changes.
    static let format = 1

    /// The table is kept in the compiled cache: made from the text files it was a
    /// twentieth of start-up (13 M instructions).
    public init(store: LocaleStore) throws(LocaleStore.MissingData) {
        do {
            var reader = try store.cache.load("script", format: Self.format, sources: Self.sources, store: store) {
                var writer = BinaryWriter()
                try Self.telling(store).write(to: &writer)
                return writer.bytes
            }
            telling = try ScalarMap(from: &reader)
            guard reader.isAtEnd else { throw BinaryReader.Corrupt() }
        } catch let error as LocaleStore.MissingData { throw error } catch {
            throw LocaleStore.MissingData(path: store.url("zh/script").path, reason: "\(error)")
        }
    }

    /// What each telling character tells, from the text files.
    static func telling(_ store: LocaleStore) throws(LocaleStore.MissingData) -> ScalarMap {
        func load(_ path: String) throws(LocaleStore.MissingData) -> Set<Unicode.Scalar> {
            Set(try store.lines(path).compactMap { $0.unicodeScalars.count == 1 ? $0.unicodeScalars.first : nil })
        }
        let hansOnly = try load("zh/script/hans-only.txt")
        let hantOnly = try load("zh/script/hant-only.txt")
        func variants(_ path: String) throws(LocaleStore.MissingData) -> (forms: Set<Unicode.Scalar>, standard: Set<Unicode.Scalar>) {
            var forms = Set<Unicode.Scalar>(), standard = Set<Unicode.Scalar>()
            for row in try store.rows(path) where row.count >= 2 && row[0].unicodeScalars.count == 1 {
                standard.insert(row[0].unicodeScalars.first!)
                for value in row[1].split(separator: " ") where value.unicodeScalars.count == 1 { forms.insert(value.unicodeScalars.first!) }
            }
            return (forms, standard)
        }
        let tw = try variants("zh/convert/TWVariants.txt")
        let hk = try variants("zh/convert/HKVariants.txt")
        // A form is telling when it is the region's own and neither the other region's
        // form nor the common standard form.
        let neutral = try load("zh/script/region-neutral.txt")
        let taiwanForms = tw.forms.subtracting(hk.forms).subtracting(tw.standard).subtracting(hk.standard).subtracting(neutral)
        let hongKongForms = hk.forms.subtracting(tw.forms).subtracting(tw.standard).subtracting(hk.standard).subtracting(neutral)
        var telling = ScalarMap()
        for (set, flag) in [(hansOnly, Self.hansOnly), (hantOnly, Self.hantOnly), (taiwanForms, Self.taiwanForm), (hongKongForms, Self.hongKongForm)] {
            for scalar in set { telling[scalar] |= flag }
        }
        return telling
    }

    /// A page's own declaration (`<html lang>`), read once for all the texts of the page.
    public struct PageLanguage: Sendable {
        let tag: LanguageTag?
        public init(_ pageLang: String?) { tag = LanguageTag(pageLang) }
    }

    /// `pageLang` is the page's own declaration (`<html lang>`), used for the region
    /// and to break ties when a text has no telling characters.
    public func classify(_ text: String, pageLang: String? = nil) -> Result {
        classify(text, page: PageLanguage(pageLang))
    }

    /// The same, with the page's declaration read already: every statement of a page
    /// is classified with it.
    public func classify(_ text: String, page: PageLanguage) -> Result {
        classify(counts(text), page: page)
    }

    /// The same for texts read as one, each after the line break before it: a page's
    /// main blocks, counted where they are rather than joined into one string first.
    /// (A line break counts as neither Han nor Latin.)
    public func classify(lines texts: some Sequence<String>, page: PageLanguage) -> Result {
        var total = Counts()
        for text in texts { total += counts(text) }
        return classify(total, page: page)
    }

    private func classify(_ counts: Counts, page: PageLanguage) -> Result {
        let han = counts.han, latin = counts.latin, simplified = counts.simplified, traditional = counts.traditional
        let taiwan = counts.taiwan, hongKong = counts.hongKong
        let hint = page.tag
        if han == 0 && latin == 0 { return Result(script: "Zyyy", lang: hint?.tag ?? "und") }
        // A Chinese character carries about as much as three Latin letters.
        let hanShare = Double(han) / (Double(han) + Double(latin) / 3)
        let chinese: String = {
            if traditional > simplified { return "Hant" }
            if simplified > traditional { return "Hans" }
            return hint?.script == "Hant" ? "Hant" : "Hans"
        }()
        let script = hanShare >= 0.8 ? chinese : hanShare <= 0.2 ? "Latn" : "Zyyy"
        let dominant = hanShare >= 0.5 ? chinese : "Latn"
        var lang = dominant == "Latn" ? "en" : "zh-\(dominant)"
        let shown: String? = dominant == "Hant" && taiwan != hongKong ? (taiwan > hongKong ? "TW" : "HK") : nil
        let region = hint?.region(compatibleWith: dominant) ?? shown
        if let region { lang += "-\(region)" }
        var result = Result(script: script, lang: lang)
        if simplified + traditional > 0 {
            let minority = min(simplified, traditional), majority = max(simplified, traditional)
            // A few characters of the other kind are normal (names, quotations); a
            // quarter or more is a mixed text.
            result.chinese = minority * 3 >= majority && minority >= 2 ? "mixed" : simplified > traditional ? "simplified" : "traditional"
        }
        result.region = shown ?? (dominant == "Hant" ? hint?.region(compatibleWith: dominant) : nil)
        return result
    }

    /// What `classify` counts: Han characters, Latin letters, and the Han characters
    /// that tell each writing system and region.
    struct Counts: Equatable {
        var han = 0, latin = 0, simplified = 0, traditional = 0, taiwan = 0, hongKong = 0

        static func += (total: inout Counts, more: Counts) {
            total.han += more.han; total.latin += more.latin
            total.simplified += more.simplified; total.traditional += more.traditional
            total.taiwan += more.taiwan; total.hongKong += more.hongKong
        }
    }

    /// The counts, read from the UTF-8: ASCII by byte, ideographs from U+4E00 to U+9FFF
    /// (most of a Chinese text) by their decoded value without the other Han ranges'
    /// tests. It reads every ideograph of every page's main text and every statement:
    /// scalar by scalar it cost a fifth more (callgrind, 150 web pages: 17.2 M
    /// instructions, 13.9 M this way).
    func counts(_ text: String) -> Counts {
        // The map read through its pointers, without bounds checks; the counts kept in
        // the loop's own variables (captured, each update was an access checked at run time).
        telling.withUnchecked { telling in
            text.withUTF8Bytes { bytes in
                var han = 0, latin = 0, simplified = 0, traditional = 0, taiwan = 0, hongKong = 0
                guard let base = bytes.baseAddress else { return Counts() }
                let n = bytes.count
                var i = 0
                while i < n {
                    let lead = base[i]
                    if lead < 0x80 {
                        if (lead | 0x20) &- 0x61 < 26 { latin &+= 1 }
                        i &+= 1
                        continue
                    }
                    let (value, length) = UTF8Code.decode(base, at: i)
                    i &+= length
                    let scalar: Unicode.Scalar
                    if value &- 0x4E00 <= 0x9FFF - 0x4E00 {
                        scalar = Unicode.Scalar(UInt16(truncatingIfNeeded: value)) ?? "\u{FFFD}"
                    } else {
                        scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                        guard scalar.isHan else {
                            if scalar.isLatinLetter { latin &+= 1 }
                            continue
                        }
                    }
                    han &+= 1
                    let flags = telling[scalar]
                    if flags != 0 {
                        if flags & Self.hansOnly != 0 { simplified &+= 1 } else if flags & Self.hantOnly != 0 { traditional &+= 1 }
                        if flags & Self.taiwanForm != 0 { taiwan &+= 1 } else if flags & Self.hongKongForm != 0 { hongKong &+= 1 }
                    }
                }
                return Counts(han: han, latin: latin, simplified: simplified, traditional: traditional, taiwan: taiwan, hongKong: hongKong)
            }
        }
    }
}

/// The little of BCP 47 we need from `<html lang>`: language, script, region.
struct LanguageTag: Equatable, Sendable {
    let language: String
    let script: String?
    let region: String?
    let tag: String

    init?(_ value: String?) {
        guard let value, !value.isEmpty else { return nil }
        // Printable ASCII (a page's lang, in practice) is read from its bytes: the parse by
        // Character below cost some 3,600 instructions, and every statement's
        // classification asks for its page's language.
        if let quick = Self.quick(value) {
            guard let tag = quick else { return nil }
            self = tag
            return
        }
        self.init(parsing: value)
    }

    /// The tag read by Character, as every value was read before `quick`.
    init?(parsing value: String) {
        guard !value.isEmpty else { return nil }
        let parts = value.replacingUnderscores().split(separator: "-").map(String.init)
        guard let first = parts.first, (2...3).contains(first.count) else { return nil }
        let language = first.lowercased()
        var script: String? = nil
        var region: String? = nil
        for part in parts.dropFirst() {
            if part.count == 4, script == nil { script = part.prefix(1).uppercased() + part.dropFirst().lowercased() }
            else if part.count == 2 || (part.count == 3 && part.allSatisfy(\.isNumber)) { region = part.uppercased() }
        }
        self.init(language: language, script: script, region: region)
    }

    /// The tag of its parts as read, both parses' end: a Chinese region implies its
    /// script when none is written.
    private init(language: String, script: String?, region: String?) {
        var script = script
        if language == "zh", script == nil, let region {
            script = ["TW", "HK", "MO"].contains(region) ? "Hant" : ["CN", "SG", "MY"].contains(region) ? "Hans" : nil
        }
        self.language = language
        self.script = script
        self.region = region
        tag = [language, script, region].compactMap { $0 }.joined(separator: "-")
    }

    /// The tag of printable ASCII, as `init(parsing:)` reads it (there a Character is a
    /// byte); nil when the value is anything else, for `init(parsing:)` to read.
    static func quick(_ value: String) -> LanguageTag?? {
        value.withUTF8Bytes { bytes -> LanguageTag?? in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return .none }
            func text(_ part: Slice<UnsafeBufferPointer<UInt8>>, upper: Bool) -> String {
                String(decoding: part.map { upper ? ($0 &- 0x61 < 26 ? $0 - 0x20 : $0) : ($0 &- 0x41 < 26 ? $0 + 0x20 : $0) },
                       as: UTF8.self)
            }
            let parts = bytes.split(whereSeparator: { $0 == 0x2D || $0 == 0x5F })
            guard let first = parts.first, (2...3).contains(first.count) else { return .some(nil) }
            let language = text(first, upper: false)
            var script: String? = nil
            var region: String? = nil
            for part in parts.dropFirst() {
                if part.count == 4, script == nil {
                    script = text(part.prefix(1), upper: true) + text(part.dropFirst(), upper: false)
                } else if part.count == 2 || (part.count == 3 && part.allSatisfy({ $0 &- 0x30 < 10 })) {
                    region = text(part, upper: true)
                }
            }
            return .some(LanguageTag(language: language, script: script, region: region))
        }
    }

    func region(compatibleWith script: String) -> String? {
        guard let region else { return nil }
        switch script {
        case "Hant": return language == "zh" && ["TW", "HK", "MO"].contains(region) ? region : nil
        case "Hans": return language == "zh" && ["CN", "SG", "MY"].contains(region) ? region : nil
        default: return language == "en" ? region : nil
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(scalars: unicodeScalars.map { $0 == "_" ? "-" : $0 })
    }
}
