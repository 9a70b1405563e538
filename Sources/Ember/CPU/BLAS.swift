import CBLAS
import CEmberKernels
import Synchronization

/// How a 2-d operand is handed to BLAS: its data pointer, whether BLAS should read it
/// transposed, and its leading dimension. Transposed views are passed as transposes, never copied.
struct GEMMOperand {
    let tensor: Tensor
    let transposed: Bool
    let ld: Int

    /// Describes a `[rows, cols]` matrix view at `tensor`'s offset (plus `extraOffset`), copying
    /// only when neither dimension is unit-stride.
    init(_ t: Tensor, rows: Int, cols: Int, rowStride: Int, colStride: Int) {
        if colStride == 1 && (rowStride >= Swift.max(cols, 1) || rows <= 1) {
            tensor = t; transposed = false; ld = Swift.max(rowStride, cols, 1)
        } else if rowStride == 1 && (colStride >= Swift.max(rows, 1) || cols <= 1) {
            tensor = t; transposed = true; ld = Swift.max(colStride, rows, 1)
        } else {
            tensor = t.convertedCopy(); transposed = false; ld = Swift.max(cols, 1)
        }
    }
}

/// `C[m, n] = alpha * A[m, k] · B[k, n] + beta * C`, row-major: float32 and float64 on
/// OpenBLAS, or float32 on Ember's own kernel (`ember_gemm_f32`) where a GEMM runs on one
/// thread and the kernel measured faster; a plain loop for other dtypes. `offA/offB/offC`
/// are element offsets from each tensor's own offset. `rowBias` (contiguous, `n` elements of
/// C's dtype; only with `beta` 0) is added to every row of C: a Linear layer's bias, which
/// Ember's kernel adds as it stores C instead of C being filled with it first.
func gemm(
    _ a: GEMMOperand, offA: Int, _ b: GEMMOperand, offB: Int, _ c: Tensor, offC: Int, ldc: Int,
    m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, rowBias: Tensor? = nil
) {
    if m == 0 || n == 0 { return }
    precondition(rowBias == nil || beta == 0 && rowBias!.isContiguous && rowBias!.numel == n && rowBias!.dtype == c.dtype,
                 "[internal] gemm: rowBias needs beta 0 and n contiguous elements of C's dtype")
    if (c.dtype == .float32 || c.dtype == .float64) && Parallel.workers > 1 && m * n * k >= splitGEMMThreshold
        && !BLASThreads.isHeld {
        splitGEMM(a, offA: offA, b, offB: offB, c, offC: offC, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta, rowBias: rowBias)
        return
    }
    blasGEMM(a, offA: offA, b, offB: offB, c, offC: offC, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta,
             rowBias: rowBias, biasColumn: 0)
}

/// Multiply-adds (`m·n·k`) from which a GEMM is split across the cores by Ember rather than
/// threaded inside OpenBLAS. Smaller GEMMs issued back to back (an LSTM's per-timestep
/// `[32, 256]·[256, 1024]`, 8M) measured faster on OpenBLAS's spinning threads on an idle
/// machine than with a libdispatch wake-up per call; a Transformer's (67M and up) faster split.
/// An isolated 256³ GEMM (16.8M) measured 16% slower split than on OpenBLAS's threads, so the
/// line sits above it.
let splitGEMMThreshold = 1 << 25

/// A large GEMM as one single-threaded BLAS call per core on a block of C's rows (or columns,
/// when C is wider than tall), so that the operand each block reads whole is the smaller one.
/// OpenBLAS's own threads stay asleep: after each threaded call they spin in `sched_yield`
/// for a long while, which on 2 busy cores cost about a tenth of a Transformer step's CPU time.
private func splitGEMM(
    _ a: GEMMOperand, offA: Int, _ b: GEMMOperand, offB: Int, _ c: Tensor, offC: Int, ldc: Int,
    m: Int, n: Int, k: Int, alpha: Double, beta: Double, rowBias: Tensor?
) {
    let byRows = m >= n
    let total = byRows ? m : n
    let chunks = Swift.min(Parallel.workers, total / 16)
    if chunks <= 1 {
        blasGEMM(a, offA: offA, b, offB: offB, c, offC: offC, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta,
                 rowBias: rowBias, biasColumn: 0)
        return
    }
    // Column chunks start at multiples of 16, whole panels of Ember's kernel. Chunks are at
    // least 16 wide, so rounding down keeps every chunk non-empty.
    func chunkStart(_ chunk: Int) -> Int {
        chunk == chunks ? total : byRows ? total * chunk / chunks : (total * chunk / chunks) & ~15
    }
    BLASThreads.withSingleThread {
        Parallel.forRange(chunks, grain: 1) { range in
            for chunk in range {
                let lo = chunkStart(chunk), hi = chunkStart(chunk + 1)
                if byRows {
                    // Row i of op(A) starts at i·lda, or at i when A is read transposed.
                    blasGEMM(a, offA: offA + lo * (a.transposed ? 1 : a.ld), b, offB: offB, c, offC: offC + lo * ldc, ldc: ldc,
                             m: hi - lo, n: n, k: k, alpha: alpha, beta: beta, rowBias: rowBias, biasColumn: 0)
                } else {
                    // Column j of op(B) starts at j, or at j·ldb when B is read transposed.
                    blasGEMM(a, offA: offA, b, offB: offB + lo * (b.transposed ? b.ld : 1), c, offC: offC + lo, ldc: ldc,
                             m: m, n: hi - lo, k: k, alpha: alpha, beta: beta, rowBias: rowBias, biasColumn: lo)
                }
            }
        }
    }
}

