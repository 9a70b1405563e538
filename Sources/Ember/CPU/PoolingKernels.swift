/// Pooling kernels over planes: a tensor `[..., H, W]` is `planes` contiguous `H×W` planes,
/// pooled independently (and in parallel across planes). Float32 and float64.

/// Sizes of one 2-d pooling: planes, input/output plane sizes, window, stride, padding,
/// dilation (1 for average pooling).
struct PoolGeometry: Sendable {
    var planes: Int
    var inH: Int, inW: Int
    var outH: Int, outW: Int
    var kH: Int, kW: Int
    var strideH: Int, strideW: Int
    var padH: Int, padW: Int
    var dilationH: Int = 1, dilationW: Int = 1

    var inPlane: Int { inH * inW }
    var outPlane: Int { outH * outW }
}

enum PoolKernels {
    /// Runs `body` over planes in parallel chunks sized so each chunk does enough work.
    @inline(__always)
    static func forPlanes(_ planes: Int, workPerPlane: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forRange(planes, grain: Swift.max(1, elementwiseGrain / Swift.max(workPerPlane, 1)), body)
    }

    /// Max pooling: the values and, when `withIndices`, per output the flat index `ih·W + iw`
    /// in its input plane of the first maximum in row-major window order (a NaN counts as the
    /// maximum, as in PyTorch).
    static func maxForward(_ x: Tensor, _ g: PoolGeometry, outShape: [Int], withIndices: Bool) -> (values: Tensor, indices: Tensor?) {
        let out = Tensor(empty: outShape, dtype: x.dtype), idx = withIndices ? Tensor(empty: outShape, dtype: .int64) : nil
        x.dtype.visitFloat(MaxForward(x: x, out: out, indices: idx, g: g))
        return (out, idx)
    }

    /// Max pooling's input gradient: each output gradient added at its saved index.
    static func maxBackward(_ gy: Tensor, _ indices: Tensor, _ g: PoolGeometry, inShape: [Int]) -> Tensor {
        let out = Tensor(empty: inShape, dtype: gy.dtype)
        gy.dtype.visitFloat(MaxBackward(gy: gy, indices: indices, out: out, g: g))
        return out
    }

    /// Average pooling (`backward` false) or its adjoint (`backward` true) with PyTorch's
    /// divisor: `divisorOverride`, else the window's size clipped to the padded input
    /// (`countIncludePad`) or to the input.
    static func avg(_ src: Tensor, _ g: PoolGeometry, countIncludePad: Bool, divisorOverride: Int?, backward: Bool, outShape: [Int]) -> Tensor {
        let out = Tensor(empty: outShape, dtype: src.dtype)
        src.dtype.visitFloat(AvgPool(src: src, out: out, g: g, countIncludePad: countIncludePad, divisorOverride: divisorOverride, backward: backward))
        return out
    }

    /// Adaptive average pooling (`backward` false) or its adjoint: output cell `i` averages
    /// input rows `floor(i·H/outH) ..< ceil((i+1)·H/outH)`, and likewise for columns.
    static func adaptiveAvg(_ src: Tensor, _ g: PoolGeometry, backward: Bool, outShape: [Int]) -> Tensor {
        let out = Tensor(empty: outShape, dtype: src.dtype)
        src.dtype.visitFloat(AdaptiveAvgPool(src: src, out: out, g: g, backward: backward))
        return out
    }
}

/// The first in-range tap of a window starting at `start` with step `dilation`, and its end.
@inline(__always)
private func windowBounds(_ start: Int, kernel: Int, dilation: Int, size: Int) -> (Int, Int) {
    var s = start
    let end = Swift.min(start + (kernel - 1) * dilation + 1, size)
    while s < 0 { s += dilation }
    return (s, end)
}

private struct MaxForward: FloatVisitor {
    let x: Tensor, out: Tensor, indices: Tensor?, g: PoolGeometry
    func visit<T: FloatElement>(_: T.Type) {
        let g = self.g
        let px = x.pointer(T.self), po = out.pointer(T.self), pi = indices?.pointer(Int64.self)
        // Every window inside the input with no gaps: fixed loops (and a 2×2 special case).
        let dense = g.dilationH == 1 && g.dilationW == 1 && g.padH == 0 && g.padW == 0
            && (g.outH - 1) * g.strideH + g.kH <= g.inH && (g.outW - 1) * g.strideW + g.kW <= g.inW
        PoolKernels.forPlanes(g.planes, workPerPlane: g.outPlane * g.kH * g.kW) { planes in
            for p in planes {
                let src = px + p * g.inPlane, o = po + p * g.outPlane, i = pi.map { $0 + p * g.outPlane }
                if dense && g.kH == 2 && g.kW == 2 && g.strideW == 2 && g.outW >= 8 && T.self == Float.self {
                    maxPool2x2Stride2(floats(UnsafePointer(src)), floats(o), i, g)
                } else if dense && g.kH == 2 && g.kW == 2 {
                    maxPool2x2(src, o, i, g)
                } else if dense {
                    maxPoolDense(src, o, i, g)
                } else {
                    maxPoolGeneral(src, o, i, g)
                }
            }
        }
    }

