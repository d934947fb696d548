import DeclprocICU

/// Which charset a page was decoded with, which rule decided it, and how many
/// bytes could not be decoded (replaced by U+FFFD).
public struct CharsetDecision: Sendable, Equatable, Codable {
    public enum Rule: String, Sendable, Codable {
        case bom, transport, meta, detector, fallback
    }
    public var name: String
    public var decidedBy: Rule
    public var invalidBytes: Int
    /// What the page or its transport declared, when the decision overrode it.
    public var declared: String?

    public init(name: String, decidedBy: Rule, invalidBytes: Int, declared: String? = nil) {
        self.name = name
        self.decidedBy = decidedBy
        self.invalidBytes = invalidBytes
        self.declared = declared
    }
}

/// Decides a page's charset and decodes it to text, in the order BOM → transport
/// header → `<meta>` → detector → UTF-8 with replacement (FACTS 12).
///
/// Declarations are often wrong on real pages (a `<meta>` saying gb2312 on a UTF-8
/// page), so a declaration is checked against the bytes before it is believed.
/// Owns ICU converters and a detector: one per task.
public final class PageDecoder {
    private let detector: CharsetDetector
    private var decoders: [String: CharsetDecoder] = [:]

    public init() throws(ICUError) {
        detector = try CharsetDetector()
    }

    /// `trace`, when given, hears each step of the decision in words (for `inspect`).
    public func decode(_ page: RawPage, trace: ((String) -> Void)? = nil) throws(ICUError) -> (text: String, charset: CharsetDecision) {
        let (utf8, charset) = try decodeUTF8(page, trace: trace)
        return (utf8.string, charset)
    }

    /// `decode` with no String made, for the parser.
    public func decodeUTF8(_ page: RawPage, trace: ((String) -> Void)? = nil) throws(ICUError)
        -> (text: WellFormedUTF8, charset: CharsetDecision) {
        let bytes = page.bytes
        if let (name, bomLength) = Self.byteOrderMark(bytes) {
            trace?("byte order mark says \(name)")
            return try decode(bytes[bomLength...], as: name, rule: .bom)
        }
        for (rule, label) in [(CharsetDecision.Rule.transport, page.transportCharset),
                              (.meta, MetaCharset.scan(bytes))] {
            guard let label else { trace?("no \(rule) declaration"); continue }
            guard let name = CharsetLabel.canonical(label), openable(name) else {
                trace?("\(rule) declares \"\(label)\", which names no charset ICU knows: ignored")
                continue
            }
            trace?("\(rule) declares \"\(label)\" (read as \(name))")
            // UTF-16 declared in a page without a BOM cannot be right: the bytes that
            // spelled out the declaration were ASCII (the HTML standard's rule).
            if name.hasPrefix("UTF-16") { trace?("UTF-16 without a byte order mark cannot be: ignored"); continue }
            if name != "UTF-8", UTF8Check.isConfidentlyUTF8(bytes) {
                trace?("but the bytes are valid UTF-8 with many multi-byte characters: decoded as UTF-8")
                var result = try decode(bytes[...], as: "UTF-8", rule: .detector)
                result.charset.declared = name
                return result
            }
            let declared = try decode(bytes[...], as: name, rule: rule)
            if declared.charset.invalidBytes == 0 { trace?("decodes cleanly as \(name)"); return declared }
            trace?("\(declared.charset.invalidBytes) bytes do not decode as \(name)")
            // The declaration leaves bytes undecodable. Believe the content instead
            // only when the detector is sure and its charset decodes far more cleanly.
            // Single-byte charsets decode anything without error, so they may only
            // replace a failed UTF-8 declaration (a windows-1252 page labelled UTF-8).
            if var better = try detect(bytes, minimumConfidence: 50, singleByte: name == "UTF-8", trace: trace),
               better.charset.invalidBytes * 4 <= declared.charset.invalidBytes {
                trace?("the detector's \(better.charset.name) decodes far more cleanly (\(better.charset.invalidBytes) bad bytes): used instead")
                better.charset.declared = name
                return better
            }
            trace?("kept \(name); bad bytes replaced by U+FFFD")
            return declared
        }
        if let detected = try detect(bytes, trace: trace) { return detected }
        trace?("nothing decided: UTF-8 with replacement")
        return try decode(bytes[...], as: "UTF-8", rule: .fallback)
    }

