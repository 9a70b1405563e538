import CEmberKernels
import Synchronization

/// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2015) for 3×3 convolutions with
/// stride 1: the three products of `ConvKernels` with 2.25× fewer multiplications.
///
/// Each 2×2 block of outputs ("tile") is `Aᵀ [ (G w Gᵀ) ⊙ (Bᵀ d B) ] A`, where `d` is the 4×4
/// input patch under the tile. Summed over input channels, the elementwise product becomes,
/// for each of the 16 positions ξ of a transformed tile, a matrix product on OpenBLAS:
/// `M[ξ] = V[ξ] · U[ξ]` with `V[ξ]: [tiles, C]` (transformed inputs) and `U[ξ]: [C, O]`
/// (transformed weights). The gradients are the exact adjoints:
///
/// - input:  `dM = A dY Aᵀ`, `dV[ξ] = dM[ξ] · U[ξ]ᵀ`, `dX += B dV Bᵀ` (tiles overlap-add)
/// - weight: `dU[ξ] = Σ dM[ξ]ᵀ · V[ξ]`, `dW = Gᵀ dU G`
///
/// Tiles are transformed channels-last: each sample is first copied to `[H, W, C]` (channels
/// rounded up to 8), so a tile's 16 taps for 8 channels are 16 contiguous 8-wide loads, the
/// arithmetic is SIMD, and the results are contiguous stores into `[16, tiles, C]`. For
/// float32 the layout changes and tile transforms run in C (`CEmberKernels`), compiled for
/// AVX-512 or AVX2 and picked at run time (Swift code here is built for baseline SSE, where
/// 8-lane vectors take two registers each and spill: in C the tile transforms take about
/// half the CPU time; the layout changes are bound by memory traffic either way).
///
/// Used where GEMM time dominates (3×3 kernel, stride 1, no dilation, one group, at least 8
/// input and output channels): for 32→64 channels on 14×14 planes the three products take
/// 0.6-0.8× the CPU time of im2col + GEMM on the same OpenBLAS. Rounding differs from direct
/// summation by a few ulps.
enum Winograd {
    /// Whether `g` is a convolution Winograd F(2×2, 3×3) computes (and pays for).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.kH == 3 && g.kW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1
            && g.groups == 1 && g.inChannels >= 8 && g.outChannels >= 8
    }

    /// Bytes of transformed tiles (`V` and `M`) per step: as many tiles per GEMM as fit in a
    /// core's L2 cache alongside OpenBLAS's packed panels; the transformed data is 4× the
    /// size of the tiles it comes from, so it must not go out to memory between passes.
    /// A step is several samples, or a band of tile rows of one large sample. Atomic so tests
    /// can shrink it.
    static let stepBytes = Atomic<Int>(640 << 10)
}

/// SIMD over channels: 8 lanes.
private typealias Lanes<T: SIMDScalar> = SIMD8<T>

/// Sizes of the per-step buffers, and the steps a batch chunk runs in: groups of samples, or
/// bands of tile rows of one sample when a whole sample's tiles would not fit the budget.
private struct WinogradPlan {
    let g: ConvGeometry
    let tilesH: Int, tilesW: Int, tilesPerSample: Int
    let samplesPerStep: Int, tileRowsPerStep: Int
    /// Rows of each ξ-slice of the `[16, tileStride, channels]` buffers.
    let tileStride: Int
    /// Input and output channels rounded up to whole vectors.
    let cp: Int, op: Int

    /// One step: samples (relative index `k` counts from the first) and the tile rows of each.
    struct Step {
        let samples: Range<Int>
        let tileRows: Range<Int>
    }

    /// Tiles in `step`: the rows of the GEMMs.
    func tileCount(_ step: Step) -> Int { step.samples.count * step.tileRows.count * tilesW }

    init(_ g: ConvGeometry) {
        self.g = g
        tilesH = (g.outH + 1) / 2
        tilesW = (g.outW + 1) / 2
        tilesPerSample = tilesH * tilesW
        cp = (g.inChannels + 7) / 8 * 8
        op = (g.outChannels + 7) / 8 * 8
        let budget = Winograd.stepBytes.load(ordering: .relaxed)
        let perTileRow = Swift.max(16 * tilesW * (cp + op) * MemoryLayout<Float>.size, 1)
        let perSample = perTileRow * tilesH
        samplesPerStep = Swift.max(1, Swift.min(g.batch, budget / Swift.max(perSample, 1)))
        tileRowsPerStep = perSample <= budget ? tilesH : Swift.max(1, budget / perTileRow)
        tileStride = samplesPerStep * tileRowsPerStep * tilesW
    }

