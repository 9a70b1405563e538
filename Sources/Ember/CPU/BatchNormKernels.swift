import CEmberKernels

/// The passes of the fused batch norm (`Tensor.batchNorm`) over a contiguous `[N, C, L]`
/// input, seen as `N·C` rows of `L` values, row `r` in channel `r % C`. Every pass reads
/// rows in memory order; the reductions split the rows into chunks, one task each, keep
/// per-chunk, per-channel partial sums in Double and add them at the end. Row sums run in
/// SIMD lanes of the input's type, each row's total then added in Double. Short rows
/// (`L < 16`, e.g. `[N, C]` inputs, one value per row) are read instead as `N` rows of `C·L`
/// columns, with per-column sums and coefficients: per-row work would cost more than the
/// values. For float32 the long-row passes run in C (`CEmberKernels`, AVX-512 or AVX2 picked
/// at run time; Swift code here is built for baseline SSE).

/// `[N, C, L]` sizes of a batch-norm input: `L` is the product of the dims after 1.
struct BatchNormGeometry {
    let batch: Int, channels: Int, inner: Int

    init(_ shape: [Int]) {
        batch = shape[0]
        channels = shape[1]
        inner = shape.dropFirst(2).reduce(1, *)
    }

    /// Values per channel: `N·L`.
    var count: Int { batch * inner }
    var rows: Int { batch * channels }
    var elements: Int { rows * inner }

    /// How many chunks the rows are split into: several per core for large inputs (a core
    /// slowed by other work takes fewer), one for small ones.
    var chunks: Int { elements < 1 << 16 ? 1 : Swift.min(4 * Parallel.workers, rows) }

    /// Calls `body(chunk, rows)` for every chunk, spread over the cores.
    func forChunks(_ body: (Int, Range<Int>) -> Void) {
        let n = chunks
        Parallel.forEachTask(n) { c in body(c, rows * c / n ..< rows * (c + 1) / n) }
    }

    /// Runs `body(chunk, rows, partials)` with a zeroed `[chunks, width·C]` Double buffer,
    /// then returns the sums over chunks, `[width·C]`.
    func reduceChunks(width: Int, _ body: (Int, Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        reduce(size: width * channels, chunks: chunks, count: rows, body)
    }

    /// Whether rows are short enough to be read as `N` rows of `C·L` columns.
    var shortRows: Bool { inner < 16 }
    /// Columns of a sample in the short-row reading: `C·L`.
    var columns: Int { channels * inner }
    /// How many chunks the samples are split into in the short-row reading.
    var sampleChunks: Int { elements < 1 << 16 ? 1 : Swift.min(4 * Parallel.workers, batch) }

    /// Calls `body(samples)` for every chunk of samples, spread over the cores.
    func forSampleChunks(_ body: (Range<Int>) -> Void) {
        let n = sampleChunks
        Parallel.forEachTask(n) { c in body(batch * c / n ..< batch * (c + 1) / n) }
    }

    /// Runs `body(chunk, samples, partials)` with a zeroed `[chunks, width·C·L]` Double
    /// buffer, then returns the per-channel sums, `[width·C]`: column `j` of each `C·L` group
    /// adds into channel `j / L`.
    func reduceSampleChunks(width: Int, _ body: (Int, Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let perColumn = reduce(size: width * columns, chunks: sampleChunks, count: batch, body)
        var total = [Double](repeating: 0, count: width * channels)
        for k in 0..<width { for j in 0..<columns { total[k * channels + j / inner] += perColumn[k * columns + j] } }
        return total
    }

    private func reduce(size: Int, chunks n: Int, count: Int, _ body: (Int, Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        var partials = [Double](repeating: 0, count: n * size)
        partials.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachTask(n) { c in body(c, count * c / n ..< count * (c + 1) / n, base + c * size) }
        }
        var total = [Double](repeating: 0, count: size)
        for c in 0..<n { for i in 0..<size { total[i] += partials[c * size + i] } }
        return total
    }

    /// `perChannel` repeated `L` times per channel: `[C·L]` per-column values.
    func columnValues<T>(_ perChannel: [T]) -> [T] {
        (0..<columns).map { perChannel[$0 / inner] }
    }
}

@inline(__always)
private func load<T: SIMDScalar>(_ p: UnsafePointer<T>) -> SIMD16<T> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<T>.self)
}