    /// The first maximum wins (`>`), and a NaN beats everything, as in PyTorch
    /// (`v > best || isnan(v)`). Written without branches, which random data would mispredict
    /// half the time: the two conditions never hold together, so `!=` is their `||`.
    @inline(__always)
    private func take<T: FloatElement>(_ v: T, _ index: Int, _ best: inout T, _ bestIndex: inout Int) {
        let wins = (v > best) != (v != v)
        best = wins ? v : best
        bestIndex = wins ? index : bestIndex
    }

    private func maxPool2x2<T: FloatElement>(_ src: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>, _ i: UnsafeMutablePointer<Int64>?, _ g: PoolGeometry) {
        for oh in 0..<g.outH {
            let r0 = oh * g.strideH * g.inW, r1 = r0 + g.inW
            let orow = o + oh * g.outW, irow = i.map { $0 + oh * g.outW }
            for ow in 0..<g.outW {
                let c = ow * g.strideW
                var best = src[r0 + c], bestIndex = r0 + c
                take(src[r0 + c + 1], r0 + c + 1, &best, &bestIndex)
                take(src[r1 + c], r1 + c, &best, &bestIndex)
                take(src[r1 + c + 1], r1 + c + 1, &best, &bestIndex)
                orow[ow] = best
                if let irow { irow[ow] = Int64(bestIndex) }
            }
        }
    }

    /// The common 2×2 window with horizontal stride 2 in float32, eight outputs at a time:
    /// the two input rows are loaded as 16 lanes and split into even and odd columns. A row's
    /// last block overlaps the one before it (same values written twice), so no scalar tail.
    private func maxPool2x2Stride2(_ src: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ i: UnsafeMutablePointer<Int64>?, _ g: PoolGeometry) {
        let lanes = SIMD8<Int64>(0, 2, 4, 6, 8, 10, 12, 14), w = Int32(g.inW)
        for oh in 0..<g.outH {
            let rowStart = oh * g.strideH * g.inW, orow = o + oh * g.outW, irow = i.map { $0 + oh * g.outW }
            var ow = 0
            while ow < g.outW {
                if ow + 8 > g.outW { ow = g.outW - 8 }
                let c = rowStart + 2 * ow
                let top = UnsafeRawPointer(src + c).loadUnaligned(as: SIMD16<Float>.self)
                let bottom = UnsafeRawPointer(src + c + g.inW).loadUnaligned(as: SIMD16<Float>.self)
                var best = top.evenHalf, off = SIMD8<Int32>(repeating: 0)
                @inline(__always) func take(_ v: SIMD8<Float>, _ k: Int32) {
                    let wins = (v .> best) .^ (v .!= v)
                    best.replace(with: v, where: wins)
                    off.replace(with: k, where: wins)
                }
                take(top.oddHalf, 1)
                take(bottom.evenHalf, w)
                take(bottom.oddHalf, w + 1)
                UnsafeMutableRawPointer(orow + ow).storeBytes(of: best, as: SIMD8<Float>.self)
                if let irow {
                    let index = SIMD8<Int64>(truncatingIfNeeded: off) &+ lanes &+ Int64(c)
                    UnsafeMutableRawPointer(irow + ow).storeBytes(of: index, as: SIMD8<Int64>.self)
                }
                ow += 8
            }
        }
    }

    private func maxPoolDense<T: FloatElement>(_ src: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>, _ i: UnsafeMutablePointer<Int64>?, _ g: PoolGeometry) {
        for oh in 0..<g.outH {
            for ow in 0..<g.outW {
                let start = oh * g.strideH * g.inW + ow * g.strideW
                var best = src[start], bestIndex = start
                for ki in 0..<g.kH {
                    let row = start + ki * g.inW
                    for kj in 0..<g.kW { take(src[row + kj], row + kj, &best, &bestIndex) }
                }
                o[oh * g.outW + ow] = best
                i?[oh * g.outW + ow] = Int64(bestIndex)
            }
        }
    }

    private func maxPoolGeneral<T: FloatElement>(_ src: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>, _ i: UnsafeMutablePointer<Int64>?, _ g: PoolGeometry) {
        for oh in 0..<g.outH {
            let (hs, he) = windowBounds(oh * g.strideH - g.padH, kernel: g.kH, dilation: g.dilationH, size: g.inH)
            for ow in 0..<g.outW {
                let (ws, we) = windowBounds(ow * g.strideW - g.padW, kernel: g.kW, dilation: g.dilationW, size: g.inW)
                var best = -T.infinity, bestIndex = hs * g.inW + ws
                var ih = hs
                while ih < he {
                    var iw = ws
                    while iw < we {
                        take(src[ih * g.inW + iw], ih * g.inW + iw, &best, &bestIndex)
                        iw += g.dilationW
                    }
                    ih += g.dilationH
                }
                o[oh * g.outW + ow] = best
                i?[oh * g.outW + ow] = Int64(bestIndex)
            }
        }
    }
}

