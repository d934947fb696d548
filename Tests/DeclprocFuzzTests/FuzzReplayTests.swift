import DeclprocFuzz
import Foundation
import Testing
import TestSupport

/// Every input the fuzzing campaigns kept (Tests/Fuzz/corpus: what reaches new
/// code; Tests/Fuzz/regressions: what once crashed, hung or leaked) is replayed
/// through the same harness on every test run, so a fixed finding stays fixed.
/// Serialized: the harnesses share one set of ICU objects, as libFuzzer runs them.
@Suite(.serialized) struct FuzzReplayTests {
    @Test(arguments: FuzzHarness.allCases)
    func keptInputsStillPass(harness: FuzzHarness) throws {
        var replayed = 0
        for kind in ["regressions", "corpus"] {
            let folder = TestFiles.repository("Tests/Fuzz/\(kind)/\(harness.rawValue)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                harness.run([UInt8](data))
                replayed += 1
            }
        }
        // Also the inputs every harness must survive, whatever the campaigns found.
        for input in Self.hostile { harness.run(input) }
        #expect(replayed >= 0)
    }

    /// Small hostile inputs for every harness: empty, NUL, invalid UTF-8, lone
    /// surrogates encoded in UTF-8, bidi overrides, every CJK extension block.
    static let hostile: [[UInt8]] = [
        [], [0], [0xFF, 0xFE, 0x00], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        Array("\u{202E}abc\u{202C}\u{200B}\u{FEFF}".utf8),
        Array("\u{3400}\u{4E00}\u{20000}\u{2A700}\u{2B740}\u{2B820}\u{2CEB0}\u{30000}\u{31350}\u{2EBF0}\u{E0001}\u{10FFFF}".utf8),
        [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 16),
        Array("WARC/1.0\r\nContent-Length: 99999999999999999999\r\n\r\n".utf8),
        Array("{\"url\": \"x\", \"html\": \"\\ud800\"}\n".utf8),
        Array("<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><p>&b;&b;&b;</p>".utf8),
    ]
}
