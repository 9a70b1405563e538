import CEmberKernels
@testable import Ember
import EmberTestSupport
import Testing

/// Ember's float32 GEMM kernel (`ember_gemm_f32`, CEmberKernels/gemm_impl.inc), which runs the
/// float32 products that OpenBLAS would run on one thread: against a float64 triple loop for
/// every transpose combination, partial register tiles (rows not a multiple of 8, an odd
/// number of 16-column panels), more than one block of k (256) and of columns (512), strided
/// operands, alpha and accumulation; and the shapes it leaves to BLAS.
@Suite struct GEMMKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let transA: Bool, transB: Bool, m: Int, n: Int, k: Int
        var alpha: Float = 1, accumulate = false, pad = 0
        /// C starts as NaN: without `accumulate` its old values must not be read.
        var nanC = false
        /// A row bias added to every row of C.
        var bias = false
        var testDescription: String {
            "\(transA ? "t" : "n")\(transB ? "t" : "n") m\(m) n\(n) k\(k) alpha \(alpha) accumulate \(accumulate) pad \(pad) nanC \(nanC) bias \(bias)"
        }
    }

    static let cases: [Case] = {
        var all: [Case] = []
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for (m, n, k) in [(64, 16, 1), (67, 48, 5), (130, 272, 300), (9, 32, 513), (200, 112, 256), (65, 528, 257),
                              (259, 48, 5), (300, 528, 300), (263, 32, 513)] {
                all.append(Case(transA: ta, transB: tb, m: m, n: n, k: k))
            }
            all.append(Case(transA: ta, transB: tb, m: 271, n: 80, k: 260, alpha: 0.37, accumulate: true, pad: 3))
            all.append(Case(transA: ta, transB: tb, m: 96, n: 32, k: 40, alpha: 1, accumulate: true, pad: 16))
            all.append(Case(transA: ta, transB: tb, m: 260, n: 64, k: 300, alpha: 2, pad: 5, nanC: true))
            all.append(Case(transA: ta, transB: tb, m: 270, n: 560, k: 300, alpha: 0.5, pad: 2, nanC: true, bias: true))
            all.append(Case(transA: ta, transB: tb, m: 70, n: 48, k: 7, accumulate: true, bias: true))
        }
        return all
    }()

    /// Deterministic values in [-1, 1).
    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float((($0 &* 7919 &+ seed &* 104_729) % 2003) - 1001) / 1001 }
    }

    @Test(arguments: cases) func matchesFloat64Product(_ t: Case) {
        // Stored shapes: A [m, k] or [k, m]; B [k, n] or [n, k]; each row padded by `pad`.
        let (aRows, aCols) = t.transA ? (t.k, t.m) : (t.m, t.k)
        let (bRows, bCols) = t.transB ? (t.n, t.k) : (t.k, t.n)
        let lda = aCols + t.pad, ldb = bCols + t.pad, ldc = t.n + t.pad
        let a = values(aRows * lda, seed: 1), b = values(bRows * ldb, seed: 2)
        var c0 = values(t.m * ldc, seed: 3)
        if t.nanC { for i in 0..<t.m { for j in 0..<t.n { c0[i * ldc + j] = .nan } } }
        var c = c0
        let bias = values(t.n, seed: 4)
        let ran = bias.withUnsafeBufferPointer { bp in
            ember_gemm_f32(t.transA ? 1 : 0, t.transB ? 1 : 0, t.m, t.n, t.k, t.alpha, a, lda, b, ldb,
                           t.accumulate ? 1 : 0, t.bias ? bp.baseAddress : nil, &c, ldc)
        }
        let declinedByDesign = ember_gemm_f32_available() == 0 || t.transB && t.m < 256
        #expect((ran == 1) == !declinedByDesign, "ran \(ran)")
        guard ran == 1 else { return }
        var worst = 0.0
        for i in 0..<t.m {
            for j in 0..<t.n {
                var s = 0.0
                for p in 0..<t.k {
                    let x = Double(t.transA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(t.transB ? b[j * ldb + p] : b[p * ldb + j])
                    s += x * y
                }
                let expected = Double(t.alpha) * s + (t.accumulate ? Double(c0[i * ldc + j]) : 0) + (t.bias ? Double(bias[j]) : 0)
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected) / (1 + abs(expected)))
            }
            // The padding after each row of C is left alone.
            for j in t.n..<ldc where c[i * ldc + j] != c0[i * ldc + j] {
                Issue.record("wrote padding at row \(i), column \(j)")
            }
        }
        #expect(worst < 1e-5, "largest relative error \(worst)")
    }

    @Test func leavesOtherShapesToBLAS() {
        let a = values(64 * 40, seed: 4), b = values(40 * 40, seed: 5)
        var c = [Float](repeating: 0, count: 64 * 40)
        // 20 columns: not a multiple of 16.
        #expect(ember_gemm_f32(0, 0, 64, 20, 40, 1, a, 40, b, 20, 0, nil, &c, 20) == 0)
        // A transposed B with fewer than 256 rows of A: packing B would cost more than it saves.
        #expect(ember_gemm_f32(0, 1, 32, 16, 40, 1, a, 40, b, 40, 0, nil, &c, 16) == 0)
        // More than 2^28 multiply-adds: OpenBLAS's large-matrix path measured as fast (it
        // returns before reading any operand).
        #expect(ember_gemm_f32(0, 0, 1024, 1024, 1024, 1, a, 1024, b, 1024, 0, nil, &c, 1024) == 0)
        // No k.
        #expect(ember_gemm_f32(0, 0, 64, 16, 0, 1, a, 1, b, 16, 0, nil, &c, 16) == 0)
    }

    /// A Linear layer large enough that its GEMMs are split across the cores (2^25 multiply-adds
    /// and up) takes the kernel for its forward product (adding the bias as it stores) and both
    /// gradients: float32 against the same layer in float64, whose BLAS path fills each block
    /// with the bias first. `[300, 256]·[600, 256]ᵀ` is split by columns, so the second block's
    /// bias starts at a column offset.
    @Test(arguments: [[1030, 256, 144], [300, 256, 600]]) func splitLinearMatchesFloat64(_ dims: [Int]) {
        let g = Generator(seed: 12)
        let (rows, inFeatures, outFeatures) = (dims[0], dims[1], dims[2])
        let x = Tensor.randn([rows, inFeatures], generator: g), w = Tensor.randn([outFeatures, inFeatures], generator: g) * 0.1
        let bias = Tensor.randn([outFeatures], generator: g), weights = Tensor.randn([rows, outFeatures], generator: g)
        func run(_ dtype: DType) -> [Tensor] {
            let xs = x.to(dtype).detach().requiresGrad_(), ws = w.to(dtype).detach().requiresGrad_()
            let bs = bias.to(dtype).detach().requiresGrad_()
            let y = xs.linear(weight: ws, bias: bs)
            (y * weights.to(dtype)).sum().backward()
            return [y, xs.grad!, ws.grad!, bs.grad!]
        }
        let single = run(.float32), double = run(.float64)
        // The output also against matmul plus bias, which takes no row-bias path.
        let reference = x.to(.float64).matmul(w.to(.float64).mT) + bias.to(.float64)
        assertClose(single[0].to(.float64), reference, rtol: 1e-4, atol: 1e-4, "output vs matmul + bias")
        assertClose(double[0], reference, rtol: 1e-9, atol: 1e-9, "float64 output vs matmul + bias")
        for (name, (s, d)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(single, double)) {
            assertClose(s.to(.float64), d, rtol: 1e-4, atol: 1e-4, name)
        }
    }
}
