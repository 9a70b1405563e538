#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Temporary files that atomic writes (`save`, a trainer's checkpoints and metric files)
/// leave behind when their process is killed between creating and renaming them:
/// `<name>.tmp-<pid>-<hex>` beside the file being written.
///
/// `removeStaleTemporaries(in:)` deletes those whose writer is gone: a file is only removed
/// when its process id is not this process and no process with that id exists, so a
/// temporary another live process is still writing is left alone. The first atomic write
/// into a folder does it once per process; resuming a run does it for the run folder.
public enum StaleTemporaries {
    private static let swept = Locked<Set<String>>([])

    /// The process id in a temporary file name `<name>.tmp-<pid>-<hex>`, or nil when the
    /// name has another form.
    public static func writerPID(of name: String) -> Int32? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let target = parts[..<(parts.count - 2)].joined(separator: "-")
        let pidText = parts[parts.count - 2], hex = parts[parts.count - 1]
        guard target.hasSuffix(".tmp"), target.count > 4, let pid = Int32(pidText), pid > 0,
              !hex.isEmpty, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return pid
    }

    /// Whether a process with id `pid` exists (a process of another user counts).
    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// Removes the stale temporary files in `directory` (see the type's description) and
    /// returns their names. A directory that cannot be read is skipped.
    @discardableResult
    public static func remove(in directory: String) -> [String] {
        guard let dir = opendir(directory.isEmpty ? "." : directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            names.append(name)
        }
        closedir(dir)
        let me = getpid()
        var removed: [String] = []
        for name in names {
            guard let pid = writerPID(of: name), pid != me, !isAlive(pid) else { continue }
            if unlink((directory.isEmpty ? "." : directory) + "/" + name) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Removes stale temporaries in the folder of `path`, once per folder per process: called
    /// before an atomic write into it.
    public static func removeOnce(besides path: String) {
        let dir = folder(of: path)
        let first = swept.withLock { $0.insert(dir).inserted }
        if first { remove(in: dir) }
    }

    /// The folder holding `path` (`.` for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = path[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }
}