    /// Calls `body(step)` for consecutive steps of `range`.
    func steps(_ range: Range<Int>, _ body: (Step) -> Void) {
        var s = range.lowerBound
        while s < range.upperBound {
            let e = Swift.min(s + samplesPerStep, range.upperBound)
            var r = 0
            while r < tilesH {
                let re = Swift.min(r + tileRowsPerStep, tilesH)
                body(Step(samples: s..<e, tileRows: r..<re))
                r = re
            }
            s = e
        }
    }

    /// Calls `body(t, k, ty, tx)` for every tile of `step`, `t` counting from 0 and `k` the
    /// sample's index within the step.
    @inline(__always)
    func forTiles(_ step: Step, _ body: (Int, Int, Int, Int) -> Void) {
        var t = 0
        for k in 0..<step.samples.count {
            for ty in step.tileRows {
                for tx in 0..<tilesW {
                    body(t, k, ty, tx)
                    t += 1
                }
            }
        }
    }
}

@inline(__always)
private func vload<T: SIMDScalar>(_ p: UnsafePointer<T>) -> Lanes<T> {
    UnsafeRawPointer(p).load(as: Lanes<T>.self)
}

@inline(__always)
private func vstore<T: SIMDScalar>(_ v: Lanes<T>, _ p: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes<T>.self)
}

// MARK: - Layout changes

/// Transposes 8 rows of 8 lanes: three rounds of splitting row pairs into even and odd lanes.
@inline(__always)
private func transpose8<T: SIMDScalar>(_ r: inout InlineArray<8, Lanes<T>>) {
    for _ in 0..<3 {
        let a0 = SIMD16(lowHalf: r[0], highHalf: r[1]), a1 = SIMD16(lowHalf: r[2], highHalf: r[3])
        let a2 = SIMD16(lowHalf: r[4], highHalf: r[5]), a3 = SIMD16(lowHalf: r[6], highHalf: r[7])
        r[0] = a0.evenHalf; r[4] = a0.oddHalf
        r[1] = a1.evenHalf; r[5] = a1.oddHalf
        r[2] = a2.evenHalf; r[6] = a2.oddHalf
        r[3] = a3.evenHalf; r[7] = a3.oddHalf
    }
}

@inline(__always)
private func loadUnaligned<T: FloatElement & SIMDScalar>(_ p: UnsafePointer<T>) -> Lanes<T> {
    var v = Lanes<T>()
    withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: MemoryLayout<Lanes<T>>.size)) }
    return v
}

@inline(__always)
private func storeUnaligned<T: FloatElement & SIMDScalar>(_ v: Lanes<T>, _ p: UnsafeMutablePointer<T>) {
    withUnsafeBytes(of: v) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
}

/// One sample's `[channels, plane]` as `[plane, cp]` at `dst` (lanes past `channels` zeroed),
/// in 8×8 blocks transposed in registers.
private func toChannelsLast<T: FloatElement & SIMDScalar>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, channels: Int, plane: Int, cp: Int) {
    if T.self == Float.self {
        return ember_to_channels_last_f32(floats(src), floats(dst), channels, plane, cp)
    }
    if cp > channels {
        for pos in 0..<plane { (dst + pos * cp + channels).update(repeating: .zero, count: cp - channels) }
    }
    var c0 = 0
    while c0 + 8 <= channels {
        var p0 = 0
        while p0 + 8 <= plane {
            var r = InlineArray<8, Lanes<T>>(repeating: .zero)
            for i in 0..<8 { r[i] = loadUnaligned(src + (c0 + i) * plane + p0) }
            transpose8(&r)
            for i in 0..<8 { vstore(r[i], dst + (p0 + i) * cp + c0) }
            p0 += 8
        }
        for c in c0..<c0 + 8 { for pos in p0..<plane { dst[pos * cp + c] = src[c * plane + pos] } }
        c0 += 8
    }
    for c in c0..<channels { for pos in 0..<plane { dst[pos * cp + c] = src[c * plane + pos] } }
}

