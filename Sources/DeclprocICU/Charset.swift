internal import CICU
import DeclprocCollections

/// ICU's statistical charset detector (`UCharsetDetector`). One per task.
public final class CharsetDetector {
    public struct Match: Sendable, Equatable {
        /// ICU's name for the charset, e.g. "GB18030", "Big5", "UTF-8".
        public let name: String
        /// ICU's guess at the language, e.g. "zh"; empty when it has none.
        public let language: String
        /// 0-100.
        public let confidence: Int
    }

    private let handle: UnsafeMutableRawPointer

    public init() throws(ICUError) {
        var error: Int32 = 0
        let handle = dp_csdet_open(&error)
        try ICUError.check(error, "opening charset detector")
        self.handle = handle!
    }

    deinit { dp_csdet_close(handle) }

    /// Every plausible charset for `bytes`, best first. `ignoringMarkup` strips
    /// `<...>` so ASCII tags don't drown the statistics of the text.
    public func detect(_ bytes: [UInt8], ignoringMarkup: Bool = true) throws(ICUError) -> [Match] {
        dp_csdet_enable_input_filter(handle, ignoringMarkup)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ICUError) -> [Match] in
            var error: Int32 = 0
            // ICU keeps a pointer to the bytes until the next set_text, so all reads
            // happen inside this closure.
            buffer.withMemoryRebound(to: CChar.self) {
                dp_csdet_set_text(handle, $0.baseAddress, Int32($0.count), &error)
            }
            try ICUError.check(error, "setting detector text")
            let count = dp_csdet_detect_all(handle, &error)
            try ICUError.check(error, "detecting charset")
            var matches: [Match] = []
            for index in 0..<count {
                var name = [CChar](filledWith: 0, count: 64)
                var language = [CChar](filledWith: 0, count: 16)
                let confidence = dp_csdet_match(handle, index, &name, 64, &language, 16, &error)
                try ICUError.check(error, "reading charset match")
                matches.append(Match(name: cString(name), language: cString(language), confidence: Int(confidence)))
            }
            return matches
        }
    }
}

/// A charset decoder (`UConverter`, to Unicode) that never fails: every invalid
/// byte sequence becomes U+FFFD and its bytes are counted. One per task.
public final class CharsetDecoder {
    private let handle: UnsafeMutableRawPointer

    /// ICU's canonical name for the charset, e.g. "GB18030", "ibm-1375_P100-2008".
    public let icuName: String

    /// A UTF-8 converter when this charset's pages may be decoded piece by piece (see
    /// `decodeInPieces`); nil when the whole page goes through ICU at once.
    private let utf8: UnsafeMutableRawPointer?
    /// Set when ICU decodes the 128 ASCII bytes to themselves in this charset.
    private var piecesAllowed = false
    /// What ICU makes of each two bytes from a lead byte 0x80–0xFF, asked of ICU the
    /// first time a piece holds them, in a charset of `decodableInPairs`: slot
    /// `(lead - 0x80) << 8 | second` holds the scalar plus one, `notOneCharacter`
    /// when ICU does not make exactly one character of the two bytes, 0 when not
    /// asked yet. nil for other charsets.
    private let pairs: UnsafeMutablePointer<UInt32>?
    private static let notOneCharacter = UInt32.max
    /// Pairs a piece was decoded from through `pairs` (for tests).
    private(set) var pairsFromTable = 0

    /// Charsets of `decodableInPieces` in which text is characters of two bytes from
    /// a lead byte of 0x80 or above (and ASCII): ICU takes some 40 instructions a
    /// byte to decode them, where a pair's character remembered takes a few. Their
    /// converters keep no state between characters, so a character is the same
    /// wherever it stands; `CharsetPiecesTests` holds every pair to ICU's decoding of
    /// running text.
    static let decodableInPairs: Set<String> = [
        "gb18030", "ibm-1375_P100-2008", "euc-jp-2007", "ibm-970_P110_P110-2006_U2",
    ]

