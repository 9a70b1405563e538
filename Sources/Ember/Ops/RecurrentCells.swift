/// Single recurrent steps as fused ops: the gate nonlinearities and the state update run in
/// one elementwise pass with a hand-written backward (they are `recurrentLayer` over one step).
/// Inputs are `[B, I]`, states `[B, H]`, weights stacked in PyTorch's gate order.

/// One LSTM step: gates `i f g o = σ, σ, tanh, σ` of `W_ih x + b_ih + W_hh h + b_hh`, then
/// `c' = f c + i g` and `h' = o tanh(c')` (PyTorch: `torch.lstm_cell`, `nn.LSTMCell`'s forward).
/// `h` and `c` default to zeros.
///
/// ```swift
/// let (h1, c1) = lstmCell(x, h: h0, c: c0, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh)
/// ```
public func lstmCell(
    _ input: Tensor, h: Tensor? = nil, c: Tensor? = nil, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor? = nil, biasHH: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> (h: Tensor, c: Tensor) {
    let r = cellStep(input, .lstm, h, c, weightIH, weightHH, biasIH, biasHH, file: file, line: line)
    return (r.hN, r.cN!)
}

/// One GRU step: `r z = σ(W_i· x + b_i· + W_h· h + b_h·)`, `n = tanh(W_in x + b_in + r (W_hn h + b_hn))`,
/// `h' = (1 - z) n + z h` (PyTorch: `torch.gru_cell`, `nn.GRUCell`'s forward). `h` defaults to zeros.
public func gruCell(
    _ input: Tensor, h: Tensor? = nil, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor? = nil, biasHH: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    cellStep(input, .gru, h, nil, weightIH, weightHH, biasIH, biasHH, file: file, line: line).hN
}

/// One Elman RNN step with tanh: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`
/// (PyTorch: `torch.rnn_tanh_cell`). `h` defaults to zeros.
public func rnnTanhCell(
    _ input: Tensor, h: Tensor? = nil, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor? = nil, biasHH: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    cellStep(input, .rnnTanh, h, nil, weightIH, weightHH, biasIH, biasHH, file: file, line: line).hN
}

/// One Elman RNN step with ReLU: `h' = relu(W_ih x + b_ih + W_hh h + b_hh)`
/// (PyTorch: `torch.rnn_relu_cell`). `h` defaults to zeros.
public func rnnReluCell(
    _ input: Tensor, h: Tensor? = nil, weightIH: Tensor, weightHH: Tensor,
    biasIH: Tensor? = nil, biasHH: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    cellStep(input, .rnnRelu, h, nil, weightIH, weightHH, biasIH, biasHH, file: file, line: line).hN
}

private func cellStep(
    _ input: Tensor, _ cell: RecurrentCell, _ h: Tensor?, _ c: Tensor?, _ wih: Tensor, _ whh: Tensor,
    _ bih: Tensor?, _ bhh: Tensor?, file: StaticString, line: UInt
) -> RecurrentLayerOutput {
    check(input.dim == 2, "recurrentCell", "\(cell) cell: expected an input of shape [batch, input_size], got \(input.shape)", file: file, line: line)
    return recurrentLayer(input.unsqueeze(0), cell: cell, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh,
                          h0: h, c0: c, file: file, line: line)
}