/// `(Σ (x - shift), Σ (x - shift)²)` over `n` contiguous values.
@inline(__always)
private func shiftedSums<T: FloatElement & SIMDScalar>(_ p: UnsafePointer<T>, _ n: Int, shift: T) -> (Double, Double) {
    var s1 = SIMD16<T>(), s2 = SIMD16<T>()
    let k = SIMD16<T>(repeating: shift)
    var i = 0
    while i + 16 <= n {
        let d = load(p + i) - k
        s1 += d
        s2 += d * d
        i += 16
    }
    var t1 = Double(s1.sum()), t2 = Double(s2.sum())
    while i < n {
        let d = Double(p[i] - shift)
        t1 += d
        t2 += d * d
        i += 1
    }
    return (t1, t2)
}

/// `(Σ g, Σ g·(x - mean))` over `n` contiguous values.
@inline(__always)
private func gradientSums<T: FloatElement & SIMDScalar>(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ n: Int, mean: T) -> (Double, Double) {
    var s1 = SIMD16<T>(), s2 = SIMD16<T>()
    let m = SIMD16<T>(repeating: mean)
    var i = 0
    while i + 16 <= n {
        let gv = load(g + i)
        s1 += gv
        s2 += gv * (load(x + i) - m)
        i += 16
    }
    var t1 = Double(s1.sum()), t2 = Double(s2.sum())
    while i < n {
        t1 += Double(g[i])
        t2 += Double(g[i]) * Double(x[i] - mean)
        i += 1
    }
    return (t1, t2)
}

/// Each channel's mean and biased variance, from sums shifted by the channel's first value
/// (so a large mean does not cancel the variance away).
struct BatchNormStatistics: FloatVisitor {
    let x: Tensor, mean: Tensor, variance: Tensor, g: BatchNormGeometry
    func visit<T: FloatElement>(_: T.Type) {
        if T.self == Float.self { run(Float.self) } else if T.self == Double.self { run(Double.self) }
    }

    private func run<T: FloatElement & SIMDScalar>(_: T.Type) {
        let px = UnsafePointer(x.pointer(T.self)), C = g.channels, L = g.inner
        let shifts = UnsafeMutablePointer<T>.allocate(capacity: C)
        defer { shifts.deallocate() }
        for c in 0..<C { shifts[c] = px[c * L] }
        // Sums of (x - shift) at [c] and of its square at [C + c].
        let sums: [Double]
        if g.shortRows {
            let W = g.columns, shiftColumns = g.columnValues((0..<C).map { shifts[$0] })
            sums = shiftColumns.withUnsafeBufferPointer { k in
                g.reduceSampleChunks(width: 2) { _, samples, acc in
                    for n in samples {
                        let row = px + n * W
                        for j in 0..<W { let d = Double(row[j] - k[j]); acc[j] += d; acc[W + j] += d * d }
                    }
                }
            }
        } else if T.self == Float.self {
            let pf = floats(px), kf = floats(UnsafePointer(shifts))
            sums = g.reduceChunks(width: 2) { _, rows, acc in
                ember_bn_sums_f32(pf, nil, rows.lowerBound, rows.upperBound, L, C, kf, acc)
            }
        } else {
            sums = g.reduceChunks(width: 2) { _, rows, acc in
                var c = rows.lowerBound % C
                for r in rows {
                    let (s1, s2) = shiftedSums(px + r * L, L, shift: shifts[c])
                    acc[c] += s1
                    acc[C + c] += s2
                    c = c + 1 == C ? 0 : c + 1
                }
            }
        }
        let pm = mean.pointer(T.self), pv = variance.pointer(T.self), n = Double(g.count)
        for c in 0..<C {
            let m1 = sums[c] / n
            pm[c] = T(Double(shifts[c]) + m1)
            pv[c] = T(Swift.max(sums[C + c] / n - m1 * m1, 0))
        }
    }
}

