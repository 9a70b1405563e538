/// What `RNNCell`, `LSTMCell` and `GRUCell` share: one step's weights `weight_ih`
/// `[G·hidden, input]`, `weight_hh` `[G·hidden, hidden]` and biases `bias_ih`, `bias_hh`
/// `[G·hidden]`, drawn from U(-1/√hidden, 1/√hidden) (PyTorch: `nn.RNNCellBase`).
open class RNNCellBase: Module, @unchecked Sendable {
    /// Features of the input (PyTorch: `input_size`).
    public let inputSize: Int
    /// Features of the hidden state (PyTorch: `hidden_size`).
    public let hiddenSize: Int
    /// Whether the cell has the biases (PyTorch: `bias`).
    public let bias: Bool
    /// The input weights, gates stacked in PyTorch's order (PyTorch: `weight_ih`).
    @Parameter public var weightIH: Tensor
    /// The recurrent weights (PyTorch: `weight_hh`).
    @Parameter public var weightHH: Tensor
    /// The input bias, or nil (PyTorch: `bias_ih`).
    @Parameter public var biasIH: Tensor?
    /// The recurrent bias, or nil (PyTorch: `bias_hh`).
    @Parameter public var biasHH: Tensor?

    init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool, gates: Int, dtype: DType, name: StaticString, file: StaticString, line: UInt) {
        check(inputSize >= 0 && hiddenSize > 0, name, "input_size must be non-negative and hidden_size positive, got \(inputSize) and \(hiddenSize)", file: file, line: line)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.bias = bias
        _weightIH = Parameter(wrappedValue: Tensor(empty: [gates * hiddenSize, inputSize], dtype: dtype), name: "weight_ih")
        _weightHH = Parameter(wrappedValue: Tensor(empty: [gates * hiddenSize, hiddenSize], dtype: dtype), name: "weight_hh")
        _biasIH = Parameter(wrappedValue: bias ? Tensor(empty: [gates * hiddenSize], dtype: dtype) : nil, name: "bias_ih")
        _biasHH = Parameter(wrappedValue: bias ? Tensor(empty: [gates * hiddenSize], dtype: dtype) : nil, name: "bias_hh")
        super.init()
        resetParameters()
    }

    /// Re-draws every parameter from U(-1/√hidden_size, 1/√hidden_size) (PyTorch: `reset_parameters`).
    open func resetParameters() {
        let bound = 1 / Double(hiddenSize).squareRoot()
        for t in [weightIH, weightHH, biasIH, biasHH].compactMap({ $0 }) { Init.uniform_(t, -bound, bound) }
    }

    /// `3, 4` (plus `bias=False` when there is none) as PyTorch prints it.
    open override var extraDescription: String {
        "\(inputSize), \(hiddenSize)" + (bias ? "" : ", bias=False")
    }

    /// Checks an input `[B, input]` or unbatched `[input]` and a state `[B, hidden]` / `[hidden]`,
    /// returning them batched and whether to squeeze the result.
    func batched(_ input: Tensor, _ states: [Tensor?], _ name: StaticString) -> (Tensor, [Tensor?], Bool) {
        check((input.dim == 1 || input.dim == 2) && input.shape.last == inputSize, name, "expected input of shape [B, \(inputSize)] or [\(inputSize)], got \(input.shape)")
        let isBatched = input.dim == 2
        let batch = isBatched ? input.shape[0] : 1
        let out = states.map { s -> Tensor? in
            guard let s else { return nil }
            check(s.dim == input.dim, name, "for \(isBatched ? "batched 2-D" : "unbatched 1-D") input, the state should also be \(input.dim)-D, got shape \(s.shape)")
            let t = isBatched ? s : s.unsqueeze(0)
            check(t.shape == [batch, hiddenSize], name, "expected a state of shape \(isBatched ? [batch, hiddenSize] : [hiddenSize]), got \(s.shape)")
            return t
        }
        return (isBatched ? input : input.unsqueeze(0), out, !isBatched)
    }
}

