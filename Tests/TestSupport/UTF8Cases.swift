/// Byte sequences for the UTF-8 checks that take common patterns several bytes at a
/// time (`UTF8Code.isValid`, `UTF8Scalars.decode(checking:into:)`): each must answer
/// as the standard library's validating decoder does wherever an ill-formed sequence
/// falls, inside a load of eight bytes, across two, or in a line's tail.
public enum UTF8Cases {
    /// Well-formed characters of every length and lead.
    public static let good: [[UInt8]] = ["a", "é", "中", "，", "\u{E000}", "\u{FFFD}", "\u{D7FF}", "\u{0800}", "\u{1000}", "𠀋", "\u{10FFFF}"]
        .map { Array($0.utf8) }
    /// Ill-formed sequences: overlong, surrogates, past U+10FFFF, cut short, stray continuation bytes.
    public static let bad: [[UInt8]] = [[0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
                                        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                                        [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xE4, 0xB8], [0xE4, 0x41, 0xAD], [0xE4, 0xB8, 0xC0],
                                        [0xF0, 0xA0, 0x80], [0xEF, 0xBC, 0x0C]]

    /// Well-formed three-byte characters: long runs of them take the eight-at-a-time paths.
    public static let threeBytes: [[UInt8]] = ["中", "，", "\u{E000}", "\u{FFFD}", "\u{D7FF}", "\u{0800}", "\u{1000}", "\u{FFFF}", "、"]
        .map { Array($0.utf8) }

    /// Whether the standard library's validating decoder accepts the bytes.
    public static func reference(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// Every good and bad piece at every place: among three-byte characters (one led by
    /// EF), enough for it to fall inside a load of eight characters, of two, or after
    /// them (a cut filler character is itself ill-formed: the reference decides), and
    /// among ASCII.
    public static func everySequenceAtEveryPlace() -> [[UInt8]] {
        let filler = Array(String(repeating: "中文，字", count: 4).utf8)
        var cases: [[UInt8]] = []
        for piece in good + bad {
            for before in 0...30 {
                for after in [0, 1, 2, 5, 8, 24] {
                    cases.append(Array(filler.prefix(before)) + piece + Array(filler.prefix(after)))
                    cases.append([UInt8](repeating: 0x61, count: before) + piece + [UInt8](repeating: 0x62, count: after))
                }
            }
        }
        return cases
    }

    /// Random mixtures of the pieces, some with random bytes after them (a fixed seed).
    public static func randomMixtures(_ count: Int) -> [[UInt8]] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var cases: [[UInt8]] = []
        for round in 0..<count {
            var bytes: [UInt8] = []
            for _ in 0..<(next() % 40) {
                let pool = round % 3 == 0 || next() % 20 != 0 ? (round % 2 == 0 ? threeBytes : good) : bad
                bytes += pool[next() % pool.count]
            }
            if round % 7 == 0 { bytes += (0..<(next() % 12)).map { _ in UInt8(truncatingIfNeeded: next()) } }
            cases.append(bytes)
        }
        return cases
    }
}