private struct MaxBackward: FloatVisitor {
    let gy: Tensor, indices: Tensor, out: Tensor, g: PoolGeometry
    func visit<T: FloatElement>(_: T.Type) {
        let g = self.g
        let pg = gy.pointer(T.self), pi = indices.pointer(Int64.self), po = out.pointer(T.self)
        PoolKernels.forPlanes(g.planes, workPerPlane: g.inPlane) { planes in
            for p in planes {
                let dst = po + p * g.inPlane, src = pg + p * g.outPlane, idx = pi + p * g.outPlane
                dst.update(repeating: .zero, count: g.inPlane)
                for j in 0..<g.outPlane { dst[Int(idx[j])] += src[j] }
            }
        }
    }
}

private struct AvgPool: FloatVisitor {
    let src: Tensor, out: Tensor, g: PoolGeometry, countIncludePad: Bool, divisorOverride: Int?, backward: Bool
    func visit<T: FloatElement>(_: T.Type) {
        let g = self.g, countIncludePad = self.countIncludePad, divisorOverride = self.divisorOverride, backward = self.backward
        let ps = src.pointer(T.self), po = out.pointer(T.self)
        PoolKernels.forPlanes(g.planes, workPerPlane: g.outPlane * g.kH * g.kW) { planes in
            for p in planes {
                let x = backward ? nil : ps + p * g.inPlane, y = backward ? nil : po + p * g.outPlane
                let gy = backward ? ps + p * g.outPlane : nil, gx = backward ? po + p * g.inPlane : nil
                gx?.update(repeating: .zero, count: g.inPlane)
                for oh in 0..<g.outH {
                    var hs = oh * g.strideH - g.padH, he = Swift.min(hs + g.kH, g.inH + g.padH)
                    let poolH = he - hs
                    hs = Swift.max(hs, 0); he = Swift.min(he, g.inH)
                    for ow in 0..<g.outW {
                        var ws = ow * g.strideW - g.padW, we = Swift.min(ws + g.kW, g.inW + g.padW)
                        let poolW = we - ws
                        ws = Swift.max(ws, 0); we = Swift.min(we, g.inW)
                        let j = oh * g.outW + ow
                        if hs >= he || ws >= we {
                            if let y { y[j] = .zero }
                            continue
                        }
                        let divisor = divisorOverride ?? (countIncludePad ? poolH * poolW : (he - hs) * (we - ws))
                        if let x, let y {
                            var s = T.zero
                            for ih in hs..<he { for iw in ws..<we { s += x[ih * g.inW + iw] } }
                            y[j] = s / T(divisor)
                        } else if let gy, let gx {
                            let v = gy[j] / T(divisor)
                            for ih in hs..<he { for iw in ws..<we { gx[ih * g.inW + iw] += v } }
                        }
                    }
                }
            }
        }
    }
}

private struct AdaptiveAvgPool: FloatVisitor {
    let src: Tensor, out: Tensor, g: PoolGeometry, backward: Bool
    func visit<T: FloatElement>(_: T.Type) {
        let g = self.g, backward = self.backward
        let ps = src.pointer(T.self), po = out.pointer(T.self)
        PoolKernels.forPlanes(g.planes, workPerPlane: Swift.max(g.inPlane, g.outPlane)) { planes in
            for p in planes {
                let x = backward ? nil : ps + p * g.inPlane, y = backward ? nil : po + p * g.outPlane
                let gy = backward ? ps + p * g.outPlane : nil, gx = backward ? po + p * g.inPlane : nil
                gx?.update(repeating: .zero, count: g.inPlane)
                for oh in 0..<g.outH {
                    let hs = oh * g.inH / g.outH, he = ((oh + 1) * g.inH + g.outH - 1) / g.outH
                    for ow in 0..<g.outW {
                        let ws = ow * g.inW / g.outW, we = ((ow + 1) * g.inW + g.outW - 1) / g.outW
                        let count = T((he - hs) * (we - ws)), j = oh * g.outW + ow
                        if let x, let y {
                            var s = T.zero
                            for ih in hs..<he { for iw in ws..<we { s += x[ih * g.inW + iw] } }
                            y[j] = s / count
                        } else if let gy, let gx {
                            let v = gy[j] / count
                            for ih in hs..<he { for iw in ws..<we { gx[ih * g.inW + iw] += v } }
                        }
                    }
                }
            }
        }
    }
}
