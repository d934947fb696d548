internal import CICU

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
                var name = [CChar](repeating: 0, count: 64)
                var language = [CChar](repeating: 0, count: 16)
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

    /// Opens a decoder for a charset label ("gb18030", "Big5-HKSCS", "windows-1252"…).
    public init(charset label: String) throws(ICUError) {
        handle = try openConverter(label)
        var error: Int32 = 0
        var name = [CChar](repeating: 0, count: 96)
        dp_cnv_name(handle, &name, 96, &error)
        self.icuName = cString(name)
    }

    deinit { dp_cnv_close(handle) }

    /// Decodes the whole of `bytes` to text. Returns the text and the number of
    /// invalid bytes. ICU writes the UTF-8 itself: decoding to UTF-16 and making a
    /// String of that in Swift cost twice as much.
    public func decode(_ bytes: some Collection<UInt8>) throws(ICUError) -> (text: String, invalidBytes: Int) {
        var result: Result<(text: String, invalidBytes: Int), ICUError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ICUError) in try decode(buffer) }
        }
        if result == nil { result = Array(bytes).withUnsafeBufferPointer { buffer in Result { () throws(ICUError) in try decode(buffer) } } }
        return try result!.get()
    }

    private func decode(_ source: UnsafeBufferPointer<UInt8>) throws(ICUError) -> (text: String, invalidBytes: Int) {
        guard source.count <= Int32.max else { throw ICUError(code: ICUError.bufferOverflow, operation: "decoding \(icuName) (over 2 GB)") }
        // A byte gives at most one character of three UTF-8 bytes (U+FFFD included);
        // four bytes (GB18030's) give one of four.
        var capacity = min(3 * source.count + 16, Int(Int32.max))
        while true {
            dp_cnv_reset(handle)
            var error: Int32 = 0
            var invalid: Int64 = 0
            var needed: Int32 = 0
            let text = String(unsafeUninitializedCapacity: capacity) { out in
                source.withMemoryRebound(to: CChar.self) { src in
                    out.withMemoryRebound(to: CChar.self) { dst in
                        needed = dp_cnv_decode_utf8(handle, src.baseAddress, Int32(src.count), dst.baseAddress, Int32(dst.count),
                                                    &invalid, &error)
                    }
                }
                return error > 0 ? 0 : Int(needed)
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
        var out = [CChar](repeating: 0, count: 96)
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