/// An Elman RNN cell: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`, or with ReLU
/// (PyTorch: `nn.RNNCell`).
///
/// ```swift
/// let cell = RNNCell(10, 20)
/// var h = Tensor.zeros([3, 20])
/// for x in Tensor.randn([6, 3, 10]).unbind(0) { h = cell(x, h) }
/// ```
open class RNNCell: RNNCellBase, @unchecked Sendable {
    /// The nonlinearity (PyTorch: `nonlinearity`).
    public let nonlinearity: RNNNonlinearity

    /// An RNN cell (PyTorch: `nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')`).
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh,
                dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        self.nonlinearity = nonlinearity
        super.init(inputSize, hiddenSize, bias: bias, gates: 1, dtype: dtype, name: "RNNCell", file: file, line: line)
    }

    /// One step from `input` `[B, input]` (or `[input]`) and `h` (zeros when nil) to the new
    /// hidden state (PyTorch: `cell(input, hx)`).
    public func callAsFunction(_ input: Tensor, _ h: Tensor?,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            let (x, s, squeeze) = batched(input, [h], "RNNCell")
            let f = nonlinearity == .tanh ? rnnTanhCell : rnnReluCell
            let out = f(x, s[0], weightIH, weightHH, biasIH, biasHH, #fileID, #line)
            return squeeze ? out.squeeze(0) : out
        }
    }

    /// One step from a zero state.
    open override func forward(_ x: Tensor) -> Tensor { self(x, nil) }

    /// `3, 4, nonlinearity=relu` as PyTorch prints it.
    open override var extraDescription: String {
        super.extraDescription + (nonlinearity == .tanh ? "" : ", nonlinearity=\(nonlinearity.rawValue)")
    }
}

/// An LSTM cell: gates `i f g o`, `c' = f c + i g`, `h' = o tanh(c')`, computed in one fused
/// pass (PyTorch: `nn.LSTMCell`).
///
/// ```swift
/// let cell = LSTMCell(10, 20)
/// var state = (h: Tensor.zeros([3, 20]), c: Tensor.zeros([3, 20]))
/// for x in Tensor.randn([6, 3, 10]).unbind(0) { state = cell(x, state) }
/// ```
open class LSTMCell: RNNCellBase, @unchecked Sendable {
    /// An LSTM cell (PyTorch: `nn.LSTMCell(input_size, hidden_size, bias=True)`).
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(inputSize, hiddenSize, bias: bias, gates: 4, dtype: dtype, name: "LSTMCell", file: file, line: line)
    }

    /// One step; the state defaults to zeros (PyTorch: `h_1, c_1 = cell(input, (h_0, c_0))`).
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)?,
                               file: StaticString = #fileID, line: UInt = #line) -> (h: Tensor, c: Tensor) {
        runningForward(file: file, line: line) {
            let (x, s, squeeze) = batched(input, [state?.h, state?.c], "LSTMCell")
            let r = lstmCell(x, h: s[0], c: s[1], weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
            return squeeze ? (r.h.squeeze(0), r.c.squeeze(0)) : r
        }
    }

    /// The new hidden state from a zero state.
    open override func forward(_ x: Tensor) -> Tensor { self(x, nil).h }
}

/// A GRU cell: gates `r z n`, `n = tanh(W_in x + b_in + r (W_hn h + b_hn))`,
/// `h' = (1 - z) n + z h`, computed in one fused pass (PyTorch: `nn.GRUCell`).
open class GRUCell: RNNCellBase, @unchecked Sendable {
    /// A GRU cell (PyTorch: `nn.GRUCell(input_size, hidden_size, bias=True)`).
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(inputSize, hiddenSize, bias: bias, gates: 3, dtype: dtype, name: "GRUCell", file: file, line: line)
    }

    /// One step; `h` defaults to zeros (PyTorch: `h_1 = cell(input, h_0)`).
    public func callAsFunction(_ input: Tensor, _ h: Tensor?,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            let (x, s, squeeze) = batched(input, [h], "GRUCell")
            let out = gruCell(x, h: s[0], weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
            return squeeze ? out.squeeze(0) : out
        }
    }

    /// One step from a zero state.
    open override func forward(_ x: Tensor) -> Tensor { self(x, nil) }
}
