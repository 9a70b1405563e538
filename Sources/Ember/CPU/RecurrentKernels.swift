import CEmberKernels

/// The loops behind `recurrentLayer`: one whole layer and direction of an RNN, LSTM or GRU
/// over a sequence, forward and backward, written by hand so that a training step does
/// per time step exactly one GEMM and one fused elementwise pass, in each direction.
///
/// Forward: the input projection of every time step is one `[T·B, I] × [I, G·H]` GEMM (biases
/// pre-filled); then per step one `[B, H] × [H, G·H]` GEMM adds the recurrent projection and
/// one pass applies the gate nonlinearities and the state update (sigmoid and tanh through
/// the vector `exp`). Backward walks the steps in reverse with one elementwise pass and one
/// `[B, G·H] × [G·H, H]` GEMM per step, then forms the weight gradients with one GEMM each
/// over all steps. Rows past a sequence's length keep their state and output zeros.
///
/// A float32 LSTM takes the C loop of LSTMRecurrence.swift instead (threads sharing each
/// step, input projection fused into the step's product); these loops serve float64, GRU and
/// the plain RNNs.

/// Shapes and options of one layer run.
struct RecurrentGeometry {
    let cell: RecurrentCell
    /// Time steps T, batch B, input features I, hidden size H.
    let steps: Int, batch: Int, inputSize: Int, hidden: Int
    /// Valid steps per batch row, or nil when every row has all `steps`.
    let lengths: [Int]?
    /// Whether time runs from the last step to the first.
    let reverse: Bool

    /// Width of the stacked gates, G·H.
    var gateWidth: Int { cell.gateCount * hidden }
    /// The time index processed at step `s`.
    @inline(__always) func time(_ s: Int) -> Int { reverse ? steps - 1 - s : s }
    /// Rows per parallel chunk of an elementwise pass: 64K gate values, so a step's pass runs
    /// on one thread until the batch is large (a 32 × 1024 pass takes ~30 µs; waking a second
    /// thread for half of it saves little and, on a busy machine, can cost more).
    var rowGrain: Int { Swift.max(1, 65536 / Swift.max(gateWidth, 1)) }
}

/// What the forward pass keeps for backward (time-major `[T, B, ·]`, contiguous except
/// `hPrev` of a float32 LSTM, a view of `hx`).
struct RecurrentTape {
    /// Activated gates: LSTM `i f g o`, GRU `r z n`, RNN the new hidden state.
    let gates: Tensor
    /// GRU only: the recurrent projection `W_h· h + b_h·` of each step (its `n` part is used).
    let hiddenGates: Tensor?
    /// The hidden state before each time step.
    let hPrev: Tensor
    /// LSTM only: the cell state before each time step, and tanh of the cell state after it.
    let cPrev: Tensor?
    let tanhC: Tensor?
    /// Float32 LSTM only (LSTMRecurrence.swift): `[T, B, H + I]`, each row the hidden state
    /// before the step and then the step's input; `hPrev` is a view of its first H columns.
    var hx: Tensor? = nil
}

/// `exp` of `n` contiguous values in place: the vector kernel for float32, libm otherwise.
@inline(__always)
func expInPlace<T: FloatElement>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
    if T.self == Float.self {
        ember_exp_f32(floats(p), floats(p), n)
    } else {
        for j in 0..<n { p[j] = T.exp(p[j]) }
    }
}

/// `a + b` as an array of `width` values (either may be nil: zeros).
func combinedBias<T: FloatElement>(_ a: Tensor?, _ b: Tensor?, width: Int, _: T.Type) -> [T] {
    let pa = a?.pointer(T.self), pb = b?.pointer(T.self)
    return (0..<width).map { j in (pa?[j] ?? 0) + (pb?[j] ?? 0) }
}

/// `C[m, n] (+)= A[m, k] · B[k, n]` on contiguous row-major buffers, either operand read
/// transposed (`A` stored `[k, m]`, `B` stored `[n, k]`).
@inline(__always)
func gemmContiguous(_ a: Tensor, offA: Int = 0, transA: Bool = false, _ b: Tensor, offB: Int = 0, transB: Bool = false,
                    _ c: Tensor, offC: Int = 0, m: Int, n: Int, k: Int, beta: Double) {
    let opA = GEMMOperand(a, rows: m, cols: k, rowStride: transA ? 1 : k, colStride: transA ? m : 1)
    let opB = GEMMOperand(b, rows: k, cols: n, rowStride: transB ? 1 : n, colStride: transB ? k : 1)
    if k == 0 {
        if beta == 0 {
            let size = c.dtype.itemSize
            (c.storage.data + (c.offset + offC) * size).initializeMemory(as: UInt8.self, repeating: 0, count: m * n * size)
        }
        return
    }
    gemm(opA, offA: offA, opB, offB: offB, c, offC: offC, ldc: n, m: m, n: n, k: k, beta: beta)
}