    /// Valid UTF-8 first (the detector is weak on short UTF-8 text), then ICU's detector.
    private func detect(_ bytes: [UInt8], minimumConfidence: Int = 10, singleByte: Bool = true,
                        trace: ((String) -> Void)?) throws(ICUError) -> (text: WellFormedUTF8, charset: CharsetDecision)? {
        // Checked once: the check makes the text.
        if let text = WellFormedUTF8(validating: bytes) {
            trace?("the bytes are valid UTF-8")
            return (text, CharsetDecision(name: "UTF-8", decidedBy: .detector, invalidBytes: 0))
        }
        // Undeclared text that is mostly UTF-8, with some broken sequences (overlong
        // forms, encoded surrogates, stray bytes), is UTF-8 with replacements: ICU's
        // detector would call it windows-1252, which decodes anything and garbles all.
        if UTF8Check.isMostlyUTF8(bytes) {
            trace?("the bytes are mostly valid UTF-8: decoded as UTF-8, bad bytes replaced")
            return try decode(bytes[...], as: "UTF-8", rule: .detector)
        }
        var best: (text: WellFormedUTF8, charset: CharsetDecision)? = nil
        let matches = try detector.detect(bytes)
        trace?("ICU's detector: " + matches.prefix(3).map { "\($0.name) \($0.confidence)%" }.joined(separator: ", "))
        for match in matches.prefix(3) where match.confidence >= minimumConfidence {
            guard let name = CharsetLabel.canonical(match.name), openable(name) else { continue }
            if !singleByte, !CharsetLabel.isMultiByte(name) { continue }
            let candidate = try decode(bytes[...], as: name, rule: .detector)
            if candidate.charset.invalidBytes == 0 { return candidate }
            if best == nil || candidate.charset.invalidBytes < best!.charset.invalidBytes { best = candidate }
        }
        return best
    }

    private func openable(_ name: String) -> Bool {
        (try? decoder(name)) != nil
    }

    private func decoder(_ name: String) throws(ICUError) -> CharsetDecoder {
        if let existing = decoders[name] { return existing }
        let created = try CharsetDecoder(charset: name)
        decoders[name] = created
        return created
    }

    private func decode(_ bytes: ArraySlice<UInt8>, as name: String, rule: CharsetDecision.Rule) throws(ICUError)
        -> (text: WellFormedUTF8, charset: CharsetDecision) {
        if name == "UTF-8", let valid = WellFormedUTF8(validating: Array(bytes)) {
            return (valid, CharsetDecision(name: name, decidedBy: rule, invalidBytes: 0))
        }
        let (text, invalid) = try decoder(name).decodeUTF8(bytes)
        return (text, CharsetDecision(name: name, decidedBy: rule, invalidBytes: invalid))
    }

    static func byteOrderMark(_ bytes: [UInt8]) -> (String, Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return ("UTF-8", 3) }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return ("UTF-32LE", 4) }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return ("UTF-32BE", 4) }
        if bytes.starts(with: [0xFF, 0xFE]) { return ("UTF-16LE", 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return ("UTF-16BE", 2) }
        if bytes.starts(with: [0x84, 0x31, 0x95, 0x33]) { return ("GB18030", 4) }
        return nil
    }
}

/// Charset labels as pages write them, mapped to the names we decode with and report.
public enum CharsetLabel {
    /// GB2312 and GBK are subsets of GB18030, and pages labelled with them routinely
    /// use characters only GBK/GB18030 have; Big5 pages likewise use HKSCS additions.
    /// ISO-8859-1 and ASCII labels mean windows-1252 on the web.
    static let aliases: [String: String] = [
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "cp936": "GB18030", "ms936": "GB18030",
        "windows-936": "GB18030", "gb_2312-80": "GB18030", "gb_2312": "GB18030", "csgb2312": "GB18030",
        "euc-cn": "GB18030", "x-euc-cn": "GB18030", "chinese": "GB18030", "iso-ir-58": "GB18030",
        "gb18030": "GB18030", "csgb18030": "GB18030", "hz-gb-2312": "HZ-GB-2312",
        "big5": "Big5-HKSCS", "big5-hkscs": "Big5-HKSCS", "cn-big5": "Big5-HKSCS", "x-x-big5": "Big5-HKSCS",
        "csbig5": "Big5-HKSCS", "cp950": "Big5-HKSCS", "x-big5": "Big5-HKSCS",
        "utf-8": "UTF-8", "utf8": "UTF-8", "unicode-1-1-utf-8": "UTF-8", "x-unicode20utf8": "UTF-8",
        "utf-16": "UTF-16LE", "utf-16le": "UTF-16LE", "utf-16be": "UTF-16BE", "unicode": "UTF-16LE",
        "iso-8859-1": "windows-1252", "latin1": "windows-1252", "l1": "windows-1252", "us-ascii": "windows-1252",
        "ascii": "windows-1252", "iso8859-1": "windows-1252", "cp1252": "windows-1252", "windows-1252": "windows-1252",
        "shift_jis": "Shift_JIS", "shift-jis": "Shift_JIS", "sjis": "Shift_JIS", "x-sjis": "Shift_JIS",
        "ms_kanji": "Shift_JIS", "windows-31j": "Shift_JIS", "cp932": "Shift_JIS",
        "euc-jp": "EUC-JP", "x-euc-jp": "EUC-JP", "euc-kr": "EUC-KR", "ks_c_5601-1987": "EUC-KR", "cp949": "EUC-KR",
        "iso-2022-jp": "ISO-2022-JP", "koi8-r": "KOI8-R", "koi8-u": "KOI8-U",
    ]

