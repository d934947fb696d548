extension Array where Element == UInt16 {
    /// The UTF-16 of a text, transcoded from its UTF-8 in one pass (what ICU's
    /// UTF-16 APIs take): `Array(text.utf16)` walks a native string's UTF-16 view
    /// through generic code, a dozen instructions a unit.
    public init<S: StringProtocol>(utf16Of text: S) {
        var units: [UInt16] = []
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            // At most one unit per byte: room is made first, then trimmed.
            units = [UInt16](unsafeUninitializedCapacity: bytes.count) { out, count in
                var i = 0, k = 0
                let n = bytes.count
                while i < n {
                    let (value, length) = UTF8Code.decode(bytes.baseAddress!, at: i)
                    i &+= length
                    if value < 0x10000 {
                        out[k] = UInt16(truncatingIfNeeded: value); k &+= 1
                    } else {
                        let v = value &- 0x10000
                        out[k] = UInt16(truncatingIfNeeded: 0xD800 | v >> 10)
                        out[k &+ 1] = UInt16(truncatingIfNeeded: 0xDC00 | v & 0x3FF)
                        k &+= 2
                    }
                }
                count = k
            }
        }
        self = done == nil ? Array(text.utf16) : units // a bridged string without contiguous UTF-8
    }
}

extension String {
    /// A string of UTF-16 code units (what ICU's converters, normalizer and
    /// transliterators give back), written straight into the string's UTF-8 storage;
    /// an unpaired surrogate becomes U+FFFD, as `String(decoding:as: UTF16.self)` has it.
    /// That standard initializer took its generic path here, several hundred
    /// instructions a unit: decoding a page of GB18030 cost more than parsing it.
    public init<C: Collection>(utf16Units units: C) where C.Element == UInt16 {
        if let made = units.withContiguousStorageIfAvailable({ String(utf16Buffer: $0) }) {
            self = made
        } else {
            self = Array(units).withUnsafeBufferPointer { String(utf16Buffer: $0) }
        }
    }

    private init(utf16Buffer units: UnsafeBufferPointer<UInt16>) {
        // At most three UTF-8 bytes a unit (a surrogate pair: four bytes for two units).
        self.init(unsafeUninitializedCapacity: units.count * 3) { out in
            var i = 0, k = 0
            let n = units.count
            guard let target = out.baseAddress else { return 0 }
            while i < n {
                let unit = UInt32(units[i])
                var value = unit
                if unit & 0xFC00 == 0xD800, i + 1 < n, units[i + 1] & 0xFC00 == 0xDC00 {
                    value = 0x10000 + ((unit & 0x3FF) << 10 | UInt32(units[i + 1]) & 0x3FF)
                    i &+= 1
                } else if unit & 0xF800 == 0xD800 {
                    value = 0xFFFD // an unpaired surrogate
                }
                k &+= UTF8Code.encode(value, into: target, at: k)
                i &+= 1
            }
            return k
        }
    }
}