/// One sample's channels-last `[plane, cp]` back to `[channels, plane]`, plus `bias`.
private func fromChannelsLast<T: FloatElement & SIMDScalar>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, channels: Int, plane: Int, cp: Int, bias: UnsafePointer<T>?) {
    if T.self == Float.self {
        return ember_from_channels_last_f32(floats(src), floats(dst), channels, plane, cp, bias.map { floats($0) })
    }
    var c0 = 0
    while c0 + 8 <= channels {
        var p0 = 0
        while p0 + 8 <= plane {
            var r = InlineArray<8, Lanes<T>>(repeating: .zero)
            for i in 0..<8 { r[i] = vload(src + (p0 + i) * cp + c0) }
            transpose8(&r)
            for i in 0..<8 { storeUnaligned(r[i] + Lanes(repeating: bias?[c0 + i] ?? .zero), dst + (c0 + i) * plane + p0) }
            p0 += 8
        }
        for c in c0..<c0 + 8 { for pos in p0..<plane { dst[c * plane + pos] = src[pos * cp + c] + (bias?[c] ?? .zero) } }
        c0 += 8
    }
    for c in c0..<channels { for pos in 0..<plane { dst[c * plane + pos] = src[pos * cp + c] + (bias?[c] ?? .zero) } }
}

// MARK: - Tile transforms (one step of samples, channels-last)

/// A tile's 16 values for 8 channels, row-major.
private typealias Tile<T: SIMDScalar> = InlineArray<16, Lanes<T>>

/// `Bᵀ d B` (on columns, then rows), in place. Bᵀ = rows (1,0,-1,0), (0,1,1,0), (0,-1,1,0),
/// (0,1,0,-1).
@inline(__always)
private func transformInput<T: FloatElement & SIMDScalar>(_ e: inout Tile<T>) {
    for j in 0..<4 {
        let a = e[j], b = e[4 + j], c = e[8 + j], d = e[12 + j]
        e[j] = a - c; e[4 + j] = b + c; e[8 + j] = c - b; e[12 + j] = b - d
    }
    for i in 0..<4 {
        let a = e[4 * i], b = e[4 * i + 1], c = e[4 * i + 2], d = e[4 * i + 3]
        e[4 * i] = a - c; e[4 * i + 1] = b + c; e[4 * i + 2] = c - b; e[4 * i + 3] = b - d
    }
}

/// `B e Bᵀ`, the adjoint of `transformInput`, in place. The rows of B are the columns of Bᵀ:
/// (1,0,0,0), (0,1,-1,1), (-1,1,1,0), (0,0,0,-1).
@inline(__always)
private func transformInputAdjoint<T: FloatElement & SIMDScalar>(_ e: inout Tile<T>) {
    for j in 0..<4 {
        let a = e[j], b = e[4 + j], c = e[8 + j], d = e[12 + j]
        e[4 + j] = b - c + d; e[8 + j] = b + c - a; e[12 + j] = .zero - d
    }
    for i in 0..<4 {
        let a = e[4 * i], b = e[4 * i + 1], c = e[4 * i + 2], d = e[4 * i + 3]
        e[4 * i + 1] = b - c + d; e[4 * i + 2] = b + c - a; e[4 * i + 3] = .zero - d
    }
}

/// The rows `i0..<i1` and columns `j0..<j1` of a 4×4 patch at (`r0`, `c0`) inside an
/// `h`×`w` plane.
@inline(__always)
private func patchBounds(_ r0: Int, _ c0: Int, _ h: Int, _ w: Int) -> (i0: Int, i1: Int, j0: Int, j1: Int) {
    (Swift.max(0, -r0), Swift.min(4, h - r0), Swift.max(0, -c0), Swift.min(4, w - c0))
}

