import DeclprocICU
import Testing
import TestSupport

/// `UTF8Code.isValid` against the standard library's validating decoder (see `UTF8Cases`).
@Suite struct UTF8CodeTests {
    static func answer(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { UTF8Code.isValid($0) } }

    @Test func everySequenceAtEveryPlace() {
        for bytes in UTF8Cases.everySequenceAtEveryPlace() {
            #expect(Self.answer(bytes) == UTF8Cases.reference(bytes), "\(bytes)")
        }
    }

    /// Random mixtures of the pieces, and random bytes, against the reference.
    @Test func randomMixtures() {
        let cases = UTF8Cases.randomMixtures(5_000)
        for bytes in cases { #expect(Self.answer(bytes) == UTF8Cases.reference(bytes), "\(bytes)") }
        let valid = cases.filter(UTF8Cases.reference).count
        #expect(valid > 1_000 && valid < 4_900, "\(valid) of 5,000 valid")
    }

    /// The word test against the bytes, on words that put every byte value at every
    /// place beside random others (borrows cross from low bytes to high ones).
    @Test func byteBelowSpaceIsAnyByteBelowSpace() {
        var random = SystemRandomNumberGenerator()
        for place in 0..<8 {
            for value in UInt64(0)...255 {
                for _ in 0..<16 {
                    let word = random.next() & ~(0xFF << (8 * UInt64(place))) | value << (8 * UInt64(place))
                    let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) }
                    #expect(UTF8Code.hasByteBelowSpace(word) == bytes.contains { $0 < 0x20 })
                }
            }
        }
    }

    /// The other word tests, on the same words.
    @Test func wordTestsAreTheirBytes() {
        var random = SystemRandomNumberGenerator()
        for place in 0..<8 {
            for value in UInt64(0)...255 {
                let word = random.next() & ~(0xFF << (8 * UInt64(place))) | value << (8 * UInt64(place))
                let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) }
                #expect(UTF8Code.isASCII(word) == bytes.allSatisfy { $0 < 0x80 })
                #expect(UTF8Code.hasNoASCII(word) == bytes.allSatisfy { $0 >= 0x80 })
                #expect(UTF8Code.isASCII(word & 0x7F7F_7F7F_7F7F_7F7F) && UTF8Code.hasNoASCII(word | 0x8080_8080_8080_8080))
                bytes.withUnsafeBufferPointer { #expect(UTF8Code.word(at: $0.baseAddress!) == word) }
                for sought: UInt8 in [0x00, 0x22, 0x3C, 0x5C, 0x80, 0xEF, 0xFF, UInt8(value)] {
                    #expect(UTF8Code.hasByte(sought, in: word) == bytes.contains(sought))
                }
            }
        }
    }

    /// A string's UTF-8 read in place is its UTF-8: empty, small (kept in the string
    /// itself), large, ASCII and not, and a string cut from a larger one.
    @Test func utf8BytesAreTheStringsUTF8() {
        let long = String(repeating: "声明退出中共 and its organizations; ", count: 40)
        for text in ["", "a", "中", "fifteen bytes..", "sixteen bytes...", "中文中文中", "中文中文中文", long,
                     String(long.dropFirst(7).prefix(100)), String(long.unicodeScalars.reversed().map(Character.init))] {
            #expect(text.withUTF8Bytes { Array($0) } == Array(text.utf8), "\(text.prefix(20))")
        }
    }
}