/// Runs the layer forward. `x` is `[T·B, I]`, weights `[G·H, I]` and `[G·H, H]`, biases
/// `[G·H]`, states `[B, H]`; all contiguous with dtype `T`. Returns the output `[T, B, H]`,
/// the final states and the tape.
func recurrentForward<T: FloatElement>(
    _: T.Type, _ geo: RecurrentGeometry, x: Tensor, wih: Tensor, whh: Tensor,
    bih: Tensor?, bhh: Tensor?, h0: Tensor?, c0: Tensor?
) -> (output: Tensor, hN: Tensor, cN: Tensor?, tape: RecurrentTape) {
    let steps = geo.steps, batch = geo.batch, hidden = geo.hidden, gw = geo.gateWidth
    let dtype = x.dtype
    let isLSTM = geo.cell == .lstm, isGRU = geo.cell == .gru
    if isLSTM && T.self == Float.self && steps > 0 {
        let bias = bih == nil && bhh == nil ? nil : combinedBias(bih, bhh, width: gw, Float.self)
        let r = lstmLayerForward(geo, x: x, wih: wih, whh: whh, bias: bias, h0: h0, c0: c0)
        return (r.output, r.hN, r.cN, r.tape)
    }
    // Input projection of every step at once; the biases are added in the elementwise pass
    // (GRU keeps b_hh apart: it sits inside r ⊙ (W_hn h + b_hn)).
    let gates = Tensor(empty: [steps, batch, gw], dtype: dtype)
    gemmContiguous(x, wih, transB: true, gates, m: steps * batch, n: gw, k: geo.inputSize, beta: 0)
    let biasX = combinedBias(bih, isGRU ? nil : bhh, width: gw, T.self)
    let biasH = isGRU ? combinedBias(bhh, nil, width: gw, T.self) : []

    let hiddenGates = isGRU ? Tensor(empty: [steps, batch, gw], dtype: dtype) : nil
    let hPrev = Tensor(empty: [steps, batch, hidden], dtype: dtype)
    let cPrev = isLSTM ? Tensor(empty: [steps, batch, hidden], dtype: dtype) : nil
    let tanhC = isLSTM ? Tensor(empty: [steps, batch, hidden], dtype: dtype) : nil
    let output = Tensor(empty: [steps, batch, hidden], dtype: dtype)
    let hCur = h0.map { $0.convertedCopy() } ?? Tensor.zeros([batch, hidden], dtype: dtype)
    let cCur = isLSTM ? (c0.map { $0.convertedCopy() } ?? Tensor.zeros([batch, hidden], dtype: dtype)) : nil
    let pg = gates.pointer(T.self), ph = hCur.pointer(T.self), pout = output.pointer(T.self)
    let pc = cCur?.pointer(T.self), ptc = tanhC?.pointer(T.self), phg = hiddenGates?.pointer(T.self)
    let lengths = geo.lengths, cell = geo.cell
    let state = batch * hidden
    for s in 0..<steps {
        let t = geo.time(s)
        (hPrev.pointer(T.self) + t * state).update(from: ph, count: state)
        if let cPrev, let pc { (cPrev.pointer(T.self) + t * state).update(from: pc, count: state) }
        if let hiddenGates {
            // hiddenGates[t] = h W_hhᵀ (b_hh is added in the elementwise pass).
            gemmContiguous(hPrev, offA: t * state, whh, transB: true, hiddenGates, offC: t * batch * gw,
                           m: batch, n: gw, k: hidden, beta: 0)
        } else {
            gemmContiguous(hPrev, offA: t * state, whh, transB: true, gates, offC: t * batch * gw, m: batch, n: gw, k: hidden, beta: 1)
        }
        biasX.withUnsafeBufferPointer { bx in
            biasH.withUnsafeBufferPointer { bh in
                let bx = bx.baseAddress!, bh = bh.baseAddress
                Parallel.forRange(batch, grain: geo.rowGrain) { rows in
                    for b in rows {
                        let row = t * batch + b
                        let g = pg + row * gw, h = ph + b * hidden, out = pout + row * hidden
                        if let lengths, t >= lengths[b] {
                            out.update(repeating: 0, count: hidden)
                            continue
                        }
                        switch cell {
                        case .lstm: lstmPointwise(g, bx, c: pc! + b * hidden, tanhC: ptc! + row * hidden, h: h, out: out, hidden)
                        case .gru: gruPointwise(g, bx, hg: phg! + row * gw, bh!, h: h, out: out, hidden)
                        case .rnnTanh, .rnnRelu: rnnPointwise(g, bx, relu: cell == .rnnRelu, h: h, out: out, hidden)
                        }
                    }
                }
            }
        }
    }
    let tape = RecurrentTape(gates: gates, hiddenGates: hiddenGates, hPrev: hPrev, cPrev: cPrev, tanhC: tanhC)
    return (output, hCur, cCur, tape)
}

