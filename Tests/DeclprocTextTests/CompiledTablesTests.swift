import DeclprocICU
@testable import DeclprocLocales
import DeclprocText
import Foundation
import Testing
import TestSupport

/// The flat tables behind the lexicons, and the compiled cache: the cache must
/// give exactly what the text files give, and a damaged or stale cache must be
/// noticed and rebuilt, never trusted and never a crash.
@Suite struct CompiledTablesTests {
    @Test func fingerprintTableStoresAndFindsEveryKey() throws {
        var table = FingerprintTable()
        var generator = SplitMix(seed: 7)
        var expected: [UInt64: UInt32] = [:]
        for _ in 0..<50_000 {
            let key = generator.next() % 200_000 // repeats: the first value must win
            let value = UInt32(truncatingIfNeeded: generator.next())
            if table.insert(key, value) { #expect(expected[key] == nil); expected[key] = value } else { #expect(expected[key] != nil) }
        }
        table.insert(0, 99) // key 0 is stored apart from "empty"
        expected[0] = expected[0] ?? 99
        #expect(table.count == expected.count)
        for (key, value) in expected { #expect(table.value(key) == value) }
        for key in UInt64(200_000)..<200_500 { #expect(table.value(key) == nil) }

        var writer = BinaryWriter()
        table.write(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let copy = try FingerprintTable(from: &reader)
        #expect(reader.isAtEnd)
        for (key, value) in expected { #expect(copy.value(key) == value) }
    }

    @Test func scalarMapCoversEveryPlane() throws {
        var map = ScalarMap()
        let scalars: [Unicode.Scalar] = ["a", "中", "\u{3400}", "\u{20000}", "\u{323AF}", "\u{10FFFF}", "\u{E000}"]
        for (k, scalar) in scalars.enumerated() { map[scalar] = UInt32(k + 1) }
        var writer = BinaryWriter()
        map.write(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let copy = try ScalarMap(from: &reader)
        for (k, scalar) in scalars.enumerated() { #expect(copy[scalar] == UInt32(k + 1)) }
        #expect(copy["b"] == 0)
        #expect(copy["\u{20001}"] == 0)
    }

    /// Tables read from a mapped file are views of the mapping, whatever odd-length
    /// arrays lie before them, and answer as the tables written; a write to one
    /// copies it first (the mapping is read-only: a write through the view would
    /// crash), and leaves the file as it was.
    @Test func tablesReadFromAMappedFileAreViewsOfIt() throws {
        var table = FingerprintTable(), set = FingerprintSet(), map = ScalarMap()
        var generator = SplitMix(seed: 11)
        var keys: [UInt64] = []
        for _ in 0..<3_000 {
            let key = generator.next()
            keys.append(key)
            table.insert(key, UInt32(truncatingIfNeeded: key >> 7))
            set.insert(key ^ 1)
            if let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: key % 0x110000)) { map[scalar] = UInt32(truncatingIfNeeded: key) | 1 }
        }
        var writer = BinaryWriter()
        writer.write("odd") // three bytes, then tables that must still lie aligned
        table.write(to: &writer)
        writer.write([UInt8](repeating: 7, count: 5))
        set.write(to: &writer)
        writer.write(UInt8(1))
        map.write(to: &writer)
        writer.write([UInt32](arrayLiteral: 1, 2, 3))
        let folder = try Workspace(prefix: "declproc-views")
        let file = folder.url.appendingPathComponent("tables.bin")
        try Data(writer.bytes).write(to: file)
        let descriptor = open(file.path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let size = writer.bytes.count
        let base = try #require(mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0))
        #expect(base != MAP_FAILED)
        let mapped = UnsafeRawBufferPointer(start: base, count: size)
        var unmapped = false
        do {
            var reader = BinaryReader(mapped: mapped) { munmap(base, size); unmapped = true }
            #expect(try reader.readString() == "odd")
            var tableRead = try FingerprintTable(from: &reader)
            #expect(try reader.readArray(UInt8.self) == [7, 7, 7, 7, 7])
            var setRead = try FingerprintSet(from: &reader)
            #expect(try reader.read(UInt8.self) == 1)
            var mapRead = try ScalarMap(from: &reader)
            let words = try reader.readWords(UInt32.self)
            #expect(Array(words) == [1, 2, 3])
            #expect(reader.isAtEnd)
            func inMapping<T>(_ words: TableWords<T>) -> Bool {
                words.withUnsafeBufferPointer { buffer in
                    guard let start = buffer.baseAddress else { return false }
                    return UnsafeRawPointer(start) >= mapped.baseAddress! && UnsafeRawPointer(start + buffer.count) <= mapped.baseAddress! + size
                }
            }
            #expect(inMapping(tableRead.slots) && inMapping(setRead.keys) && inMapping(mapRead.blocks) && inMapping(mapRead.values)
                    && inMapping(words))
            for key in keys {
                #expect(tableRead.value(key) == UInt32(truncatingIfNeeded: key >> 7))
                #expect(setRead.contains(key ^ 1))
                if let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: key % 0x110000)) { #expect(mapRead[scalar] == map[scalar]) }
            }
            // Writes copy the view first.
            tableRead.insert(12_345, 6)
            setRead.insert(12_345)
            mapRead[Unicode.Scalar(0x10FFFD)!] = 9
            #expect(!inMapping(tableRead.slots) && !inMapping(setRead.keys) && !inMapping(mapRead.values))
            #expect(tableRead.value(12_345) == 6 && setRead.contains(12_345) && mapRead[Unicode.Scalar(0x10FFFD)!] == 9)
            #expect(tableRead.value(keys[0]) == UInt32(truncatingIfNeeded: keys[0] >> 7))
            #expect(try Data(contentsOf: file) == Data(writer.bytes))
            #expect(!unmapped) // the views keep the mapping
        }
        #expect(unmapped) // and the last of them lets it go
    }

    /// Cut or damaged bytes are a `Corrupt` error at any length, never a crash or a huge allocation.
    @Test func damagedBytesAreRejected() {
        var table = FingerprintTable()
        for key in UInt64(1)...500 { table.insert(key, UInt32(key)) }
        var writer = BinaryWriter()
        table.write(to: &writer)
        ScalarMap().write(to: &writer)
        let bytes = writer.bytes
        for cut in stride(from: 0, to: bytes.count, by: 97) {
            var reader = BinaryReader(Array(bytes[..<cut]))
            #expect(throws: BinaryReader.Corrupt.self) {
                _ = try FingerprintTable(from: &reader)
                _ = try ScalarMap(from: &reader)
            }
        }
        var huge = bytes
        huge.replaceSubrange(8..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) // the keys' length
        var reader = BinaryReader(huge)
        #expect(throws: BinaryReader.Corrupt.self) { _ = try FingerprintTable(from: &reader) }
    }

    /// Lexicons read through the cache (built, then read back) and from the text
    /// files give the same readings, words and conversions on real sentences; a
    /// damaged cache file is rebuilt; an edited source changes the key.
    @Test func cachedLexiconsEqualTheTextFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        var direct = try TestFiles.locales()
        direct.cache = CompiledCache(directory: nil)
        var cached = try TestFiles.locales()
        cached.cache = CompiledCache(directory: folder)

        let sentences = try String(contentsOf: TestFiles.repository("Tests/Fixtures/cpp-dev/dev.sent"), encoding: .utf8)
            .split(separator: "\n").prefix(400).map { $0.replacingOccurrences(of: "▁", with: "") }
        func outputs(_ store: LocaleStore) throws -> [String] {
            let pinyin = PinyinTransliterator(lexicon: try PinyinLexicon(store: store))
            let words = WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter())
            let s2twp = try ChineseConverter(configuration: "s2twp", store: store)
            return try sentences.map { line in
                let tokens = try words.words(line)
                return tokens.map(\.text).joined(separator: " ") + "\t" + pinyin.transliterate(line, words: tokens)
                    + "\t" + s2twp.convert(line, words: tokens)
            }
        }
        let expected = try outputs(direct)
        #expect(try outputs(cached) == expected) // built and stored
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count == 3) // pinyin, segmentation, convert-s2twp
        #expect(try outputs(cached) == expected) // read back

        for file in files { // damaged: cut in half
            let url = folder.appendingPathComponent(file)
            let data = try Data(contentsOf: url)
            try data.prefix(data.count / 2).write(to: url)
        }
        #expect(try outputs(cached) == expected)
        for file in files { // damaged: same length, bytes changed inside the tables
            let url = folder.appendingPathComponent(file)
            var data = try Data(contentsOf: url)
            for k in stride(from: data.count / 3, to: data.count, by: 4099) { data[k] ^= 0x5A }
            try data.write(to: url)
        }
        #expect(try outputs(cached) == expected) // the checksum notices, the tables are rebuilt
        #expect(try outputs(cached) == expected)
    }

