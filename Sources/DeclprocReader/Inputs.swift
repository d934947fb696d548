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

    public func items() -> [Item] {
        var result: [Item] = []
        let manager = FileManager.default
        for input in inputs {
            if input == "-" { result.append(.standardInput); continue }
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: input, isDirectory: &isDirectory) {
                if isDirectory.boolValue { result.append(contentsOf: walk(input)) } else { result.append(.file(path: input)) }
                continue
            }
            if input.contains(where: { "*?[".contains($0) }) {
                let matches = Self.glob(input)
                if matches.isEmpty {
                    result.append(.unreadable(Reject(input: input, position: 0, reason: "no file matches the pattern")))
                }
                for match in matches {
                    var isDirectory: ObjCBool = false
                    _ = manager.fileExists(atPath: match, isDirectory: &isDirectory)
                    if isDirectory.boolValue { result.append(contentsOf: walk(match)) } else { result.append(.file(path: match)) }
                }
                continue
            }
            result.append(.unreadable(Reject(input: input, position: 0, reason: Self.reason(forMissing: input))))
        }
        return result
    }

    static func glob(_ pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    private func walk(_ root: String) -> [Item] {
        var result: [Item] = []
        var pending = [root]
        let manager = FileManager.default
        while let directory = pending.popLast() {
            let names: [String]
            do { names = try manager.contentsOfDirectory(atPath: directory).sorted() }
            catch {
                result.append(.unreadable(Reject(input: directory, position: 0, reason: "cannot list folder: \(Self.describe(error))")))
                continue
            }
            var subdirectories: [String] = []
            for name in names where !name.hasPrefix(".") {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                var isDirectory: ObjCBool = false
                let exists = manager.fileExists(atPath: path, isDirectory: &isDirectory)
                if exists && isDirectory.boolValue { subdirectories.append(path); continue }
                // Folders hold pages (and WARC archives); JSON Lines files in a folder are
                // as likely to be someone's records as a scraper's pages, so only a
                // JSON Lines file named explicitly is read.
                guard let format = InputFormat.of(name: name), format != .jsonLines else { continue }
                if !exists {
                    result.append(.unreadable(Reject(input: path, position: 0, reason: Self.reason(forMissing: path))))
                } else {
                    result.append(.file(path: path))
                }
            }
            // Depth-first in sorted order: push in reverse so the first name is walked first.
            pending.append(contentsOf: subdirectories.reversed())
        }
        return result
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

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}