/// One GEMM on the calling thread or OpenBLAS's: Ember's float32 kernel where it applies, else BLAS
/// (or the reference loop for non-float dtypes). `rowBias[biasColumn ..< biasColumn + n]` is
/// added to every row of this block of C.
private func blasGEMM(
    _ a: GEMMOperand, offA: Int, _ b: GEMMOperand, offB: Int, _ c: Tensor, offC: Int, ldc: Int,
    m: Int, n: Int, k: Int, alpha: Double, beta betaIn: Double, rowBias: Tensor?, biasColumn: Int
) {
    let ta = a.transposed ? CblasTrans : CblasNoTrans
    let tb = b.transposed ? CblasTrans : CblasNoTrans
    // Ember's own kernel where OpenBLAS would run on this thread alone anyway (inside a split
    // GEMM or an op that splits its own work) and the shape is one it measured faster on: it
    // reads the activations where they lie, where OpenBLAS copies them first.
    if c.dtype == .float32 && (betaIn == 0 || betaIn == 1) && (Parallel.workers == 1 || BLASThreads.isHeld)
        && ember_gemm_f32(a.transposed ? 1 : 0, b.transposed ? 1 : 0, m, n, k, Float(alpha),
                          a.tensor.pointer(Float.self) + offA, a.ld, b.tensor.pointer(Float.self) + offB, b.ld,
                          betaIn == 1 ? 1 : 0, rowBias.map { UnsafePointer($0.pointer(Float.self) + biasColumn) },
                          c.pointer(Float.self) + offC, ldc) != 0 {
        return
    }
    var beta = betaIn
    if let rowBias {
        // BLAS accumulates onto the bias: every row of the block starts as it.
        fillRows(c, offset: offC, rows: m, cols: n, ld: ldc, from: rowBias, column: biasColumn)
        beta = 1
    }
    switch c.dtype {
    case .float32:
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                    a.tensor.pointer(Float.self) + offA, Int32(a.ld),
                    b.tensor.pointer(Float.self) + offB, Int32(b.ld),
                    Float(beta), c.pointer(Float.self) + offC, Int32(ldc))
    case .float64:
        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha,
                    a.tensor.pointer(Double.self) + offA, Int32(a.ld),
                    b.tensor.pointer(Double.self) + offB, Int32(b.ld),
                    beta, c.pointer(Double.self) + offC, Int32(ldc))
    default:
        c.dtype.visitArithmetic(NaiveGEMM(a: a, offA: offA, b: b, offB: offB, c: c, offC: offC, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta))
    }
}

/// Copies `row[column ..< column + cols]` (contiguous, C's dtype) into each of the `rows` rows
/// of `cols` elements, `ld` apart, that start `offset` elements into `c`; no autograd.
func fillRows(_ c: Tensor, offset: Int, rows: Int, cols: Int, ld: Int, from row: Tensor, column: Int) {
    let size = c.dtype.itemSize
    let src = UnsafeRawPointer(row.storage.data + (row.offset + column) * size)
    let dst = c.storage.data + (c.offset + offset) * size
    for r in 0..<rows { (dst + r * ld * size).copyMemory(from: src, byteCount: cols * size) }
}

/// The reference triple loop, for integer dtypes.
private struct NaiveGEMM: ArithmeticVisitor {
    let a: GEMMOperand, offA: Int, b: GEMMOperand, offB: Int, c: Tensor, offC: Int, ldc: Int
    let m: Int, n: Int, k: Int, alpha: Double, beta: Double
    func visit<T: ArithmeticElement>(_: T.Type) {
        let pa = a.tensor.pointer(T.self) + offA, pb = b.tensor.pointer(T.self) + offB, pc = c.pointer(T.self) + offC
        for i in 0..<m {
            for j in 0..<n {
                var s = T.zeroValue
                for p in 0..<k {
                    let x = a.transposed ? pa[p * a.ld + i] : pa[i * a.ld + p]
                    let y = b.transposed ? pb[j * b.ld + p] : pb[p * b.ld + j]
                    s = T.add(s, T.mul(x, y))
                }
                let prior = beta == 0 ? T.zeroValue : T.mul(T(double: beta), pc[i * ldc + j])
                pc[i * ldc + j] = T.add(T.mul(T(double: alpha), s), prior)
            }
        }
    }
}

/// OpenBLAS's thread count is process-wide. An op that issues many small GEMMs from Ember's
/// own parallel chunks (a convolution split across the batch) runs them with OpenBLAS held to
/// the calling thread, so Ember's chunks and OpenBLAS's threads never run at once; the last
/// such op to finish restores the previous count. (A GEMM another thread starts meanwhile runs
/// single-threaded: slower, never wrong.)
enum BLASThreads {
    /// OpenBLAS's thread count before the first current user held it.
    private static let saved = Locked<Int32>(1)
    /// The ops holding it now; changed only under `saved`'s lock, read without it (every
    /// float32 GEMM asks).
    private static let users = Atomic<Int>(0)

    /// Whether some op holds OpenBLAS to one thread right now (it is splitting work across the
    /// cores itself, so a GEMM it issues must not be split again).
    static var isHeld: Bool { users.load(ordering: .acquiring) > 0 }

    static func withSingleThread<R>(_ body: () -> R) -> R {
        saved.withLock { saved in
            if users.load(ordering: .relaxed) == 0 {
                saved = openblas_get_num_threads()
                if saved != 1 { openblas_set_num_threads(1) }
            }
            users.add(1, ordering: .releasing)
        }
        defer {
            saved.withLock { saved in
                let left = users.subtract(1, ordering: .releasing).newValue
                if left == 0 && saved != 1 { openblas_set_num_threads(saved) }
            }
        }
        return body()
    }
}
