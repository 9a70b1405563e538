import Ember
import EmberTestSupport
import Foundation

/// `Tests/Fixtures/vision/<name>`.
func visionFixture(_ name: String) -> String { fixturesDirectory() + "/vision/" + name }

/// A fresh empty folder under the temporary directory, removed by `remove()`.
struct TempFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ember-vision-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ bytes: [UInt8], _ name: String) -> String {
        let p = file(name)
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The bytes of a file.
func bytes(of path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

/// A random uint8 image `[c, h, w]`.
func randomImage(_ c: Int, _ h: Int, _ w: Int, seed: UInt64) -> Tensor {
    Tensor.randint(0, 256, [c, h, w], generator: Generator(seed: seed)).to(.uint8)
}
