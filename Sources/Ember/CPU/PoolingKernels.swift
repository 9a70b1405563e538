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

    /// Max pooling: the values and, per output, the flat index `ih·W + iw` in its input plane of
    /// the first maximum in row-major window order (a NaN counts as the maximum, as in PyTorch).
    static func maxForward(_ x: Tensor, _ g: PoolGeometry, outShape: [Int]) -> (values: Tensor, indices: Tensor) {
        let out = Tensor(empty: outShape, dtype: x.dtype), idx = Tensor(empty: outShape, dtype: .int64)
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
    let x: Tensor, out: Tensor, indices: Tensor, g: PoolGeometry
    func visit<T: FloatElement>(_: T.Type) {
        let g = self.g
        let px = x.pointer(T.self), po = out.pointer(T.self), pi = indices.pointer(Int64.self)
        PoolKernels.forPlanes(g.planes, workPerPlane: g.outPlane * g.kH * g.kW) { planes in
            for p in planes {
                let src = px + p * g.inPlane
                var o = po + p * g.outPlane, i = pi + p * g.outPlane
                for oh in 0..<g.outH {
                    let (hs, he) = windowBounds(oh * g.strideH - g.padH, kernel: g.kH, dilation: g.dilationH, size: g.inH)
                    for ow in 0..<g.outW {
                        let (ws, we) = windowBounds(ow * g.strideW - g.padW, kernel: g.kW, dilation: g.dilationW, size: g.inW)
                        var best = -T.infinity, bestIndex = hs * g.inW + ws
                        var ih = hs
                        while ih < he {
                            var iw = ws
                            while iw < we {
                                let v = src[ih * g.inW + iw]
                                if v > best || v.isNaN { best = v; bestIndex = ih * g.inW + iw }
                                iw += g.dilationW
                            }
                            ih += g.dilationH
                        }
                        o.pointee = best; i.pointee = Int64(bestIndex)
                        o += 1; i += 1
                    }
                }
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