    /// Charsets in which a byte below 0x80 at a character boundary is that ASCII
    /// character, and in which a byte that `breaksPieces` is never followed by more of
    /// its sequence: it is a character of its own, the last byte of a sequence, or the
    /// byte before which ICU ends an invalid one (and which ICU then reads again as a
    /// character). After it, ICU decoding the whole page is at a boundary in its initial
    /// state. GB18030's four-byte forms have digits second and fourth, so digits cannot
    /// end a piece. Shift_JIS is not here: ICU's table for it (IBM's) swaps the
    /// controls 0x1A, 0x1C and 0x7F. `CharsetPiecesTests` holds each to ICU's
    /// whole-page decoding, and `init` checks ICU's ASCII again.
    static let decodableInPieces: Set<String> = [
        "gb18030", "ibm-1375_P100-2008", "UTF-8", "euc-jp-2007",
        "ibm-970_P110_P110-2006_U2", "ibm-5348_P100-1997",
    ]

    /// Opens a decoder for a charset label ("gb18030", "Big5-HKSCS", "windows-1252"…).
    public init(charset label: String) throws(ICUError) {
        handle = try openConverter(label)
        var error: Int32 = 0
        var name = [CChar](filledWith: 0, count: 96)
        dp_cnv_name(handle, &name, 96, &error)
        self.icuName = cString(name)
        utf8 = Self.decodableInPieces.contains(icuName) ? try openConverter("UTF-8") : nil
        if utf8 != nil, Self.decodableInPairs.contains(icuName) {
            pairs = .allocate(capacity: 0x8000)
            pairs!.initialize(repeating: 0, count: 0x8000)
        } else {
            pairs = nil
        }
        if utf8 != nil {
            // The ASCII copied past ICU must be what ICU itself would make of it.
            let ascii = (0..<128).map { UInt8($0) }
            if let check = try? decodeWhole(ascii), check.invalidBytes == 0, Array(check.text.utf8) == ascii {
                piecesAllowed = true
            }
        }
    }

    deinit {
        dp_cnv_close(handle)
        if let utf8 { dp_cnv_close(utf8) }
        pairs?.deallocate()
    }

    /// Decodes the whole of `bytes` to text. Returns the text and the number of
    /// invalid bytes.
    public func decode(_ bytes: some Collection<UInt8>) throws(ICUError) -> (text: String, invalidBytes: Int) {
        let (utf8, invalid) = try decodeUTF8(bytes)
        return (utf8.string, invalid)
    }

