import Synchronization

/// The three products of a 2-d convolution, as im2col + GEMM on OpenBLAS, per batch sample
/// and per group:
///
/// - `forward`:     `y_n[g] = W[g] · cols(x_n)[g]`                     (`[O, outH·outW]`)
/// - `inputGrad`:   `x_n = col2im(W[g]ᵀ · y_n[g])`, the adjoint of forward in `x`
///                  (the input gradient, and the transposed convolution)
/// - `weightGrad`:  `W[g] = Σ_n y_n[g] · cols(x_n)[g]ᵀ`, the adjoint of forward in `W`
///
/// Tensors passed in are contiguous and share one float dtype (float32 or float64). 3×3
/// stride-1 layers with at least 8 channels each way go to `Winograd` instead.
///
/// Threads: with at least two samples per core, or small per-sample GEMMs, the batch is split
/// across cores, each chunk with its own column buffer and OpenBLAS held to one thread (one
/// sample's GEMMs are too small for OpenBLAS's threads to pay: on two cores a 64×196×288
/// sgemm runs faster single-threaded). Otherwise (one sample, or a few large ones) samples
/// run in turn, OpenBLAS threads each GEMM and im2col/col2im split channels. The column
/// buffer holds at most one sample (and at most `columnBudget` elements), never the batch.
enum ConvKernels {
    /// Per-group GEMM size (`m·n·k`) up to which OpenBLAS 0.3 runs single-threaded anyway
    /// (65536 × GEMM_MULTITHREAD_THRESHOLD 4).
    static let smallGEMM = 1 << 18

    /// Most elements of one chunk's column buffer (16 MiB of float32); larger planes are done
    /// in bands of output rows. Atomic so tests can shrink it.
    static let columnBudget = Atomic<Int>(1 << 22)

    /// Whether to split the batch across cores rather than rely on threaded GEMMs: always
    /// for small GEMMs, and for large ones when the chunks come out even enough.
    static func splitsBatch(_ g: ConvGeometry) -> Bool {
        let w = Parallel.workers
        guard w > 1 && g.batch > 1 else { return false }
        return g.groupO * g.groupK * g.outPlane <= smallGEMM || g.batch % w == 0 || g.batch >= 4 * w
    }

    /// How many chunks `forBatch` splits the batch into: a few per core, so a core slowed by
    /// other work hands chunks to the others.
    static func batchChunks(_ g: ConvGeometry) -> Int {
        splitsBatch(g) ? Swift.min(4 * Parallel.workers, g.batch) : 1
    }

    /// Runs `body(chunk, samples, parallelInside)` over the batch: in `batchChunks` chunks
    /// spread over the cores with single-threaded GEMMs, or in one chunk with
    /// `parallelInside` true.
    static func forBatch(_ g: ConvGeometry, _ body: (Int, Range<Int>, Bool) -> Void) {
        let chunks = batchChunks(g)
        if chunks == 1 {
            body(0, 0..<g.batch, true)
            return
        }
        BLASThreads.withSingleThread {
            Parallel.forEachTask(chunks) { c in body(c, g.batch * c / chunks ..< g.batch * (c + 1) / chunks, false) }
        }
    }

    /// Calls `body` on channel ranges, split across cores when `parallel` and big enough.
    @inline(__always)
    static func forChannels(_ g: ConvGeometry, parallel: Bool, _ body: (Range<Int>) -> Void) {
        if parallel {
            let perChannel = Swift.max(g.kH * g.kW * g.outPlane, 1)
            Parallel.forRange(g.inChannels, grain: Swift.max(1, elementwiseGrain / perChannel), body)
        } else {
            body(0..<g.inChannels)
        }
    }

    /// `[N, O, outH, outW]`: the convolution of `x` with `w`, plus `bias` per output channel.
    static func forward(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let out = Tensor(empty: g.outputShape, dtype: x.dtype)
        if out.numel > 0 { x.dtype.visitFloat(Forward(x: x, w: w, bias: bias, out: out, g: g)) }
        return out
    }

    /// `[N, C, inH, inW]`: the adjoint of `forward` in its input applied to `gy`, plus `bias`
    /// per channel (the transposed convolution's bias).
    static func inputGrad(_ gy: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let out = Tensor(empty: g.inputShape, dtype: gy.dtype)
        if out.numel > 0 { gy.dtype.visitFloat(InputGrad(gy: gy, w: w, bias: bias, out: out, g: g)) }
        return out
    }

    /// `[O, C/groups, kH, kW]`: the adjoint of `forward` in its weight, `Σ_n gy_n · cols(x_n)ᵀ`.
    static func weightGrad(_ x: Tensor, _ gy: Tensor, _ g: ConvGeometry) -> Tensor {
        let out = Tensor(empty: g.weightShape, dtype: x.dtype)
        if out.numel > 0 { x.dtype.visitFloat(WeightGrad(x: x, gy: gy, out: out, g: g)) }
        return out
    }

