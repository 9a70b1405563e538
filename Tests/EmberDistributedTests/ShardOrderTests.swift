@testable import EmberDistributed
import Ember
import EmberTestSupport
import Foundation
import Testing

/// The fixed order S_K in which `GradientShards` and the fixed-order collectives add K values:
/// K = P·m (P the largest power of two dividing K), groups g, g + P, ... added one after the
/// other, the P group sums in a balanced tree.
@Suite struct ShardOrderTests {
    /// Folds `values[k]` (one slice of `chunk` floats each) with `foldTree`.
    static func fold(_ values: [[Float]]) -> [Float] {
        var flat = values.flatMap { $0 }
        let chunk = values[0].count
        flat.withUnsafeMutableBufferPointer { foldTree($0.baseAddress!, count: values.count, chunk: chunk) }
        return Array(flat.prefix(chunk))
    }

    /// K = 12 (P = 4, m = 3) on values where every other order gives other bits: 1e8 + 1 is 1e8
    /// in float32.
    @Test func twelveShardsAddEachGroupInOrderThenTheGroupsAsATree() {
        var s = [[Float]](repeating: [0, 0, 0, 0], count: 12)
        // Column 0: inside group 0, (s0 + s4) + s8 = (1e8 + 1) - 1e8 = 0; (s0 + s8) + s4 would be 1.
        s[0][0] = 1e8; s[4][0] = 1; s[8][0] = -1e8
        // Column 1: the group sums 0, 1e8, 1, -1e8 meet as (g0 + g2) + (g1 + g3) = 1; in group order, 0.
        s[1][1] = 1e8; s[2][1] = 1; s[3][1] = -1e8
        // Column 2: (s0 + s4) + s8 = (1 + 1e8) - 1e8 = 0; s0 + (s4 + s8) would be 1.
        s[0][2] = 1; s[4][2] = 1e8; s[8][2] = -1e8
        // Column 3: group 0 is (1e8 + 0) + 1 = 1e8, group 1 is -1e8: the tree gives 0, the shards in index order 1.
        s[0][3] = 1e8; s[8][3] = 1; s[1][3] = -1e8
        let folded = Self.fold(s)
        let expected: [Float] = (0..<4).map { c in
            let g0 = (s[0][c] + s[4][c]) + s[8][c], g1 = (s[1][c] + s[5][c]) + s[9][c]
            let g2 = (s[2][c] + s[6][c]) + s[10][c], g3 = (s[3][c] + s[7][c]) + s[11][c]
            return (g0 + g2) + (g1 + g3)
        }
        #expect(expected == [0, 1, 0, 0])
        #expect(folded == expected)
        // The orders it is not: the shards in index order, and each group summed the other way round.
        let indexOrder: [Float] = (0..<4).map { c in s.dropFirst().reduce(s[0][c]) { $0 + $1[c] } }
        #expect(indexOrder != expected)
        #expect(s[0][2] + (s[4][2] + s[8][2]) != folded[2])
        #expect((s[0][0] + s[8][0]) + s[4][0] != folded[0])
    }

    /// A power of two keeps the plain tree (today's bits), an odd count adds in order.
    @Test func powersOfTwoAreTheTreeAndOddCountsAddInOrder() {
        let v: [[Float]] = [[1e8], [1], [-1e8], [1]]
        #expect(Self.fold(v) == [(v[0][0] + v[2][0]) + (v[1][0] + v[3][0])])
        #expect(Self.fold(v) == [2])
        let three: [[Float]] = [[1e8], [1], [-1e8]]
        #expect(Self.fold(three) == [(three[0][0] + three[1][0]) + three[2][0]])
        #expect(Self.fold(three) == [0])
        #expect(Self.fold([[3, 4]]) == [3, 4])
        // 6 = 2·3: (s0 + s2) + s4 meets (s1 + s3) + s5.
        let six: [[Float]] = [[1e8], [1], [1], [2], [-1e8], [3]]
        #expect(Self.fold(six) == [((six[0][0] + six[2][0]) + six[4][0]) + ((six[1][0] + six[3][0]) + six[5][0])])
        #expect(Self.fold(six) == [6])
    }
}

/// Data-parallel training with gradient shards on world sizes that are not powers of two, and
/// shard counts that are not: N processes end bit-identical to one for every N dividing K.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct AnyWorldSizeTests {
    let check = MPI.executable("EmberDistributedCheck")

    /// Global batches of 24 rows: K = 3 (3 ranks: one shard each, DDP's overlapped reduction in
    /// the order S_3), K = 6 (2 ranks: each a whole group of 3; 3 ranks: the shards exchanged) and
    /// K = 12 (2, 3 and 4 ranks), against one process with the same K.
    @Test(arguments: ["mlp", "mlp-dropout", "cnn-bn"])
    func everyWorldSizeDividingTheShardsEndsBitIdenticalToOne(model: String) throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let dir = try temporaryDirectory()
        for (shards, worlds) in [(3, [3]), (6, [2, 3]), (12, [2, 3, 4])] {
            let alone = dir + "/alone\(shards).safetensors"
            let one = try MPI.bounded(120, [check, "train", model, "\(shards)", alone, "24"])
            #expect(one.status == 0, "\(one.output)")
            #expect(one.output.contains("with \(shards) shards on 1 ranks"), "\(one.output)")
            let moved = try #require(one.output.split(separator: " ").last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            #expect(moved > 1e-3, "\(one.output)")
            let reference = try tensorBytes(alone)
            #expect(reference.count >= 4)
            for n in worlds {
                let path = dir + "/k\(shards)-np\(n).safetensors"
                let r = try MPI.run(ranks: n, check, ["train", model, "\(shards)", path, "24"])
                #expect(r.status == 0, "\(r.output)")
                #expect(r.output.contains("with \(shards) shards on \(n) ranks"), "\(r.output)")
                let other = try tensorBytes(path)
                #expect(other.keys.sorted() == reference.keys.sorted())
                for (name, bytes) in reference { #expect(other[name] == bytes, "\(model): \(name) differs with \(shards) shards on \(n) ranks") }
            }
        }
    }
}
