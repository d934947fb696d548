import DeclprocFiles
import Foundation

/// Lexicons compiled to flat tables on first use and kept in the user's cache
/// folder, so later starts map a file and read the tables where they lie instead of
/// parsing megabytes of text (start-up 0.37 s → tens of milliseconds).
///
/// The cache holds only what is derived from `Locales/`, never anything from the
/// inputs. Its key is the table's name and format, the Locales folder and
/// version, and each source file's size and modification time: editing a lexicon
/// rebuilds it. Where: `DECLPROC_CACHE` (a folder, or `off`), else
/// `$XDG_CACHE_HOME/declproc`, else `~/.cache/declproc`. A cache that cannot be
/// read, written or trusted is ignored: the tables are then built from the text
/// files, with the same result.
public struct CompiledCache: Sendable {
    public let directory: URL?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let chosen = environment["DECLPROC_CACHE"], !chosen.isEmpty {
            directory = chosen == "off" ? nil : URL(fileURLWithPath: chosen)
        } else if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            directory = URL(fileURLWithPath: xdg).appendingPathComponent("declproc")
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directory = URL(fileURLWithPath: home).appendingPathComponent(".cache/declproc")
        } else {
            directory = nil
        }
    }

    public init(directory: URL?) { self.directory = directory }

    /// The layout every table shares (`BinaryWriter`): part of each file's key, so a
    /// file of another layout is rebuilt, never misread. 2: arrays' words aligned.
    static let layout = "layout 2"

    /// The compiled bytes of a table, to read from: from the cache when its key matches, else
    /// from `build`, then stored for next time.
    public func load(_ name: String, format: Int, sources: [String], store: LocaleStore,
                     build: () throws -> [UInt8]) rethrows -> BinaryReader {
        guard let directory else { return BinaryReader(try build()) }
        var key = "declproc-compiled \(Self.layout) \(name) format \(format) locales \(store.version) \(store.root.path)"
        for source in sources {
            var info = stat()
            guard stat(store.url(source).path, &info) == 0 else { return BinaryReader(try build()) }
            key += "\n\(source) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        let file = directory.appendingPathComponent("\(name)-\(String(Fingerprint.of(store.root.path.unicodeScalars), radix: 16)).bin")
        if let cached = Self.read(file, key: key) { return cached }
        let built = try build()
        Self.write(built, key: key, to: file, directory: directory)
        return BinaryReader(built)
    }

    /// The file mapped into memory (pages populated at once), and the tables views of
    /// the mapping (`TableWords`): reading it into an array first, then copying the tables
    /// out, each cost a fault and a zeroed page per 4 KiB. The file is only ever
    /// replaced by a rename, never rewritten in place, so the mapping stays whole
    /// for as long as the tables are used (as the program's own mapped libraries do).
    private static func read(_ file: URL, key: String) -> BinaryReader? {
        let descriptor = open(file.path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0), base != MAP_FAILED else { return nil }
        var reader = BinaryReader(mapped: UnsafeRawBufferPointer(start: base, count: size)) { munmap(base, size) }
        guard (try? reader.readString()) == key, let length = try? reader.read(UInt64.self),
              let sum = try? reader.read(UInt64.self), (try? reader.alignToWord()) != nil, Int(length) == size - reader.offset,
              checksum(reader.bytes, from: reader.offset) == sum else { return nil }
        return reader
    }

    /// Held while a table is written: threads of a process share its temporary name.
    private static let writing = NSLock()

    /// Written to a temporary name and renamed, so a reader never sees half a file;
    /// failures are ignored (the cache is an optimization).
    private static func write(_ bytes: [UInt8], key: String, to file: URL, directory: URL) {
        var writer = BinaryWriter()
        writer.write(key)
        writer.write(UInt64(bytes.count))
        writer.write(bytes.withUnsafeBytes { checksum($0, from: 0) })
        // The tables start aligned in the file as in `bytes`: they are read as views of the mapping.
        writer.alignToWord()
        // One writer at a time in a process: threads share the temporary name, and a
        // thread opening it while another renames it would write into the renamed file,
        // under tables another thread reads from the mapping.
        writing.lock()
        defer { writing.unlock() }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Also clears what a run killed while writing this table left (megabytes each),
            // under this name or the one earlier versions used (.NAME.PID.tmp).
            LeftBehind.remove(in: directory.path, prefix: ".\(file.lastPathComponent).", suffix: ".tmp")
            let temporary = URL(fileURLWithPath: LeftBehind.temporaryPath(besides: file.path))
            defer { try? FileManager.default.removeItem(at: temporary) }
            try Data(writer.bytes + bytes).write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            prune(beside: file, in: directory)
        } catch {}
    }

    /// Tables compiled for Locales folders used once (a clone, a test's copy) would
    /// pile up, megabytes each: only the most recently compiled few of each table stay.
    public static let keptPerTable = 4

    private static func prune(beside file: URL, in directory: URL) {
        let name = file.lastPathComponent
        guard let dash = name.lastIndex(of: "-") else { return }
        let prefix = name[...dash]
        let manager = FileManager.default
        let siblings = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".bin") && !$0.dropFirst(prefix.count).contains("-") }
        guard siblings.count > keptPerTable else { return }
        func written(_ sibling: String) -> Int {
            var info = stat()
            return stat(directory.appendingPathComponent(sibling).path, &info) == 0 ? info.st_mtim.tv_sec : 0
        }
        let oldest = siblings.filter { $0 != name }.map { ($0, written($0)) }.sorted { $0.1 > $1.1 }.dropFirst(keptPerTable - 1)
        for (sibling, _) in oldest { try? manager.removeItem(at: directory.appendingPathComponent(sibling)) }
    }

    /// A 64-bit sum over the payload, in four lanes of eight bytes each: a file
    /// damaged on disk or cut short is rebuilt, never read as tables whose indices
    /// point nowhere. Each lane's step (a multiply and a shift) waits for the one
    /// before; one lane went through the 34 MB an extraction loads at some 2.5 GB/s,
    /// and four run side by side.
    static func checksum(_ raw: UnsafeRawBufferPointer, from start: Int) -> UInt64 {
        @inline(__always) func step(_ hash: UInt64, _ word: UInt64) -> UInt64 {
            let h = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            return h ^ (h >> 29)
        }
        let seed: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count - start)
        var lanes = (seed, seed ^ 1, seed ^ 2, seed ^ 3)
        var i = start
        while i + 32 <= raw.count {
            lanes.0 = step(lanes.0, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            lanes.1 = step(lanes.1, raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            lanes.2 = step(lanes.2, raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            lanes.3 = step(lanes.3, raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        var hash = step(step(step(lanes.0, lanes.1), lanes.2), lanes.3)
        while i + 8 <= raw.count {
            hash = step(hash, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        while i < raw.count {
            hash = (hash ^ UInt64(raw[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        return hash
    }
}