/// Per channel, from the batch's `mean` and biased `variance`: `invStd = 1/√(variance + eps)`,
/// and with running statistics `running = (1 - momentum) · running + momentum · batch`
/// (unbiased variance, `count` values per channel), in place. Without `variance`: evaluation,
/// `mean` and `invStd` from the running statistics.
struct BatchNormChannelUpdate: FloatVisitor {
    let mean: Tensor, variance: Tensor?, invStd: Tensor, eps: Double
    let runningMean: Tensor?, runningVar: Tensor?, momentum: Double, count: Int
    func visit<T: FloatElement>(_: T.Type) {
        let pm = mean.pointer(T.self), pr = invStd.pointer(T.self), channels = mean.numel
        guard let variance else {
            let rm = runningMean!.pointer(T.self), rv = runningVar!.pointer(T.self)
            for c in 0..<channels {
                pm[c] = rm[c]
                pr[c] = T(1 / (Double(rv[c]) + eps).squareRoot())
            }
            return
        }
        let pv = variance.pointer(T.self)
        for c in 0..<channels { pr[c] = T(1 / (Double(pv[c]) + eps).squareRoot()) }
        guard let runningMean, let runningVar else { return }
        let rm = runningMean.pointer(T.self), rv = runningVar.pointer(T.self)
        let unbiased = Double(count) / Double(count - 1)
        for c in 0..<channels {
            rm[c] = T((1 - momentum) * Double(rm[c]) + momentum * Double(pm[c]))
            rv[c] = T((1 - momentum) * Double(rv[c]) + momentum * Double(pv[c]) * unbiased)
        }
    }
}

/// `y = (x - mean) · invStd · w + b`, as one multiply and add per value.
struct BatchNormNormalize: FloatVisitor {
    let x: Tensor, w: Tensor?, b: Tensor?, mean: Tensor, invStd: Tensor, out: Tensor, g: BatchNormGeometry
    func visit<T: FloatElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self), C = g.channels, L = g.inner
        let pm = mean.pointer(T.self), pr = invStd.pointer(T.self), pw = w?.pointer(T.self), pb = b?.pointer(T.self)
        var scale = [T](repeating: 0, count: C), shift = [T](repeating: 0, count: C)
        for c in 0..<C {
            let a = Double(pr[c]) * Double(pw?[c] ?? 1)
            scale[c] = T(a)
            shift[c] = T(Double(pb?[c] ?? 0) - Double(pm[c]) * a)
        }
        if g.shortRows {
            let W = g.columns, scaleColumns = g.columnValues(scale), shiftColumns = g.columnValues(shift)
            scaleColumns.withUnsafeBufferPointer { sc in
                shiftColumns.withUnsafeBufferPointer { sh in
                    g.forSampleChunks { samples in
                        for n in samples {
                            let src = px + n * W, dst = po + n * W
                            for j in 0..<W { dst[j] = src[j] * sc[j] + sh[j] }
                        }
                    }
                }
            }
            return
        }
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                g.forChunks { _, rows in
                    if T.self == Float.self {
                        return ember_bn_affine_f32(floats(UnsafePointer(px)), floats(po), rows.lowerBound, rows.upperBound, L, C,
                                                   floats(sc.baseAddress!), floats(sh.baseAddress!))
                    }
                    var c = rows.lowerBound % C
                    for r in rows {
                        let a = sc[c], s = sh[c], src = px + r * L, dst = po + r * L
                        for i in 0..<L { dst[i] = src[i] * a + s }
                        c = c + 1 == C ? 0 : c + 1
                    }
                }
            }
        }
    }
}

/// The gradients of `y = (x - mean) · r · w + b`: `db = Σ g`, `dw = r · Σ g·(x - mean)`, and
/// `dx = w·r · (g - Σg/n - (x - mean) · r² · Σ g·(x - mean) / n)` when the statistics are the
/// batch's, `dx = w·r · g` when they are constants (evaluation).
struct BatchNormBackward: FloatVisitor {
    let x: Tensor, w: Tensor?, g: Tensor, mean: Tensor, invStd: Tensor, batchStats: Bool
    let dx: Tensor?, dw: Tensor?, db: Tensor?
    let geometry: BatchNormGeometry

    func visit<T: FloatElement>(_: T.Type) {
        if T.self == Float.self { run(Float.self) } else if T.self == Double.self { run(Double.self) }
    }

