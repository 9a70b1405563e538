import CEmberKernels

/// The float32 LSTM layer in C (CEmberKernels' `ember_lstm_forward_f32` and
/// `ember_lstm_backward_f32`), on threads borrowed from `Parallel`'s one pool: each core owns
/// a range of batch rows (16 or more each) or of hidden units, with packed [W_hh, W_ih]; per step it computes its gates from the previous
/// hidden state and the step's input in one product and applies the cell while the gates are
/// in cache (cores that split the units meet once per step). Backward per step forms the
/// gates' gradients, then [dh, dx] in one product, and every 8 or 16 steps each core adds
/// d_gatesᵀ·[h, x] of those steps to the weight gradients of its units' gates while the gate
/// gradients are still in cache.
///
/// The hidden states and inputs share one buffer `hx` `[T, B, H + I]` (row: the hidden state
/// before the step, then the step's input), so that the forward product and the weight
/// gradients each read one matrix.

/// Runs the layer forward; returns the output `[T, B, H]`, the final states and the tape.
/// `x` is `[T·B, I]`, the weights `[4H, I]` and `[4H, H]`, `bias` b_ih + b_hh; all contiguous.
/// With `tableInput` the input part of the gates (bias included) comes from there instead,
/// and `x` and `bias` are not read.
func lstmLayerForward(_ geo: RecurrentGeometry, x: Tensor, wih: Tensor, whh: Tensor, bias: [Float]?,
                      h0: Tensor?, c0: Tensor?, tableInput: LSTMTableInput? = nil)
    -> (output: Tensor, hN: Tensor, cN: Tensor, tape: RecurrentTape) {
    let steps = geo.steps, batch = geo.batch, hidden = geo.hidden
    let inputSize = tableInput == nil ? geo.inputSize : 0
    let width = hidden + inputSize, state = batch * hidden
    let hx = Tensor(empty: [steps, batch, width], dtype: .float32)
    let cPrev = Tensor(empty: [steps, batch, hidden], dtype: .float32)
    let gates = Tensor(empty: [steps, batch, 4 * hidden], dtype: .float32)
    let tanhC = Tensor(empty: [steps, batch, hidden], dtype: .float32)
    let output = Tensor(empty: [steps, batch, hidden], dtype: .float32)
    let hN = Tensor(empty: [batch, hidden], dtype: .float32), cN = Tensor(empty: [batch, hidden], dtype: .float32)

    let phx = hx.pointer(Float.self), px = x.pointer(Float.self)
    for row in 0..<(steps * batch) where inputSize > 0 {
        (phx + row * width + hidden).update(from: px + row * inputSize, count: inputSize)
    }
    let first = geo.time(0)
    for b in 0..<batch {
        let h = phx + (first * batch + b) * width
        if let h0 { h.update(from: h0.pointer(Float.self) + b * hidden, count: hidden) } else { h.update(repeating: 0, count: hidden) }
    }
    let c = cPrev.pointer(Float.self) + first * state
    if let c0 { c.update(from: c0.pointer(Float.self), count: state) } else { c.update(repeating: 0, count: state) }

    let status = withOptionalBuffer(tableInput == nil ? bias : nil) { bias in
        withLengths(geo) { lengths in
          withTableRows(tableInput) { tableRows in
            var args = ember_lstm_forward_args()
            args.layer = layerShape(geo, inputSize: inputSize, wih: wih, whh: whh)
            args.bias = bias
            args.x_gates = tableInput.map { UnsafePointer($0.gates.pointer(Float.self)) }
            args.x_gate_rows = tableRows
            args.hx = phx
            args.c_prev = cPrev.pointer(Float.self)
            args.gates = gates.pointer(Float.self)
            args.tanh_c = tanhC.pointer(Float.self)
            args.output = output.pointer(Float.self)
            args.h_n = hN.pointer(Float.self)
            args.c_n = cN.pointer(Float.self)
            args.lengths = lengths
            args.reverse = geo.reverse ? 1 : 0
            args.threads = Int32(Parallel.workers)
            args.submit = Parallel.submitTask
            return ember_lstm_forward_f32(&args)
          }
        }
    }
    if status != 0 { outOfMemory(geo) }
    let tape = RecurrentTape(gates: gates, hiddenGates: nil, hPrev: hx.narrow(2, start: 0, length: hidden),
                             cPrev: cPrev, tanhC: tanhC, hx: hx)
    return (output, hN, cN, tape)
}

