internal import CByteCounts

/// Whether a page's bytes are text at all: the shares of bytes and characters that no
/// text page has, before decoding and after (the pipeline rejects a page above its
/// thresholds, saying which). The counting is in C (`CByteCounts`), vectorized.
public enum TextCheck {
    /// Share of C0 control bytes (NUL included; tab, newlines, form feed and escape
    /// excluded) in the first 64 KiB. nil for UTF-16/32 pages (a BOM says so), whose
    /// NUL bytes are text. A stray NUL in a real page stays far below the threshold.
    public static func controlByteShare(_ bytes: [UInt8]) -> Double? {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) {
            return nil
        }
        let count = min(bytes.count, 65_536)
        guard count > 0 else { return nil }
        let control = bytes.withUnsafeBufferPointer { dp_count_control_bytes($0.baseAddress!, count) }
        return Double(control) / Double(count)
    }

    /// Share of characters that no text page has: C0 controls (other than tab,
    /// newlines, form feed) and U+FFFD replacements, among the first 65,536 scalars;
    /// nil for empty text. Read from the UTF-8 (well-formed: the decoder's): a scalar
    /// is counted at its first byte (any but a continuation byte, 10xxxxxx), a control
    /// code is one byte below 0x20, U+FFFD the bytes EF BF BD.
    public static func binaryShare(_ text: [UInt8]) -> Double? {
        text.withUnsafeBufferPointer { bytes -> Double? in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            let n = bytes.count
            // The bytes of the first 65,536 scalars: all of them when there are no more bytes than that.
            let end = n <= 65_536 ? n : dp_scalars_end(base, n, 65_536)
            let counts = dp_count_utf8(base, end, n)
            return Double(counts.controls + counts.replacements) / Double(counts.scalars)
        }
    }

    /// Whether the counts in C agree on `text` between the path this processor takes
    /// (AVX2 where it has it) and the baseline one, at a few ends: for tests.
    package static func countingPathsAgree(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            return Set([0, 1, buffer.count / 2, buffer.count - 1, buffer.count]).allSatisfy { end in
                guard end >= 0 else { return true }
                let chosen = dp_count_utf8(base, end, buffer.count), portable = dp_count_utf8_portable(base, end, buffer.count)
                return chosen.scalars == portable.scalars && chosen.controls == portable.controls
                    && chosen.replacements == portable.replacements
                    && dp_count_control_bytes(base, end) == dp_count_control_bytes_portable(base, end)
            }
        }
    }
}