/// `V = Bᵀ d B` for every tile of a step: `xh` is `[samplesPerStep, inH, inW, cp]`, `v` `[16, tileStride, cp]`.
private func inputTransform<T: FloatElement & SIMDScalar>(_ xh: UnsafePointer<T>, _ v: UnsafeMutablePointer<T>, _ p: WinogradPlan, _ step: WinogradPlan.Step) {
    let g = p.g, cp = p.cp, slice = p.tileStride * cp
    if T.self == Float.self {
        return ember_wino_input_f32(floats(xh), floats(v), step.samples.count, g.inH, g.inW, g.padH, g.padW,
                                    step.tileRows.lowerBound, step.tileRows.upperBound, p.tilesW, cp, slice)
    }
    p.forTiles(step) { t, k, ty, tx in
        let r0 = 2 * ty - g.padH, c0 = 2 * tx - g.padW
        let b = patchBounds(r0, c0, g.inH, g.inW), inside = b == (0, 4, 0, 4)
        let corner = xh + ((k * g.inH + r0) * g.inW + c0) * cp
        var e = Tile<T>(repeating: .zero)
        for cb in stride(from: 0, to: cp, by: 8) {
            if inside {
                for i in 0..<4 { for j in 0..<4 { e[4 * i + j] = vload(corner + (i * g.inW + j) * cp + cb) } }
            } else {
                for xi in 0..<16 { e[xi] = .zero }
                for i in b.i0..<b.i1 { for j in b.j0..<b.j1 { e[4 * i + j] = vload(corner + (i * g.inW + j) * cp + cb) } }
            }
            transformInput(&e)
            for xi in 0..<16 { vstore(e[xi], v + xi * slice + t * cp + cb) }
        }
    }
}

/// `dX += B dV Bᵀ` for every tile of a step (overlapping tiles add, taps in the padding are
/// dropped): `v` is `[16, tileStride, cp]`, `dxh` `[count, inH, inW, cp]`.
private func inputTransformAdjoint<T: FloatElement & SIMDScalar>(_ v: UnsafePointer<T>, _ dxh: UnsafeMutablePointer<T>, _ p: WinogradPlan, _ step: WinogradPlan.Step) {
    let g = p.g, cp = p.cp, slice = p.tileStride * cp
    if T.self == Float.self {
        return ember_wino_input_adjoint_f32(floats(v), floats(dxh), step.samples.count, g.inH, g.inW, g.padH, g.padW,
                                            step.tileRows.lowerBound, step.tileRows.upperBound, p.tilesW, cp, slice)
    }
    p.forTiles(step) { t, k, ty, tx in
        let r0 = 2 * ty - g.padH, c0 = 2 * tx - g.padW
        let b = patchBounds(r0, c0, g.inH, g.inW)
        let corner = dxh + ((k * g.inH + r0) * g.inW + c0) * cp
        var e = Tile<T>(repeating: .zero)
        for cb in stride(from: 0, to: cp, by: 8) {
            for xi in 0..<16 { e[xi] = vload(v + xi * slice + t * cp + cb) }
            transformInputAdjoint(&e)
            for i in b.i0..<b.i1 {
                for j in b.j0..<b.j1 {
                    let q = corner + (i * g.inW + j) * cp + cb
                    vstore(vload(q) + e[4 * i + j], q)
                }
            }
        }
    }
}

/// `Y = Aᵀ M A` for every tile of a step: `m` is `[16, tileStride, op]`, `yh`
/// `[count, outH, outW, op]`. Aᵀ = rows (1,1,1,0), (0,1,-1,-1).
private func outputTransform<T: FloatElement & SIMDScalar>(_ m: UnsafePointer<T>, _ yh: UnsafeMutablePointer<T>, _ p: WinogradPlan, _ step: WinogradPlan.Step) {
    let g = p.g, op = p.op, slice = p.tileStride * op
    if T.self == Float.self {
        return ember_wino_output_f32(floats(m), floats(yh), step.samples.count, g.outH, g.outW,
                                     step.tileRows.lowerBound, step.tileRows.upperBound, p.tilesW, op, slice)
    }
    p.forTiles(step) { t, k, ty, tx in
        let oy = 2 * ty, ox = 2 * tx, right = ox + 1 < g.outW, below = oy + 1 < g.outH
        let corner = yh + ((k * g.outH + oy) * g.outW + ox) * op
        var e = Tile<T>(repeating: .zero)
        for ob in stride(from: 0, to: op, by: 8) {
            for xi in 0..<16 { e[xi] = vload(m + xi * slice + t * op + ob) }
            var r = InlineArray<8, Lanes<T>>(repeating: .zero)
            for j in 0..<4 {
                r[j] = e[j] + e[4 + j] + e[8 + j]
                r[4 + j] = e[4 + j] - e[8 + j] - e[12 + j]
            }
            for i in 0..<2 where i == 0 || below {
                let row = corner + i * g.outW * op + ob
                vstore(r[4 * i] + r[4 * i + 1] + r[4 * i + 2], row)
                if right { vstore(r[4 * i + 1] - r[4 * i + 2] - r[4 * i + 3], row + op) }
            }
        }
    }
}

