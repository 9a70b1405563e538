import Foundation
import Testing
@testable import EmberData

/// Shared test helpers: the installed Fashion-MNIST, temporary directories, IDX and gzip
/// bytes, and tiny synthetic datasets.

enum FashionFiles {
    /// Debian's `dataset-fashion-mnist` location (installed by `make deps`).
    static let root = "/usr/share/datasets/fashion-mnist"
    static let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    static var available: Bool { names.allSatisfy { FileManager.default.fileExists(atPath: root + "/" + $0) } }
    /// Loaded once for every test that reads it.
    static let test: FashionMNIST? = try? FashionMNIST(root: root, train: false)
    static let train: FashionMNIST? = try? FashionMNIST(root: root, train: true)
}

/// A fresh directory under /tmp, removed when released.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ember-data-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in this directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }
}

/// Runs `body` with the path of `bytes` written to a temporary file called `name`.
func withFile<R>(_ name: String, _ bytes: [UInt8], _ body: (String) throws -> R) rethrows -> R {
    let dir = TempDir()
    let path = dir.write(name, bytes)
    return try withExtendedLifetime(dir) { try body(path) }
}

/// The bytes of a file.
func fileBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

/// An IDX file: magic `00 00 type rank`, big-endian dims, then `payload`.
func idxBytes(type: UInt8 = 0x08, dims: [Int], payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(dims.count)]
    for d in dims { out += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
    return out + payload
}

/// `bytes` compressed by the system's gzip.
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    let dir = TempDir()
    let p = dir.write("x", bytes)
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: "/bin/gzip")
    proc.arguments = ["-n", "-9", p]
    try! proc.run()
    proc.waitUntilExit()
    return fileBytes(p + ".gz")
}

/// The message of the `DataError` `body` throws, or nil (and an issue) if it throws none.
func dataError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        _ = try body()
        Issue.record("expected a DataError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let e as DataError {
        return e
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// `n` samples: image `i` is a `[1, 4, 6]` ramp offset by `i`, label `i % 3`.
struct Ramps: Dataset {
    let count: Int
    subscript(index: Int) -> (Tensor, Int) {
        (Tensor((0..<24).map { Double($0 + 100 * index) }, shape: [1, 4, 6]), index % 3)
    }
}

/// The int64 values of a tensor as Ints.
func ints(_ t: Tensor) -> [Int] { t.toArray(as: Int64.self).map { Int($0) } }

/// Whether two tensors have the same shape, dtype and bits.
func identical(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && a.dtype == b.dtype && a.toArray(as: Double.self).elementsEqual(b.toArray(as: Double.self)) { $0 == $1 || ($0.isNaN && $1.isNaN) }
}
