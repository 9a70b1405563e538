import CEmberKernels

/// The float32 LSTM recurrence in C (CEmberKernels' `ember_lstm_forward_f32` and
/// `ember_lstm_backward_f32`): the per-step loop of `recurrentForward` / `recurrentBackward`
/// for an LSTM, with each core owning a range of hidden units and its packed share of W_hh,
/// the recurrent product and the cell's elementwise work done together per step, and the
/// cores meeting once per step. The input projection and the weight gradients stay one GEMM
/// each over all steps (RecurrentKernels.swift).

/// Runs the recurrence forward. `gates` holds x·W_ihᵀ of every step (overwritten by the
/// activations); the slot `geo.time(0)` of `hPrev` and `cPrev` holds h0 and c0.
func lstmRecurrenceForward(_ geo: RecurrentGeometry, whh: Tensor, bias: [Float], gates: Tensor,
                           hPrev: Tensor, cPrev: Tensor, tanhC: Tensor, output: Tensor, hN: Tensor, cN: Tensor) {
    let status = bias.withUnsafeBufferPointer { bias in
        withLengths(geo) { lengths in
            var args = ember_lstm_forward_args()
            args.steps = geo.steps
            args.batch = geo.batch
            args.hidden = geo.hidden
            args.whh = UnsafePointer(whh.pointer(Float.self))
            args.bias = bias.baseAddress
            args.gates = gates.pointer(Float.self)
            args.h_prev = hPrev.pointer(Float.self)
            args.c_prev = cPrev.pointer(Float.self)
            args.tanh_c = tanhC.pointer(Float.self)
            args.output = output.pointer(Float.self)
            args.h_n = hN.pointer(Float.self)
            args.c_n = cN.pointer(Float.self)
            args.lengths = lengths
            args.reverse = geo.reverse ? 1 : 0
            args.threads = Int32(Parallel.workers)
            return ember_lstm_forward_f32(&args)
        }
    }
    if status != 0 { emberFailure("recurrentLayer", "out of memory for the LSTM's packed weights (hidden_size \(geo.hidden))", file: #fileID, line: #line) }
}

/// Runs the recurrence backward: fills `dGates` `[T, B, 4H]`; `dh` and `dc` go from the final
/// states' gradients to the initial states' (dh only when `needH0`).
func lstmRecurrenceBackward(_ geo: RecurrentGeometry, whh: Tensor, tape: RecurrentTape, dOutput: Tensor?,
                            dh: Tensor, dc: Tensor, dGates: Tensor, needH0: Bool) {
    let status = withLengths(geo) { lengths in
        var args = ember_lstm_backward_args()
        args.steps = geo.steps
        args.batch = geo.batch
        args.hidden = geo.hidden
        args.whh = UnsafePointer(whh.pointer(Float.self))
        args.gates = UnsafePointer(tape.gates.pointer(Float.self))
        args.c_prev = UnsafePointer(tape.cPrev!.pointer(Float.self))
        args.tanh_c = UnsafePointer(tape.tanhC!.pointer(Float.self))
        args.d_output = dOutput.map { UnsafePointer($0.pointer(Float.self)) }
        args.dh = dh.pointer(Float.self)
        args.dc = dc.pointer(Float.self)
        args.d_gates = dGates.pointer(Float.self)
        args.lengths = lengths
        args.reverse = geo.reverse ? 1 : 0
        args.need_dh0 = needH0 ? 1 : 0
        args.threads = Int32(Parallel.workers)
        return ember_lstm_backward_f32(&args)
    }
    if status != 0 { emberFailure("recurrentLayer", "out of memory for the LSTM's packed weights (hidden_size \(geo.hidden))", file: #fileID, line: #line) }
}

/// Calls `body` with the lengths as a C array, or nil when every row has all steps.
private func withLengths<R>(_ geo: RecurrentGeometry, _ body: (UnsafePointer<Int>?) -> R) -> R {
    guard let lengths = geo.lengths else { return body(nil) }
    return lengths.withUnsafeBufferPointer { body($0.baseAddress) }
}
