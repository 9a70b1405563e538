#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// `write(2)`, reachable from a type with a `write` method of its own.
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// A folder of its own for each input's files, under one folder per process (in `/dev/shm`
/// where it exists, so that the fuzzers' millions of small files never reach a disk).
final class ScratchFiles {
    let folder: String

    private let slot: Int

    /// Folders are reused: a reader may remember the folders it has seen (`StaleTemporaries`
    /// sweeps each folder once per process), so a new folder per input would grow that memory
    /// for as long as the fuzzer runs. One input at a time uses each folder.
    private static let freeSlots = Mutex<[Int]>([])
    private static let slotCount = Atomic<Int>(0)
    private static let processFolder: String? = {
        var base = "/tmp"
        if let t = getenv("TMPDIR"), t.pointee != 0 { base = String(cString: t) }
        if access("/dev/shm", W_OK) == 0 { base = "/dev/shm" }
        var template = Array("\(base)/ember-fuzz-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { return nil }
        let folder = String(cString: p)
        atexit { ScratchFiles.removeProcessFolder() }
        return folder
    }()

    struct CannotMake: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        guard let root = Self.processFolder else { throw CannotMake(description: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        slot = Self.freeSlots.withLock { $0.popLast() } ?? Self.slotCount.wrappingAdd(1, ordering: .relaxed).oldValue
        folder = "\(root)/\(slot)"
        guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
            throw CannotMake(description: "mkdir \(folder): \(String(cString: strerror(errno)))")
        }
    }

    /// The path of `name` in this input's folder.
    func path(_ name: String) -> String { "\(folder)/\(name)" }

    /// Writes `bytes` to `path`; returns the problem, or nil.
    func write(_ bytes: UnsafeRawBufferPointer, to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create \(path): \(String(cString: strerror(errno)))" }
        defer { _ = close(fd) }
        var done = 0
        while done < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return "cannot write \(path): \(String(cString: strerror(errno)))"
            }
            done += n
        }
        return nil
    }

    /// Empties the folder (readers and writers may leave files there) and gives it back.
    func remove() {
        Self.removeContents(folder)
        Self.freeSlots.withLock { $0.append(slot) }
    }

    private static func removeProcessFolder() {
        if let folder = processFolder { removeTree(folder) }
    }

    private static func removeTree(_ path: String) {
        removeContents(path)
        _ = rmdir(path)
    }

    private static func removeContents(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name == "." || name == ".." { continue }
                let child = "\(path)/\(name)"
                if unlink(child) != 0 { removeTree(child) }   // a folder (EISDIR)
            }
            closedir(dir)
        }
    }
}

/// The whole file at `path`, or nil when it cannot be read.
func readAll(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}
