import DeclprocICU
import Testing

/// `UTF8Code.isValid` takes the common byte patterns several bytes at a time: it must
/// answer as the standard library's validating decoder does wherever an ill-formed
/// sequence falls, inside a load of eight bytes, across two, or in a line's tail.
@Suite struct UTF8CodeTests {
    /// Well-formed characters of every length and lead, and ill-formed sequences
    /// (overlong, surrogates, past U+10FFFF, cut short, stray continuation bytes).
    static let good: [[UInt8]] = ["a", "é", "中", "，", "\u{E000}", "\u{FFFD}", "\u{D7FF}", "\u{0800}", "\u{1000}", "𠀋", "\u{10FFFF}"]
        .map { Array($0.utf8) }
    static let bad: [[UInt8]] = [[0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
                                 [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                                 [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xE4, 0xB8], [0xE4, 0x41, 0xAD], [0xE4, 0xB8, 0xC0],
                                 [0xF0, 0xA0, 0x80], [0xEF, 0xBC, 0x0C]]

    /// Well-formed three-byte characters: long runs of them take the eight-at-a-time path.
    static let threeBytes: [[UInt8]] = ["中", "，", "\u{E000}", "\u{FFFD}", "\u{D7FF}", "\u{0800}", "\u{1000}", "\u{FFFF}", "、"]
        .map { Array($0.utf8) }

    static func reference(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    static func answer(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { UTF8Code.isValid($0) } }

    @Test func everySequenceAtEveryPlace() {
        // Three-byte characters (one led by EF), enough for a piece to fall inside a
        // load of eight characters, of two, or after them.
        let filler = Array(String(repeating: "中文，字", count: 4).utf8)
        for piece in Self.good + Self.bad {
            for before in 0...30 {
                for after in [0, 1, 2, 5, 8, 24] {
                    let bytes = Array(filler.prefix(before)) + piece + Array(filler.prefix(after))
                    // A cut filler character is itself ill-formed: the reference decides.
                    #expect(Self.answer(bytes) == Self.reference(bytes), "\(bytes)")
                    let ascii = [UInt8](repeating: 0x61, count: before) + piece + [UInt8](repeating: 0x62, count: after)
                    #expect(Self.answer(ascii) == Self.reference(ascii), "\(ascii)")
                }
            }
        }
    }

    /// Random mixtures of the pieces, and random bytes, against the reference.
    @Test func randomMixtures() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var valid = 0
        for round in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<(next() % 40) {
                let pool = round % 3 == 0 || next() % 20 != 0 ? (round % 2 == 0 ? Self.threeBytes : Self.good) : Self.bad
                bytes += pool[next() % pool.count]
            }
            if round % 7 == 0 { bytes += (0..<(next() % 12)).map { _ in UInt8(truncatingIfNeeded: next()) } }
            let expected = Self.reference(bytes)
            if expected { valid += 1 }
            #expect(Self.answer(bytes) == expected, "\(bytes)")
        }
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
            }
        }
    }
}
