import Glibc

/// Bytes known to be well-formed UTF-8: what a charset decoder makes of a page and
/// the HTML parser reads, with no String made between (the parser only wants the
/// bytes). A String made from them is not checked again (`String(wellFormedUTF8:)`):
/// Swift's check costs about 9 instructions a byte of a page.
public struct WellFormedUTF8: Sendable, Equatable {
    public private(set) var bytes: [UInt8]

    /// Nil unless `bytes` are well-formed UTF-8 (`UTF8Code.isValid`).
    public init?(validating bytes: [UInt8]) {
        guard bytes.withUnsafeBufferPointer(UTF8Code.isValid) else { return nil }
        self.bytes = bytes
    }

    public init(_ text: String) { bytes = Array(text.utf8) }

    public var string: String { bytes.withUnsafeBufferPointer(String.init(wellFormedUTF8:)) }

    /// Replaces each NUL with U+FFFD (as the HTML standard reads NUL; libxml2 would
    /// take it for the end of the input) and returns how many there were.
    public mutating func replaceNUL() -> Int {
        let hasNUL = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false
        }
        guard hasNUL else { return 0 }
        var replaced: [UInt8] = []
        replaced.reserveCapacity(bytes.count + 16)
        var count = 0
        for byte in bytes {
            if byte == 0 {
                replaced += [0xEF, 0xBF, 0xBD]
                count += 1
            } else {
                replaced.append(byte)
            }
        }
        bytes = replaced
        return count
    }
}