/// Runs the layer backward from the gradients of the output `[T, B, H]` and the final states
/// `[B, H]` (contiguous, or nil for zeros). With `tableInput` (the forward's), the input's
/// gradients come from the gradient of its gates (see `LSTMTableInput.gradients`).
func lstmLayerBackward(_ geo: RecurrentGeometry, tape: RecurrentTape, wih: Tensor, whh: Tensor,
                       dOutput: Tensor?, dhN: Tensor?, dcN: Tensor?, needs: RecurrentNeeds,
                       tableInput: LSTMTableInput? = nil) -> RecurrentGrads {
    let steps = geo.steps, batch = geo.batch, hidden = geo.hidden
    let inputSize = tableInput == nil ? geo.inputSize : 0
    let rows = steps * batch, gw = 4 * hidden
    let dh = dhN?.convertedCopy() ?? Tensor.zeros([batch, hidden], dtype: .float32)
    let dc = dcN?.convertedCopy() ?? Tensor.zeros([batch, hidden], dtype: .float32)
    let dGates = Tensor(empty: [steps, batch, gw], dtype: .float32)
    let dx = needs.x && tableInput == nil ? Tensor(empty: [rows, inputSize], dtype: .float32) : nil
    let dBias = needs.bih || needs.bhh ? Tensor(empty: [gw], dtype: .float32) : nil
    let dWhh = needs.whh ? Tensor(empty: [gw, hidden], dtype: .float32) : nil
    let dWih = needs.wih && tableInput == nil ? Tensor(empty: [gw, inputSize], dtype: .float32) : nil
    let dTableGates = tableInput.map { Tensor.zeros($0.gates.shape, dtype: .float32) }
    let status = withLengths(geo) { lengths in
      withTableRows(tableInput) { tableRows in
        var args = ember_lstm_backward_args()
        args.layer = layerShape(geo, inputSize: inputSize, wih: wih, whh: whh)
        args.d_x_gates = dTableGates?.pointer(Float.self)
        args.x_gate_rows = tableRows
        args.gates = UnsafePointer(tape.gates.pointer(Float.self))
        args.c_prev = UnsafePointer(tape.cPrev!.pointer(Float.self))
        args.tanh_c = UnsafePointer(tape.tanhC!.pointer(Float.self))
        args.d_output = dOutput.map { UnsafePointer($0.pointer(Float.self)) }
        args.dh = dh.pointer(Float.self)
        args.dc = dc.pointer(Float.self)
        args.d_gates = dGates.pointer(Float.self)
        args.dx = dx?.pointer(Float.self)
        args.d_bias = dBias?.pointer(Float.self)
        args.d_whh = dWhh?.pointer(Float.self)
        args.d_wih = dWih?.pointer(Float.self)
        args.hx = tape.hx.map { UnsafePointer($0.pointer(Float.self)) }
        args.lengths = lengths
        args.reverse = geo.reverse ? 1 : 0
        args.need_dh0 = needs.h0 ? 1 : 0
        args.threads = Int32(Parallel.workers)
        args.submit = Parallel.submitTask
        return ember_lstm_backward_f32(&args)
      }
    }
    if status != 0 { outOfMemory(geo) }

    var grads = RecurrentGrads()
    grads.whh = dWhh
    grads.wih = dWih
    grads.x = dx
    if let tableInput, let dTableGates {
        tableInput.gradients(dGates: dTableGates, stepGates: dGates, wih: wih, needs: needs, into: &grads)
    }
    if let dBias {
        if needs.bih { grads.bih = dBias }
        if needs.bhh { grads.bhh = needs.bih ? dBias.convertedCopy() : dBias }
    }
    if needs.h0 { grads.h0 = dh }
    if needs.c0 { grads.c0 = dc }
    return grads
}

/// The layer's sizes and weights as the C calls take them (`inputSize` 0 when the input's
/// gates come from a table).
private func layerShape(_ geo: RecurrentGeometry, inputSize: Int, wih: Tensor, whh: Tensor) -> ember_lstm_layer {
    ember_lstm_layer(steps: geo.steps, batch: geo.batch, hidden: geo.hidden, input_size: inputSize,
                     whh: UnsafePointer(whh.pointer(Float.self)), wih: UnsafePointer(wih.pointer(Float.self)))
}

private func outOfMemory(_ geo: RecurrentGeometry) -> Never {
    emberFailure("recurrentLayer", "out of memory for the LSTM's packed weights (hidden_size \(geo.hidden), input_size \(geo.inputSize))",
                 file: #fileID, line: #line)
}

/// Calls `body` with the lengths as a C array, or nil when every row has all steps.
private func withLengths<R>(_ geo: RecurrentGeometry, _ body: (UnsafePointer<Int>?) -> R) -> R {
    guard let lengths = geo.lengths else { return body(nil) }
    return lengths.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Calls `body` with the table row of every (t, b) as a C array, or nil without a table input.
private func withTableRows<R>(_ input: LSTMTableInput?, _ body: (UnsafePointer<Int>?) -> R) -> R {
    guard let input else { return body(nil) }
    return input.rowOf.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Calls `body` with the array's storage, or nil.
private func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