/// One LSTM row: `g` holds the pre-activations `i f g o` without the bias `bias`
/// (overwritten by the activations); `c` and `h` are updated in place; tanh(c) is saved.
@inline(__always)
private func lstmPointwise<T: FloatElement>(_ g: UnsafeMutablePointer<T>, _ bias: UnsafePointer<T>, c: UnsafeMutablePointer<T>,
                                            tanhC: UnsafeMutablePointer<T>, h: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<T>, _ n: Int) {
    // sigmoid(a) = 1 / (1 + e^-a), tanh(a) = 2 / (1 + e^-2a) - 1: one vector exp for all four gates.
    for j in 0..<(2 * n) { g[j] = -(g[j] + bias[j]) }
    for j in (2 * n)..<(3 * n) { g[j] = -2 * (g[j] + bias[j]) }
    for j in (3 * n)..<(4 * n) { g[j] = -(g[j] + bias[j]) }
    expInPlace(g, 4 * n)
    for j in 0..<(2 * n) { g[j] = 1 / (1 + g[j]) }
    for j in (2 * n)..<(3 * n) { g[j] = 2 / (1 + g[j]) - 1 }
    for j in (3 * n)..<(4 * n) { g[j] = 1 / (1 + g[j]) }
    for j in 0..<n {
        let cNew = g[n + j] * c[j] + g[j] * g[2 * n + j]
        c[j] = cNew
        tanhC[j] = -2 * cNew
    }
    expInPlace(tanhC, n)
    for j in 0..<n {
        let th = 2 / (1 + tanhC[j]) - 1
        tanhC[j] = th
        let hNew = g[3 * n + j] * th
        h[j] = hNew
        out[j] = hNew
    }
}

/// One GRU row: `g` holds the input projections `r z n` without their bias `bx`
/// (overwritten by the activations), `hg` the recurrent ones without `bh` (its `n` part gets
/// the bias added and is kept); `h` is updated in place.
@inline(__always)
private func gruPointwise<T: FloatElement>(_ g: UnsafeMutablePointer<T>, _ bx: UnsafePointer<T>, hg: UnsafeMutablePointer<T>,
                                           _ bh: UnsafePointer<T>, h: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<T>, _ n: Int) {
    for j in 0..<(2 * n) { g[j] = -(g[j] + bx[j] + hg[j] + bh[j]) }
    for j in (2 * n)..<(3 * n) { hg[j] += bh[j] }
    expInPlace(g, 2 * n)
    for j in 0..<(2 * n) { g[j] = 1 / (1 + g[j]) }
    for j in 0..<n { g[2 * n + j] = -2 * (g[2 * n + j] + bx[2 * n + j] + g[j] * hg[2 * n + j]) }
    expInPlace(g + 2 * n, n)
    for j in 0..<n {
        let nv = 2 / (1 + g[2 * n + j]) - 1
        g[2 * n + j] = nv
        let z = g[n + j]
        let hNew = (1 - z) * nv + z * h[j]
        h[j] = hNew
        out[j] = hNew
    }
}

/// One plain RNN row: `g` holds the pre-activation without `bias`, overwritten by the new
/// hidden state.
@inline(__always)
private func rnnPointwise<T: FloatElement>(_ g: UnsafeMutablePointer<T>, _ bias: UnsafePointer<T>, relu: Bool,
                                           h: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<T>, _ n: Int) {
    if relu {
        for j in 0..<n { let a = g[j] + bias[j]; g[j] = a < 0 ? 0 : a }
    } else {
        for j in 0..<n { g[j] = -2 * (g[j] + bias[j]) }
        expInPlace(g, n)
        for j in 0..<n { g[j] = 2 / (1 + g[j]) - 1 }
    }
    h.update(from: g, count: n)
    out.update(from: g, count: n)
}