    private func run<T: FloatElement & SIMDScalar>(_: T.Type) {
        let px = UnsafePointer(x.pointer(T.self)), pg = UnsafePointer(g.pointer(T.self))
        let pm = mean.pointer(T.self), pr = invStd.pointer(T.self), pw = w?.pointer(T.self)
        let geometry = self.geometry, C = geometry.channels, L = geometry.inner, n = Double(geometry.count)
        let means = (0..<C).map { pm[$0] }
        // Σ g at [c] and Σ g·(x - mean) at [C + c].
        var sums = [Double](repeating: 0, count: 2 * C)
        if dw != nil || db != nil || (batchStats && dx != nil) {
            if geometry.shortRows {
                let W = geometry.columns
                sums = geometry.columnValues(means).withUnsafeBufferPointer { m in
                    geometry.reduceSampleChunks(width: 2) { _, samples, acc in
                        for s in samples {
                            let gr = pg + s * W, xr = px + s * W
                            for j in 0..<W { acc[j] += Double(gr[j]); acc[W + j] += Double(gr[j]) * Double(xr[j] - m[j]) }
                        }
                    }
                }
            } else if T.self == Float.self {
                sums = means.withUnsafeBufferPointer { m in
                    geometry.reduceChunks(width: 2) { _, rows, acc in
                        ember_bn_sums_f32(floats(pg), floats(px), rows.lowerBound, rows.upperBound, L, C, floats(m.baseAddress!), acc)
                    }
                }
            } else {
                sums = geometry.reduceChunks(width: 2) { _, rows, acc in
                    var c = rows.lowerBound % C
                    for r in rows {
                        let (s1, s2) = gradientSums(pg + r * L, px + r * L, L, mean: means[c])
                        acc[c] += s1
                        acc[C + c] += s2
                        c = c + 1 == C ? 0 : c + 1
                    }
                }
            }
        }
        for c in 0..<C {
            db?.pointer(T.self)[c] = T(sums[c])
            dw?.pointer(T.self)[c] = T(Double(pr[c]) * sums[C + c])
        }
        guard let dx else { return }
        let pdx = dx.pointer(T.self)
        // dx = k1·g + k2·(x - mean) + k3 per channel (k2 = k3 = 0 with constant statistics).
        var k1 = [T](repeating: 0, count: C), k2 = k1, k3 = k1
        for c in 0..<C {
            let r = Double(pr[c]), wr = Double(pw?[c] ?? 1) * r
            k1[c] = T(wr)
            if batchStats {
                k2[c] = T(-wr * r * r * sums[C + c] / n)
                k3[c] = T(-wr * sums[c] / n)
            }
        }
        if geometry.shortRows {
            // Per-column coefficients over `N` rows of `C·L`.
            let W = geometry.columns
            let coefficients = [k1, k2, k3, means].map { geometry.columnValues($0) }.joined()
            Array(coefficients).withUnsafeBufferPointer { k in
                let k1 = k.baseAddress!, k2 = k1 + W, k3 = k2 + W, m = k3 + W
                geometry.forSampleChunks { samples in
                    for s in samples {
                        let src = pg + s * W, xs = px + s * W, dst = pdx + s * W
                        for j in 0..<W { dst[j] = src[j] * k1[j] + (xs[j] - m[j]) * k2[j] + k3[j] }
                    }
                }
            }
            return
        }
        let batchStats = self.batchStats
        if T.self == Float.self {
            // Constant statistics leave k2 = k3 = 0: the same kernel gives dx = g·k1.
            let coefficients = k1 + k2 + k3 + means
            coefficients.withUnsafeBufferPointer { k in
                let k1 = floats(k.baseAddress!), k2 = k1 + C, k3 = k2 + C, m = k3 + C
                geometry.forChunks { _, rows in
                    ember_bn_dx_f32(floats(pg), floats(px), floats(pdx), rows.lowerBound, rows.upperBound, L, C, k1, k2, k3, m)
                }
            }
            return
        }
        k1.withUnsafeBufferPointer { k1 in
            k2.withUnsafeBufferPointer { k2 in
                k3.withUnsafeBufferPointer { k3 in
                    geometry.forChunks { _, rows in
                        var c = rows.lowerBound % C
                        for r in rows {
                            defer { c = c + 1 == C ? 0 : c + 1 }
                            let src = pg + r * L, xs = px + r * L, dst = pdx + r * L
                            let a = k1[c], b = k2[c], d = k3[c], m = means[c]
                            if batchStats {
                                for i in 0..<L { dst[i] = src[i] * a + (xs[i] - m) * b + d }
                            } else {
                                for i in 0..<L { dst[i] = src[i] * a }
                            }
                        }
                    }
                }
            }
        }
    }
}