    static let multiByte: Set<String> = [
        "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE", "GB18030", "Big5-HKSCS", "Shift_JIS", "EUC-JP",
        "EUC-KR", "ISO-2022-JP", "ISO-2022-KR", "ISO-2022-CN", "HZ-GB-2312",
    ]

    static func isMultiByte(_ name: String) -> Bool { multiByte.contains(name) }

    /// The name to decode and report with, or nil for a label that names nothing.
    public static func canonical(_ label: String) -> String? {
        let trimmed = label.trimmingCharacters(in: " \t\r\n\"'").lowercased()
        guard !trimmed.isEmpty, trimmed.count < 64 else { return nil }
        if let alias = aliases[trimmed] { return alias }
        if let match = trimmed.wholeMatch(of: /(?:windows-|cp|x-cp)(125[0-8])/) { return "windows-\(match.1)" }
        if let match = trimmed.wholeMatch(of: /iso[-_]?8859[-_]?(\d{1,2})/) { return "ISO-8859-\(match.1)" }
        return CharsetDecoder.standardName(of: trimmed, standard: "IANA") ?? CharsetDecoder.standardName(of: trimmed, standard: "MIME")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars
        while let first = view.first, scalars.contains(first) { view.removeFirst() }
        while let last = view.last, scalars.contains(last) { view.removeLast() }
        return String(view)
    }
}

enum UTF8Check {
    /// UTF-8 with enough valid multi-byte sequences, and few enough broken ones,
    /// that it can't be a legacy encoding by accident: GBK or Big5 text forms valid
    /// UTF-8 sequences only now and then, and breaks the rule everywhere else.
    /// A few bad bytes (a truncated character, a stray byte) don't disqualify a page.
    static func isConfidentlyUTF8(_ bytes: [UInt8]) -> Bool {
        let ratio = 20 // the count stops early by the same ratio the answer uses
        let (valid, invalid) = counts(bytes, hopelessAt: ratio)
        return valid >= 4 && invalid * ratio <= valid
    }

    /// Looser, for text that declares nothing: legacy Chinese encodings form a
    /// valid UTF-8 sequence only now and then, far fewer than the invalid ones.
    static func isMostlyUTF8(_ bytes: [UInt8]) -> Bool {
        let ratio = 2
        let (valid, invalid) = counts(bytes, hopelessAt: ratio)
        return valid >= 8 && invalid * ratio <= valid
    }

    /// Valid multi-byte UTF-8 sequences, and bytes that start no valid sequence.
    /// With `ratio`, the count stops once `invalid * ratio <= valid` cannot hold
    /// whatever the rest of the bytes are (each valid sequence takes two bytes or
    /// more): the page declared GBK or Big5 is read no further than it takes to see
    /// it is not UTF-8, where the whole of every such page was counted.
    static func counts(_ bytes: [UInt8], hopelessAt ratio: Int? = nil) -> (valid: Int, invalid: Int) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (0, 0) }
            var valid = 0
            var invalid = 0
            var i = 0
            let n = buffer.count
            while i < n {
                // Markup is ASCII: eight bytes at a time while none has its high bit (not
                // tried inside a run of text in other scripts).
                if base[i] < 0x80, i + 8 <= n, UTF8Code.isASCII(UTF8Code.word(at: base + i)) {
                    i += 8
                    continue
                }
                let lead = base[i]
                if lead < 0x80 { i += 1; continue }
                let length: Int
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0...0xEF: length = 3
                case 0xF0...0xF4: length = 4
                default: invalid += 1; i += 1; continue
                }
                var ok = i + length <= n
                if ok {
                    for k in 1..<length where base[i + k] & 0xC0 != 0x80 { ok = false; break }
                }
                if ok, length == 3, lead == 0xE0, base[i + 1] < 0xA0 { ok = false } // overlong
                if ok, length == 3, lead == 0xED, base[i + 1] > 0x9F { ok = false } // surrogates
                if ok {
                    valid += 1
                    i += length
                } else {
                    invalid += 1
                    i += 1
                    if let ratio, invalid * ratio > valid + (n - i) / 2 { break }
                }
            }
            return (valid, invalid)
        }
    }
}

