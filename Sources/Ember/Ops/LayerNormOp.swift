/// Layer normalization as one fused op with a hand-written backward.
///
/// Composed from primitives, a layer norm is eight elementwise or reduction passes forward
/// and about twenty backward, each writing a temporary the size of the input; here forward is
/// one pass per row (mean and variance, then the normalized, scaled and shifted output) and
/// backward one pass per row plus the column sums of the weight and bias gradients
/// (STYLE: fuse where it measurably pays; a Transformer block runs two of these per layer).
extension Tensor {
    /// Normalizes over the trailing `normalizedShape` dims, then scales by `weight` and shifts
    /// by `bias` (each of shape `normalizedShape`, optional): `(x - mean) / √(var + eps) · w + b`,
    /// the variance biased (PyTorch: `F.layer_norm(x, normalized_shape, weight, bias, eps)`).
    ///
    /// ```swift
    /// let y = x.layerNorm([512], weight: gamma, bias: beta)
    /// ```
    public func layerNorm(_ normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5,
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let op: StaticString = "layerNorm"
        let k = normalizedShape.count
        check(dim >= k && Array(shape.suffix(k)) == normalizedShape, op, "expected an input whose last dims are \(normalizedShape) (normalized_shape), got shape \(shape)", file: file, line: line)
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t { check(t.shape == normalizedShape, op, "\(name) must have shape \(normalizedShape), got \(t.shape)", file: file, line: line) }
        }
        check(dtype == .float32 || dtype == .float64, op, "expected a float32 or float64 input, got \(dtype)", file: file, line: line)
        for t in [weight, bias].compactMap({ $0 }) {
            check(t.dtype == dtype, op, "weight and bias must have the input's dtype \(dtype), got \(t.dtype)", file: file, line: line)
        }
        let cols = normalizedShape.reduce(1, *)
        let rows = cols == 0 ? 0 : numel / cols
        let x = isContiguous ? self : convertedCopy()
        let w = weight.map { $0.isContiguous ? $0 : $0.convertedCopy() }
        let b = bias.map { $0.isContiguous ? $0 : $0.convertedCopy() }
        let out = Tensor(empty: shape, dtype: dtype)
        let mean = Tensor(empty: [Swift.max(rows, 1)], dtype: dtype), rstd = Tensor(empty: [Swift.max(rows, 1)], dtype: dtype)
        if rows > 0 && cols > 0 {
            dtype.visitFloat(LayerNormForward(x: x, w: w, b: b, out: out, mean: mean, rstd: rstd, rows: rows, cols: cols, eps: eps))
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        guard needsGrad(inputs) else { return out }
        let saved = inputs.map { SavedTensor($0, op: "NativeLayerNormBackward0") }
        let needX = requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        let hasW = weight != nil, hasB = bias != nil
        let dims = Array((dim - k)..<dim)
        record("NativeLayerNormBackward0", out, inputs: inputs, file: file, line: line) { g in
            let xs = saved[0].value, ws = hasW ? saved[1].value : nil
            if GradMode.isEnabled {
                // createGraph: the same gradients written with tensor ops, so they differentiate again.
                let centered = xs - xs.mean(dims: dims, keepDim: true)
                let r = (centered.square().mean(dims: dims, keepDim: true) + eps).rsqrt()
                let xhat = centered * r
                let gw = ws.map { g * $0 } ?? g
                let dx = r * (gw - gw.mean(dims: dims, keepDim: true) - xhat * (gw * xhat).mean(dims: dims, keepDim: true))
                let lead = Array(0..<(xs.dim - k))
                var grads: [Tensor?] = [needX ? dx : nil]
                if hasW { grads.append(needW ? (g * xhat).sum(dims: lead) : nil) }
                if hasB { grads.append(needB ? g.sum(dims: lead) : nil) }
                return grads
            }
            let gc = g.isContiguous ? g : g.convertedCopy()
            let dx = needX ? Tensor(empty: xs.shape, dtype: xs.dtype) : nil
            let dw = needW ? Tensor(empty: normalizedShape, dtype: xs.dtype) : nil
            let db = needB ? Tensor(empty: normalizedShape, dtype: xs.dtype) : nil
            xs.dtype.visitFloat(LayerNormBackward(x: x, w: w, g: gc, mean: mean, rstd: rstd, dx: dx, dw: dw, db: db, rows: rows, cols: cols))
            var grads: [Tensor?] = [dx]
            if hasW { grads.append(dw) }
            if hasB { grads.append(db) }
            return grads
        }
        return out
    }
}

