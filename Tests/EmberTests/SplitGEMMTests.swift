import Ember
import EmberTestSupport
import Testing

/// Matrix products large enough (over 2^25 multiply-adds) that Ember splits them across the
/// cores itself, one single-threaded BLAS call per block of rows or columns, checked against
/// plain Double loops for every transpose combination and both split directions.
@Suite struct SplitGEMMTests {
    /// `a·b` in Double loops.
    func reference(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let x = a.toArray(as: Double.self), y = b.toArray(as: Double.self)
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let xv = x[i * k + p]
                for j in 0..<n { out[i * n + j] += xv * y[p * n + j] }
            }
        }
        return Tensor(out, shape: [m, n], dtype: .float64)
    }

    /// (m, k, n): taller than wide splits by rows, wider than tall by columns.
    @Test(arguments: [(520, 300, 230), (230, 300, 520)], [false, true])
    func matchesLoops(_ size: (Int, Int, Int), _ transposed: Bool) {
        let (m, k, n) = size
        #expect(m * n * k >= 1 << 25)
        let gen = Generator(seed: 7)
        // Transposed operands are views of the transposed storage, handed to BLAS as flags.
        let a = transposed ? Tensor.randn([k, m], generator: gen).mT : Tensor.randn([m, k], generator: gen)
        let b = transposed ? Tensor.randn([n, k], generator: gen).mT : Tensor.randn([k, n], generator: gen)
        let expected = reference(a, b)
        #expect(closeMismatch(a.matmul(b).to(.float64), expected, rtol: 1e-4, atol: 1e-4) == nil)
        #expect(closeMismatch(a.to(.float64).matmul(b.to(.float64)), expected, rtol: 1e-12, atol: 1e-10) == nil)
        // addmm: C scaled by beta plus alpha times the product.
        let c = Tensor.randn([m, n], generator: gen)
        let viaAddmm = c.addmm(a, b, beta: 0.5, alpha: 2)
        #expect(closeMismatch(viaAddmm.to(.float64), c.to(.float64) * 0.5 + expected * 2, rtol: 1e-4, atol: 2e-4) == nil)
    }
}
