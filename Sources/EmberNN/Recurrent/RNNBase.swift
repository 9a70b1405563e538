/// What `RNN`, `LSTM` and `GRU` share: the stacked, possibly bidirectional layers, their
/// parameters under PyTorch's names, and the loop over layers (PyTorch: `nn.RNNBase`).
///
/// Parameters are named as PyTorch names them and stored in PyTorch's order, layer by
/// layer, forward direction first: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
/// `bias_hh_l0` (and `weight_hr_l0` for an LSTM with projections), then the same with
/// `_reverse` for the second direction, then layer 1, ... Gates are stacked in PyTorch's
/// order (LSTM `i f g o`, GRU `r z n`), so a PyTorch state dict loads unchanged. Read one as
/// in PyTorch, `lstm.weight_ih_l0`, or with `parameter(named:)`.
///
/// Each layer and direction runs as one fused op (`recurrentLayer`): one GEMM for the input
/// projection of all steps, then one GEMM and one fused elementwise pass per step, with a
/// hand-written backward.
@dynamicMemberLookup
open class RNNBase: Module, @unchecked Sendable {
    /// The recurrence (PyTorch: `mode`, e.g. `"LSTM"`).
    public let mode: RecurrentCell
    /// Features of each input step (PyTorch: `input_size`).
    public let inputSize: Int
    /// Features of the hidden state (PyTorch: `hidden_size`).
    public let hiddenSize: Int
    /// Stacked layers (PyTorch: `num_layers`).
    public let numLayers: Int
    /// Whether the layers have the biases `b_ih` and `b_hh` (PyTorch: `bias`).
    public let bias: Bool
    /// Whether inputs and outputs are `[B, T, ·]` rather than `[T, B, ·]`; states are always
    /// `[layers·directions, B, ·]` (PyTorch: `batch_first`).
    public let batchFirst: Bool
    /// Dropout probability on the outputs of every layer but the last, in training
    /// (PyTorch: `dropout`).
    public let dropout: Double
    /// Whether each layer also runs backwards in time, its outputs concatenated
    /// (PyTorch: `bidirectional`).
    public let bidirectional: Bool
    /// LSTM only: the size the hidden state is projected to, 0 for none (PyTorch: `proj_size`).
    public let projSize: Int

    /// The parameter boxes in PyTorch's order, with their names.
    let slots: [(name: String, slot: Parameter<Tensor>)]
    private let slotIndex: [String: Int]