/// Gradients of one layer run; nil where not asked for.
struct RecurrentGrads {
    var x, wih, whh, bih, bhh, h0, c0: Tensor?
    /// The table's gradient when the input was a table lookup (`LSTMTableInput`).
    var table: Tensor?
}

/// Which gradients `recurrentBackward` should form.
struct RecurrentNeeds {
    var x = false, wih = false, whh = false, bih = false, bhh = false, h0 = false, c0 = false
    /// With an `LSTMTableInput`: the table's gradient.
    var table = false
}

/// Runs the layer backward from the gradients of the output `[T, B, H]` and final states
/// `[B, H]` (each contiguous or nil for zeros).
func recurrentBackward<T: FloatElement>(
    _: T.Type, _ geo: RecurrentGeometry, tape: RecurrentTape, x: Tensor, wih: Tensor, whh: Tensor,
    dOutput: Tensor?, dhN: Tensor?, dcN: Tensor?, needs: RecurrentNeeds
) -> RecurrentGrads {
    let steps = geo.steps, batch = geo.batch, hidden = geo.hidden, gw = geo.gateWidth
    let dtype = x.dtype
    let isLSTM = geo.cell == .lstm, isGRU = geo.cell == .gru
    if tape.hx != nil {  // the forward ran the float32 LSTM loop
        return lstmLayerBackward(geo, tape: tape, wih: wih, whh: whh, dOutput: dOutput, dhN: dhN, dcN: dcN, needs: needs)
    }
    let dh = dhN?.convertedCopy() ?? Tensor.zeros([batch, hidden], dtype: dtype)
    let dc = isLSTM ? (dcN?.convertedCopy() ?? Tensor.zeros([batch, hidden], dtype: dtype)) : nil
    let dGX = Tensor(empty: [steps, batch, gw], dtype: dtype)
    let dGH = isGRU ? Tensor(empty: [steps, batch, gw], dtype: dtype) : dGX
    let pdh = dh.pointer(T.self), pdc = dc?.pointer(T.self)
    let pdx = dGX.pointer(T.self), pdhg = dGH.pointer(T.self)
    let pa = tape.gates.pointer(T.self), pdo = dOutput?.pointer(T.self)
    let ptc = tape.tanhC?.pointer(T.self), pcp = tape.cPrev?.pointer(T.self)
    let php = tape.hPrev.pointer(T.self), phg = tape.hiddenGates?.pointer(T.self)
    let lengths = geo.lengths, cell = geo.cell
    for s in stride(from: steps - 1, through: 0, by: -1) {
        let t = geo.time(s)
        Parallel.forRange(batch, grain: geo.rowGrain) { rows in
            for b in rows {
                let row = t * batch + b
                let dg = pdx + row * gw, dhr = pdh + b * hidden
                if let lengths, t >= lengths[b] {
                    dg.update(repeating: 0, count: gw)
                    if isGRU { (pdhg + row * gw).update(repeating: 0, count: gw) }
                    continue
                }
                if let pdo { let o = pdo + row * hidden; for j in 0..<hidden { dhr[j] += o[j] } }
                let a = pa + row * gw
                switch cell {
                case .lstm:
                    lstmBackwardRow(a, tanhC: ptc! + row * hidden, cPrev: pcp! + row * hidden, dh: dhr, dc: pdc! + b * hidden, dg: dg, hidden)
                case .gru:
                    gruBackwardRow(a, hg: phg! + row * gw, hPrev: php + row * hidden, dh: dhr, dgx: dg, dgh: pdhg + row * gw, hidden)
                case .rnnTanh:
                    for j in 0..<hidden { let y = a[j]; dg[j] = dhr[j] * (1 - y * y); dhr[j] = 0 }
                case .rnnRelu:
                    for j in 0..<hidden { dg[j] = a[j] > 0 ? dhr[j] : 0; dhr[j] = 0 }
                }
            }
        }
        // dh_{t-1} += dG_t · W_hh (skipped after the first step when h0 needs no gradient).
        if s > 0 || needs.h0 {
            gemmContiguous(dGH, offA: t * batch * gw, whh, dh, m: batch, n: hidden, k: gw, beta: 1)
        }
    }

    return weightGradients(T.self, geo, tape: tape, x: x, wih: wih, dGX: dGX, dGH: dGH, dh: dh, dc: dc, needs: needs)
}

