import CCrypto
import DeclprocCollections
import DeclprocText
import Foundation

/// What `--redact` removes.
public struct RedactionScope: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Declarants' names, in every script and romanization, replaced by pseudonyms.
    public static let names = RedactionScope(rawValue: 1)
    /// Phone numbers, e-mail addresses and PRC resident ID numbers.
    public static let contacts = RedactionScope(rawValue: 2)

    public var labels: [String] { (contains(.names) ? ["names"] : []) + (contains(.contacts) ? ["contacts"] : []) }

    /// `--redact` values, comma-separated or repeated; nil names the first unknown one.
    public static func parse(_ values: [String]) -> Result<RedactionScope, Unknown> {
        var scope: RedactionScope = []
        for item in values.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch item {
            case "names": scope.insert(.names)
            case "contacts": scope.insert(.contacts)
            default: return .failure(Unknown(value: item))
            }
        }
        return .success(scope)
    }

    public struct Unknown: Error, CustomStringConvertible {
        public let value: String
        public var description: String { "unknown --redact value '\(value)': choose names, contacts or both." }
    }
}

/// The secret behind pseudonyms: read from a file or the environment, never from
/// the command line (where `ps` and shell history would show it) and never written.
public struct RedactionKey: Sendable {
    let bytes: [UInt8]

    public struct Invalid: Error, CustomStringConvertible { public let description: String }

    public init(bytes: [UInt8]) throws(Invalid) {
        var bytes = bytes
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard bytes.count >= 16 else { throw Invalid(description: "the redaction key must be at least 16 bytes long (found \(bytes.count))") }
        self.bytes = bytes
    }

