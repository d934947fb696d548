import DeclprocReader
import Foundation
import Testing
import TestSupport

/// Inputs are listed as the walk reaches them; the order is the one a full listing
/// sorted as Swift sorts strings gives: a folder's files, then its subfolders, each
/// walked in turn, whatever mix of case, digits and non-ASCII names.
@Suite struct InputEnumeratorTests {
    static func describe(_ item: InputEnumerator.Item) -> String {
        switch item {
        case .file(let path): "file " + path
        case .standardInput: "stdin"
        case .unreadable(let reject): "unreadable \(reject.input): \(reject.reason)"
        }
    }

    /// The walk written the plain way: everything listed, sorted, then visited.
    static func plainWalk(_ root: String) -> [String] {
        var out: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        var folders: [String] = []
        for name in names where !name.hasPrefix(".") {
            let path = root + "/" + name
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists && isDirectory.boolValue { folders.append(path); continue }
            guard let format = InputFormat.of(name: name), format != .jsonLines else { continue }
            out.append(exists ? "file " + path : "unreadable \(path): cannot read: broken symbolic link")
        }
        for folder in folders { out += plainWalk(folder) }
        return out
    }

    @Test func theWalkIsTheSortedListing() throws {
        let work = try Workspace(prefix: "declproc-inputs")
        let root = work.path("crawl")
        var rng = SplitMix(seed: 7)
        let stems = ["a", "B", "b", "Z", "10", "9", "é", "e\u{301}x", "页面", "ページ", "_x", "a-b", "a.b", "A", "zz", "\u{1F600}"]
        let extensions = ["html", "HTM", "gz", "warc", "warc.gz", "jsonl", "txt", "php", "html.gz"]
        func fill(_ folder: String, depth: Int) throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for k in 0..<40 {
                let stem = stems[Int(rng.next() % UInt64(stems.count))] + String(rng.next() % 3)
                let name = "\(stem).\(extensions[Int(rng.next() % UInt64(extensions.count))])"
                #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("<p>\(k)</p>".utf8)))
            }
            #expect(FileManager.default.createFile(atPath: folder + "/.hidden.html", contents: Data()))
            try FileManager.default.createSymbolicLink(atPath: folder + "/gone.html", withDestinationPath: folder + "/nowhere")
            guard depth < 2 else { return }
            for name in ["sub", "Sub", "页", "a.html"] { try fill(folder + "/" + name, depth: depth + 1) }
        }
        try fill(root, depth: 0)
        let walked = InputEnumerator(inputs: [root]).items().map(Self.describe)
        #expect(walked.count > 100)
        #expect(walked == Self.plainWalk(root))

        // A folder named with a trailing slash, and among other inputs, walks the same.
        let mixed = InputEnumerator(inputs: ["-", root + "/sub/", work.path("missing.html")]).items().map(Self.describe)
        #expect(mixed.first == "stdin")
        #expect(Array(mixed.dropFirst().dropLast()) == Self.plainWalk(root + "/sub"))
        #expect(mixed.last == "unreadable \(work.path("missing.html")): cannot read: no such file or folder")
    }

    @Test func aGlobWalksEachMatchingFolderWhereItStands() throws {
        let work = try Workspace(prefix: "declproc-glob")
        for name in ["p1.html", "p3.html"] { #expect(FileManager.default.createFile(atPath: work.path(name), contents: Data("x".utf8))) }
        try FileManager.default.createDirectory(atPath: work.path("p2"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: work.path("p2/inner.html"), contents: Data("x".utf8)))
        let items = InputEnumerator(inputs: [work.path("p*"), work.path("q*")]).items().map(Self.describe)
        #expect(items == ["file " + work.path("p1.html"), "file " + work.path("p2/inner.html"), "file " + work.path("p3.html"),
                          "unreadable \(work.path("q*")): no file matches the pattern"])
    }

    /// Folders are listed when the walk reaches them: one removed after the walk
    /// began is a reject with its reason, and the walk goes on.
    @Test func aFolderGoneBeforeItsTurnIsARejectAndTheWalkGoesOn() throws {
        let work = try Workspace(prefix: "declproc-vanish")
        for folder in ["a", "b", "c"] {
            try FileManager.default.createDirectory(atPath: work.path(folder), withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: work.path(folder + "/page.html"), contents: Data("x".utf8)))
        }
        var items = InputEnumerator(inputs: [work.url.path]).items()
        #expect(items.next().map(Self.describe) == "file " + work.path("a/page.html"))
        try FileManager.default.removeItem(atPath: work.path("b"))
        #expect(items.next().map(Self.describe) == "unreadable \(work.path("b")): cannot list folder: No such file or directory")
        #expect(items.next().map(Self.describe) == "file " + work.path("c/page.html"))
        #expect(items.next() == nil)
    }
}
