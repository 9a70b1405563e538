#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)`, reachable from types that have a `write` method of their own.
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// The text of the current `errno`, e.g. "No space left on device".
func errnoDescription(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

/// A file opened for reading, with exact positioned reads. Errors name `path`.
struct ReadableFile: ~Copyable {
    let path: String
    private let fd: Int32
    /// Size of the file in bytes when it was opened.
    let size: Int

    init(path: String) throws(SafetensorsError) {
        self.path = path
        StaleTemporaries.removeOnce(besides: path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw .fileNotFound(path: path) }
            throw .ioError(path: path, detail: "cannot open for reading: \(errnoDescription(e))")
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let e = errno
            _ = close(fd)
            throw .ioError(path: path, detail: "cannot stat: \(errnoDescription(e))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            _ = close(fd)
            throw .ioError(path: path, detail: "is a directory, not a safetensors file")
        }
        self.fd = fd
        self.size = Int(st.st_size)
    }

    deinit { _ = close(fd) }

    /// Reads exactly `count` bytes at `offset` into `buffer`; a short read (the file shrank
    /// while being read) throws `.truncated` with `what` in the message.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int, what: @autoclosure () -> String) throws(SafetensorsError) {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .ioError(path: path, detail: "read failed for \(what()): \(errnoDescription())")
            }
            if n == 0 {
                throw .truncated(path: path, detail: "file ended after \(offset + done) bytes while reading \(what()) (needed \(offset + count))")
            }
            done += n
        }
    }

    /// Reads exactly `count` bytes at `offset` into a new array.
    func read(count: Int, at offset: Int, what: @autoclosure () -> String) throws(SafetensorsError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            // (Array's closure methods rethrow untyped errors, so carry the typed one out.)
            let result = bytes.withUnsafeMutableBytes { b in
                Result { () throws(SafetensorsError) in try read(into: b.baseAddress!, count: count, at: offset, what: what()) }
            }
            try result.get()
        }
        return bytes
    }
}

/// Why an atomic write must not replace `path`, or nil when it may: it exists and is not a
/// regular file (a device such as /dev/null, a FIFO, a socket or a directory). An atomic
/// write renames a new file over its target, which would replace the device itself.
package func notARegularFile(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    if (info.st_mode & S_IFMT) == S_IFREG { return nil }
    let kind: String
    switch info.st_mode & S_IFMT {
    case S_IFDIR: kind = "a directory"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFIFO: kind = "a FIFO"
    case S_IFSOCK: kind = "a socket"
    default: kind = "not a regular file"
    }
    return "it is \(kind); files are written atomically (a new file renamed over the old one), which would replace it, so Ember refuses"
}

/// Writes `bytes` to `path` atomically through `AtomicFileWriter` (a temporary file beside
/// it, flushed to disk and renamed over it, then the folder flushed), the one way Ember's
/// modules write files; returns what went wrong, or nil. Each module throws its own typed
/// error naming `path` with the text.
package func writeFileAtomicallyReportingProblem(_ bytes: [UInt8], to path: String) -> String? {
    do {
        try writeAtomically(bytes, path)
        return nil
    } catch {
        if case .ioError(_, let detail) = error { return detail }
        return "\(error)"
    }
}

private func writeAtomically(_ bytes: [UInt8], _ path: String) throws(SafetensorsError) {
    var file = try AtomicFileWriter.create(path: path)
    try file.write(bytes)
    try file.commit()
}

/// Writes a file atomically: bytes go to `<path>.tmp-<pid>-<random>` in the same directory,
/// which is flushed to disk and renamed over `path` by `commit()`. If the writer is dropped
/// without committing (an error was thrown), the temporary file is removed; one left by a
/// killed process is removed by the next write into the folder (`StaleTemporaries`).
struct AtomicFileWriter: ~Copyable {
    let path: String
    let tempPath: String
    private var fd: Int32
    private var renamed = false
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20

    /// Opens the temporary file for `path`; refuses a `path` that is not a regular file
    /// (`notARegularFile`) through `create(path:)`.
    private init(uncheckedPath path: String) throws(SafetensorsError) {
        self.path = path
        StaleTemporaries.removeOnce(besides: path)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        tempPath = "\(path).tmp-\(getpid())-\(suffix)"
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw .ioError(path: path, detail: "cannot create temporary file \(tempPath): \(errnoDescription())")
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    /// A writer for `path`, unless `path` exists and is not a regular file (a device, FIFO or
    /// directory), which the final rename would replace.
    static func create(path: String) throws(SafetensorsError) -> AtomicFileWriter {
        if let problem = notARegularFile(path) { throw .ioError(path: path, detail: problem) }
        return try AtomicFileWriter(uncheckedPath: path)
    }

    deinit {
        // Without a successful commit, discard the partial file.
        if fd >= 0 { _ = close(fd) }
        if !renamed { _ = unlink(tempPath) }
    }

    /// Appends bytes; small writes are gathered into one buffer, large ones go straight out.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SafetensorsError) {
        if buffer.count + bytes.count <= Self.bufferSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= Self.bufferSize {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func write(_ bytes: [UInt8]) throws(SafetensorsError) {
        let result = bytes.withUnsafeBytes { b in Result { () throws(SafetensorsError) in try write(b) } }
        try result.get()
    }

    private mutating func flush() throws(SafetensorsError) {
        guard !buffer.isEmpty else { return }
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        let result = pending.withUnsafeBytes { b in Result { () throws(SafetensorsError) in try writeAll(b) } }
        try result.get()
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SafetensorsError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw .ioError(path: path, detail: "write to \(tempPath) failed: \(errnoDescription())")
            }
            p += n
            left -= n
        }
    }

    /// Flushes, syncs the file to disk and renames it over `path`.
    consuming func commit() throws(SafetensorsError) {
        try flush()
        if fsync(fd) != 0 {
            throw .ioError(path: path, detail: "fsync of \(tempPath) failed: \(errnoDescription())")
        }
        let rc = close(fd)
        fd = -1
        if rc != 0 {
            throw .ioError(path: path, detail: "close of \(tempPath) failed: \(errnoDescription())")
        }
        if rename(tempPath, path) != 0 {
            throw .ioError(path: path, detail: "cannot rename \(tempPath) to \(path): \(errnoDescription())")
        }
        renamed = true
        // Make the rename itself durable; best effort, as the data is already safe.
        let dir = Self.directory(of: path)
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            _ = close(dfd)
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = path[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }
}