/// `dM = A dY Aᵀ` for every tile of a step (outputs past the edge count as zero): `gyh` is
/// `[count, outH, outW, op]`, `m` `[16, tileStride, op]`. A = rows (1,0), (1,1), (1,-1), (0,-1).
private func outputTransformAdjoint<T: FloatElement & SIMDScalar>(_ gyh: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>, _ p: WinogradPlan, _ step: WinogradPlan.Step) {
    let g = p.g, op = p.op, slice = p.tileStride * op
    if T.self == Float.self {
        return ember_wino_output_adjoint_f32(floats(gyh), floats(m), step.samples.count, g.outH, g.outW,
                                             step.tileRows.lowerBound, step.tileRows.upperBound, p.tilesW, op, slice)
    }
    p.forTiles(step) { t, k, ty, tx in
        let oy = 2 * ty, ox = 2 * tx, right = ox + 1 < g.outW, below = oy + 1 < g.outH
        let corner = gyh + ((k * g.outH + oy) * g.outW + ox) * op
        for ob in stride(from: 0, to: op, by: 8) {
            let y00 = vload(corner + ob), y01 = right ? vload(corner + op + ob) : .zero
            let y10 = below ? vload(corner + g.outW * op + ob) : .zero
            let y11 = right && below ? vload(corner + (g.outW + 1) * op + ob) : .zero
            let r: InlineArray<8, Lanes<T>> = [y00, y01, y00 + y10, y01 + y11, y00 - y10, y01 - y11, .zero - y10, .zero - y11]
            let d = m + t * op + ob
            for i in 0..<4 {
                let a = r[2 * i], b = r[2 * i + 1]
                vstore(a, d + (4 * i) * slice)
                vstore(a + b, d + (4 * i + 1) * slice)
                vstore(a - b, d + (4 * i + 2) * slice)
                vstore(.zero - b, d + (4 * i + 3) * slice)
            }
        }
    }
}

/// `U = G w Gᵀ` for every `[O, C]` pair of 3×3 kernels, into `u` as `[16, C, op]` (the
/// right-hand operand of `M = V · U`).
private func weightTransform<T: FloatElement>(_ w: UnsafePointer<T>, _ u: UnsafeMutablePointer<T>, _ g: ConvGeometry, op: Int) {
    let pairs = g.outChannels * g.inChannels, half = T(0.5), C = g.inChannels
    for q in 0..<pairs {
        let at = (q % C) * op + q / C, slice = C * op
        let k = w + 9 * q
        // G on rows: (1,0,0), (½,½,½), (½,-½,½), (0,0,1) → 4×3, then on columns → 4×4.
        var t = InlineArray<12, T>(repeating: .zero)
        for j in 0..<3 {
            let a = k[j], b = k[3 + j], c = k[6 + j]
            t[j] = a; t[3 + j] = (a + b + c) * half; t[6 + j] = (a - b + c) * half; t[9 + j] = c
        }
        for i in 0..<4 {
            let a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2]
            u[(4 * i) * slice + at] = a
            u[(4 * i + 1) * slice + at] = (a + b + c) * half
            u[(4 * i + 2) * slice + at] = (a - b + c) * half
            u[(4 * i + 3) * slice + at] = c
        }
    }
}

/// `dW = Gᵀ dU G` for every `[O, C]` pair, from `du` (`[16, O, C]`) into `dw` (`[O, C, 3, 3]`).
private func weightTransformAdjoint<T: FloatElement>(_ du: UnsafePointer<T>, _ dw: UnsafeMutablePointer<T>, _ g: ConvGeometry) {
    let pairs = g.outChannels * g.inChannels, half = T(0.5)
    for q in 0..<pairs {
        // Gᵀ rows: (1,½,½,0), (0,½,-½,0), (0,½,½,1): first over the tile's rows, then columns.
        var t = InlineArray<12, T>(repeating: .zero)
        for j in 0..<4 {
            let a = du[j * pairs + q], b = du[(4 + j) * pairs + q], c = du[(8 + j) * pairs + q], d = du[(12 + j) * pairs + q]
            t[j] = a + (b + c) * half; t[4 + j] = (b - c) * half; t[8 + j] = (b + c) * half + d
        }
        let k = dw + 9 * q
        for i in 0..<3 {
            let a = t[4 * i], b = t[4 * i + 1], c = t[4 * i + 2], d = t[4 * i + 3]
            k[3 * i] = a + (b + c) * half; k[3 * i + 1] = (b - c) * half; k[3 * i + 2] = (b + c) * half + d
        }
    }
}