    /// `decode` with no String made. ICU writes the UTF-8 itself: decoding to UTF-16
    /// and making a String of that in Swift cost twice as much.
    public func decodeUTF8(_ bytes: some Collection<UInt8>) throws(ICUError) -> (utf8: WellFormedUTF8, invalidBytes: Int) {
        var result: Result<([UInt8], Int), ICUError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ICUError) in try decode(buffer) }
        }
        if result == nil { result = Array(bytes).withUnsafeBufferPointer { buffer in Result { () throws(ICUError) in try decode(buffer) } } }
        let (decoded, invalid) = try result!.get()
        // ICU writes well-formed UTF-8; checked all the same, at a byte or two an
        // instruction, so nothing downstream can be handed less.
        return (WellFormedUTF8(validating: decoded) ?? WellFormedUTF8(String(decoding: decoded, as: UTF8.self)), invalid)
    }

    private func decode(_ source: UnsafeBufferPointer<UInt8>) throws(ICUError) -> ([UInt8], Int) {
        if piecesAllowed, let utf8, source.count <= Int32.max / 3 - 16,
           let decoded = try decodeInPieces(source, through: utf8, pairs: pairs) {
            return decoded
        }
        return try decodeWhole(source)
    }

    /// Runs of ASCII shorter than this between two pieces are decoded with them.
    static let joinedASCII = 24

    /// Bytes that end a piece given to ICU: below 0x40 and not a digit. They are
    /// markup's bytes (`<`, `>`, `"`, `=`, `/`, space, newline), so a page splits into
    /// its ASCII markup, copied as it is, and pieces of text, which ICU decodes.
    @inline(__always)
    static func breaksPieces(_ byte: UInt8) -> Bool {
        byte < 0x30 || (byte >= 0x3A && byte < 0x40)
    }

    /// Copies runs of ASCII and decodes everything else with ICU, one piece at a time
    /// from a byte of 0x80 or above to the next byte that `breaksPieces`, that byte
    /// included: ICU flushes at the end of a piece, and a piece cut before that byte
    /// would flush a sequence the whole-page decoding finishes with it. ICU costs about
    /// 40 instructions a byte for GB18030 and Big5, and markup is half a page or more.
    ///
    /// With `pairs` (a charset of `decodableInPairs`), each two bytes from a lead byte
    /// of 0x80 or above are read from the table first (asked of ICU the first time),
    /// and only anything else (a four-byte form, an invalid or unmapped sequence) goes
    /// to ICU, from there to the end of its piece: every character before it was
    /// whole, so ICU decoding the page would start there in its initial state too.
    /// Without it, a short run of ASCII between pieces goes to ICU with them (a call to
    /// ICU costs as much as decoding a dozen bytes). Nil if the output did not fit.
    private func decodeInPieces(_ source: UnsafeBufferPointer<UInt8>, through utf8: UnsafeMutableRawPointer,
                                pairs: UnsafeMutablePointer<UInt32>?) throws(ICUError) -> ([UInt8], Int)? {
        let n = source.count
        guard let base = source.baseAddress, n > 0 else { return ([], 0) }
        var invalid: Int64 = 0
        var error: Int32 = 0
        var overflow = false
        var found = 0
        // A byte gives at most three bytes of UTF-8 (ICU's U+FFFD for an invalid one),
        // and two bytes a character of four; room besides for a word's store past the end.
        let capacity = 3 * n + 16
        let text = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            count = 0
            guard let target = out.baseAddress else { return }
            var i = 0, k = 0
            while i < n {
                // ASCII, eight bytes at a step where it can.
                while i &+ 8 <= n {
                    let word = UTF8Code.word(at: base + i)
                    guard UTF8Code.isASCII(word) else { break }
                    UnsafeMutableRawPointer(target + k).storeBytes(of: word, as: UInt64.self)
                    i &+= 8
                    k &+= 8
                }
                guard i < n else { break }
                let lead = base[i]
                if lead < 0x80 {
                    target[k] = lead
                    i &+= 1
                    k &+= 1
                    continue
                }
                if let pairs, i &+ 1 < n {
                    let slot = Int(lead &- 0x80) << 8 | Int(base[i &+ 1])
                    var entry = pairs[slot]
                    if entry == 0 {
                        entry = askICU(lead, base[i &+ 1], through: utf8)
                        pairs[slot] = entry
                    }
                    if entry != Self.notOneCharacter {
                        k &+= UTF8Code.encodeWide(entry &- 1, into: target, at: k)
                        i &+= 2
                        found &+= 1
                        continue
                    }
                }
                let piece = i
                while true {
                    while i < n, !Self.breaksPieces(base[i]) { i += 1 }
                    if i == n { break }
                    i += 1
                    guard pairs == nil else { break }
                    var j = i
                    while j < n, j - i < Self.joinedASCII, base[j] < 0x80 { j += 1 }
                    guard j < n, j - i < Self.joinedASCII else { break }
                    i = j
                }
                let written = decodePiece(base + piece, count: i - piece, into: target + k, room: capacity - k, through: utf8,
                                          invalid: &invalid, error: &error)
                if error > 0 { return }
                if written < 0 { overflow = true; return }
                k += Int(written)
            }
            count = k
        }
        try ICUError.check(error, "decoding \(icuName)")
        pairsFromTable += found
        return overflow ? nil : (text, Int(invalid))
    }

    /// One piece through ICU, its UTF-8 written to `target`: the bytes written, or -1
    /// when they did not fit in `room`; invalid bytes are added to `invalid`, and an
    /// ICU failure is left in `error`.
    private func decodePiece(_ source: UnsafePointer<UInt8>, count: Int, into target: UnsafeMutablePointer<UInt8>, room: Int,
                             through utf8: UnsafeMutableRawPointer, invalid: inout Int64, error: inout Int32) -> Int32 {
        source.withMemoryRebound(to: CChar.self, capacity: count) { src in
            target.withMemoryRebound(to: CChar.self, capacity: room) { dst in
                dp_cnv_decode_utf8_piece(handle, utf8, src, Int32(count), dst, Int32(room), &invalid, &error)
            }
        }
    }

    /// ICU's character for two bytes alone, plus one; `notOneCharacter` when ICU
    /// makes anything but one character of both bytes, without an invalid byte.
    private func askICU(_ lead: UInt8, _ second: UInt8, through utf8: UnsafeMutableRawPointer) -> UInt32 {
        var bytes = (lead, second)
        var out = (UInt64(0), UInt64(0))
        var invalid: Int64 = 0
        var error: Int32 = 0
        let written = withUnsafeMutableBytes(of: &out) { out in
            withUnsafeBytes(of: &bytes) { source in
                decodePiece(source.bindMemory(to: UInt8.self).baseAddress!, count: 2, into: out.bindMemory(to: UInt8.self).baseAddress!,
                            room: 16, through: utf8, invalid: &invalid, error: &error)
            }
        }
        guard error <= 0, invalid == 0, written > 0, written <= 4 else { return Self.notOneCharacter }
        return withUnsafeBytes(of: &out) { out in
            let bytes = out.bindMemory(to: UInt8.self)
            guard let (value, length) = UTF8Code.decodeChecked(bytes.baseAddress!, at: 0, count: Int(written)),
                  length == Int(written) else { return Self.notOneCharacter }
            return value &+ 1
        }
    }

    /// Whether pages in this charset are decoded in pieces (for tests).
    var decodesInPieces: Bool { piecesAllowed }

    /// ICU's decoding of all of `bytes` at once, the reference `decodeInPieces` must
    /// equal (for tests).
    func decodeWhole(_ bytes: [UInt8]) throws(ICUError) -> (text: String, invalidBytes: Int) {
        let (decoded, invalid) = try bytes.withUnsafeBufferPointer { (buffer) throws(ICUError) in try decodeWhole(buffer) }
        return (String(decoding: decoded, as: UTF8.self), invalid)
    }

    /// The whole of `source` through ICU at once.
    private func decodeWhole(_ source: UnsafeBufferPointer<UInt8>) throws(ICUError) -> ([UInt8], Int) {
        guard source.count <= Int32.max else { throw ICUError(code: ICUError.bufferOverflow, operation: "decoding \(icuName) (over 2 GB)") }
        // A byte gives at most one character of three UTF-8 bytes (U+FFFD included);
        // four bytes (GB18030's) give one of four.
        var capacity = min(3 * source.count + 16, Int(Int32.max))
        while true {
            dp_cnv_reset(handle)
            var error: Int32 = 0
            var invalid: Int64 = 0
            var needed: Int32 = 0
            let text = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                source.withMemoryRebound(to: CChar.self) { src in
                    out.withMemoryRebound(to: CChar.self) { dst in
                        needed = dp_cnv_decode_utf8(handle, src.baseAddress, Int32(src.count), dst.baseAddress, Int32(dst.count),
                                                    &invalid, &error)
                    }
                }
                count = error > 0 ? 0 : Int(needed)
            }
            if error == ICUError.bufferOverflow, capacity < Int(needed) {
                capacity = Int(needed)
                continue
            }
            try ICUError.check(error, "decoding \(icuName)")
            return (text, Int(invalid))
        }
    }

    /// The name a charset label has under a standard ("IANA", "MIME", "WINDOWS"), or nil.
    public static func standardName(of label: String, standard: String = "IANA") -> String? {
        var error: Int32 = 0
        var out = [CChar](filledWith: 0, count: 96)
        dp_cnv_standard_name(label, standard, &out, 96, &error)
        let name = cString(out)
        return error > 0 || name.isEmpty ? nil : name
    }
}

