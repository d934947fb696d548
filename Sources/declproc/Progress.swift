import DeclprocPipeline
import DeclprocReader
import Foundation

/// Progress on standard error: on a terminal, one line rewritten in place (pages,
/// statements, rejects, MB/s, elapsed, ETA); otherwise a plain log line every ten
/// seconds, for log files and CI. `--quiet` turns both off.
final class ProgressReporter {
    private let start = Date()
    private let terminal = isatty(2) == 1
    private let interval: TimeInterval
    private var last = Date.distantPast
    private var pages = 0, statements = 0, rejected = 0
    private var doneBytes: Int64 = 0
    private let totalBytes: Int64?
    private var drewLine = false

    init(inputs: [String], logInterval: TimeInterval) {
        interval = terminal ? 0.2 : logInterval
        // The total, for an ETA, when every input is a plain file or folder. Sizes are
        // asked again as inputs finish rather than kept: a crawl can be millions of files.
        var total: Int64 = 0
        var known = !inputs.isEmpty
        for item in InputEnumerator(inputs: inputs).items() {
            guard case .file(let path) = item, let size = Self.size(of: path) else {
                known = false
                continue
            }
            total += size
        }
        totalBytes = known ? total : nil
    }

    private static func size(of path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    func record(_ event: ProgressEvent) {
        switch event {
        case .page(let count, let wasRejected):
            pages += 1
            statements += count
            if wasRejected { rejected += 1 }
        case .statements(let count):
            statements += count
        case .inputDone(let path):
            if path != "-" { doneBytes += Self.size(of: path) ?? 0 }
        }
        let now = Date()
        guard now.timeIntervalSince(last) >= interval else { return }
        last = now
        show(final: false)
    }

    func end() {
        if terminal && drewLine { show(final: true) }
    }

    private func show(final: Bool) {
        let elapsed = Date().timeIntervalSince(start)
        var line = "\(pages) pages, \(statements) statements, \(rejected) rejected"
        if doneBytes > 0 { line += String(format: ", %.1f MB/s", Double(doneBytes) / 1_000_000 / max(elapsed, 0.001)) }
        line += ", " + Self.duration(elapsed)
        if let totalBytes, totalBytes > 0, doneBytes > 0, !final {
            let remaining = elapsed * Double(totalBytes - doneBytes) / Double(doneBytes)
            line += String(format: " (%.0f%%, ETA %@)", Double(doneBytes) * 100 / Double(totalBytes), Self.duration(remaining))
        }
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
            drewLine = true
        } else {
            FileHandle.standardError.write(Data(("declproc: progress: " + line + "\n").utf8))
        }
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
