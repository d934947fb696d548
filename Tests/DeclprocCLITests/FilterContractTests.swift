import Foundation
import Testing
import TestSupport

/// The filter contract other programs rely on: one line out per line in, whatever the line.
@Suite struct FilterContractTests {
    static let filters: [[String]] = [
        ["normalize"], ["normalize", "--json"], ["segment"], ["segment", "--unit", "sentence"],
        ["segment", "--json"], ["segment", "--unit", "sentence", "--json"],
        ["transliterate"], ["transliterate", "--tones", "numbers", "--json"],
        ["convert", "--config", "s2t"], ["convert", "--config", "t2s", "--json"], ["transliterate", "--names"],
    ]

    static func lines(_ data: Data) -> [Substring] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test(arguments: filters)
    func oneLineOutPerLineIn(filter: [String]) throws {
        var input = Data()
        input.append(Data("第一行：我声明退出共青团。\n\n\n".utf8))
        input.append(Data(String(repeating: "长", count: 350_000).utf8)) // ~1 MB line
        input.append(Data("\nbad \u{1}".utf8))
        input.append(contentsOf: [0xFF, 0xFE, 0xC3, 0x28, 0x0A]) // invalid UTF-8
        input.append(Data("a\tb\r\nlast line without newline".utf8))
        let result = try TestFiles.declproc(filter, input: input)
        #expect(result.status == 0, "\(result.stderr)")
        let out = Self.lines(result.stdout)
        #expect(out.count == 7, "\(filter): \(out.count) lines out for 7 in")
        #expect(result.stderr.contains("replaced 3 invalid UTF-8 byte"), "\(result.stderr)")
        if filter.contains("--json") {
            for line in out {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["text"] is String)
            }
            let bad = try JSONSerialization.jsonObject(with: Data(out[4].utf8)) as! [String: Any]
            #expect((bad["text"] as! String).contains("\u{FFFD}"))
        }
    }

    /// A 10 MB line is read whole and answered with one line (issue 5's bad input).
    @Test(arguments: [["normalize"], ["segment", "--icu-only"]])
    func tenMegabyteLine(filter: [String]) throws {
        let line = String(repeating: "长", count: 3_400_000) // 10.2 MB of UTF-8
        let result = try TestFiles.declproc(filter, input: Data((line + "\n").utf8))
        #expect(result.status == 0)
        let out = Self.lines(result.stdout)
        #expect(out.count == 1)
        #expect(out.first?.unicodeScalars.filter { $0 == "长" }.count == 3_400_000)
    }

    /// A long line that no phrase key matches but every character of which starts one
    /// of the chain's longer keys (網 in TWPhrases): converted a chunk at a time, each
    /// character once (room made for the whole rest at each character was quadratic,
    /// 5·10⁹ writes here). 100,000 characters: the tests run a debug build.
    @Test func longLineThroughAPhraseChain() throws {
        let line = String(repeating: "網", count: 100_000)
        let result = try TestFiles.declproc(["convert", "--config", "tw2s"], input: Data((line + "\n").utf8))
        #expect(result.status == 0)
        #expect(Self.lines(result.stdout) == [Substring(String(repeating: "网", count: 100_000))])
    }

    struct Line: Decodable {
        struct Token: Decodable { let text: String; let start: Int; let end: Int; let pinyin: [String]? }
        let text: String
        let tokens: [Token]
    }

    static let mixed = [
        "我是張三，I quit the CCP 😀 on 2005年5月3日. 𠮷野家 𪚥 ｅｍｏｊｉ👨‍👩‍👧 done",
        "e\u{301}cole 中文\u{200B}字 「引号」 Mr. Smith's statement.",
        "🇨🇳旗 𰀀𰀁 (Ext G) ok",
    ]

    @Test(arguments: [["segment", "--json"], ["segment", "--unit", "sentence", "--json"], ["transliterate", "--json"]])
    func jsonOffsetsAreScalarsOfTheInputLine(filter: [String]) throws {
        let result = try TestFiles.declproc(filter, input: Data((Self.mixed.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0)
        let decoded = try Self.lines(result.stdout).map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(decoded.count == Self.mixed.count)
        for (line, input) in zip(decoded, Self.mixed) {
            #expect(Array(line.text.unicodeScalars) == Array(input.unicodeScalars))
            let scalars = Array(input.unicodeScalars)
            #expect(!line.tokens.isEmpty)
            for token in line.tokens {
                let span = String(String.UnicodeScalarView(scalars[token.start..<token.end]))
                #expect(Array(span.unicodeScalars) == Array(token.text.unicodeScalars), "\(token.start)..<\(token.end)")
                if let pinyin = token.pinyin {
                    #expect(pinyin.count == token.text.unicodeScalars.filter { $0.properties.isIdeographic || $0 == "〇" }.count)
                }
            }
        }
    }

    @Test func normalizeJSONMapsBackToTheInput() throws {
        let input = "ＡＢＣ　你好\u{200B}，世界"
        let result = try TestFiles.declproc(["normalize", "--json"], input: Data((input + "\n").utf8))
        let object = try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
        #expect(object["normalized"] as? String == "ABC 你好，世界")
        #expect(object["offsets"] as? [Int] == [0, 1, 2, 3, 4, 5, 7, 8, 9, 10])
        #expect(object["removed"] as? Int == 1)
    }

    @Test func segmentAndTransliterateText() throws {
        let input = Data("银行行长在长城上行走。他说：“好。”\n".utf8)
        #expect(try TestFiles.declproc(["segment"], input: input).text == "银行 行长 在 长城 上 行走 。 他 说 ： “ 好 。 ”\n")
        #expect(try TestFiles.declproc(["segment", "--unit", "sentence"], input: input).text == "银行行长在长城上行走。\t他说：“好。”\n")
        #expect(try TestFiles.declproc(["transliterate", "--tones", "numbers"], input: input).text
                == "yin2 hang2 hang2 zhang3 zai4 chang2 cheng2 shang4 xing2 zou3。ta1 shuo1：“hao3。”\n")
    }

    /// Driven as a co-process: each answer must arrive before the next question is asked.
    /// Output is flushed whenever the input runs dry, not after every line.
    @Test(arguments: [["normalize"], ["segment"], ["transliterate"], ["convert", "--config", "s2t"], ["convert", "--config", "t2s", "--json"]])
    func flushesEachLineToAPipe(filter: [String]) throws {
        let process = Process()
        process.executableURL = try TestFiles.executable()
        process.arguments = filter
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let reader = output.fileHandleForReading
        for question in ["你好", "第二行", "Third line"] {
            input.fileHandleForWriting.write(Data((question + "\n").utf8))
            var answer = Data()
            let deadline = Date().addingTimeInterval(20)
            while !answer.contains(0x0A), Date() < deadline {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                answer.append(chunk)
            }
            #expect(answer.last == 0x0A, "no answer to \(question) while input stays open")
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func filesAsArguments() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("甲\n乙\n".utf8).write(to: directory.appendingPathComponent("a.txt"))
        try Data("丙".utf8).write(to: directory.appendingPathComponent("b.txt"))
        let result = try TestFiles.declproc(["transliterate", "--tones", "none",
                                             directory.appendingPathComponent("a.txt").path,
                                             directory.appendingPathComponent("b.txt").path])
        #expect(result.text == "jia\nyi\nbing\n")
        let missing = try TestFiles.declproc(["segment", directory.appendingPathComponent("nope.txt").path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("nope.txt"))
    }
}

@Suite struct CommandLineTests {
    @Test func versionNamesTheLibrariesInUse() throws {
        let result = try TestFiles.declproc(["--version"])
        #expect(result.status == 0)
        #expect(result.text.contains("ICU 72.1"))
        #expect(result.text.contains("Unicode 15.0"))
        #expect(result.text.contains("libxml2 2.9.14"))
        #expect(result.text.hasPrefix("declproc "))
        // Every malloc of the process goes to mimalloc (Package.swift). A sanitized
        // build (Scripts/sanitize) links no allocator of its own, and the sanitizer's
        // interceptors stand in front of whichever it has, so only the line is checked.
        if ProcessInfo.processInfo.environment["DECLPROC_SANITIZER"] == nil {
            #expect(result.text.contains("\nmimalloc 2."), "\(result.text)")
        } else {
            #expect(result.text.contains("\nmimalloc ") || result.text.contains("\nmalloc: "), "\(result.text)")
        }
    }

    @Test(arguments: [["segment", "--unit", "paragraph"], ["--no-such-flag"], ["transliterate", "--tones", "loud"], ["nosuchcommand"],
                      ["convert"], ["convert", "--config", "s2x"]])
    func usageErrorsExitTwoWithUsage(arguments: [String]) throws {
        let result = try TestFiles.declproc(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Usage:"))
    }

    @Test func missingLocalesIsFatalWithAClearMessage() throws {
        let result = try TestFiles.declproc(["transliterate", "--locales", "/nonexistent/Locales"], input: Data("中\n".utf8))
        #expect(result.status == 3)
        #expect(result.stderr.contains("/nonexistent/Locales"))
        var environment = ProcessInfo.processInfo.environment
        environment["DECLPROC_LOCALES"] = "/nonexistent/env/Locales"
        let viaEnvironment = try TestFiles.declproc(["transliterate"], input: Data("中\n".utf8), environment: environment)
        #expect(viaEnvironment.status == 3)
        #expect(viaEnvironment.stderr.contains("DECLPROC_LOCALES"))
    }

    /// A binary copied elsewhere with its Locales/ beside it works with no other help.
    @Test func binaryCopiedWithItsLocalesWorks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("declproc")
        try FileManager.default.copyItem(at: try TestFiles.executable(), to: binary)
        try FileManager.default.copyItem(at: TestFiles.repository("Locales"), to: directory.appendingPathComponent("Locales"))
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DECLPROC_LOCALES")
        let result = try TestFiles.run(binary.path, ["transliterate"], input: Data("长城\n".utf8), environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text == "cháng chéng\n")
        let version = try TestFiles.run(binary.path, ["--version"], environment: environment)
        #expect(version.text.contains("(\(directory.appendingPathComponent("Locales").resolvingSymlinksInPath().path))"), "\(version.text)")
    }
}