/// A `UConverter` for a charset label; ICU's "not found" is an error here, never a
/// silent fallback to another charset.
private func openConverter(_ label: String) throws(ICUError) -> UnsafeMutableRawPointer {
    var error: Int32 = 0
    guard let handle = dp_cnv_open(label, &error), error <= 0 else {
        throw ICUError(code: error > 0 ? error : 1, operation: "opening converter \(label)")
    }
    return handle
}

func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A charset encoder (`UConverter`, from Unicode). Unmappable characters become the
/// charset's substitution character. One per task.
public final class CharsetEncoder {
    private let handle: UnsafeMutableRawPointer

    public init(charset label: String) throws(ICUError) {
        handle = try openConverter(label)
    }

    deinit { dp_cnv_close(handle) }

    public func encode(_ text: String) throws(ICUError) -> [UInt8] {
        dp_cnv_reset(handle)
        let source = [UInt16](utf16Of: text)
        let chars: [CChar] = try source.withUnsafeBufferPointer { (src) throws(ICUError) -> [CChar] in
            try withGrowingBuffer(initialCapacity: src.count * 4 + 8, operation: "encoding") {
                dp_cnv_encode(handle, src.baseAddress, Int32(src.count), $0, $1, &$2)
            }
        }
        return chars.map { UInt8(bitPattern: $0) }
    }
}
