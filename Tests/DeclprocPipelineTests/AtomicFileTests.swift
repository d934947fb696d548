import DeclprocFiles
import DeclprocFormats
import Foundation
import Testing

/// The output file appears whole at commit and not before, with every byte written
/// through its buffer (flushed a megabyte at a time, each flush handed to the disk
/// early), and an existing file is kept without `force`.
@Suite struct AtomicFileTests {
    @Test func manyFlushesGiveTheBytesWritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/records.jsonl"
        var generator = SystemRandomNumberGenerator()
        var expected: [UInt8] = []
        let file = try AtomicFile(path: path, force: false)
        // Lines of 1 byte to 300 KB, past three and a half megabytes: flushes fall inside lines.
        while expected.count < 3_600_000 {
            let length = Int(generator.next() % 300_000) + 1, letter = Int(generator.next() % 26)
            let line = (0..<length).map { i in i == length - 1 ? UInt8(0x0A) : UInt8(0x61 + (letter + i) % 26) }
            expected += line
            if generator.next() % 2 == 0 { try file.write(line) } else { try file.write(Data(line)) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        try file.commit()
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == expected)
        #expect(throws: OutputError.self) { try AtomicFile(path: path, force: false) }
    }

    /// The kernel takes the early writeback of each new stretch of a regular file, and
    /// refuses it for a pipe, which has no pages to write (the writer goes on either way).
    @Test func earlyWritebackIsTakenForFilesOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-writeback-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let descriptor = open(folder + "/out", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var writeback = EarlyWriteback(flushInterval: 2 << 20)
        let chunk = [UInt8](repeating: 0x78, count: 1 << 20)
        for k in 1...3 {
            #expect(chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == chunk.count)
            let taken = writeback.wrote(chunk.count, descriptor: descriptor)
            #expect(taken)
            // The disk is flushed in the background once two megabytes have been written.
            #expect(writeback.flushes == (k < 2 ? 0 : 1), "\(k)")
        }
        let again = writeback.wrote(0, descriptor: descriptor)
        #expect(again, "nothing new to write back")
        try writeback.settle()
        #expect(writeback.flushes == 1)
        // A failed flush in the background is reported when the writer settles: the
        // kernel reports a write error to one flush only, so the commit's fsync would not.
        var failing = EarlyWriteback(flushInterval: 1 << 20, flush: { _ in EIO })
        #expect(chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == chunk.count)
        failing.wrote(chunk.count, descriptor: descriptor)
        #expect(failing.flushes == 1)
        #expect(throws: FlushFailure.self) { try failing.settle() }

        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var piped = EarlyWriteback()
        #expect(write(ends[1], "x", 1) == 1)
        let taken = piped.wrote(1, descriptor: ends[1])
        #expect(!taken)
        #expect(piped.flushes == 0)
    }
}