/// Per row: mean, 1/√(var + eps), and the scaled, shifted output.
private struct LayerNormForward: FloatVisitor {
    let x: Tensor, w: Tensor?, b: Tensor?, out: Tensor, mean: Tensor, rstd: Tensor, rows: Int, cols: Int, eps: Double
    func visit<T: FloatElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self), pm = mean.pointer(T.self), pr = rstd.pointer(T.self)
        let pw = w?.pointer(T.self), pb = b?.pointer(T.self)
        let n = cols, e = T(eps), inv = 1 / T(cols)
        Parallel.forRange(rows, grain: Swift.max(1, (1 << 15) / n)) { range in
            for r in range {
                let row = px + r * n, o = po + r * n
                let m = contiguousSum(UnsafePointer(row), n) * inv
                let v = squaredDeviationSum(UnsafePointer(row), n, m)
                let s = 1 / (v * inv + e).squareRoot()
                pm[r] = m
                pr[r] = s
                switch (pw, pb) {
                case let (w?, b?): for j in 0..<n { o[j] = (row[j] - m) * s * w[j] + b[j] }
                case let (w?, nil): for j in 0..<n { o[j] = (row[j] - m) * s * w[j] }
                case let (nil, b?): for j in 0..<n { o[j] = (row[j] - m) * s + b[j] }
                case (nil, nil): for j in 0..<n { o[j] = (row[j] - m) * s }
                }
            }
        }
    }
}

/// `dx = rstd · (gw - mean(gw) - x̂ · mean(gw · x̂))` per row with `gw = g · w`; the weight and
/// bias gradients are column sums of `g · x̂` and `g`, accumulated per thread and then added.
private struct LayerNormBackward: FloatVisitor {
    let x: Tensor, w: Tensor?, g: Tensor, mean: Tensor, rstd: Tensor
    let dx: Tensor?, dw: Tensor?, db: Tensor?
    let rows: Int, cols: Int
    func visit<T: FloatElement>(_: T.Type) {
        let px = x.pointer(T.self), pg = g.pointer(T.self), pm = mean.pointer(T.self), pr = rstd.pointer(T.self)
        let pw = w?.pointer(T.self), pdx = dx?.pointer(T.self)
        let n = cols, inv = 1 / T(cols)
        let wantColumns = dw != nil || db != nil
        let chunks = Swift.max(1, Swift.min(Parallel.workers, rows / Swift.max(1, (1 << 14) / n)))
        // Per chunk: n partial sums for dw, then n for db.
        var partial = [T](repeating: 0, count: wantColumns ? chunks * 2 * n : 0)
        partial.withUnsafeMutableBufferPointer { parts in
            // An empty array's base address is the shared empty storage: never write through it.
            let pp = wantColumns ? parts.baseAddress : nil
            Parallel.forRange(chunks, grain: 1) { chunkRange in
                for c in chunkRange {
                    let start = rows * c / chunks, end = rows * (c + 1) / chunks
                    let accW = pp.map { $0 + c * 2 * n }, accB = pp.map { $0 + c * 2 * n + n }
                    for r in start..<end {
                        let row = px + r * n, gr = pg + r * n
                        let m = pm[r], s = pr[r]
                        if let accW, let accB {
                            for j in 0..<n {
                                accW[j] += gr[j] * (row[j] - m) * s
                                accB[j] += gr[j]
                            }
                        }
                        guard let pdx else { continue }
                        let (sumG, sumGD) = weightedGradientSums(UnsafePointer(gr), pw.map { UnsafePointer($0) }, UnsafePointer(row), n, m)
                        let sumGX = sumGD * s
                        if let pw {
                            let a = sumG * inv, c2 = sumGX * inv, o = pdx + r * n
                            for j in 0..<n { o[j] = s * (gr[j] * pw[j] - a - (row[j] - m) * s * c2) }
                        } else {
                            let a = sumG * inv, c2 = sumGX * inv, o = pdx + r * n
                            for j in 0..<n { o[j] = s * (gr[j] - a - (row[j] - m) * s * c2) }
                        }
                    }
                }
            }
            guard let pp else { return }
            let pdw = dw?.pointer(T.self), pdb = db?.pointer(T.self)
            for j in 0..<n {
                var sw: T = 0, sb: T = 0
                for c in 0..<chunks { sw += pp[c * 2 * n + j]; sb += pp[c * 2 * n + n + j] }
                pdw?[j] = sw
                pdb?[j] = sb
            }
        }
    }
}

