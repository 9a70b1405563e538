import CEmberKernels

/// Row reductions: the input is viewed as `[outer, inner]` contiguous rows and each row is
/// reduced to one value. Reductions over other dims first move those dims last.
enum ReduceOp { case sum, prod, max, min, all, any }

/// Sum of `n` contiguous values. Float32 goes to the C kernel (`ember_sum_rows_f32`, built for
/// AVX-512, AVX2 and the baseline: Swift's own SIMD code compiles to SSE only), which keeps 32
/// lanes of partial sums: faster than a scalar loop and, like PyTorch's cascade sum, far more
/// accurate than one running float.
@inline(__always)
func contiguousSum<T: ArithmeticElement>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    if T.self == Float.self {
        var s: Float = 0
        ember_sum_rows_f32(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self), &s, 1, n)
        return unsafeBitCast(s, to: T.self)
    }
    var s = T.zeroValue
    for i in 0..<n { s = T.add(s, p[i]) }
    return s
}

struct RowReduceKernel: ArithmeticVisitor {
    let op: ReduceOp, x: Tensor, out: Tensor, outer: Int, inner: Int

    func visit<T: ArithmeticElement>(_: T.Type) {
        let px = UnsafePointer(x.pointer(T.self))
        let po = out.pointer(T.self)
        let inner = self.inner
        if outer == 1 && op == .sum && inner >= 1 << 16 {
            // One long row: split it across cores and add the partial sums.
            var partial = [T](repeating: T.zeroValue, count: Parallel.workers)
            partial.withUnsafeMutableBufferPointer { parts in
                let chunk = (inner + parts.count - 1) / parts.count
                Parallel.forRange(parts.count, grain: 1) { r in
                    for k in r {
                        let start = k * chunk, end = Swift.min(inner, start + chunk)
                        parts[k] = start < end ? contiguousSum(px + start, end - start) : T.zeroValue
                    }
                }
            }
            po[0] = partial.reduce(T.zeroValue, T.add)
            return
        }
        if T.self == Float.self && op == .sum {
            // Whole blocks of rows per C call; a second core only for at least 256 KiB each.
            let fx = UnsafeRawPointer(px).assumingMemoryBound(to: Float.self)
            let fo = UnsafeMutableRawPointer(po).assumingMemoryBound(to: Float.self)
            Parallel.forRange(outer, grain: Swift.max(1, (1 << 16) / Swift.max(inner, 1))) { rows in
                ember_sum_rows_f32(fx + rows.lowerBound * inner, fo + rows.lowerBound, rows.count, inner)
            }
            return
        }
        Parallel.forRange(outer, grain: Swift.max(1, (1 << 15) / Swift.max(inner, 1))) { rows in
            for r in rows { po[r] = reduceRow(px + r * inner, inner) }
        }
    }

    @inline(__always)
    private func reduceRow<T: ArithmeticElement>(_ p: UnsafePointer<T>, _ n: Int) -> T {
        switch op {
        case .sum: return contiguousSum(p, n)
        case .prod:
            var v = T.oneValue
            for i in 0..<n { v = T.mul(v, p[i]) }
            return v
        case .max:
            var v = T.lowest
            for i in 0..<n { let e = p[i]; if e.isNaNValue { return e }; if e > v { v = e } }
            return v
        case .min:
            var v = T.highest
            for i in 0..<n { let e = p[i]; if e.isNaNValue { return e }; if e < v { v = e } }
            return v
        case .all:
            for i in 0..<n where p[i] == T.zeroValue { return T.zeroValue }
            return T.oneValue
        case .any:
            for i in 0..<n where p[i] != T.zeroValue { return T.oneValue }
            return T.zeroValue
        }
    }
}

/// Column sums: `out[c] = Σ_r x[r, c]` for a contiguous `[rows, cols]` input, adding whole
/// rows at a time so the inner loop vectorizes (the bias-gradient pattern).
struct ColumnSumKernel: ArithmeticVisitor {
    let x: Tensor, out: Tensor, rows: Int, cols: Int
    func visit<T: ArithmeticElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self)
        let rows = self.rows, cols = self.cols
        Parallel.forRange(cols, grain: Swift.max(16, (1 << 15) / Swift.max(rows, 1))) { cr in
            for c in cr { po[c] = T.zeroValue }
            // Four rows per pass: a quarter of the loads and stores of the sums.
            var r = 0
            while r + 4 <= rows {
                let r0 = px + r * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols
                for c in cr { po[c] = T.add(po[c], T.add(T.add(r0[c], r1[c]), T.add(r2[c], r3[c]))) }
                r += 4
            }
            while r < rows {
                let row = px + r * cols
                for c in cr { po[c] = T.add(po[c], row[c]) }
                r += 1
            }
        }
    }
}

/// Index of the largest (or smallest) value in each row; the first one on ties, NaN wins.
struct ArgReduceKernel: ArithmeticVisitor {
    let x: Tensor, values: Tensor, indices: Tensor, outer: Int, inner: Int, isMax: Bool
    func visit<T: ArithmeticElement>(_: T.Type) {
        let px = x.pointer(T.self), pv = values.pointer(T.self), pi = indices.pointer(Int64.self)
        let inner = self.inner, isMax = self.isMax
        Parallel.forRange(outer, grain: Swift.max(1, (1 << 15) / Swift.max(inner, 1))) { rows in
            for r in rows {
                let p = px + r * inner
                var best = p[0], bestIndex = 0
                for i in 1..<Swift.max(inner, 1) {
                    let e = p[i]
                    if best.isNaNValue { break }
                    if e.isNaNValue || (isMax ? e > best : e < best) { best = e; bestIndex = i }
                }
                pv[r] = best
                pi[r] = Int64(bestIndex)
            }
        }
    }
}
