/// One scalar of UTF-8 read or written through a pointer: the arithmetic the byte
/// loops (the filters' decoding and encoding, UTF-8 ↔ UTF-16 for ICU, quick
/// lowercasing) share, inlined into each. The input is well-formed UTF-8, as a
/// String's storage or a line the reader has repaired always is.
public enum UTF8Code {
    /// The scalar value that starts at `i` and its length in bytes. Three bytes
    /// are tested first: most of a Chinese text.
    @inlinable @inline(__always)
    public static func decode(_ bytes: UnsafePointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[i])
        if lead & 0xF0 == 0xE0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[i &+ 1] & 0x3F) << 6 | UInt32(bytes[i &+ 2] & 0x3F), 3)
        }
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[i &+ 1] & 0x3F), 2) }
        return ((lead & 0x07) << 18 | UInt32(bytes[i &+ 1] & 0x3F) << 12 | UInt32(bytes[i &+ 2] & 0x3F) << 6
                    | UInt32(bytes[i &+ 3] & 0x3F), 4)
    }

    /// Writes the UTF-8 of the scalar value `v` at `out[k]` and returns how many
    /// bytes it took (three bytes tested first, as in `decode`).
    @inlinable @inline(__always)
    public static func encode(_ v: UInt32, into out: UnsafeMutablePointer<UInt8>, at k: Int) -> Int {
        if v >= 0x800 && v < 0x10000 {
            out[k] = UInt8(truncatingIfNeeded: 0xE0 | v >> 12)
            out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F)
            out[k &+ 2] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
            return 3
        }
        if v < 0x80 {
            out[k] = UInt8(truncatingIfNeeded: v)
            return 1
        }
        if v < 0x800 {
            out[k] = UInt8(truncatingIfNeeded: 0xC0 | v >> 6)
            out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
            return 2
        }
        out[k] = UInt8(truncatingIfNeeded: 0xF0 | v >> 18)
        out[k &+ 1] = UInt8(truncatingIfNeeded: 0x80 | v >> 12 & 0x3F)
        out[k &+ 2] = UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F)
        out[k &+ 3] = UInt8(truncatingIfNeeded: 0x80 | v & 0x3F)
        return 4
    }
}
