import Foundation

/// Turns what the user named (files, folders, glob patterns, `-` for stdin) into
/// inputs, one at a time.
///
/// Folders are walked recursively in sorted order, so runs are reproducible; inside
/// a folder only pages (`.html` and the like, `.gz` too) and WARC archives are read. A file
/// named explicitly is always read, whatever its name, because the user asked for it.
public struct InputEnumerator {
    public static let pageExtensions: Set<String> = ["html", "htm", "xhtml", "shtml", "asp", "aspx", "php"]

    /// One thing to read, or a problem found while listing.
    public enum Item: Sendable {
        case file(path: String)
        case standardInput
        case unreadable(Reject)
    }

    public let inputs: [String]

    public init(inputs: [String]) { self.inputs = inputs }

    /// Paths listed in a file, one per line (blank lines and `#` comments skipped).
    public static func list(from file: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReadError("cannot read list \(file)")
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmed() }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The inputs, one at a time: folders are listed as the walk reaches them and only
    /// their names are kept, in one buffer, so a crawl of millions of files costs a few
    /// bytes per name of the folder being walked, not a String and an item per file
    /// for the whole run.
    public func items() -> Items { Items(inputs: inputs) }

    public struct Items: Sequence, IteratorProtocol {
        private var inputs: IndexingIterator<[String]>
        /// A glob pattern's matches, each a file or a folder walked where it stands.
        private var matches: [String] = []
        private var matchIndex = 0
        /// The folder being walked, and the folders still to walk (last first).
        private var folder: Listing?
        private var pending: [String] = []

        init(inputs: [String]) { self.inputs = inputs.makeIterator() }

        public mutating func next() -> Item? {
            while true {
                if let item = folder?.next() { return item }
                if let listing = folder {
                    // Depth-first in sorted order: a folder's files, then its subfolders,
                    // the first name walked first.
                    pending.append(contentsOf: listing.subfolders.reversed())
                    folder = nil
                }
                if let next = pending.popLast() {
                    switch Listing.open(next) {
                    case .success(let listing): folder = listing
                    case .failure(let reject): return .unreadable(reject)
                    }
                    continue
                }
                if matchIndex < matches.count {
                    let match = matches[matchIndex]
                    matchIndex += 1
                    if InputEnumerator.kind(of: match).isDirectory { pending = [match]; continue }
                    return .file(path: match)
                }
                guard let input = inputs.next() else { return nil }
                if input == "-" { return .standardInput }
                let (exists, isDirectory) = InputEnumerator.kind(of: input)
                if exists {
                    if isDirectory { pending = [input]; continue }
                    return .file(path: input)
                }
                if input.contains(where: { "*?[".contains($0) }) {
                    matches = InputEnumerator.glob(input)
                    matchIndex = 0
                    if matches.isEmpty { return .unreadable(Reject(input: input, position: 0, reason: "no file matches the pattern")) }
                    continue
                }
                return .unreadable(Reject(input: input, position: 0, reason: InputEnumerator.reason(forMissing: input)))
            }
        }
    }

    /// One folder's entries, sorted as Swift sorts strings, handed out as items:
    /// the pages and archives among its files, then (by `subfolders`) its folders.
    struct Listing {
        let directory: String
        /// Every name, NUL-terminated, one after another.
        private var bytes: [UInt8] = []
        /// Where each name starts in `bytes`, in sorted order.
        private var order: [Int32] = []
        private var index = 0
        private(set) var subfolders: [String] = []

        static func open(_ directory: String) -> Result<Listing, Reject> {
            guard let handle = opendir(directory) else {
                let reason = String(cString: strerror(errno))
                return .failure(Reject(input: directory, position: 0, reason: "cannot list folder: \(reason)"))
            }
            defer { closedir(handle) }
            var bytes: [UInt8] = []
            var starts: [Int32] = []
            var ascii: [Bool] = []
            while let entry = readdir(handle) {
                withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                    let name = raw.prefix { $0 != 0 }
                    // Hidden names (and . and ..) are never inputs.
                    guard let first = name.first, first != UInt8(ascii: ".") else { return }
                    starts.append(Int32(bytes.count))
                    ascii.append(name.allSatisfy { $0 < 0x80 })
                    bytes += name
                    bytes.append(0)
                }
            }
            // Byte order is Swift's string order for ASCII names; any other pair is
            // compared as Strings, so the order is the one Foundation's listing, sorted, gave.
            var positions = Array(starts.indices)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { text in
                    positions.sort { a, b in
                        let x = text.baseAddress! + Int(starts[a]), y = text.baseAddress! + Int(starts[b])
                        if ascii[a] && ascii[b] { return strcmp(x, y) < 0 }
                        return String(cString: x) < String(cString: y)
                    }
                }
            }
            var listing = Listing(directory: directory)
            listing.bytes = bytes
            listing.order = positions.map { starts[$0] }
            return .success(listing)
        }

        mutating func next() -> Item? {
            while index < order.count {
                let name = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { String(cString: $0.baseAddress! + Int(order[index])) }
                }
                index += 1
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                let (exists, isDirectory) = InputEnumerator.kind(of: path)
                if exists && isDirectory { subfolders.append(path); continue }
                // Folders hold pages (and WARC archives); JSON Lines files in a folder are
                // as likely to be someone's records as a scraper's pages, so only a
                // JSON Lines file named explicitly is read.
                guard let format = InputFormat.of(name: name), format != .jsonLines else { continue }
                if !exists {
                    return .unreadable(Reject(input: path, position: 0, reason: InputEnumerator.reason(forMissing: path)))
                }
                return .file(path: path)
            }
            return nil
        }
    }

    /// Whether a path names something (following symbolic links) and whether that is
    /// a folder: `stat` itself, asked for every file of a crawl (FileManager's
    /// `fileExists(atPath:isDirectory:)` cost over three times as much: 0.41% of a
    /// run's samples against 0.12%).
    static func kind(of path: String) -> (exists: Bool, isDirectory: Bool) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (false, false) }
        return (true, info.st_mode & S_IFMT == S_IFDIR)
    }

    static func glob(_ pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    public static func isPageName(_ name: String) -> Bool {
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        guard let dot = lower.lastIndex(of: ".") else { return false }
        return pageExtensions.contains(String(lower[lower.index(after: dot)...]))
    }

    static func reason(forMissing path: String) -> String {
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
            return "cannot read: broken symbolic link"
        }
        return "cannot read: no such file or folder"
    }
}

