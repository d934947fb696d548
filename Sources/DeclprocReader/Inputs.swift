import Foundation

/// Turns what the user named (files and folders) into pages, one input at a time.
///
/// Folders are walked recursively in sorted order, so runs are reproducible; inside
/// a folder only files with page extensions are read. A file named explicitly is
/// always read, whatever its name, because the user asked for it.
public struct InputEnumerator {
    public static let pageExtensions: Set<String> = ["html", "htm", "xhtml", "shtml", "asp", "aspx", "php"]

    /// One thing to read: a file, or a problem found while listing.
    public enum Item: Sendable {
        case file(path: String)
        case unreadable(Reject)
    }

    public let inputs: [String]

    public init(inputs: [String]) { self.inputs = inputs }

    public func items() -> [Item] {
        var result: [Item] = []
        let manager = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                result.append(.unreadable(Reject(input: input, position: 0, reason: Self.reason(forMissing: input))))
                continue
            }
            guard isDirectory.boolValue else { result.append(.file(path: input)); continue }
            result.append(contentsOf: walk(input))
        }
        return result
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
                guard Self.isPageName(name) else { continue }
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

/// Reads a whole file, turning every failure into a reason.
public enum PageFile {
    /// Pages larger than this are rejected, not read: a real page is far smaller.
    public static let defaultMaxBytes = 64 << 20

    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) -> Result<RawPage, Reject> {
        // O_NONBLOCK: a FIFO or device named like a page must not hang the run.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            return .failure(Reject(input: path, position: 0, reason: "cannot read: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(Reject(input: path, position: 0, reason: "cannot read: \(String(cString: strerror(errno)))"))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(Reject(input: path, position: 0, reason: "cannot read: is a folder"))
        default: return .failure(Reject(input: path, position: 0, reason: "cannot read: not a regular file (pipe, socket or device)"))
        }
        _ = fcntl(fd, F_SETFL, 0)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Reject(input: path, position: 0, reason: "cannot read: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            if bytes.count > maxBytes {
                return .failure(Reject(input: path, position: 0, reason: "page larger than \(maxBytes) bytes (see --max-page-bytes)"))
            }
        }
        return .success(RawPage(source: PageSource(path: path), bytes: bytes))
    }
}
