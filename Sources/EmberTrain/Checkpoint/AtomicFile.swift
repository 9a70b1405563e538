import Ember
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers with errors that name the file. Text files a run writes
/// (`config.json`, `metrics.csv`, the checkpoint sidecar, plots) go through `writeAtomically`,
/// so a crash leaves either the old file or the new one, never half of one.
public enum FileIO {
    /// Writes `text` to `path` atomically: a temporary file beside it is written, flushed to
    /// disk (`fsync`) and renamed over `path`, then the directory is flushed too. The first
    /// write into a folder removes temporaries that killed processes left there (`StaleTemporaries`).
    public static func writeAtomically(_ text: String, to path: String) throws(CheckpointError) {
        try writeAtomically(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path` atomically (see `writeAtomically(_:to:)` for text).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        if let problem = writeFileAtomicallyReportingProblem(bytes, to: path) { throw .io(path: path, detail: problem) }
    }

    /// Appends `text` to `path` (created if missing) and flushes it to disk: one record of
    /// a stream such as `metrics.jsonl`.
    public static func append(_ text: String, to path: String) throws(CheckpointError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io(path: path, detail: "cannot open for appending: \(errnoText())") }
        defer { _ = close(fd) }
        try writeAll(fd, Array(text.utf8), path: path)
        _ = fsync(fd)
    }

    /// The whole file as text.
    public static func read(_ path: String) throws(CheckpointError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw .fileNotFound(path: path) }
            throw .io(path: path, detail: "cannot open: \(errnoText())")
        }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .io(path: path, detail: "read failed: \(errnoText())") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalid(path: path, detail: "not UTF-8 text") }
        return text
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents (`mkdir -p`).
    public static func makeDirectories(_ path: String) throws(CheckpointError) {
        var current = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .io(path: current, detail: "cannot create directory: \(errnoText())")
            }
        }
        guard isDirectory(path) else { throw .io(path: path, detail: "exists and is not a directory") }
    }

    /// Creates the folder that will hold the file `path`, and its missing parents, when
    /// `path` names one (`os.makedirs(os.path.dirname(path), exist_ok=True)`).
    public static func makeParentDirectories(of path: String) throws(CheckpointError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let parent = String(path[..<slash])
        if !isDirectory(parent) { try makeDirectories(parent) }
    }

    /// Removes the file at `path` if there is one.
    public static func remove(_ path: String) { _ = unlink(path) }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CheckpointError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, detail: "write failed: \(errnoText())")
            }
            done += n
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
