@testable import DeclprocICU
import Foundation
import Testing
import TestSupport

/// A page in a legacy charset is decoded by copying its ASCII markup and giving ICU
/// only the pieces between. That is only right if ICU, decoding the whole page, would
/// be at a character boundary in its initial state after each byte that ends a piece.
/// These tests hold the pieces to ICU's own whole-page decoding: text and count of
/// invalid bytes, on every short sequence a piece can end in and on random bytes.
@Suite struct CharsetPiecesTests {
    static let charsets = ["GB18030", "Big5-HKSCS", "UTF-8", "EUC-JP", "EUC-KR", "windows-1252"]

    /// The bytes that end a piece, and ones that do not (digits are GB18030 trail bytes,
    /// `@` and letters are GBK and Big5 trail bytes).
    static let breakers: [UInt8] = (0..<0x40).filter { CharsetDecoder.breaksPieces(UInt8($0)) }.map { UInt8($0) }

    @Test(arguments: charsets) func piecesAreOn(_ charset: String) throws {
        #expect(try CharsetDecoder(charset: charset).decodesInPieces)
        #expect(!Self.breakers.contains(0x30) && !Self.breakers.contains(0x39) && !Self.breakers.contains(0x40))
        #expect(Self.breakers.contains(UInt8(ascii: "<")) && Self.breakers.contains(UInt8(ascii: ">")))
    }

    @Test func otherCharsetsAreDecodedWhole() throws {
        for charset in ["ISO-2022-JP", "HZ-GB-2312", "UTF-16LE", "UTF-7", "Shift_JIS"] {
            #expect(try !CharsetDecoder(charset: charset).decodesInPieces, "\(charset)")
        }
    }

    /// Every lead byte followed by every second byte, then each byte that ends a piece
    /// in turn, then ASCII, a lead byte alone, a cut four-byte form: the places where a
    /// sequence, valid or not, meets the end of a piece.
    @Test(arguments: charsets) func everyTwoBytesBeforeTheEndOfAPiece(_ charset: String) throws {
        let decoder = try CharsetDecoder(charset: charset)
        var mismatches: [[UInt8]] = []
        var k = 0
        for first in 0x80...0xFF {
            for second in 0...0xFF {
                let breaker = Self.breakers[k % Self.breakers.count]
                k += 1
                let tails: [[UInt8]] = [[breaker, 0x41], [0x30, breaker, 0x81], [breaker]]
                let bytes = [0x3C, UInt8(first), UInt8(second)] + tails[k % tails.count]
                if try !same(decoder, bytes) { mismatches.append(bytes) }
            }
        }
        #expect(mismatches.isEmpty, "\(charset): \(mismatches.prefix(5))")
    }