    /// `(inputGrad(gy, w), weightGrad(x, gy))` (no bias): in one pass over the batch where
    /// Winograd applies (the output gradient's transform is shared), else the two in turn.
    static func backward(_ x: Tensor, _ gy: Tensor, _ w: Tensor, _ g: ConvGeometry) -> (input: Tensor, weight: Tensor) {
        guard Winograd.applies(g) && g.batch > 0 && g.outPlane > 0 else {
            return (inputGrad(gy, w, bias: nil, g), weightGrad(x, gy, g))
        }
        let dx = Tensor(empty: g.inputShape, dtype: x.dtype), dw = Tensor(empty: g.weightShape, dtype: x.dtype)
        x.dtype.visitFloat(Backward(x: x, gy: gy, w: w, dx: dx, dw: dw, g: g))
        return (dx, dw)
    }
}

private struct Backward: FloatVisitor {
    let x: Tensor, gy: Tensor, w: Tensor, dx: Tensor, dw: Tensor, g: ConvGeometry
    func visit<T: FloatElement>(_: T.Type) {
        if T.self == Float.self { Winograd.backward(Float.self, x: x, gy: gy, w: w, dx: dx, dw: dw, g: g) }
        if T.self == Double.self { Winograd.backward(Double.self, x: x, gy: gy, w: w, dx: dx, dw: dw, g: g) }
    }
}

extension ConvGeometry {
    /// Output rows per im2col band: the whole plane unless its column matrix would pass
    /// `ConvKernels.columnBudget` elements (a 512×512 plane with 64 channels would need 150M).
    var bandRows: Int {
        if isPointwise { return outH }
        let perRow = Swift.max(groups * groupK * outW, 1)
        return Swift.max(1, Swift.min(outH, ConvKernels.columnBudget.load(ordering: .relaxed) / perRow))
    }

    /// Calls `body` on consecutive bands of `bandRows` output rows.
    @inline(__always)
    func forBands(_ body: (Range<Int>) -> Void) {
        let band = bandRows
        var r = 0
        while r < outH {
            let e = Swift.min(r + band, outH)
            body(r..<e)
            r = e
        }
    }
}

/// Fills each `plane`-sized row `r` of `p` (rows `0..<rows`) with `bias[r]`, or zero.
@inline(__always)
private func fillRows<T: FloatElement>(_ p: UnsafeMutablePointer<T>, rows: Int, plane: Int, bias: UnsafePointer<T>?) {
    for r in 0..<rows { (p + r * plane).update(repeating: bias?[r] ?? .zero, count: plane) }
}

private struct Forward: FloatVisitor {
    let x: Tensor, w: Tensor, bias: Tensor?, out: Tensor, g: ConvGeometry
    func visit<T: FloatElement>(_: T.Type) {
        if Winograd.applies(g) {
            if T.self == Float.self { return Winograd.forward(Float.self, x: x, w: w, bias: bias, out: out, g: g) }
            if T.self == Double.self { return Winograd.forward(Double.self, x: x, w: w, bias: bias, out: out, g: g) }
        }
        let g = self.g, K = g.groupK, L = g.outPlane, Og = g.groupO
        let px = x.pointer(T.self), po = out.pointer(T.self), pb = bias.map { UnsafePointer($0.pointer(T.self)) }
        let wOp = GEMMOperand(w, rows: g.outChannels, cols: K, rowStride: K, colStride: 1)
        let xSample = g.inChannels * g.inPlane, ySample = g.outChannels * L
        ConvKernels.forBatch(g) { _, samples, parallel in
            let cols = g.isPointwise ? x : Tensor(empty: [g.groups * K, g.bandRows * g.outW], dtype: x.dtype)
            let pc = cols.pointer(T.self)
            for n in samples {
                if K == 0 || pb != nil { fillRows(po + n * ySample, rows: g.outChannels, plane: L, bias: pb) }
                guard K > 0 else { continue }
                g.forBands { rows in
                    let bandL = rows.count * g.outW, ld = g.isPointwise ? L : bandL
                    if !g.isPointwise {
                        ConvKernels.forChannels(g, parallel: parallel) { r in im2col(px + n * xSample, pc, g, channels: r, rows: rows) }
                    }
                    let colsOp = GEMMOperand(cols, rows: g.groups * K, cols: bandL, rowStride: ld, colStride: 1)
                    for grp in 0..<g.groups {
                        gemm(wOp, offA: grp * Og * K, colsOp, offB: (g.isPointwise ? n * xSample : 0) + grp * K * ld,
                             out, offC: n * ySample + grp * Og * L + rows.lowerBound * g.outW, ldc: L,
                             m: Og, n: bandL, k: K, beta: pb == nil ? 0 : 1)
                    }
                }
            }
        }
    }
}