// MARK: - The three products

extension Winograd {
    /// `U` as `[16, C, op]` for `w`.
    private static func transformedWeights<T: FloatElement>(_: T.Type, _ w: Tensor, _ p: WinogradPlan) -> Tensor {
        let u = Tensor(empty: [16, p.g.inChannels, p.op], dtype: w.dtype)
        weightTransform(w.pointer(T.self), u.pointer(T.self), p.g, op: p.op)
        return u
    }

    static func forward<T: FloatElement & SIMDScalar>(_: T.Type, x: Tensor, w: Tensor, bias: Tensor?, out: Tensor, g: ConvGeometry) {
        let p = WinogradPlan(g), O = g.outChannels, C = g.inChannels, dtype = x.dtype
        let u = transformedWeights(T.self, w, p)
        let px = x.pointer(T.self), po = out.pointer(T.self), pb = bias.map { UnsafePointer($0.pointer(T.self)) }
        let uOp = GEMMOperand(u, rows: C, cols: O, rowStride: p.op, colStride: 1)
        ConvKernels.forBatch(g) { _, samples, _ in
            let xh = Tensor(empty: [p.samplesPerStep, g.inH, g.inW, p.cp], dtype: dtype)
            let yh = Tensor(empty: [p.samplesPerStep, g.outH, g.outW, p.op], dtype: dtype)
            let v = Tensor(empty: [16, p.tileStride, p.cp], dtype: dtype), m = Tensor(empty: [16, p.tileStride, p.op], dtype: dtype)
            let vOp = GEMMOperand(v, rows: p.tileStride, cols: C, rowStride: p.cp, colStride: 1)
            p.steps(samples) { step in
                if step.tileRows.lowerBound == 0 {
                    for (k, n) in step.samples.enumerated() {
                        toChannelsLast(px + n * C * g.inPlane, xh.pointer(T.self) + k * g.inPlane * p.cp, channels: C, plane: g.inPlane, cp: p.cp)
                    }
                }
                inputTransform(xh.pointer(T.self), v.pointer(T.self), p, step)
                for xi in 0..<16 {
                    gemm(vOp, offA: xi * p.tileStride * p.cp, uOp, offB: xi * C * p.op, m, offC: xi * p.tileStride * p.op,
                         ldc: p.op, m: p.tileCount(step), n: O, k: C)
                }
                outputTransform(m.pointer(T.self), yh.pointer(T.self), p, step)
                if step.tileRows.upperBound == p.tilesH {
                    for (k, n) in step.samples.enumerated() {
                        fromChannelsLast(yh.pointer(T.self) + k * g.outPlane * p.op, po + n * O * g.outPlane, channels: O, plane: g.outPlane, cp: p.op, bias: pb)
                    }
                }
            }
        }
    }