    /// From `--redact-key-file`, else `DECLPROC_REDACT_KEY`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) -> RedactionKey {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw Invalid(description: "cannot read the redaction key file \(file)") }
            return try RedactionKey(bytes: Array(data))
        }
        if let value = environment["DECLPROC_REDACT_KEY"] { return try RedactionKey(bytes: Array(value.utf8)) }
        throw Invalid(description: "--redact names needs a key: --redact-key-file FILE or DECLPROC_REDACT_KEY")
    }

    /// HMAC-SHA256 of `text` under the key.
    func mac(_ text: String) -> [UInt8] {
        var out = [UInt8](filledWith: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let input = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { key in
            input.withUnsafeBufferPointer { data in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), data.baseAddress, data.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }
}

/// Replaces names and contacts in text. A page's redactor knows every name found on
/// the page and all the forms each can take: as written, Simplified, Traditional,
/// and Pinyin with tone marks, tone numbers or none, surname first or last, with
/// or without spaces, in any letter case.
///
/// A name becomes `[NAME-XXXXXXXX]`: eight hex digits of a keyed hash of the name
/// in Simplified, the same across pages and runs with the same key, and no clue to
/// the name without the key.
public struct Redactor {
    public let scope: RedactionScope
    /// (form, pseudonym); longest forms first, so 高智晟 goes before 智晟.
    private var forms: [(form: [Unicode.Scalar], latin: Bool, replacement: String)] = []
    private var pseudonyms: [String: String] = [:]

    public init(scope: RedactionScope, key: RedactionKey?, names: [String], simplify: (String) -> String,
                traditional: (String) -> String, pinyin: PinyinTransliterator?) {
        self.scope = scope
        guard scope.contains(.names), let key else { return }
        var seen = Set<String>()
        for name in names where name.unicodeScalars.count >= 2 {
            let simplified = simplify(name)
            let mac = key.mac(simplified)
            let pseudonym = "[NAME-" + mac.prefix(4).map { String(format: "%02X", $0) }.joined() + "]"
            pseudonyms[name] = pseudonym
            var candidates: [(String, Bool)] = [(name, false), (simplified, false), (traditional(simplified), false)]
            if let pinyin, name.unicodeScalars.contains(where: \.isHan) {
                candidates += Self.latinForms(of: simplified, pinyin: pinyin).map { ($0, true) }
            } else {
                candidates.append((name, true))
            }
            for (form, latin) in candidates where seen.insert((latin ? "L" : "H") + form).inserted {
                forms.append((Array((latin ? form.lowercased() : form).unicodeScalars), latin, pseudonym))
            }
        }
        forms.sort { $0.form.count > $1.form.count }
    }

    /// The pseudonym a declarant's name becomes.
    public func pseudonym(for name: String) -> String? { pseudonyms[name] }

    public var isActive: Bool { !scope.isEmpty }

    /// Every romanization a reader might write: per syllable tone marks, numbers or
    /// none; surname first (Gao Zhisheng) or last (Zhisheng Gao); syllables spaced,
    /// hyphenated or run together.
    static func latinForms(of name: String, pinyin: PinyinTransliterator) -> [String] {
        var result = Set<String>()
        for tones in [ToneStyle.none, .marks, .numbers] {
            let style = PinyinStyle(tones: tones)
            // Names-mode readings (晟 shèng), and plain readings too, for text romanized without names mode.
            var splits: [([String], [String])] = []
            if let (surname, given) = pinyin.nameSyllables(name, style: style) { splits.append((surname, given)) }
            let plain = pinyin.transliterate(name, words: [], style: style).split(separator: " ").map(String.init)
            if let first = splits.first, plain.count == first.0.count + first.1.count {
                splits.append((Array(plain.prefix(first.0.count)), Array(plain.dropFirst(first.0.count))))
            }
            for (surnameSyllables, givenSyllables) in splits where !surnameSyllables.isEmpty && !givenSyllables.isEmpty {
                let surname = surnameSyllables.joined().lowercased()
                let given = givenSyllables.map { $0.lowercased() }
                let givenForms = [given.joined(), given.joined(separator: "'"), given.joined(separator: "-"), given.joined(separator: " ")]
                for g in Set(givenForms) {
                    for separator in [" ", "", "-"] {
                        result.insert(surname + separator + g)
                        result.insert(g + separator + surname)
                    }
                }
                let syllables = surnameSyllables.map { $0.lowercased() } + given
                result.insert(syllables.joined(separator: " "))
                result.insert((given + surnameSyllables.map { $0.lowercased() }).joined(separator: " "))
            }
        }
        return result.filter { $0.unicodeScalars.count >= 4 }.sorted()
    }

    /// The text with every name form and (with `.contacts`) every contact replaced,
    /// and a map from offsets in the text (Unicode scalars) to offsets in the result.
    public func redact(_ text: String) -> (text: String, offsets: OffsetMap) {
        let scalars = Array(scalarsOf: text)
        var replacements: [(start: Int, end: Int, with: String)] = []
        if scope.contains(.names), !forms.isEmpty {
            let lowered = scalars.map { $0.properties.lowercaseMapping.unicodeScalars.count == 1 ? $0.properties.lowercaseMapping.unicodeScalars.first! : $0 }
            var i = 0
            outer: while i < scalars.count {
                for form in forms where i + form.form.count <= scalars.count {
                    let haystack = form.latin ? lowered : scalars
                    guard haystack[i] == form.form[0], haystack[i..<(i + form.form.count)].elementsEqual(form.form) else { continue }
                    let end = i + form.form.count
                    if form.latin {
                        // Whole words only: not "Gao" inside "Gaol".
                        if i > 0, Self.isAlphabeticLetter(scalars[i - 1]) { continue }
                        if end < scalars.count, Self.isAlphabeticLetter(scalars[end]) || scalars[end].properties.numericType != nil { continue }
                    }
                    replacements.append((i, end, form.replacement))
                    i = end
                    continue outer
                }
                i += 1
            }
        }
        if scope.contains(.contacts) {
            let ns = text as NSString
            for (expression, label) in Self.contactPatterns {
                for match in expression.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                    let start = ns.substring(to: match.range.location).unicodeScalars.count
                    let end = start + ns.substring(with: match.range).unicodeScalars.count
                    if !replacements.contains(where: { $0.start < end && start < $0.end }) { replacements.append((start, end, label)) }
                }
            }
        }
        guard !replacements.isEmpty else { return (text, OffsetMap(segments: [])) }
        replacements.sort { $0.start < $1.start }
        var out = String.UnicodeScalarView()
        var segments: [OffsetMap.Segment] = []
        var cursor = 0
        for r in replacements where r.start >= cursor {
            out.append(contentsOf: scalars[cursor..<r.start])
            let newStart = out.count
            out.append(contentsOf: r.with.unicodeScalars)
            segments.append(.init(start: r.start, end: r.end, newStart: newStart, newEnd: out.count))
            cursor = r.end
        }
        out.append(contentsOf: scalars[cursor...])
        return (String(out), OffsetMap(segments: segments))
    }

    /// A URL with names replaced, looking through percent-encoding (a name in a URL
    /// is usually encoded); the replaced parts are encoded again.
    public func redactURL(_ url: String) -> String {
        let decoded = url.removingPercentEncoding ?? url
        let redacted = redact(decoded).text
        guard redacted != decoded else { return url }
        return redacted.addingPercentEncoding(withAllowedCharacters: Self.urlCharacters) ?? redacted
    }

    static let urlCharacters: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.insert(charactersIn: "#")
        return set
    }()

    /// A letter of an alphabetic script (Latin, Greek, Cyrillic and the rest below the
    /// CJK radicals): what may not touch a romanized name for it to be a whole word.
    /// Wider than `Unicode.Scalar.isLatinLetter`, on purpose: "Gao" inside a Greek or
    /// Cyrillic word is no name either.
    static func isAlphabeticLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic && !scalar.isHan && scalar.value < 0x2E80
    }

    /// E-mail addresses; PRC resident ID numbers (17 digits and a check digit or X);
    /// phone numbers: mobile (1[3-9] and 9 digits), landlines with an area code,
    /// international numbers with a plus sign.
    static let contactPatterns: [(NSRegularExpression, String)] = [
        (try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#), "[EMAIL]"),
        (try! NSRegularExpression(pattern: #"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"#), "[ID]"),
        (try! NSRegularExpression(pattern: #"\+[0-9]{1,3}[ \-]?(?:\([0-9]{1,4}\)[ \-]?)?[0-9]{2,4}(?:[ \-]?[0-9]{2,4}){1,4}(?![0-9])"#), "[PHONE]"),
        (try! NSRegularExpression(pattern: #"(?<![0-9])1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9])"#), "[PHONE]"),
        (try! NSRegularExpression(pattern: #"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ \-]?[0-9]{7,8}(?![0-9])"#), "[PHONE]"),
    ]
}

/// Where offsets of a text land after replacements: outside a replaced range they
/// shift; a range's start and end map to its replacement's start and end.
public struct OffsetMap: Sendable {
    public struct Segment: Sendable { let start, end, newStart, newEnd: Int }
    let segments: [Segment]

    public func map(_ offset: Int) -> Int {
        var shift = 0
        for s in segments {
            if offset < s.start { break }
            if offset == s.start { return s.newStart }
            if offset < s.end { return s.newEnd }
            shift = s.newEnd - s.end
        }
        return offset + shift
    }
}
