/// A multi-layer long short-term memory network (PyTorch: `nn.LSTM`):
///
///     i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·),  g = tanh(W_ig x + b_ig + W_hg h + b_hg)
///     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')       (then h' = W_hr h' with projSize)
///
/// Inputs are `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`, or unbatched
/// `[T, inputSize]`); the initial state `(h0, c0)` is `[numLayers·directions, B, ·]`
/// (zeros when nil; `h0` has `projSize` features when projecting). Returns the output
/// `[T, B, directions·outputSize]` and the final `(h, c)`. With `lengths`, row `b` stops after
/// `lengths[b]` steps: later outputs are zeros and the final state is the one at its last step,
/// as with PyTorch's packed sequences. The weights stack the gates `i f g o`.
///
/// ```swift
/// let lstm = LSTM(64, 256)
/// let (output, (hN, cN)) = lstm(Tensor.randn([35, 8, 64]))   // [35, 8, 256], [1, 8, 256] ×2
/// ```
open class LSTM: RNNBase, @unchecked Sendable {
    /// An LSTM with PyTorch's initialization, U(-1/√hidden, 1/√hidden) (PyTorch:
    /// `nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    /// dropout=0.0, bidirectional=False, proj_size=0)`).
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, projSize: Int = 0, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projSize: projSize,
                   dtype: dtype, file: file, line: line)
    }

    /// Runs the network; returns the output and the final states (PyTorch:
    /// `output, (h_n, c_n) = lstm(input, (h_0, c_0))`).
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)? = nil, lengths: [Int]? = nil,
                               file: StaticString = #fileID, line: UInt = #line)
        -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        runningForward(file: file, line: line) {
            let r = run(input, h0: state?.h, c0: state?.c, lengths: lengths)
            return (r.output, (r.h, r.c!))
        }
    }
}

extension RNNBase {
    /// An LSTM layer with projections (`h = W_hr (o ⊙ tanh(c))`), composed from tensor ops
    /// step by step; the fused op covers the unprojected case.
    func projectedLSTMLayer(_ x: Tensor, _ w: LayerWeights, hr: Tensor, h0: Tensor?, c0: Tensor?, lengths: [Int]?, reverse: Bool)
        -> (output: Tensor, h: Tensor, c: Tensor?) {
        let steps = x.shape[0], batch = x.shape[1]
        var projected = x.reshape([steps * batch, x.shape[2]]).matmul(w.ih.mT)
        if let b = w.biasIH { projected = projected + b }
        if let b = w.biasHH { projected = projected + b }
        let gatesX = projected.reshape([steps, batch, -1])
        var h = h0 ?? Tensor.zeros([batch, projSize], dtype: x.dtype)
        var c = c0 ?? Tensor.zeros([batch, hiddenSize], dtype: x.dtype)
        var outputs = [Tensor?](repeating: nil, count: steps)
        for s in 0..<steps {
            let t = reverse ? steps - 1 - s : s
            let gates = gatesX[t] + h.matmul(w.hh.mT)
            let g = gates.chunk(4, dim: 1)
            let cNew = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh()
            let hNew = (g[3].sigmoid() * cNew.tanh()).matmul(hr.mT)
            if let lengths {
                let active = Tensor(lengths.map { t < $0 }, shape: [batch, 1])
                h = Tensor.where(active, hNew, h)
                c = Tensor.where(active, cNew, c)
                outputs[t] = hNew * active.to(x.dtype)
            } else {
                h = hNew
                c = cNew
                outputs[t] = hNew
            }
        }
        return (Tensor.stack(outputs.map { $0! }, dim: 0), h, c)
    }
}
