import DeclprocFiles
import DeclprocFormats
import Foundation
import Testing

/// Temporary files of killed runs are cleared by the next run that writes the same
/// output, and only those: a running process's file, or a name that is not one of
/// ours, stays.
@Suite struct LeftBehindTests {
    @Test func onlyFilesOfProcessesThatAreGoneAreRemoved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-left-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A process that has certainly exited: a child, waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let gone = child.processIdentifier
        let names = [".records.jsonl.tmp-\(gone)", ".records.jsonl.tmp-\(getppid())", ".records.jsonl.tmp-\(getpid())",
                     ".records.jsonl.tmp-x", ".records.csv.tmp-\(gone)", "records.jsonl"]
        for name in names { #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("x".utf8))) }

        let file = try AtomicFile(path: folder + "/records.jsonl", force: true)
        try file.write(Data("{}\n".utf8))
        try file.commit()

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(left == [".records.jsonl.tmp-\(getppid())", ".records.jsonl.tmp-x", ".records.csv.tmp-\(gone)", "records.jsonl"])
    }
}