    static func inputGrad<T: FloatElement & SIMDScalar>(_: T.Type, gy: Tensor, w: Tensor, bias: Tensor?, out: Tensor, g: ConvGeometry) {
        let p = WinogradPlan(g), O = g.outChannels, C = g.inChannels, dtype = gy.dtype
        let u = transformedWeights(T.self, w, p)
        let pg = gy.pointer(T.self), po = out.pointer(T.self), pb = bias.map { UnsafePointer($0.pointer(T.self)) }
        // U[ξ]ᵀ: `[O, C]` read through the transposed flag.
        let utOp = GEMMOperand(u, rows: O, cols: C, rowStride: 1, colStride: p.op)
        ConvKernels.forBatch(g) { _, samples, _ in
            let gyh = Tensor(empty: [p.samplesPerStep, g.outH, g.outW, p.op], dtype: dtype)
            let dxh = Tensor(empty: [p.samplesPerStep, g.inH, g.inW, p.cp], dtype: dtype)
            let v = Tensor(empty: [16, p.tileStride, p.cp], dtype: dtype), m = Tensor(empty: [16, p.tileStride, p.op], dtype: dtype)
            let mOp = GEMMOperand(m, rows: p.tileStride, cols: O, rowStride: p.op, colStride: 1)
            p.steps(samples) { step in
                if step.tileRows.lowerBound == 0 {
                    for (k, n) in step.samples.enumerated() {
                        toChannelsLast(pg + n * O * g.outPlane, gyh.pointer(T.self) + k * g.outPlane * p.op, channels: O, plane: g.outPlane, cp: p.op)
                    }
                    dxh.pointer(T.self).update(repeating: .zero, count: step.samples.count * g.inPlane * p.cp)
                }
                outputTransformAdjoint(gyh.pointer(T.self), m.pointer(T.self), p, step)
                for xi in 0..<16 {
                    gemm(mOp, offA: xi * p.tileStride * p.op, utOp, offB: xi * C * p.op, v, offC: xi * p.tileStride * p.cp,
                         ldc: p.cp, m: p.tileCount(step), n: C, k: O)
                }
                inputTransformAdjoint(v.pointer(T.self), dxh.pointer(T.self), p, step)
                if step.tileRows.upperBound == p.tilesH {
                    for (k, n) in step.samples.enumerated() {
                        fromChannelsLast(dxh.pointer(T.self) + k * g.inPlane * p.cp, po + n * C * g.inPlane, channels: C, plane: g.inPlane, cp: p.cp, bias: pb)
                    }
                }
            }
        }
    }

    static func weightGrad<T: FloatElement & SIMDScalar>(_: T.Type, x: Tensor, gy: Tensor, out: Tensor, g: ConvGeometry) {
        let p = WinogradPlan(g), O = g.outChannels, C = g.inChannels, size = 16 * O * C, dtype = x.dtype
        let px = x.pointer(T.self), pg = gy.pointer(T.self)
        // One transformed-gradient accumulator per batch chunk, summed before the transform back.
        let chunks = ConvKernels.batchChunks(g)
        let du = Tensor(empty: [chunks, 16, O, C], dtype: dtype)
        ConvKernels.forBatch(g) { chunk, samples, _ in
            let xh = Tensor(empty: [p.samplesPerStep, g.inH, g.inW, p.cp], dtype: dtype)
            let gyh = Tensor(empty: [p.samplesPerStep, g.outH, g.outW, p.op], dtype: dtype)
            let v = Tensor(empty: [16, p.tileStride, p.cp], dtype: dtype), m = Tensor(empty: [16, p.tileStride, p.op], dtype: dtype)
            let vOp = GEMMOperand(v, rows: p.tileStride, cols: C, rowStride: p.cp, colStride: 1)
            // dM[ξ]ᵀ: `[O, tiles]` read through the transposed flag.
            let mtOp = GEMMOperand(m, rows: O, cols: p.tileStride, rowStride: 1, colStride: p.op)
            var first = true
            p.steps(samples) { step in
                if step.tileRows.lowerBound == 0 {
                    for (k, n) in step.samples.enumerated() {
                        toChannelsLast(px + n * C * g.inPlane, xh.pointer(T.self) + k * g.inPlane * p.cp, channels: C, plane: g.inPlane, cp: p.cp)
                        toChannelsLast(pg + n * O * g.outPlane, gyh.pointer(T.self) + k * g.outPlane * p.op, channels: O, plane: g.outPlane, cp: p.op)
                    }
                }
                inputTransform(xh.pointer(T.self), v.pointer(T.self), p, step)
                outputTransformAdjoint(gyh.pointer(T.self), m.pointer(T.self), p, step)
                for xi in 0..<16 {
                    gemm(mtOp, offA: xi * p.tileStride * p.op, vOp, offB: xi * p.tileStride * p.cp, du, offC: chunk * size + xi * O * C,
                         ldc: C, m: O, n: C, k: p.tileCount(step), beta: first ? 0 : 1)
                }
                first = false
            }
        }
        let pu = du.pointer(T.self)
        for c in 1..<Swift.max(chunks, 1) {
            let q = pu + c * size
            for i in 0..<size { pu[i] += q[i] }
        }
        weightTransformAdjoint(pu, out.pointer(T.self), g)
    }
}