/// `Σ (p[j] - m)²` over `n` contiguous values: for float32 in 16-lane vectors (a scalar sum
/// waits on every add: 128 of them made LayerNorm's forward a tenth of a Transformer step's
/// non-GEMM time).
@inline(__always)
private func squaredDeviationSum<T: FloatElement>(_ p: UnsafePointer<T>, _ n: Int, _ m: T) -> T {
    if T.self == Float.self {
        let raw = UnsafeRawPointer(p), mf = unsafeBitCast(m, to: Float.self)
        var acc = SIMD16<Float>()
        var j = 0
        while j + 16 <= n {
            let d = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - mf
            acc += d * d
            j += 16
        }
        var s = acc.sum()
        let fp = raw.assumingMemoryBound(to: Float.self)
        while j < n { let d = fp[j] - mf; s += d * d; j += 1 }
        return unsafeBitCast(s, to: T.self)
    }
    var v: T = 0
    for j in 0..<n { let d = p[j] - m; v += d * d }
    return v
}

/// `(Σ gw[j], Σ gw[j]·(x[j] - m))` with `gw = g·w` (`g` alone without `w`) over `n`
/// contiguous values: LayerNorm backward's two row sums, in 16-lane vectors for float32.
@inline(__always)
private func weightedGradientSums<T: FloatElement>(_ g: UnsafePointer<T>, _ w: UnsafePointer<T>?, _ x: UnsafePointer<T>,
                                                   _ n: Int, _ m: T) -> (T, T) {
    if T.self == Float.self {
        let rg = UnsafeRawPointer(g), rx = UnsafeRawPointer(x), rw = w.map { UnsafeRawPointer($0) }
        let mf = unsafeBitCast(m, to: Float.self)
        var sumG = SIMD16<Float>(), sumGD = SIMD16<Float>()
        var j = 0
        while j + 16 <= n {
            var gw = rg.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            if let rw { gw *= rw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) }
            sumG += gw
            sumGD += gw * (rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - mf)
            j += 16
        }
        var a = sumG.sum(), b = sumGD.sum()
        let gf = rg.assumingMemoryBound(to: Float.self), xf = rx.assumingMemoryBound(to: Float.self)
        let wf = rw?.assumingMemoryBound(to: Float.self)
        while j < n {
            let gw = gf[j] * (wf?[j] ?? 1)
            a += gw
            b += gw * (xf[j] - mf)
            j += 1
        }
        return (unsafeBitCast(a, to: T.self), unsafeBitCast(b, to: T.self))
    }
    var a: T = 0, b: T = 0
    for j in 0..<n {
        let gw = w.map { g[j] * $0[j] } ?? g[j]
        a += gw
        b += gw * (x[j] - m)
    }
    return (a, b)
}
