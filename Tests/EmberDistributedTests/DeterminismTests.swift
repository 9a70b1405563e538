import Ember
import EmberTestSupport
import Foundation
import Testing

/// Data-parallel training with fixed gradient shards ends with the same weights (and BatchNorm
/// running statistics), bit for bit, on 1, 2 and 4 processes (4 oversubscribed on a 2-core
/// machine), and in a process without mpirun.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct DeterminismTests {
    let check = MPI.executable("EmberDistributedCheck")

    @Test(arguments: ["mlp", "mlp-dropout", "cnn", "mlp-bn", "cnn-bn"])
    func weightsDoNotDependOnTheWorldSize(model: String) throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let dir = try temporaryDirectory()
        // Alone (MPI as a world of one), then under mpirun with 1, 2 and 4 ranks.
        let alone = try MPI.bounded(120, [check, "train", model, "4", dir + "/alone.safetensors"])
        #expect(alone.status == 0, "\(alone.output)")
        var files = [dir + "/alone.safetensors"]
        for n in [1, 2, 4] {
            let path = dir + "/np\(n).safetensors"
            let r = try MPI.run(ranks: n, check, ["train", model, "4", path])
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("with 4 shards on \(n) ranks"), "\(r.output)")
            files.append(path)
        }
        // Training moved the weights, and one plain step per batch (1 shard) lands close by:
        // the shards change only the order of the sums.
        let moved = try #require(alone.output.split(separator: " ").last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(moved > 1e-3, "\(alone.output)")
        // (With dropout, other shards draw other masks; with BatchNorm, other batches give other
        // statistics: no such comparison.)
        if !model.contains("dropout") && !model.hasSuffix("-bn") {
            let plain = try MPI.bounded(120, [check, "train", model, "1", dir + "/plain.safetensors"])
            #expect(plain.status == 0, "\(plain.output)")
            let a = try load(files[0]), b = try load(dir + "/plain.safetensors")
            for (name, t) in a {
                let d = (t - b[name]!).abs().max().item()
                #expect(d < 1e-3 && d.isFinite, "\(name) is \(d) away from the plain step's")
            }
        }
        let reference = try tensorBytes(files[0])
        #expect(reference.count >= 4)
        for f in files.dropFirst() {
            let other = try tensorBytes(f)
            #expect(other.keys.sorted() == reference.keys.sorted())
            for (name, bytes) in reference { #expect(other[name] == bytes, "\(name) differs in \(f)") }
        }
    }
}
