import Foundation
import Testing
import Ember

/// `EMBER_ISA` picks the kernels' build: `make test` runs the kernel suites once per level the
/// CPU supports, and this checks that each run used the level it asked for.
@Suite struct InstructionSetTests {
    /// The best level this CPU runs, from /proc/cpuinfo's flags (nil where there is none).
    static var cpuBest: InstructionSet? {
        #if arch(x86_64)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512dq", "avx512vl"]) { return .avx512 }
        return flags.isSuperset(of: ["avx2", "fma"]) ? .avx2 : .base
        #else
        return .base
        #endif
    }

    @Test func runsTheRequestedLevel() throws {
        let best = try #require(Self.cpuBest, "no /proc/cpuinfo to compare with")
        let order: [InstructionSet] = [.base, .avx2, .avx512]
        let requested = ProcessInfo.processInfo.environment["EMBER_ISA"].flatMap(InstructionSet.init(rawValue:))
        let expected = requested.map { order.firstIndex(of: $0)! <= order.firstIndex(of: best)! ? $0 : best } ?? best
        #expect(InstructionSet.current == expected, "EMBER_ISA=\(requested?.rawValue ?? "unset"), CPU best \(best)")
    }

    /// Every level's exp is within the kernels' 2-ulp contract of libm's, over the whole range:
    /// results that are subnormal (x below -87.3) or near the largest float (x above 88.3)
    /// included, and the limits where it is 0 and inf.
    @Test func expAgreesWithLibm() {
        let grid = (0..<2200).map { Float($0) * 0.1 - 110 }
        let edges: [Float] = [-103.97, -103.9, -87.34, -87.33, 88.37, 88.38, 88.7, 88.72, 88.722832, 88.73, -.infinity, .infinity]
        let x = Tensor(grid + edges)
        let y = x.exp()
        for (xi, yi) in zip(x.toArray(as: Float.self), y.toArray(as: Float.self)) {
            let reference = Foundation.exp(xi)
            #expect(yi == reference || abs(yi - reference) <= 2 * reference.ulp, "exp(\(xi)) = \(yi), libm \(reference) at \(InstructionSet.current)")
        }
    }

    /// float32 row sums give the same bits at every level: 32 lanes of partial sums (lane j adds
    /// the elements i ≡ j mod 32 in order), folded as lanes j + (j + 16) and added left to right
    /// from -0, then the tail left to right. Checked against that order written out in Swift.
    @Test(arguments: [1, 5, 31, 32, 33, 100, 1024, 1029])
    func rowSumsFollowOneOrder(_ cols: Int) {
        let rows = 3
        let x = Tensor.randn([rows, cols], generator: Generator(seed: UInt64(cols))) * 1000
        let values = x.toArray(as: Float.self)
        let sums = x.sum(dim: -1).toArray(as: Float.self)
        for r in 0..<rows {
            let row = Array(values[r * cols..<(r + 1) * cols])
            var lanes = [Float](repeating: 0, count: 32)
            var i = 0
            while i + 32 <= cols {
                for j in 0..<32 { lanes[j] += row[i + j] }
                i += 32
            }
            var s: Float = -0.0
            for j in 0..<16 { s += lanes[j] + lanes[j + 16] }
            while i < cols { s += row[i]; i += 1 }
            #expect(sums[r].bitPattern == s.bitPattern, "row \(r) of \(rows)x\(cols): \(sums[r]) vs \(s) at \(InstructionSet.current)")
        }
    }
}