    /// Editing a lexicon changes the cache key: the next start sees the edit.
    @Test func anEditedLexiconIsRecompiled() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-edit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let locales = folder.appendingPathComponent("Locales")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestFiles.repository("Locales"), to: locales)
        var store = try LocaleStore(root: locales)
        store.cache = CompiledCache(directory: folder.appendingPathComponent("cache"))
        func words() throws -> [String] {
            try WordSegmenter(data: try SegmentationData(store: store), icu: try Segmenter()).words("北冥有鱼其名为鲲").map(\.text)
        }
        let before = try words()
        #expect(!before.contains("北冥有鱼"))
        #expect(try words() == before) // from the cache
        let lexicon = locales.appendingPathComponent("zh/segment/cedict-words.txt")
        let handle = try FileHandle(forWritingTo: lexicon)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("北冥有鱼\n".utf8))
        try handle.close()
        #expect(try words().contains("北冥有鱼"))
    }

    /// Tables compiled for other Locales folders are pruned to the few most recent,
    /// so clones and test copies do not fill the disk; other tables are left alone.
    @Test func oldCompiledTablesArePruned() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-prune-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for k in 0..<6 {
            let old = folder.appendingPathComponent("words-\(String(k, radix: 16))0.bin")
            try Data([1]).write(to: old)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(-3600 * (k + 1)))], ofItemAtPath: old.path)
        }
        try Data([1]).write(to: folder.appendingPathComponent("words-extra-10.bin"))
        try Data([1]).write(to: folder.appendingPathComponent("pinyin-10.bin"))
        var store = try TestFiles.locales()
        store.cache = CompiledCache(directory: folder)
        var reader = try store.cache.load("words", format: 1, sources: [], store: store) { [7, 7, 7] }
        #expect(try reader.read(UInt8.self) == 7)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let words = left.filter { $0.hasPrefix("words-") && !$0.hasPrefix("words-extra") }
        #expect(words.count == CompiledCache.keptPerTable)
        #expect(words.contains("words-00.bin") && words.contains("words-10.bin") && words.contains("words-20.bin"))
        #expect(!words.contains("words-50.bin"))
        #expect(left.contains("words-extra-10.bin") && left.contains("pinyin-10.bin"))
    }

    /// A run killed while writing a table leaves megabytes under a temporary name:
    /// the next run that writes the table removes it (once that process is gone).
    @Test func temporariesOfKilledRunsAreCleared() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-cache-left-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        var store = try TestFiles.locales()
        store.cache = CompiledCache(directory: folder)
        _ = try store.cache.load("words", format: 1, sources: [], store: store) { [7] }
        let table = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".bin") })
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let gone = ".\(table).tmp-\(child.processIdentifier)", running = ".\(table).tmp-\(getppid())"
        let goneEarlierName = ".\(table).\(child.processIdentifier).tmp" // as earlier versions named it
        for name in [gone, running, goneEarlierName] { #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(count: 1000))) }
        var reader = try store.cache.load("words", format: 2, sources: [], store: store) { [8] } // a new format: written again
        #expect(try reader.read(UInt8.self) == 8)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == [table, running])
    }

    @Test func theCacheCanBeTurnedOff() {
        #expect(CompiledCache(environment: ["DECLPROC_CACHE": "off", "HOME": "/root"]).directory == nil)
        #expect(CompiledCache(environment: ["DECLPROC_CACHE": "/tmp/x"]).directory?.path == "/tmp/x")
        #expect(CompiledCache(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).directory?.path == "/c/declproc")
        #expect(CompiledCache(environment: ["HOME": "/h"]).directory?.path == "/h/.cache/declproc")
        #expect(CompiledCache(environment: [:]).directory == nil)
    }

    /// A Locales text file's lines and fields, cut at bytes, are those that cutting
    /// by Character gave: CR LF is one Character (not cut), a "#" with a combining
    /// mark is no comment, a tab is always a Character of its own.
    @Test func linesAndRowsAreCutAsCharactersCutThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-lines-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"version": "test"}"#.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let store = try LocaleStore(root: folder)
        let texts = ["a\nb\r\nc\n\n#x\n#\u{301}y\n\n", "\n\n", "", "#", "#\n", "x\ty\t\tz\n\t\u{301}a\t\r\n",
                     "一\t二\n\r\n\r\r\n三\u{200D}\n\u{301}\n# c\n末", "\u{FEFF}a\n\u{1F1E8}\u{1F1F3}\tb"]
        for (k, text) in texts.enumerated() {
            try Data(text.utf8).write(to: folder.appendingPathComponent("t\(k).txt"))
            let byCharacter = text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }
            // Scalar by scalar: Substring's == compares canonical equivalents as equal.
            func scalars(_ lines: [Substring]) -> [[Unicode.Scalar]] { lines.map { Array($0.unicodeScalars) } }
            #expect(scalars(try store.lines("t\(k).txt")) == scalars(byCharacter), "\(k)")
            #expect(try store.rows("t\(k).txt").map(scalars)
                    == byCharacter.map { scalars($0.split(separator: "\t", omittingEmptySubsequences: false)) }, "\(k)")
        }
    }
}