    /// GB18030's four-byte forms cut after their second and third bytes by each byte
    /// that ends a piece.
    @Test func gb18030FourByteFormsCut() throws {
        let decoder = try CharsetDecoder(charset: "GB18030")
        var mismatches: [[UInt8]] = []
        for first in stride(from: 0x81, through: 0xFE, by: 3) {
            for digit in 0x30...0x39 {
                for third in stride(from: 0x80, through: 0xFF, by: 5) {
                    for breaker in Self.breakers {
                        for bytes in [[UInt8(first), UInt8(digit), breaker, 0x31],
                                      [UInt8(first), UInt8(digit), UInt8(third), breaker, 0x32]] {
                            if try !same(decoder, bytes) { mismatches.append(bytes) }
                        }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Seeded random pages of markup, text in the charset, stray and cut sequences.
    @Test(arguments: charsets) func randomBytes(_ charset: String) throws {
        let decoder = try CharsetDecoder(charset: charset)
        var random = SplitMix(seed: 0xC4A2_5E7 &+ UInt64(charset.utf8.count))
        let pieces: [[UInt8]] = [
            Array("<p class=\"x\">".utf8), Array("</a>\n".utf8), [0x20], [0x3D], [0x22], [0x26], [0x3B], [0x0A],
            Array("abc".utf8), Array("2024".utf8), [0x40], [0x7E], [0x5C], [0x7F],
            [0xD6, 0xD0], [0xA4, 0xA4], [0x95, 0x32, 0x82, 0x36], [0x81, 0x30], [0x81], [0xFE], [0x80], [0xFF],
            [0xE4, 0xB8, 0xAD], [0xE4, 0xB8], [0xC3], [0x8E, 0xA1], [0x8F, 0xA1, 0xA1], [0x82, 0xA0], [0xA1, 0x40],
        ]
        var mismatches: [[UInt8]] = []
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 24) {
                if random.next() % 4 == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    bytes += pieces[Int(random.next() % UInt64(pieces.count))]
                }
            }
            if try !same(decoder, bytes) { mismatches.append(bytes) }
        }
        #expect(mismatches.isEmpty, "\(charset): \(mismatches.prefix(3))")
    }

    /// Every two bytes ICU makes one character of, on their own, one after another in
    /// running text (in order, then shuffled): decoded from the pair table, which the
    /// decoder must have used for them, as ICU decodes the whole text.
    @Test(arguments: ["GB18030", "Big5-HKSCS", "EUC-JP", "EUC-KR"]) func everyPairInRunningText(_ charset: String) throws {
        let decoder = try CharsetDecoder(charset: charset)
        var characters: [[UInt8]] = []
        for lead in 0x80...0xFF {
            for second in 0...0xFF {
                let pair = [UInt8(lead), UInt8(second)]
                let alone = try decoder.decodeWhole(pair)
                if alone.invalidBytes == 0, alone.text.unicodeScalars.count == 1 { characters.append(pair) }
            }
        }
        #expect(characters.count > 7_000, "\(charset): \(characters.count)")
        var random = SplitMix(seed: 0x9A1E)
        var shuffled = characters
        for k in shuffled.indices.reversed() { shuffled.swapAt(k, Int(random.next() % UInt64(k + 1))) }
        for order in [characters, shuffled] {
            // Lines of a few hundred characters between markup.
            var text: [UInt8] = []
            for (k, pair) in order.enumerated() { text += k % 300 == 0 ? [0x3C, 0x70, 0x3E] + pair : pair }
            let before = decoder.pairsFromTable
            #expect(try same(decoder, text), "\(charset)")
            #expect(decoder.pairsFromTable - before == order.count, "\(charset)")
        }
    }

    /// Bytes other than ASCII and the table's pairs go to ICU, from there to the end
    /// of their piece; the pairs before them are the table's.
    @Test func otherBytesGoToICU() throws {
        let decoder = try CharsetDecoder(charset: "GB18030")
        // 中文 then a four-byte form, a lone lead byte, an invalid second byte, a byte
        // that is no lead, each before more text and markup.
        for tail: [UInt8] in [[0x81, 0x30, 0x81, 0x30], [0x81], [0x81, 0x7F], [0xFF, 0x41], [0x80, 0xD6, 0xD0]] {
            let text = [0x3C, 0xD6, 0xD0, 0xCE, 0xC4] + tail + [0x3E, 0xCE, 0xC4]
            let before = decoder.pairsFromTable
            #expect(try same(decoder, text), "\(tail)")
            #expect(decoder.pairsFromTable - before == 3, "\(tail)")
        }
    }

    /// Real pages of the sample set, each in its own charset and in the others.
    @Test func samplePages() throws {
        let folder = TestFiles.repository("Samples")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html") }
            .map { try [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) }
        #expect(pages.count >= 10)
        for charset in Self.charsets {
            let decoder = try CharsetDecoder(charset: charset)
            for page in pages { #expect(try same(decoder, page), "\(charset)") }
        }
    }

    private func same(_ decoder: CharsetDecoder, _ bytes: [UInt8]) throws -> Bool {
        let pieces = try decoder.decode(bytes), whole = try decoder.decodeWhole(bytes)
        return pieces.text == whole.text && pieces.invalidBytes == whole.invalidBytes
    }
}

@Suite struct WellFormedUTF8Tests {
    @Test func onlyWellFormedBytesAreTaken() {
        #expect(WellFormedUTF8(validating: Array("中文 <p>".utf8))?.string == "中文 <p>")
        for bad: [UInt8] in [[0xE4, 0xB8], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0x61, 0x80]] {
            #expect(WellFormedUTF8(validating: bad) == nil, "\(bad)")
        }
    }

    /// What the reader hands the parser for a page of every kind of byte: ICU's
    /// decoding, with its replacements, always well formed.
    @Test func decodersGiveWellFormedUTF8() throws {
        var random = SplitMix(seed: 77)
        for charset in ["GB18030", "Big5-HKSCS", "UTF-8", "Shift_JIS", "UTF-16LE", "ISO-2022-JP"] {
            let decoder = try CharsetDecoder(charset: charset)
            for _ in 0..<500 {
                let bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let (utf8, _) = try decoder.decodeUTF8(bytes)
                #expect(utf8.string == (try decoder.decode(bytes)).text)
                #expect(utf8.bytes.withUnsafeBufferPointer(UTF8Code.isValid))
            }
        }
    }
}
