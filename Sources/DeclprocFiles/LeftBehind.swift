import Foundation

/// The temporary files of runs that were killed before they could clean up
/// (SIGKILL, a power cut): named `PREFIX<pid>SUFFIX`, removed once no process
/// with that id is running, so that each new run clears what the last one left
/// instead of letting partial output (with names in it) pile up. A file whose
/// process still runs, or whose name does not parse, is left alone.
public enum LeftBehind {
    public static func remove(in directory: String, prefix: String, suffix: String = "") {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
            guard let pid = pid_t(name.dropFirst(prefix.count).dropLast(suffix.count)), pid > 0, pid != getpid(),
                  kill(pid, 0) == -1, errno == ESRCH else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// This process's temporary name for writing `path`, `.NAME.tmp-<pid>` beside it,
    /// once the killed runs' files of that name are removed: the one place that
    /// knows the name, so the writing and the clearing cannot drift apart.
    public static func temporaryPath(besides path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).tmp-"
        remove(in: folder, prefix: prefix)
        return folder + "/" + prefix + String(getpid())
    }
}
