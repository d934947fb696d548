import Foundation

/// Where declproc's data lives: the `Locales/` folder, found at run time so a
/// binary copied elsewhere with its `Locales/` keeps working.
///
/// Data is read through this one type, so code never builds paths into the data
/// itself, and a test can point the whole engine at another folder.
public struct LocaleStore: Sendable {
    /// The `Locales/` folder.
    public let root: URL
    /// The data's version, from `manifest.json`.
    public let version: String
    /// Where lexicons compiled from this data are kept between runs.
    public var cache = CompiledCache()

    /// Why each place was tried and not taken, for the error message.
    public struct NotFound: Error, CustomStringConvertible {
        public let tried: [(place: String, reason: String)]
        public var description: String {
            "declproc's Locales/ data was not found. Tried:\n"
                + tried.map { "  \($0.place): \($0.reason)" }.joined(separator: "\n")
                + "\nPass --locales PATH or set DECLPROC_LOCALES to the Locales folder that came with declproc."
        }
    }

    /// A data file that is missing or unreadable.
    public struct MissingData: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "Locales data \(path): \(reason)" }
    }

    public init(root: URL) throws(MissingData) {
        let manifest = root.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifest) else {
            throw MissingData(path: manifest.path, reason: "missing or unreadable (every Locales folder has one)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let version = object["version"] as? String
        else {
            throw MissingData(path: manifest.path, reason: "not a JSON object with a \"version\" string")
        }
        self.root = root.standardizedFileURL
        self.version = version
    }

    /// Finds `Locales/` in the documented order: an explicit path, then
    /// `DECLPROC_LOCALES`, then beside the executable (or `../share/declproc/`), then
    /// the source tree this binary was built from.
    public static func locate(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = Bundle.main.executableURL
    ) throws(NotFound) -> LocaleStore {
        var candidates: [(place: String, url: URL, mustExist: Bool)] = []
        if let explicit { candidates.append(("--locales", URL(fileURLWithPath: explicit), true)) }
        else if let env = environment["DECLPROC_LOCALES"], !env.isEmpty {
            candidates.append(("DECLPROC_LOCALES", URL(fileURLWithPath: env), true))
        } else {
            if let executable {
                let directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
                candidates.append(("beside the executable", directory.appendingPathComponent("Locales"), false))
                candidates.append(("../share/declproc", directory.deletingLastPathComponent()
                    .appendingPathComponent("share/declproc/Locales"), false))
            }
            candidates.append(("source tree", sourceTreeLocales, false))
        }
        var tried: [(String, String)] = []
        for candidate in candidates {
            do {
                return try LocaleStore(root: candidate.url)
            } catch {
                tried.append(("\(candidate.place) (\(candidate.url.path))", error.reason))
                // An explicit choice that fails is final: silently using other data would surprise.
                if candidate.mustExist { break }
            }
        }
        throw NotFound(tried: tried)
    }

    /// `<repo>/Locales`, from this file's place in `<repo>/Sources/DeclprocLocales/`.
    static var sourceTreeLocales: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Locales")
    }

    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    public func data(_ relativePath: String) throws(MissingData) -> Data {
        do { return try Data(contentsOf: url(relativePath), options: .mappedIfSafe) }
        catch { throw MissingData(path: url(relativePath).path, reason: "missing or unreadable") }
    }

    /// The lines of a UTF-8 text file, without `#` comment lines and empty lines.
    ///
    /// Cut at the line feed bytes, where splitting by Character cut the same lines (a
    /// line feed is a Character of its own, but for CR LF, which is one and not cut)
    /// at the price of finding every Character: a tenth of start-up.
    public func lines(_ relativePath: String) throws(MissingData) -> [Substring] {
        let text = String(decoding: try data(relativePath), as: UTF8.self)
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex, i = utf8.startIndex
        var previous: UInt8 = 0
        while i != utf8.endIndex {
            let byte = utf8[i]
            let next = utf8.index(after: i)
            if byte == 0x0A, previous != 0x0D {
                if start != i { lines.append(text[start..<i]) }
                start = next
            }
            previous = byte
            i = next
        }
        if start != utf8.endIndex { lines.append(text[start..<utf8.endIndex]) }
        // Only a line whose first byte is "#" can begin with the Character "#".
        return lines.filter { $0.utf8.first != 0x23 || !$0.hasPrefix("#") }
    }

    /// Calls `body` with each row's tab-separated fields as UTF-8 bytes, skipping
    /// comments and empty lines. No String is made: loading a 100,000-line lexicon
    /// this way takes milliseconds, where splitting Strings takes most of a second.
    public func forEachRow(_ relativePath: String, _ body: ([ArraySlice<UInt8>]) throws -> Void) throws {
        let bytes = [UInt8](try data(relativePath))
        var lineStart = 0
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(8)
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
            if end > lineStart, bytes[lineStart] != UInt8(ascii: "#") {
                fields.removeAll(keepingCapacity: true)
                var fieldStart = lineStart
                for i in lineStart..<end where bytes[i] == 0x09 {
                    fields.append(bytes[fieldStart..<i])
                    fieldStart = i + 1
                }
                fields.append(bytes[fieldStart..<end])
                try body(fields)
            }
            lineStart = lineEnd + 1
        }
    }

    /// The Unicode scalars of UTF-8 bytes (invalid sequences skipped).
    public static func scalars(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(bytes.count / 3 + 1)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): result.append(scalar)
            case .emptyInput: break loop
            case .error: continue
            }
        }
        return result
    }

    /// Tab-separated rows of a data file (comments and empty lines skipped).
    public func rows(_ relativePath: String) throws(MissingData) -> [[Substring]] {
        // Cut at the tab bytes: a tab is always a Character of its own.
        try lines(relativePath).map { line in
            var fields: [Substring] = []
            var start = line.startIndex
            var i = line.utf8.startIndex
            while i != line.utf8.endIndex {
                let next = line.utf8.index(after: i)
                if line.utf8[i] == 0x09 {
                    fields.append(line[start..<i])
                    start = next
                }
                i = next
            }
            fields.append(line[start..<line.endIndex])
            return fields
        }
    }
}
