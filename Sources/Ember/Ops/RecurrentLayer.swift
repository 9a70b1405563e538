/// One layer and direction of an RNN, LSTM or GRU over a whole sequence as a single
/// differentiable op, with a hand-written backward (see `CPU/RecurrentKernels.swift`).
///
/// A fused op pays here: a composite LSTM records a dozen nodes per time step, and its
/// backward allocates a dozen temporaries per step; this op records one node for the whole
/// sequence, does one GEMM and one elementwise pass per step in each direction, and forms the
/// weight gradients with one GEMM over all steps.

/// Which recurrence a fused recurrent layer runs (PyTorch: the `mode` of `nn.RNNBase`,
/// `"RNN_TANH"`, `"RNN_RELU"`, `"LSTM"` or `"GRU"`). Gates are stacked in PyTorch's order.
public enum RecurrentCell: Sendable, Equatable {
    /// `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
    case rnnTanh
    /// `h' = relu(W_ih x + b_ih + W_hh h + b_hh)`.
    case rnnRelu
    /// Gates `i f g o`: `c' = f c + i g`, `h' = o tanh(c')`.
    case lstm
    /// Gates `r z n`: `n = tanh(W_in x + b_in + r (W_hn h + b_hn))`, `h' = (1 - z) n + z h`.
    case gru

    /// How many gates the weights stack: 1 for the plain RNNs, 4 for LSTM, 3 for GRU.
    public var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnRelu: 1
        case .lstm: 4
        case .gru: 3
        }
    }

    var nodeName: String {
        switch self {
        case .rnnTanh: "RnnTanhBackward0"
        case .rnnRelu: "RnnReluBackward0"
        case .lstm: "LstmBackward0"
        case .gru: "GruBackward0"
        }
    }
}

/// What `recurrentLayer` returns: every step's hidden state and the final states.
public struct RecurrentLayerOutput {
    /// The hidden state of every step, `[T, B, H]`; zeros past a row's length.
    public let output: Tensor
    /// The final hidden state, `[B, H]` (for a row with a length, the state at its last valid step).
    public let hN: Tensor
    /// The final cell state of an LSTM, `[B, H]`; nil for the other cells.
    public let cN: Tensor?
}

