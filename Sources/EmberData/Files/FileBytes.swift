#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for datasets, transparently gunzipping (what `open(path, "rb").read()`
/// does in a torchvision dataset), throwing `DataError` naming the file. Public for the other
/// modules that read files (EmberVision's image decoders).
public enum FileBytes {
    /// Whether a regular file (or a link to one) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The raw bytes of the file at `path`. `hint` goes into the not-found error.
    public static func read(_ path: String, hint: String = "") throws(DataError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw .fileNotFound(path: path, hint: hint) }
            throw .ioError(path: path, detail: "cannot open for reading: \(errnoText(e))")
        }
        defer { _ = close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .ioError(path: path, detail: "cannot stat: \(errnoText(errno))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .ioError(path: path, detail: "is a directory, not a file") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(st.st_size))
        // A chunk the size of the file (and one byte to see its end), at most 1 MiB: a small
        // file costs no 1 MiB buffer to zero.
        var chunk = [UInt8](repeating: 0, count: min(1 << 20, max(4096, Int(st.st_size) + 1)))
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .ioError(path: path, detail: "read failed after \(bytes.count) bytes: \(errnoText(errno))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// The file's content, decompressed when it is gzip (magic bytes `1f 8b`). A file named
    /// `.gz` that is not gzip throws `badGzip`, so a mislabelled download is never parsed
    /// as raw data.
    /// `expectedSize` reads the size the content's header declares from its first bytes, so
    /// a gzip bomb is not inflated past it (see `Gzip.decompress`).
    static func readMaybeGzip(_ path: String, hint: String = "",
                              expectedSize: ((UnsafeBufferPointer<UInt8>) throws(DataError) -> Int?)? = nil) throws(DataError) -> [UInt8] {
        let raw = try read(path, hint: hint)
        if Gzip.hasMagic(raw) { return try Gzip.decompress(raw, path: path, expectedSize: expectedSize) }
        if path.hasSuffix(".gz") {
            let shown = raw.prefix(2).map { hex($0) }.joined(separator: " ")
            throw .badGzip(path: path, detail: "named .gz but does not start with the gzip magic bytes 1f 8b (found \(raw.isEmpty ? "an empty file" : shown))")
        }
        return raw
    }

    /// The C library's text for an `errno` value.
    public static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A byte as two lowercase hex digits, for messages that show a file's first bytes.
    public static func hex(_ b: UInt8) -> String {
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}
