import CUTF8
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

    /// Text of 64 bytes or more takes the thirty-two-byte path (`CUTF8`) where the
    /// processor has AVX2: every piece at every place across the blocks' edges, among
    /// Chinese and among ASCII; text ending in every piece at every length; the random
    /// mixtures, and the same run together into long ones. Each is held to the
    /// reference by `isValid`, by the Swift loop and by the AVX2 path itself (where
    /// the processor has none, that path answers -1 and only the other two are held).
    @Test func longTextOnEveryPath() {
        let chinese = Array(String(repeating: "中文，字", count: 12).utf8), ascii = [UInt8](repeating: 0x61, count: 144)
        var cases: [[UInt8]] = []
        for piece in UTF8Cases.good + UTF8Cases.bad {
            for filler in [chinese, ascii] {
                for before in 0...100 { cases.append(Array(filler.prefix(before)) + piece + Array(filler.prefix(100 - before))) }
                for length in 60...100 { cases.append(Array(filler.prefix(length)) + piece) }
            }
        }
        let mixtures = UTF8Cases.randomMixtures(4_000)
        cases += mixtures
        cases += stride(from: 0, to: mixtures.count - 4, by: 4).map { Array(mixtures[$0..<($0 + 4)].joined()) }
        var avx2Answers = 0
        for bytes in cases {
            let reference = UTF8Cases.reference(bytes)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(UTF8Code.isValid(buffer) == reference, "\(bytes)")
                #expect(UTF8Code.isValidScalarByScalar(buffer) == reference, "\(bytes)")
                let avx2 = dp_utf8_valid_avx2(buffer.baseAddress, buffer.count)
                if avx2 >= 0 {
                    avx2Answers += 1
                    #expect((avx2 == 1) == reference, "\(bytes)")
                }
            }
        }
        #expect(cases.filter { $0.count >= 64 }.count > 10_000)
        #expect(avx2Answers == 0 || avx2Answers == cases.count)
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

    /// Strings made without Swift's own check are the strings it makes: equal, with the
    /// same bytes, characters and scalars, and as usable (compared, hashed, appended
    /// to, cut), from empty, small, large, ASCII and not, every good sequence and
    /// random well-formed mixtures. Bytes that are not well-formed are repaired as
    /// `String(decoding:as:)` repairs them when they are only to be checked.
    @Test func stringsMadeWithoutSwiftsCheckAreTheSame() {
        let long = Array(String(repeating: "声明退出中共 and its organizations; ", count: 40).utf8)
        var cases: [[UInt8]] = [[], [0x61], Array("中".utf8), Array("fifteen bytes..".utf8), Array("sixteen bytes...".utf8),
                                Array("Zhōng guó gòng chǎn dǎng".utf8), long, Array(long.prefix(64)), Array(long.prefix(63))]
        for piece in UTF8Cases.good { cases += [piece, piece + long, long + piece, Array(long.prefix(70)) + piece] }
        cases += UTF8Cases.randomMixtures(3_000).filter(UTF8Cases.reference)
        for bytes in cases {
            let reference = String(decoding: bytes, as: UTF8.self)
            for made in [bytes.withUnsafeBufferPointer(String.init(wellFormedUTF8:)),
                         bytes.withUnsafeBufferPointer(String.init(checkingUTF8:)),
                         String(wellFormedUTF8Capacity: bytes.count + 3) { room in
                             room.baseAddress!.initialize(from: bytes, count: bytes.count)
                             return bytes.count
                         }] {
                #expect(made == reference && Array(made.utf8) == bytes, "\(bytes)")
                #expect(made.count == reference.count && made.unicodeScalars.count == reference.unicodeScalars.count)
                #expect(made.hashValue == reference.hashValue)
                #expect(made + "。" == reference + "。" && String(made.dropFirst()) == String(reference.dropFirst()))
            }
        }
        let bad = UTF8Cases.randomMixtures(3_000).filter { !UTF8Cases.reference($0) }
        #expect(bad.count > 100)
        for bytes in bad + UTF8Cases.bad.map({ long + $0 + long }) {
            let made = bytes.withUnsafeBufferPointer(String.init(checkingUTF8:))
            #expect(Array(made.utf8) == Array(String(decoding: bytes, as: UTF8.self).utf8), "\(bytes)")
        }
    }

    #if DEBUG
    /// A caller's mistake is caught where the tests run: bytes said to be well-formed
    /// that are not stop a debug build (a release build trusts them).
    @Test func bytesSaidToBeWellFormedAreCheckedInDebugBuilds() async {
        await #expect(processExitsWith: .failure) {
            _ = ([0x61, 0xE0, 0x80, 0x80] as [UInt8]).withUnsafeBufferPointer(String.init(wellFormedUTF8:))
        }
    }
    #endif
}