/// Runs one layer and one direction of a recurrent network over a time-major sequence
/// (PyTorch: one layer of `torch._VF.lstm` / `gru` / `rnn_tanh` / `rnn_relu`).
///
/// `input` is `[T, B, I]`; `weightIH` `[G·H, I]` and `weightHH` `[G·H, H]` stack the gates in
/// PyTorch's order (LSTM `i f g o`, GRU `r z n`); the biases are `[G·H]`; `h0` and, for an
/// LSTM, `c0` are `[B, H]` (zeros when nil). With `lengths`, row `b` runs only its first
/// `lengths[b]` steps: its outputs after that are zeros and its final state is the one at
/// step `lengths[b] - 1`, as with a packed sequence. `reverse` runs time backwards (the second
/// direction of a bidirectional layer), starting at each row's last valid step.
///
/// ```swift
/// let r = recurrentLayer(x, cell: .lstm, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh)
/// r.output   // [T, B, H]
/// ```
///
/// Float32 and float64. The backward is hand-written, so gradients of gradients
/// (`createGraph: true`) through this op are not available.
public func recurrentLayer(
    _ input: Tensor, cell: RecurrentCell, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor? = nil, biasHH: Tensor? = nil, h0: Tensor? = nil, c0: Tensor? = nil,
    lengths: [Int]? = nil, reverse: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> RecurrentLayerOutput {
    recurrentLayer(input, cell: cell, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH,
                   h0: h0, c0: c0, lengths: lengths, reverse: reverse, inputRows: nil, file: file, line: line)
}

/// `recurrentLayer` for an input that is a lookup of table rows (`inputRows`, time-major, as
/// `GatheredRows.timeMajor` gives; nil for any input): a float32 LSTM then projects each
/// distinct table row once (`LSTMTableInput`), and its backward sends the input's gradient
/// straight to the table, unless something observes the input's own gradient.
package func recurrentLayer(
    _ input: Tensor, cell: RecurrentCell, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor?, biasHH: Tensor?, h0: Tensor?, c0: Tensor?,
    lengths: [Int]?, reverse: Bool, inputRows: GatheredRows?,
    file: StaticString, line: UInt
) -> RecurrentLayerOutput {
    let op: StaticString = "recurrentLayer"
    check(input.dim == 3, op, "expected a time-major input of shape [T, B, input_size], got \(input.shape)", file: file, line: line)
    let steps = input.shape[0], batch = input.shape[1], inputSize = input.shape[2]
    let gates = cell.gateCount
    check(weightHH.dim == 2 && weightHH.shape[0] == gates * weightHH.shape[1], op,
          "weight_hh must have shape [\(gates)·hidden_size, hidden_size] for \(cell), got \(weightHH.shape)", file: file, line: line)
    let hidden = weightHH.shape[1]
    check(weightIH.shape == [gates * hidden, inputSize], op,
          "weight_ih must have shape [\(gates * hidden), \(inputSize)] (\(gates)·hidden_size, input_size), got \(weightIH.shape)", file: file, line: line)
    for (name, b) in [("bias_ih", biasIH), ("bias_hh", biasHH)] {
        if let b { check(b.shape == [gates * hidden], op, "\(name) must have shape [\(gates * hidden)], got \(b.shape)", file: file, line: line) }
    }
    for (name, s) in [("h0", h0), ("c0", c0)] {
        if let s { check(s.shape == [batch, hidden], op, "\(name) must have shape [\(batch), \(hidden)] (batch, hidden_size), got \(s.shape)", file: file, line: line) }
    }
    check(c0 == nil || cell == .lstm, op, "c0 is only used by an LSTM, not \(cell)", file: file, line: line)
    let dtype = input.dtype
    check(dtype == .float32 || dtype == .float64, op, "expected float32 or float64 tensors, got \(dtype)", file: file, line: line)
    for t in [weightIH, weightHH, biasIH, biasHH, h0, c0].compactMap({ $0 }) {
        check(t.dtype == dtype, op, "all tensors must have the input's dtype \(dtype), got \(t.dtype)", file: file, line: line)
    }
    if let lengths {
        check(lengths.count == batch, op, "expected \(batch) lengths (one per batch row), got \(lengths.count)", file: file, line: line)
        for l in lengths { check(l >= 0 && l <= steps, op, "lengths must lie in 0...\(steps) (the sequence length), got \(l)", file: file, line: line) }
    }

    func raw(_ t: Tensor) -> Tensor { t.isContiguous ? t : t.convertedCopy() }
    let geo = RecurrentGeometry(cell: cell, steps: steps, batch: batch, inputSize: inputSize, hidden: hidden,
                                lengths: lengths, reverse: reverse)
    let table = inputRows.flatMap { rows in
        lstmCanReadTable(rows, cell: cell, dtype: dtype, steps: steps, batch: batch, inputSize: inputSize) ? rows.table : nil
    }
    // Reading the table, the layer never reads the input's values: no contiguous copy.
    let x = table == nil ? raw(input) : input, wih = raw(weightIH), whh = raw(weightHH)
    let bih = biasIH.map(raw), bhh = biasHH.map(raw)
    let tableInput = table.map { table in
        LSTMTableInput(table: raw(table), index: inputRows!.index, wih: wih,
                       bias: bih == nil && bhh == nil ? nil : combinedBias(bih, bhh, width: 4 * hidden, Float.self))
    }
    let forward: (output: Tensor, hN: Tensor, cN: Tensor?, tape: RecurrentTape)
    if let tableInput {
        let r = lstmLayerForward(geo, x: x, wih: wih, whh: whh, bias: nil, h0: h0.map(raw), c0: c0.map(raw), tableInput: tableInput)
        forward = (r.output, r.hN, r.cN, r.tape)
    } else {
        forward = dtype.visitFloat(RecurrentForwardKernel(geo: geo, x: x, wih: wih, whh: whh, bih: bih, bhh: bhh,
                                                          h0: h0.map(raw), c0: c0.map(raw)))
    }
    let result = RecurrentLayerOutput(output: forward.output, hN: forward.hN, cN: forward.cN)

    var inputs = [input, weightIH, weightHH]
    for case let t? in [biasIH, biasHH, h0, c0] { inputs.append(t) }
    guard needsGrad(inputs) else { return result }

    let saved = inputs.map { SavedTensor($0, op: cell.nodeName) }
    var needs = RecurrentNeeds()
    needs.x = input.requiresGrad
    needs.wih = weightIH.requiresGrad
    needs.whh = weightHH.requiresGrad
    needs.bih = biasIH?.requiresGrad ?? false
    needs.bhh = biasHH?.requiresGrad ?? false
    needs.h0 = h0?.requiresGrad ?? false
    needs.c0 = c0?.requiresGrad ?? false
    let hasBIH = biasIH != nil, hasBHH = biasHH != nil, hasH0 = h0 != nil, hasC0 = c0 != nil
    let inputShape = input.shape
    let box = RecurrentGradBox()
    let tape = forward.tape
    // With a table input the input's gradient goes straight to the table (one more edge),
    // unless the input's own gradient is wanted when backward runs (see `routeThroughInput`).
    // (The input's gradient only ever reaches the table through the input, so the table
    // takes part only when the input requires grad.)
    let gradTable = input.requiresGrad ? table : nil
    let edges = inputs.map { $0.gradEdge } + (gradTable.map { [$0.gradEdge] } ?? [])
    let main = Node(name: cell.nodeName, edges: edges, file: file, line: line) { _ in
        if GradMode.isEnabled {
            emberFailure(op, "gradients of gradients (createGraph: true) are not available through the fused \(cell) layer; its backward is hand-written", file: file, line: line)
        }
        for s in saved { _ = s.value }  // traps if an input was modified in place since forward
        let (dOut, dhN, dcN) = box.take()
        var needs = needs
        let g: RecurrentGrads
        if let tableInput {
            let throughInput = needs.x && routeThroughInput(input, rows: inputRows!, table: gradTable!)
            needs.table = needs.x && !throughInput
            needs.x = throughInput
            g = lstmLayerBackward(geo, tape: tape, wih: wih, whh: whh, dOutput: dOut.map(raw), dhN: dhN.map(raw),
                                  dcN: dcN.map(raw), needs: needs, tableInput: tableInput)
        } else {
            g = dtype.visitFloat(RecurrentBackwardKernel(geo: geo, tape: tape, x: x, wih: wih, whh: whh,
                                                         dOutput: dOut.map(raw), dhN: dhN.map(raw), dcN: dcN.map(raw), needs: needs))
        }
        var grads: [Tensor?] = [g.x?.view(inputShape), g.wih, g.whh]
        if hasBIH { grads.append(g.bih) }
        if hasBHH { grads.append(g.bhh) }
        if hasH0 { grads.append(g.h0) }
        if hasC0 { grads.append(g.c0) }
        if gradTable != nil { grads.append(g.table) }
        return grads
    }
    let token = Tensor.zeros([1], dtype: dtype)
    attachOutput(result.output, main, token, file: file, line: line) { box.output = $0 }
    attachOutput(result.hN, main, token, file: file, line: line) { box.hN = $0 }
    if let cN = result.cN { attachOutput(cN, main, token, file: file, line: line) { box.cN = $0 } }
    return result
}

/// Whether a float32 LSTM can read its input's gates from the table that `rows` records:
/// a float32 table of the input's width, one in-range index per (t, b).
private func lstmCanReadTable(_ rows: GatheredRows, cell: RecurrentCell, dtype: DType, steps: Int, batch: Int, inputSize: Int) -> Bool {
    let table = rows.table
    guard cell == .lstm, dtype == .float32, table.dtype == .float32, table.dim == 2, table.shape[1] == inputSize,
          steps > 0, batch > 0, rows.index.count == steps * batch else { return false }
    let count = Int64(table.shape[0])
    return rows.index.allSatisfy { $0 >= 0 && $0 < count }
}

/// Whether the gradient of a layer's table-lookup input (which requires grad) must be formed
/// and sent to the input itself rather than straight to the table: when backward observes
/// the gradient of the input or of the lookup it was made from (the embedding's output, which
/// a batch-first LSTM transposes first): `grad(outputs:inputs:)` asks for it, a hook or
/// `retainGrad` sees it; when either is a leaf of its own; or when the table takes no
/// gradient but the input does.
private func routeThroughInput(_ input: Tensor, rows: GatheredRows, table: Tensor) -> Bool {
    guard let node = input.gradFn, let source = rows.sourceNode else { return true }
    return node.gradientIsObserved || source.gradientIsObserved || !table.requiresGrad
}

/// The gradients that reach the layer's three outputs, handed to its one backward node.
///
/// A node has one output, so each output of the layer gets a small node of its own that
/// stores its gradient here and passes a one-element token on to the layer's node, which the
/// engine runs once every output that takes part has delivered.
private final class RecurrentGradBox: @unchecked Sendable {
    var output: Tensor?
    var hN: Tensor?
    var cN: Tensor?

    /// The stored gradients, cleared for the next backward pass through a retained graph.
    func take() -> (Tensor?, Tensor?, Tensor?) {
        defer { output = nil; hN = nil; cN = nil }
        return (output, hN, cN)
    }
}

/// Makes `t` an output of `main`: its gradient goes to `store`, and `token` to `main`.
private func attachOutput(_ t: Tensor, _ main: Node, _ token: Tensor, file: StaticString, line: UInt,
                          store: @escaping (Tensor) -> Void) {
    t.gradFn = Node(name: "\(main.name)Output", edges: [main], file: file, line: line) { g in
        store(g)
        return [token]
    }
    t.requiresGradFlag = true
}

private struct RecurrentForwardKernel: FloatVisitor {
    let geo: RecurrentGeometry
    let x: Tensor, wih: Tensor, whh: Tensor, bih: Tensor?, bhh: Tensor?, h0: Tensor?, c0: Tensor?
    func visit<T: FloatElement>(_: T.Type) -> (output: Tensor, hN: Tensor, cN: Tensor?, tape: RecurrentTape) {
        recurrentForward(T.self, geo, x: x, wih: wih, whh: whh, bih: bih, bhh: bhh, h0: h0, c0: c0)
    }
}

private struct RecurrentBackwardKernel: FloatVisitor {
    let geo: RecurrentGeometry, tape: RecurrentTape
    let x: Tensor, wih: Tensor, whh: Tensor
    let dOutput: Tensor?, dhN: Tensor?, dcN: Tensor?
    let needs: RecurrentNeeds
    func visit<T: FloatElement>(_: T.Type) -> RecurrentGrads {
        recurrentBackward(T.self, geo, tape: tape, x: x, wih: wih, whh: whh, dOutput: dOutput, dhN: dhN, dcN: dcN, needs: needs)
    }
}