extension Winograd {
    /// `inputGrad` and `weightGrad` in one pass over the batch, for a convolution's backward
    /// when both are wanted: each step's output gradient is moved to channels-last and
    /// transformed (`dM = A dY Aᵀ`) once and feeds both products, instead of once in each.
    static func backward<T: FloatElement & SIMDScalar>(_: T.Type, x: Tensor, gy: Tensor, w: Tensor, dx: Tensor, dw: Tensor, g: ConvGeometry) {
        let p = WinogradPlan(g), O = g.outChannels, C = g.inChannels, size = 16 * O * C, dtype = x.dtype
        let u = transformedWeights(T.self, w, p)
        let px = x.pointer(T.self), pg = gy.pointer(T.self), pdx = dx.pointer(T.self)
        // U[ξ]ᵀ: `[O, C]` read through the transposed flag.
        let utOp = GEMMOperand(u, rows: O, cols: C, rowStride: 1, colStride: p.op)
        let chunks = ConvKernels.batchChunks(g)
        let du = Tensor(empty: [chunks, 16, O, C], dtype: dtype)
        ConvKernels.forBatch(g) { chunk, samples, _ in
            let xh = Tensor(empty: [p.samplesPerStep, g.inH, g.inW, p.cp], dtype: dtype)
            let dxh = Tensor(empty: [p.samplesPerStep, g.inH, g.inW, p.cp], dtype: dtype)
            let gyh = Tensor(empty: [p.samplesPerStep, g.outH, g.outW, p.op], dtype: dtype)
            let v = Tensor(empty: [16, p.tileStride, p.cp], dtype: dtype), m = Tensor(empty: [16, p.tileStride, p.op], dtype: dtype)
            let vOp = GEMMOperand(v, rows: p.tileStride, cols: C, rowStride: p.cp, colStride: 1)
            let mOp = GEMMOperand(m, rows: p.tileStride, cols: O, rowStride: p.op, colStride: 1)
            // dM[ξ]ᵀ: `[O, tiles]` read through the transposed flag.
            let mtOp = GEMMOperand(m, rows: O, cols: p.tileStride, rowStride: 1, colStride: p.op)
            var first = true
            p.steps(samples) { step in
                if step.tileRows.lowerBound == 0 {
                    for (k, n) in step.samples.enumerated() {
                        toChannelsLast(pg + n * O * g.outPlane, gyh.pointer(T.self) + k * g.outPlane * p.op, channels: O, plane: g.outPlane, cp: p.op)
                        toChannelsLast(px + n * C * g.inPlane, xh.pointer(T.self) + k * g.inPlane * p.cp, channels: C, plane: g.inPlane, cp: p.cp)
                    }
                    dxh.pointer(T.self).update(repeating: .zero, count: step.samples.count * g.inPlane * p.cp)
                }
                let tiles = p.tileCount(step)
                outputTransformAdjoint(gyh.pointer(T.self), m.pointer(T.self), p, step)
                // Input gradient: dV[ξ] = dM[ξ] · U[ξ]ᵀ, then dX += B dV Bᵀ.
                for xi in 0..<16 {
                    gemm(mOp, offA: xi * p.tileStride * p.op, utOp, offB: xi * C * p.op, v, offC: xi * p.tileStride * p.cp,
                         ldc: p.cp, m: tiles, n: C, k: O)
                }
                inputTransformAdjoint(v.pointer(T.self), dxh.pointer(T.self), p, step)
                // Weight gradient: V = Bᵀ x B (into the same buffer), dU[ξ] += dM[ξ]ᵀ · V[ξ].
                inputTransform(xh.pointer(T.self), v.pointer(T.self), p, step)
                for xi in 0..<16 {
                    gemm(mtOp, offA: xi * p.tileStride * p.op, vOp, offB: xi * p.tileStride * p.cp, du, offC: chunk * size + xi * O * C,
                         ldc: C, m: O, n: C, k: tiles, beta: first ? 0 : 1)
                }
                first = false
                if step.tileRows.upperBound == p.tilesH {
                    for (k, n) in step.samples.enumerated() {
                        fromChannelsLast(dxh.pointer(T.self) + k * g.inPlane * p.cp, pdx + n * C * g.inPlane, channels: C, plane: g.inPlane, cp: p.cp, bias: nil)
                    }
                }
            }
        }
        let pu = du.pointer(T.self)
        for c in 1..<Swift.max(chunks, 1) {
            let q = pu + c * size
            for i in 0..<size { pu[i] += q[i] }
        }
        weightTransformAdjoint(pu, dw.pointer(T.self), g)
    }
}
