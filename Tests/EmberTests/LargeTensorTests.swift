import Ember
import EmberTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sizes large enough (300k elements) to take the parallel and SIMD paths, checked against
/// plain Swift loops over the same values in Double.
@Suite struct LargeTensors {
    static let rows = 600, cols = 500     // 300,000 elements

    func randn(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
        Tensor.randn(shape, dtype: dtype, generator: Generator(seed: seed))
    }

    func values(_ t: Tensor) -> [Double] { t.toArray(as: Double.self) }

    func reference(_ v: [Double], _ shape: [Int]) -> Tensor { Tensor(v, shape: shape, dtype: .float64) }

    /// Tolerances for results computed in `dtype` against Double loops.
    func tol(_ dtype: DType) -> (rtol: Double, atol: Double) { dtype == .float64 ? (1e-12, 1e-12) : (1e-5, 1e-6) }

    @Test(arguments: [DType.float32, .float64]) func elementwise(_ dtype: DType) {
        let shape = [Self.rows, Self.cols]
        let a = randn(shape, dtype, seed: 1), b = randn(shape, dtype, seed: 2)
        let x = values(a), y = values(b)
        let (rtol, atol) = tol(dtype)
        func check(_ t: Tensor, _ f: (Double, Double) -> Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(t.dtype == dtype, sourceLocation: sourceLocation)
            assertClose(t, reference(zip(x, y).map(f), shape), rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
        }
        check(a + b, { $0 + $1 }, "add")
        check(a - b, { $0 - $1 }, "sub")
        check(a * b, { $0 * $1 }, "mul")
        check(a / (b.abs() + 1), { $0 / (Swift.abs($1) + 1) }, "div")
        check(a.maximum(b), { Swift.max($0, $1) }, "maximum")
        check(a * 3 + 1, { u, _ in u * 3 + 1 }, "scalar")
        check(a.exp(), { u, _ in Glibc.exp(u) }, "exp")
        check(a.tanh(), { u, _ in Glibc.tanh(u) }, "tanh")
        check(a.sigmoid(), { u, _ in 1 / (1 + Glibc.exp(-u)) }, "sigmoid")
        check(a.relu(), { u, _ in Swift.max(u, 0) }, "relu")
        check(a.abs().log(), { u, _ in Glibc.log(Swift.abs(u)) }, "log")
        check(a.gelu(), { u, _ in u * (1 + Glibc.erf(u / 2.0.squareRoot())) / 2 }, "gelu")
        check(a.clamp(min: -0.5, max: 0.5), { u, _ in Swift.min(Swift.max(u, -0.5), 0.5) }, "clamp")
    }

    @Test(arguments: [DType.float32, .float64]) func broadcastAndStrided(_ dtype: DType) {
        let r = Self.rows, c = Self.cols
        let a = randn([r, c], dtype, seed: 3), row = randn([c], dtype, seed: 4), col = randn([r, 1], dtype, seed: 5)
        let bt = randn([c, r], dtype, seed: 6)
        let x = values(a), rv = values(row), cv = values(col), btv = values(bt)
        let (rtol, atol) = tol(dtype)
        var plusRow = [Double](repeating: 0, count: r * c), timesCol = plusRow, plusT = plusRow, expT = plusRow
        for i in 0..<r {
            for j in 0..<c {
                plusRow[i * c + j] = x[i * c + j] + rv[j]
                timesCol[i * c + j] = x[i * c + j] * cv[i]
                plusT[i * c + j] = x[i * c + j] + btv[j * r + i]
                expT[i * c + j] = Glibc.exp(btv[j * r + i])
            }
        }
        assertClose(a + row, reference(plusRow, [r, c]), rtol: rtol, atol: atol, "row broadcast")
        assertClose(a * col, reference(timesCol, [r, c]), rtol: rtol, atol: atol, "column broadcast")
        assertClose(a + bt.transpose(0, 1), reference(plusT, [r, c]), rtol: rtol, atol: atol, "transposed operand")
        assertClose(bt.transpose(0, 1).exp(), reference(expT, [r, c]), rtol: rtol, atol: atol, "strided unary")
        assertClose(bt.transpose(0, 1).contiguous(), reference((0..<(r * c)).map { btv[($0 % c) * r + $0 / c] }, [r, c]), rtol: 0, atol: 0, "contiguous copy")
    }

    @Test(arguments: [DType.float32, .float64]) func reductions(_ dtype: DType) {
        let r = Self.rows, c = Self.cols
        let a = randn([r, c], dtype, seed: 7)
        let x = values(a)
        // Float32 sums accumulate rounding: allow a tolerance relative to Σ|x|.
        let sumTol = (dtype == .float64 ? 1e-12 : 1e-5) * x.reduce(0) { $0 + Swift.abs($1) }
        #expect(Swift.abs(a.sum().item() - x.reduce(0, +)) <= sumTol)
        #expect(Swift.abs(a.mean().item() - x.reduce(0, +) / Double(r * c)) <= sumTol / Double(r * c))
        var colSums = [Double](repeating: 0, count: c), rowSums = [Double](repeating: 0, count: r)
        var rowMax = [Double](repeating: -.infinity, count: r), rowArg = [Int64](repeating: 0, count: r)
        for i in 0..<r {
            for j in 0..<c {
                let v = x[i * c + j]
                colSums[j] += v
                rowSums[i] += v
                if v > rowMax[i] { rowMax[i] = v; rowArg[i] = Int64(j) }
            }
        }
        let (rtol, _) = tol(dtype)
        assertClose(a.sum(dim: 0), reference(colSums, [c]), rtol: rtol, atol: 1e-4, "column sums")
        assertClose(a.sum(dim: 1), reference(rowSums, [r]), rtol: rtol, atol: 1e-4, "row sums")
        assertClose(a.transpose(0, 1).sum(dim: 1), reference(colSums, [c]), rtol: rtol, atol: 1e-4, "strided sums")
        let m = a.max(dim: 1)
        assertClose(m.values, reference(rowMax, [r]), rtol: 0, atol: 0, "max values")
        #expect(m.indices.toArray(as: Int64.self) == rowArg)
        #expect(a.max().item() == x.max()!)
        #expect(a.min().item() == x.min()!)
        #expect(a.argmax().item(as: Int64.self) == Int64(x.firstIndex(of: x.max()!)!))
        assertClose(a.amax(dims: [1]), reference(rowMax, [r]), rtol: 0, atol: 0, "amax")
        let rowVar = (0..<r).map { i -> Double in
            let mean = rowSums[i] / Double(c)
            return (0..<c).reduce(0) { $0 + (x[i * c + $1] - mean) * (x[i * c + $1] - mean) } / Double(c - 1)
        }
        assertClose(a.variance(dim: 1), reference(rowVar, [r]), rtol: dtype == .float64 ? 1e-10 : 1e-4, atol: 1e-6, "variance")
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(Swift.abs(a.norm().item() - norm) <= norm * (dtype == .float64 ? 1e-12 : 1e-5))
    }

    @Test(arguments: [DType.float32, .float64]) func softmaxRows(_ dtype: DType) {
        let r = Self.rows, c = Self.cols
        let a = randn([r, c], dtype, seed: 8) * 4
        let x = values(a)
        var soft = [Double](repeating: 0, count: r * c), logSoft = soft
        for i in 0..<r {
            let row = x[(i * c)..<((i + 1) * c)]
            let m = row.max()!
            let s = row.reduce(0) { $0 + Glibc.exp($1 - m) }
            for j in 0..<c {
                soft[i * c + j] = Glibc.exp(x[i * c + j] - m) / s
                logSoft[i * c + j] = x[i * c + j] - m - Glibc.log(s)
            }
        }
        let (rtol, atol) = tol(dtype)
        assertClose(a.softmax(dim: 1), reference(soft, [r, c]), rtol: rtol, atol: atol, "softmax")
        assertClose(a.logSoftmax(dim: 1), reference(logSoft, [r, c]), rtol: rtol, atol: dtype == .float64 ? 1e-12 : 1e-5, "logSoftmax")
        assertClose(a.transpose(0, 1).softmax(dim: 0).transpose(0, 1), reference(soft, [r, c]), rtol: rtol, atol: atol, "softmax over dim 0")
    }

    @Test(arguments: [DType.float32, .float64]) func matmul(_ dtype: DType) {
        let m = 200, k = 300, n = 100
        let a = randn([m, k], dtype, seed: 9), b = randn([k, n], dtype, seed: 10)
        let x = values(a), y = values(b)
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let v = x[i * k + p]
                for j in 0..<n { out[i * n + j] += v * y[p * n + j] }
            }
        }
        let atol = dtype == .float64 ? 1e-11 : 1e-4
        assertClose(a.matmul(b), reference(out, [m, n]), rtol: 1e-5, atol: atol, "matmul")
        assertClose(b.transpose(0, 1).matmul(a.transpose(0, 1)).transpose(0, 1), reference(out, [m, n]), rtol: 1e-5, atol: atol, "transposed matmul")
    }

    @Test func manySmallBatchedProducts() {
        // Small matrices: the batch is split across cores instead of inside BLAS.
        let batch = 4096
        let a = randn([batch, 3, 4], .float64, seed: 11), b = randn([batch, 4, 2], .float64, seed: 12)
        let x = values(a), y = values(b)
        var out = [Double](repeating: 0, count: batch * 6)
        for s in 0..<batch {
            for i in 0..<3 {
                for j in 0..<2 {
                    out[s * 6 + i * 2 + j] = (0..<4).reduce(0) { $0 + x[s * 12 + i * 4 + $1] * y[s * 8 + $1 * 2 + j] }
                }
            }
        }
        assertClose(a.bmm(b), reference(out, [batch, 3, 2]), rtol: 1e-12, atol: 1e-12)
        assertClose(a.matmul(b), reference(out, [batch, 3, 2]), rtol: 1e-12, atol: 1e-12)
    }

    @Test func backward() {
        let n = Self.rows * Self.cols
        let x = randn([n], .float32, seed: 13).requiresGrad_()
        let w = randn([n], .float32, seed: 14)
        (x.exp() * w).sum().backward()
        let xv = values(x), wv = values(w)
        assertClose(x.grad!, reference(zip(xv, wv).map { Glibc.exp($0) * $1 }, [n]), rtol: 1e-5, atol: 1e-6)
        let y = randn([Self.rows, Self.cols], .float64, seed: 15).requiresGrad_()
        y.softmax(dim: 1).select(1, 0).sum().backward()
        // d/dy Σ_i softmax(y_i)[0]: s0 (δ_j0 - s_j) per row.
        let s = values(withNoGrad { y.softmax(dim: 1) })
        var expected = [Double](repeating: 0, count: Self.rows * Self.cols)
        for i in 0..<Self.rows {
            let s0 = s[i * Self.cols]
            for j in 0..<Self.cols { expected[i * Self.cols + j] = s0 * ((j == 0 ? 1 : 0) - s[i * Self.cols + j]) }
        }
        assertClose(y.grad!, reference(expected, [Self.rows, Self.cols]), rtol: 1e-10, atol: 1e-14)
    }

    @Test func castsFillsAndIndexing() {
        let n = Self.rows * Self.cols
        let a = randn([n], .float32, seed: 16) * 1000
        let floats = a.toArray(as: Float.self)
        #expect(a.to(.float16).toArray(as: Float16.self) == floats.map { Float16($0) })
        #expect(a.to(.float64).toArray(as: Double.self) == floats.map { Double($0) })
        #expect(a.to(.int64).toArray(as: Int64.self) == floats.map { Int64($0) })
        #expect(a.to(.bfloat16).toArray(as: BFloat16.self) == floats.map { BFloat16($0) })
        #expect(Tensor.full([n], 2.5).toArray().allSatisfy { $0 == 2.5 })
        let index = Tensor.randint(0, n, [n], generator: Generator(seed: 17))
        let iv = index.toArray(as: Int64.self)
        #expect(a.indexSelect(0, index).toArray(as: Float.self) == iv.map { floats[Int($0)] })
        #expect(a.gather(0, index).toArray(as: Float.self) == iv.map { floats[Int($0)] })
        let sorted = a.sort().values.toArray(as: Float.self)
        #expect(sorted == floats.sorted())
        let mask = a .> 0
        #expect(a.maskedFill(mask, 0).toArray(as: Float.self) == floats.map { $0 > 0 ? 0 : $0 })
        let cs = a.to(.float64).cumsum(dim: 0).toArray(as: Double.self)
        var run = 0.0
        let expected = floats.map { run += Double($0); return run }
        #expect(zip(cs, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-9 * Swift.max(1, Swift.abs($1)) })
    }
}
