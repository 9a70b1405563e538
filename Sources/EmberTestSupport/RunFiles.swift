import Ember
import Foundation

/// Writes a small three-class CSV problem (Gaussian blobs in `features` dimensions, noise drawn
/// from `Generator(seed:)`) with a header; the class is the last column.
public func writeBlobsCSV(to path: String, rows: Int = 600, features: Int = 6, seed: UInt64 = 1) throws {
    let noise = Tensor.randn([rows, features], generator: Generator(seed: seed)).toArray(as: Float.self)
    var lines = [(0..<features).map { "f\($0)" }.joined(separator: ",") + ",label"]
    for r in 0..<rows {
        let label = r % 3
        let values = (0..<features).map { f in Float(label == f % 3 ? 1.5 : 0) + noise[r * features + f] }
        lines.append(values.map { "\($0)" }.joined(separator: ",") + ",\(label)")
    }
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

/// The raw bytes of every tensor in a safetensors file, by name (for bit-for-bit comparisons).
public func tensorBytes(_ path: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for (name, t) in try load(path) {
        let c = t.contiguous()
        let n = c.numel * c.dtype.itemSize
        out[name] = Array(UnsafeRawBufferPointer(start: c.storage.data + c.offset * c.dtype.itemSize, count: n))
    }
    return out
}