    /// Builds the layers' parameters and draws them from U(-1/√hidden, 1/√hidden), as PyTorch does.
    init(mode: RecurrentCell, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool,
         dropout: Double, bidirectional: Bool, projSize: Int, dtype: DType, file: StaticString, line: UInt) {
        let name = RNNBase.typeName(mode)
        check(inputSize >= 0 && hiddenSize > 0, name, "input_size must be non-negative and hidden_size positive, got \(inputSize) and \(hiddenSize)", file: file, line: line)
        check(numLayers >= 1, name, "num_layers must be at least 1, got \(numLayers)", file: file, line: line)
        check(dropout >= 0 && dropout <= 1, name, "dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got \(dropout)", file: file, line: line)
        check(projSize >= 0, name, "proj_size should be a positive integer or zero to disable projections, got \(projSize)", file: file, line: line)
        check(projSize < hiddenSize, name, "proj_size (\(projSize)) has to be smaller than hidden_size (\(hiddenSize))", file: file, line: line)
        check(projSize == 0 || mode == .lstm, name, "proj_size is only supported by LSTM", file: file, line: line)
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bias = bias
        self.batchFirst = batchFirst
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.projSize = projSize
        let gateSize = mode.gateCount * hiddenSize
        let realHidden = projSize > 0 ? projSize : hiddenSize
        let directions = bidirectional ? 2 : 1
        var slots: [(name: String, slot: Parameter<Tensor>)] = []
        for layer in 0..<numLayers {
            for direction in 0..<directions {
                let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
                let layerInput = layer == 0 ? inputSize : realHidden * directions
                var shapes: [(String, [Int])] = [("weight_ih", [gateSize, layerInput]), ("weight_hh", [gateSize, realHidden])]
                if bias { shapes += [("bias_ih", [gateSize]), ("bias_hh", [gateSize])] }
                if projSize > 0 { shapes.append(("weight_hr", [projSize, hiddenSize])) }
                for (kind, shape) in shapes {
                    let full = kind + suffix
                    slots.append((full, Parameter(wrappedValue: Tensor(empty: shape, dtype: dtype), name: full)))
                }
            }
        }
        self.slots = slots
        slotIndex = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($1.name, $0) })
        super.init()
        resetParameters()
    }

    /// Re-draws every parameter from U(-1/√hidden_size, 1/√hidden_size) (PyTorch: `reset_parameters`).
    open func resetParameters() {
        let bound = 1 / Double(hiddenSize).squareRoot()
        for (_, slot) in slots { Init.uniform_(slot.wrappedValue, -bound, bound) }
    }

    override func reflectEntries() -> ModuleEntries {
        var e = reflectStoredProperties()
        e.parameters = slots.map { ($0.name, $0.slot as any TensorSlot) } + e.parameters
        return e
    }

    /// The parameter with PyTorch's name, e.g. `weight_ih_l0` or `bias_hh_l1_reverse`;
    /// nil if the module has none of that name.
    public func parameter(named name: String) -> Tensor? {
        slotIndex[name].map { slots[$0].slot.wrappedValue }
    }

    /// A parameter by PyTorch's attribute name: `lstm.weight_ih_l0`, `gru.bias_hh_l1_reverse`.
    /// Assigning replaces it (the new tensor must have the same shape). A name the module
    /// does not have stops with the list of names it has.
    public subscript(dynamicMember name: String) -> Tensor {
        get {
            guard let t = parameter(named: name) else { emberFailure(typeName, "has no parameter '\(name)'; its parameters are \(slots.map(\.name))") }
            return t
        }
        set {
            guard let i = slotIndex[name] else { emberFailure(typeName, "has no parameter '\(name)'; its parameters are \(slots.map(\.name))") }
            let old = slots[i].slot.wrappedValue
            if newValue.shape != old.shape { emberFailure(typeName, "\(name) must keep its shape \(old.shape), got \(newValue.shape)") }
            slots[i].slot.wrappedValue = newValue
        }
    }

    /// The parameters of each layer and direction, in PyTorch's order (PyTorch: `all_weights`).
    public var allWeights: [[Tensor]] {
        let perLayer = slots.count / (numLayers * numDirections)
        return stride(from: 0, to: slots.count, by: perLayer).map { start in
            slots[start..<(start + perLayer)].map { $0.slot.wrappedValue }
        }
    }

    /// 2 for a bidirectional network, else 1.
    public var numDirections: Int { bidirectional ? 2 : 1 }

    /// The size of the hidden state each direction outputs: `projSize` if set, else `hiddenSize`.
    public var outputSize: Int { projSize > 0 ? projSize : hiddenSize }

    /// `3, 4, num_layers=2, batch_first=True` as PyTorch prints it.
    open override var extraDescription: String {
        var s = "\(inputSize), \(hiddenSize)"
        if projSize != 0 { s += ", proj_size=\(projSize)" }
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if !bias { s += ", bias=False" }
        if batchFirst { s += ", batch_first=True" }
        if dropout != 0 { s += ", dropout=\(pyFloat(dropout))" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }

    /// The output only, so the module can sit in a `Sequential` (PyTorch returns a tuple;
    /// call the module with its states to get them).
    open override func forward(_ x: Tensor) -> Tensor {
        run(x, h0: nil, c0: nil, lengths: nil).output
    }

    static func typeName(_ mode: RecurrentCell) -> StaticString {
        switch mode {
        case .rnnTanh, .rnnRelu: "RNN"
        case .lstm: "LSTM"
        case .gru: "GRU"
        }
    }

    /// Runs all layers: checks shapes, handles unbatched and batch-first inputs, applies
    /// dropout between layers, and stacks the final states `[layers·directions, B, ·]`.
    func run(_ input: Tensor, h0: Tensor?, c0: Tensor?, lengths: [Int]?) -> (output: Tensor, h: Tensor, c: Tensor?) {
        let name = RNNBase.typeName(mode)
        check(input.dim == 2 || input.dim == 3, name, "expected input of shape [T, B, \(inputSize)] (or [B, T, \(inputSize)] with batchFirst, or unbatched [T, \(inputSize)]), got \(input.shape)")
        check(input.shape[input.dim - 1] == inputSize, name, "input.size(-1) must be equal to input_size. Expected \(inputSize), got \(input.shape[input.dim - 1])")
        let batched = input.dim == 3
        var x = batched ? input : input.unsqueeze(batchFirst ? 0 : 1)
        if batchFirst { x = x.transpose(0, 1) }
        let steps = x.shape[0], batch = x.shape[1]
        let layersTimesDirections = numLayers * numDirections
        func state(_ s: Tensor?, _ label: String, _ size: Int) -> Tensor? {
            guard let s else { return nil }
            check(s.dim == (batched ? 3 : 2), name, "for \(batched ? "batched 3-D" : "unbatched 2-D") input, \(label) should be \(batched ? 3 : 2)-D, got shape \(s.shape)")
            let t = batched ? s : s.unsqueeze(1)
            check(t.shape == [layersTimesDirections, batch, size], name, "expected \(label) of shape \(batched ? [layersTimesDirections, batch, size] : [layersTimesDirections, size]), got \(s.shape)")
            return t
        }
        let hx = state(h0, "hidden state h0", outputSize)
        let cx = state(c0, "cell state c0", hiddenSize)
        if let lengths {
            check(lengths.count == batch, name, "expected \(batch) lengths, one per sequence in the batch, got \(lengths.count)")
            check(lengths.allSatisfy { $0 >= 0 && $0 <= steps }, name, "lengths must lie in 0...\(steps) (the padded sequence length), got \(lengths)")
        }

        // An embedding's output: the first layer of an LSTM without projections can project
        // each distinct table row once.
        var inputRows = mode == .lstm && projSize == 0
            ? input.gatheredRows?.timeMajor(steps: steps, batch: batch, batchFirst: batched && batchFirst) : nil
        var layerInput = x
        var hs: [Tensor] = [], cs: [Tensor] = []
        let perDirection = slots.count / layersTimesDirections
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for direction in 0..<numDirections {
                let index = layer * numDirections + direction
                let p = slots[(index * perDirection)..<((index + 1) * perDirection)].map { $0.slot.wrappedValue }
                let weights = LayerWeights(ih: p[0], hh: p[1], biasIH: bias ? p[2] : nil, biasHH: bias ? p[3] : nil,
                                           hr: projSize > 0 ? p[p.count - 1] : nil)
                let r = runLayer(layerInput, weights, h0: hx?.select(0, index), c0: cx?.select(0, index),
                                 lengths: lengths, reverse: direction == 1, inputRows: inputRows)
                outputs.append(r.output)
                hs.append(r.h)
                if let c = r.c { cs.append(c) }
            }
            layerInput = outputs.count == 1 ? outputs[0] : Tensor.cat(outputs, dim: 2)
            inputRows = nil
            if layer < numLayers - 1 && dropout > 0 && training {
                layerInput = EmberNN.dropout(layerInput, p: dropout, training: true)
            }
        }
        var output = batchFirst ? layerInput.transpose(0, 1) : layerInput
        var h = Tensor.stack(hs, dim: 0)
        var c = cs.isEmpty ? nil : Tensor.stack(cs, dim: 0)
        if !batched {
            output = output.squeeze(batchFirst ? 0 : 1)
            h = h.squeeze(1)
            c = c?.squeeze(1)
        }
        return (output, h, c)
    }

    /// One layer's parameters.
    struct LayerWeights {
        let ih: Tensor, hh: Tensor, biasIH: Tensor?, biasHH: Tensor?, hr: Tensor?
    }

    /// One layer and direction over a time-major `[T, B, ·]` input (`inputRows`: the table
    /// rows it was looked up from, time-major, if it is an embedding's output).
    func runLayer(_ x: Tensor, _ w: LayerWeights, h0: Tensor?, c0: Tensor?, lengths: [Int]?, reverse: Bool,
                  inputRows: GatheredRows?) -> (output: Tensor, h: Tensor, c: Tensor?) {
        if let hr = w.hr {
            return projectedLSTMLayer(x, w, hr: hr, h0: h0, c0: c0, lengths: lengths, reverse: reverse)
        }
        let r = recurrentLayer(x, cell: mode, weightIH: w.ih, weightHH: w.hh, biasIH: w.biasIH, biasHH: w.biasHH,
                               h0: h0, c0: c0, lengths: lengths, reverse: reverse, inputRows: inputRows,
                               file: #fileID, line: #line)
        return (r.output, r.hN, r.cN)
    }
}
