import DeclprocPipeline
import Foundation
import Testing

/// The list of pages without statements, in memory or spilled to its scratch file,
/// gives `summary.json` the same bytes as the summary encoded whole.
@Suite struct PageReferenceListTests {
    static let paths = ["crawl/a.html", "crawl/\"quoted\"/b.html", "crawl/line\nbreak.html", "抓取/頁面.html", "crawl/😀.warc.gz",
                        "crawl/back\\slash.html", "", "crawl/\u{1}control.html"]

    @Test(arguments: [0, 1, 5, 300]) func sameBytesAsTheWholeSummary(pages: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-list-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A limit of 7: past it the list is on disk, where 300 pages spill.
        let list = PageReferenceList(spillDirectory: folder, limit: 7)
        var summary = ExtractionSummary()
        summary.pages = pages + 3
        summary.pagesWithoutStatements = pages
        summary.rejectReasons = ["empty page": 2, "cannot read": 1]
        var whole = summary
        for k in 0..<pages {
            let reference = PageReference(path: Self.paths[k % Self.paths.count], position: k * 7919 % 1000 - 3)
            try list.append(reference)
            whole.withoutStatements.append(reference)
        }
        #expect(list.count == pages)
        var written = Data()
        try summary.writeJSON(listing: list) { written.append($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: try encoder.encode(whole) + Data("\n".utf8), as: UTF8.self))
        var read: [PageReference] = []
        try list.forEach { read.append($0) }
        #expect(read == whole.withoutStatements)
        // The scratch file is unlinked as soon as it is open: nothing with paths stays behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
    }

    /// A spilled list whose scratch file ends inside an entry says so (no system call
    /// failed, so there is no errno to report). The file is reached through /proc, as
    /// it is unlinked once open.
    @Test func aListCutShortSaysSo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("declproc-list-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let list = PageReferenceList(spillDirectory: folder, limit: 2)
        for k in 0..<40 { try list.append(PageReference(path: "crawl/\(k).html", position: k)) }
        var count = 0
        try list.forEach { _ in count += 1 }
        #expect(count == 40)
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { name -> Int32? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name),
                  target.hasPrefix(folder + "/.declproc-pages-") else { return nil }
            return Int32(name)
        }
        #expect(descriptors.count == 1)
        guard let descriptor = descriptors.first else { return }
        let size = lseek(descriptor, 0, SEEK_END)
        #expect(ftruncate(descriptor, size - 5) == 0)
        do {
            try list.forEach { _ in }
            Issue.record("a list cut short was read without complaint")
        } catch {
            #expect("\(error)".hasSuffix("it ends inside an entry (20 bytes left over)"), "\(error)")
        }
    }
}