/// The gradients formed after the backward loop from the gates' gradients of every step
/// (`dGX` for the input projection, `dGH` for the recurrent one: the same tensor except for a
/// GRU), one GEMM each, and the initial states' gradients `dh` and `dc`.
private func weightGradients<T: FloatElement>(
    _: T.Type, _ geo: RecurrentGeometry, tape: RecurrentTape, x: Tensor, wih: Tensor,
    dGX: Tensor, dGH: Tensor, dh: Tensor, dc: Tensor?, needs: RecurrentNeeds
) -> RecurrentGrads {
    let gw = geo.gateWidth, hidden = geo.hidden, dtype = x.dtype, isGRU = geo.cell == .gru
    var grads = RecurrentGrads()
    let rows = geo.steps * geo.batch
    if needs.whh {
        let g = Tensor(empty: [gw, hidden], dtype: dtype)
        gemmContiguous(dGH, transA: true, tape.hPrev, g, m: gw, n: hidden, k: rows, beta: 0)
        grads.whh = g
    }
    if needs.wih {
        let g = Tensor(empty: [gw, geo.inputSize], dtype: dtype)
        gemmContiguous(dGX, transA: true, x, g, m: gw, n: geo.inputSize, k: rows, beta: 0)
        grads.wih = g
    }
    if needs.x {
        let g = Tensor(empty: [rows, geo.inputSize], dtype: dtype)
        gemmContiguous(dGX, wih, g, m: rows, n: geo.inputSize, k: gw, beta: 0)
        grads.x = g
    }
    if needs.bih || needs.bhh {
        let dbx = withNoGrad { dGX.view([rows, gw]).sum(dims: [0]) }
        if needs.bih { grads.bih = dbx }
        if needs.bhh { grads.bhh = isGRU ? withNoGrad { dGH.view([rows, gw]).sum(dims: [0]) } : (needs.bih ? dbx.convertedCopy() : dbx) }
    }
    if needs.h0 { grads.h0 = dh }
    if needs.c0 { grads.c0 = dc }
    return grads
}

/// One LSTM row backward: reads the activations `i f g o`, tanh of the new cell state and the
/// previous cell state; writes the pre-activation gradients `dg`; `dh` (already including the
/// output's gradient) is consumed and zeroed, `dc` becomes the previous cell state's gradient.
@inline(__always)
private func lstmBackwardRow<T: FloatElement>(_ a: UnsafeMutablePointer<T>, tanhC: UnsafeMutablePointer<T>, cPrev: UnsafeMutablePointer<T>,
                                              dh: UnsafeMutablePointer<T>, dc: UnsafeMutablePointer<T>, dg: UnsafeMutablePointer<T>, _ n: Int) {
    for j in 0..<n {
        let i = a[j], f = a[n + j], g = a[2 * n + j], o = a[3 * n + j], th = tanhC[j]
        let dhT = dh[j]
        let dcT = dc[j] + dhT * o * (1 - th * th)
        dg[j] = dcT * g * i * (1 - i)
        dg[n + j] = dcT * cPrev[j] * f * (1 - f)
        dg[2 * n + j] = dcT * i * (1 - g * g)
        dg[3 * n + j] = dhT * th * o * (1 - o)
        dc[j] = dcT * f
        dh[j] = 0
    }
}

/// One GRU row backward: `h' = (1 - z) n + z h`, `n = tanh(x_n + r (W_hn h + b_hn))`. Writes the
/// gradients of the input projections `dgx` and of the recurrent ones `dgh`; `dh` becomes
/// the direct part of the previous hidden state's gradient (`z dh`).
@inline(__always)
private func gruBackwardRow<T: FloatElement>(_ a: UnsafeMutablePointer<T>, hg: UnsafeMutablePointer<T>, hPrev: UnsafeMutablePointer<T>,
                                             dh: UnsafeMutablePointer<T>, dgx: UnsafeMutablePointer<T>, dgh: UnsafeMutablePointer<T>, _ n: Int) {
    for j in 0..<n {
        let r = a[j], z = a[n + j], nv = a[2 * n + j], hn = hg[2 * n + j]
        let dhT = dh[j]
        let dan = dhT * (1 - z) * (1 - nv * nv)
        let dz = dhT * (hPrev[j] - nv)
        let dar = dan * hn * r * (1 - r)
        let daz = dz * z * (1 - z)
        dgx[j] = dar; dgh[j] = dar
        dgx[n + j] = daz; dgh[n + j] = daz
        dgx[2 * n + j] = dan; dgh[2 * n + j] = dan * r
        dh[j] = dhT * z
    }
}