private struct InputGrad: FloatVisitor {
    let gy: Tensor, w: Tensor, bias: Tensor?, out: Tensor, g: ConvGeometry
    func visit<T: FloatElement>(_: T.Type) {
        if Winograd.applies(g) {
            if T.self == Float.self { return Winograd.inputGrad(Float.self, gy: gy, w: w, bias: bias, out: out, g: g) }
            if T.self == Double.self { return Winograd.inputGrad(Double.self, gy: gy, w: w, bias: bias, out: out, g: g) }
        }
        let g = self.g, K = g.groupK, L = g.outPlane, Og = g.groupO
        let po = out.pointer(T.self), pb = bias.map { UnsafePointer($0.pointer(T.self)) }
        // W[g]ᵀ: `[K, Og]` read through the transposed flag.
        let wtOp = GEMMOperand(w, rows: K, cols: g.outChannels, rowStride: 1, colStride: K)
        let xSample = g.inChannels * g.inPlane, ySample = g.outChannels * L
        ConvKernels.forBatch(g) { _, samples, parallel in
            let cols = g.isPointwise ? out : Tensor(empty: [g.groups * K, g.bandRows * g.outW], dtype: out.dtype)
            let pc = cols.pointer(T.self)
            for n in samples {
                let on = po + n * xSample
                if g.isPointwise {
                    // The GEMM writes the input gradient itself (onto the bias when there is one).
                    if pb != nil || Og == 0 { fillRows(on, rows: g.inChannels, plane: g.inPlane, bias: pb) }
                    guard Og > 0 else { continue }
                    let gyOp = GEMMOperand(gy, rows: g.outChannels, cols: L, rowStride: L, colStride: 1)
                    for grp in 0..<g.groups {
                        gemm(wtOp, offA: grp * Og * K, gyOp, offB: n * ySample + grp * Og * L,
                             out, offC: n * xSample + grp * K * L, ldc: L, m: K, n: L, k: Og, beta: pb != nil ? 1 : 0)
                    }
                    continue
                }
                ConvKernels.forChannels(g, parallel: parallel) { r in
                    for c in r { (on + c * g.inPlane).update(repeating: pb?[c] ?? .zero, count: g.inPlane) }
                }
                guard Og > 0 else { continue }
                g.forBands { rows in
                    let bandL = rows.count * g.outW
                    let gyOp = GEMMOperand(gy, rows: g.outChannels, cols: bandL, rowStride: L, colStride: 1)
                    for grp in 0..<g.groups {
                        gemm(wtOp, offA: grp * Og * K, gyOp, offB: n * ySample + grp * Og * L + rows.lowerBound * g.outW,
                             cols, offC: grp * K * bandL, ldc: bandL, m: K, n: bandL, k: Og)
                    }
                    ConvKernels.forChannels(g, parallel: parallel) { r in col2im(pc, on, g, channels: r, rows: rows) }
                }
            }
        }
    }
}

private struct WeightGrad: FloatVisitor {
    let x: Tensor, gy: Tensor, out: Tensor, g: ConvGeometry
    func visit<T: FloatElement>(_: T.Type) {
        if Winograd.applies(g) && g.batch > 0 {
            if T.self == Float.self { return Winograd.weightGrad(Float.self, x: x, gy: gy, out: out, g: g) }
            if T.self == Double.self { return Winograd.weightGrad(Double.self, x: x, gy: gy, out: out, g: g) }
        }
        let g = self.g, K = g.groupK, L = g.outPlane, Og = g.groupO
        let px = x.pointer(T.self)
        let xSample = g.inChannels * g.inPlane, ySample = g.outChannels * L
        let size = g.outChannels * K
        if g.batch == 0 || L == 0 {
            out.pointer(T.self).update(repeating: .zero, count: size)
            return
        }
        // One accumulator per batch chunk (the first is `out` itself), summed at the end.
        let chunks = ConvKernels.batchChunks(g)
        let partials = chunks > 1 ? Tensor(empty: [chunks - 1, size], dtype: out.dtype) : out
        ConvKernels.forBatch(g) { c, samples, parallel in
            let acc = c == 0 ? out : partials
            let accOff = c == 0 ? 0 : (c - 1) * size
            let cols = g.isPointwise ? x : Tensor(empty: [g.groups * K, g.bandRows * g.outW], dtype: x.dtype)
            let pc = cols.pointer(T.self)
            var first = true
            for n in samples {
                g.forBands { rows in
                    let bandL = rows.count * g.outW, ld = g.isPointwise ? L : bandL
                    if !g.isPointwise {
                        ConvKernels.forChannels(g, parallel: parallel) { r in im2col(px + n * xSample, pc, g, channels: r, rows: rows) }
                    }
                    let gyOp = GEMMOperand(gy, rows: g.outChannels, cols: bandL, rowStride: L, colStride: 1)
                    // cols[g]ᵀ: `[bandL, K]` read through the transposed flag.
                    let colsT = GEMMOperand(cols, rows: bandL, cols: g.groups * K, rowStride: 1, colStride: ld)
                    for grp in 0..<g.groups {
                        gemm(gyOp, offA: n * ySample + grp * Og * L + rows.lowerBound * g.outW,
                             colsT, offB: (g.isPointwise ? n * xSample : 0) + grp * K * ld,
                             acc, offC: accOff + grp * Og * K, ldc: K, m: Og, n: K, k: bandL, beta: first ? 0 : 1)
                    }
                    first = false
                }
            }
        }
        if chunks > 1 {
            let po = out.pointer(T.self), pp = partials.pointer(T.self)
            for c in 0..<(chunks - 1) {
                let q = pp + c * size
                for i in 0..<size { po[i] += q[i] }
            }
        }
    }
}
