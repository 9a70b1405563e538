/// A multi-layer gated recurrent unit (PyTorch: `nn.GRU`):
///
///     r = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 - z) ⊙ n + z ⊙ h
///
/// Shapes, states and `lengths` as in `RNN`; the weights stack the gates `r z n`.
///
/// ```swift
/// let gru = GRU(10, 20, batchFirst: true, bidirectional: true)
/// let (output, hN) = gru(Tensor.randn([3, 5, 10]))   // [3, 5, 40], [2, 3, 20]
/// ```
open class GRU: RNNBase, @unchecked Sendable {
    /// A GRU with PyTorch's initialization (PyTorch: `nn.GRU(input_size, hidden_size,
    /// num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False)`).
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projSize: 0,
                   dtype: dtype, file: file, line: line)
    }

    /// Runs the network; returns the output and the final hidden states (PyTorch:
    /// `output, h_n = gru(input, h_0)`).
    public func callAsFunction(_ input: Tensor, _ h0: Tensor? = nil, lengths: [Int]? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, hN: Tensor) {
        runningForward(file: file, line: line) {
            let r = run(input, h0: h0, c0: nil, lengths: lengths)
            return (r.output, r.h)
        }
    }
}
