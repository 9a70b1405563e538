/// The nonlinearity of an Elman RNN (PyTorch: `nonlinearity="tanh"` or `"relu"`).
public enum RNNNonlinearity: String, Sendable {
    /// `tanh`, the default.
    case tanh
    /// `relu`.
    case relu
}

/// A multi-layer Elman RNN: `h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`, or with
/// ReLU (PyTorch: `nn.RNN`).
///
/// Inputs are `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`, or unbatched
/// `[T, inputSize]`); the initial state `h0` is `[numLayers·directions, B, hiddenSize]`
/// (zeros when nil). Returns every step's top-layer output `[T, B, directions·hiddenSize]`
/// and the final state of every layer and direction. With `lengths`, row `b` stops after
/// `lengths[b]` steps: its outputs after that are zeros and `hN` holds its state at its last
/// step (PyTorch: a `pack_padded_sequence(..., enforce_sorted=False)` input and
/// `pad_packed_sequence(..., total_length=T)` output).
///
/// ```swift
/// let rnn = RNN(10, 20, numLayers: 2)
/// let (output, hN) = rnn(Tensor.randn([5, 3, 10]))   // [5, 3, 20], [2, 3, 20]
/// ```
open class RNN: RNNBase, @unchecked Sendable {
    /// The nonlinearity (PyTorch: `nonlinearity`).
    public let nonlinearity: RNNNonlinearity

    /// An Elman RNN with PyTorch's initialization, U(-1/√hidden, 1/√hidden) (PyTorch:
    /// `nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    /// batch_first=False, dropout=0.0, bidirectional=False)`).
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, nonlinearity: RNNNonlinearity = .tanh,
                bias: Bool = true, batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false,
                dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        self.nonlinearity = nonlinearity
        super.init(mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, inputSize: inputSize, hiddenSize: hiddenSize,
                   numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
                   bidirectional: bidirectional, projSize: 0, dtype: dtype, file: file, line: line)
    }

    /// Runs the network; returns the output and the final hidden states (PyTorch:
    /// `output, h_n = rnn(input, h_0)`).
    public func callAsFunction(_ input: Tensor, _ h0: Tensor? = nil, lengths: [Int]? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, hN: Tensor) {
        runningForward(file: file, line: line) {
            let r = run(input, h0: h0, c0: nil, lengths: lengths)
            return (r.output, r.h)
        }
    }
}
