import CBLAS
import Ember

/// Workload `gemm`: float32 matrix products in GFLOP/s, plain and with a transposed operand
/// passed as a view, beside `cblas_sgemm` called directly on the same buffers (the limit).
enum GEMMBench {
    /// `(m, k, n)`: C[m, n] = A[m, k] · B[k, n].
    static func shapes(quick: Bool) -> [(m: Int, k: Int, n: Int)] {
        let squares = quick ? [256, 512] : [256, 512, 1024, 2048]
        return squares.map { (m: $0, k: $0, n: $0) } + [(m: 128, k: 784, n: 512)]
    }

    /// Which operand is stored transposed and read through a `.T` view.
    enum Layout: CaseIterable {
        case plain, transposedA, transposedB
        var label: String {
            switch self {
            case .plain: "A.B"
            case .transposedA: "A^T.B"
            case .transposedB: "A.B^T"
            }
        }
    }

    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        for (m, k, n) in shapes(quick: quick) {
            let size = m == k && k == n ? "\(m)^3" : "\(m)x\(k)x\(n)"
            for layout in Layout.allCases {
                let caseName = "\(size) \(layout.label)"
                let flops = 2.0 * Double(m) * Double(k) * Double(n)
                // Stored operands: A^T.B keeps A as [k, m]; A.B^T keeps B as [n, k].
                let aStored = Tensor.randn(layout == .transposedA ? [k, m] : [m, k])
                let bStored = Tensor.randn(layout == .transposedB ? [n, k] : [k, n])
                let a = layout == .transposedA ? aStored.T : aStored
                let b = layout == .transposedB ? bStored.T : bStored

                let ember = secondsPerCall(plan) { blackHole(a.matmul(b)) }
                report("gemm", caseName, .ember, "GFLOP/s", flops / ember / 1e9)

                let c = Tensor(empty: [m, n])
                let pa = aStored.storage.data.assumingMemoryBound(to: Float.self)
                let pb = bStored.storage.data.assumingMemoryBound(to: Float.self)
                let pc = c.storage.data.assumingMemoryBound(to: Float.self)
                let ta = layout == .transposedA ? CblasTrans : CblasNoTrans
                let tb = layout == .transposedB ? CblasTrans : CblasNoTrans
                let lda = Int32(layout == .transposedA ? m : k)
                let ldb = Int32(layout == .transposedB ? k : n)
                let blas = secondsPerCall(plan) {
                    cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, pa, lda, pb, ldb, 0, pc, Int32(n))
                }
                report("gemm", caseName, .limit, "GFLOP/s", flops / blas / 1e9, source: "cblas_sgemm")
                withExtendedLifetime((aStored, bStored, c)) {}
            }
        }
        interplay(plan)
    }

    /// A GEMM followed by an elementwise op, in a loop: shows whether Ember's worker threads
    /// and OpenBLAS's threads fight over the cores (each alone vs. both in turn).
    static func interplay(_ plan: TimingPlan) {
        let a = Tensor.randn([512, 512]), v = Tensor.randn([1 << 20])
        let both = secondsPerCall(plan) { blackHole(a.matmul(a)); blackHole(v.relu()) }
        report("gemm", "512^3 then relu 1M", .ember, "ms/iter", both * 1e3)
    }
}