/// Finds a charset declared in the first bytes of a page: `<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`.
///
/// Read in the bytes, ASCII case folded as they are compared: the markup is ASCII,
/// and bytes above 0x7F (which never form it) count as spaces. Every page is
/// scanned, and a lowercased String of the head cost as much as decoding a page.
public enum MetaCharset {
    public static let prescanBytes = 4096

    public static func scan(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(prescanBytes)
        let meta = Array("meta".utf8)
        var i = head.startIndex
        while let open = head[i...].firstIndex(of: UInt8(ascii: "<")) {
            let name = open + 1
            i = name
            guard name + meta.count <= head.endIndex,
                  (0..<meta.count).allSatisfy({ folded(head[name + $0]) == meta[$0] }) else { continue }
            let inside = name + meta.count
            let end = head[inside...].firstIndex(of: UInt8(ascii: ">")) ?? head.endIndex
            let tag = head[inside..<end]
            if let value = attribute("charset", in: tag) { return value }
            if let equiv = attribute("http-equiv", in: tag), equiv == "content-type",
               let content = attribute("content", in: tag),
               let range = content.firstRange(of: "charset=") {
                let value = content[range.upperBound...].prefix { $0 != ";" && $0 != " " && $0 != "\"" && $0 != "'" }
                if !value.isEmpty { return String(value) }
            }
            i = end
        }
        return nil
    }

    /// The value of attribute `name` in the inside of a tag (after `<meta`),
    /// tokenized as HTML does (names, `=`, quoted or bare values), lowercased.
    static func attribute(_ name: String, in tag: ArraySlice<UInt8>) -> String? {
        let wanted = Array(name.utf8)
        var i = tag.startIndex
        func at(_ k: Int) -> UInt8 { folded(tag[k]) }
        while true {
            while i < tag.endIndex, isSpace(at(i)) || at(i) == UInt8(ascii: "/") { i += 1 }
            guard i < tag.endIndex else { return nil }
            let nameStart = i
            while i < tag.endIndex, !isSpace(at(i)), at(i) != UInt8(ascii: "="), at(i) != UInt8(ascii: "/") { i += 1 }
            let nameEnd = i
            while i < tag.endIndex, isSpace(at(i)) { i += 1 }
            var value = i..<i
            if i < tag.endIndex, at(i) == UInt8(ascii: "=") {
                i += 1
                while i < tag.endIndex, isSpace(at(i)) { i += 1 }
                if i < tag.endIndex, at(i) == UInt8(ascii: "\"") || at(i) == UInt8(ascii: "'") {
                    let quote = at(i)
                    i += 1
                    let start = i
                    while i < tag.endIndex, at(i) != quote { i += 1 }
                    value = start..<i
                    if i < tag.endIndex { i += 1 }
                } else {
                    let start = i
                    while i < tag.endIndex, !isSpace(at(i)) { i += 1 }
                    value = start..<i
                }
            }
            if nameEnd - nameStart == wanted.count, (0..<wanted.count).allSatisfy({ at(nameStart + $0) == wanted[$0] }) {
                var trimmed = value
                while let first = trimmed.first, isSpace(at(first)) { trimmed = trimmed.dropFirst() }
                while let last = trimmed.last, isSpace(at(last)) { trimmed = trimmed.dropLast() }
                return trimmed.isEmpty ? nil : String(decoding: trimmed.map(at), as: UTF8.self)
            }
            if nameEnd == nameStart { i = i < tag.endIndex ? i + 1 : i }
        }
    }

    /// The byte as the scan reads it: ASCII letters lowercased, non-ASCII a space.
    private static func folded(_ byte: UInt8) -> UInt8 {
        byte >= 0x80 ? 0x20 : byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// HTML's and Swift's whitespace among ASCII bytes: tab to carriage return, space.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
