import EmberNN
import EmberTestSupport
import Testing

// RNN, LSTM, GRU and their cells against PyTorch 1.13 (Tests/Fixtures/seq_rnn.safetensors,
// made by scripts/make_seq_fixtures.py): PyTorch's state dict loads unchanged, and outputs,
// final states and the gradients of every parameter and input match to 1e-5 relative,
// 1e-6 absolute, for batch-first and time-major inputs, several layers, both directions,
// initial states, variable lengths (PyTorch: packed sequences) and unbatched inputs.

/// A recurrent case: how to build the module, mirroring the Python side.
struct RecurrentCase: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable () -> RNNBase
    var testDescription: String { name }
}

let recurrentCases: [RecurrentCase] = [
    RecurrentCase(name: "lstm") { LSTM(5, 7) },
    RecurrentCase(name: "lstm_full") { LSTM(5, 7, numLayers: 2, batchFirst: true, bidirectional: true) },
    RecurrentCase(name: "lstm_lengths") { LSTM(4, 6, numLayers: 2, bidirectional: true) },
    RecurrentCase(name: "lstm_lengths_bf") { LSTM(4, 5, batchFirst: true) },
    RecurrentCase(name: "lstm_nobias") { LSTM(3, 4, numLayers: 2, bias: false) },
    RecurrentCase(name: "lstm_unbatched") { LSTM(3, 4, bidirectional: true) },
    RecurrentCase(name: "lstm_proj") { LSTM(5, 6, numLayers: 2, bidirectional: true, projSize: 3) },
    RecurrentCase(name: "gru") { GRU(5, 7) },
    RecurrentCase(name: "gru_full") { GRU(5, 6, numLayers: 2, batchFirst: true, bidirectional: true) },
    RecurrentCase(name: "gru_lengths") { GRU(4, 5, numLayers: 2, bidirectional: true) },
    RecurrentCase(name: "gru_nobias") { GRU(3, 4, bias: false) },
    RecurrentCase(name: "rnn_tanh") { RNN(5, 6, numLayers: 2, bidirectional: true) },
    RecurrentCase(name: "rnn_relu") { RNN(4, 5, nonlinearity: .relu, batchFirst: true) },
    RecurrentCase(name: "rnn_nobias") { RNN(3, 4, numLayers: 2, bias: false) },
]

@Suite struct RecurrentAgainstPyTorch {
    @Test(arguments: recurrentCases)
    func layerMatchesPyTorch(_ c: RecurrentCase) {
        guard let f = seqCase("seq_rnn", c.name) else { return }
        let model = c.make()
        f.load(into: model)
        let x = f.input("x")
        var inputs = ["x": x]
        let h0 = f.optional("h0").map { $0.detach().requiresGrad_() }
        let c0 = f.optional("c0").map { $0.detach().requiresGrad_() }
        if let h0 { inputs["h0"] = h0 }
        if let c0 { inputs["c0"] = c0 }
        var outputs: [String: Tensor] = [:]
        switch model {
        case let lstm as LSTM:
            let (out, (h, cN)) = lstm(x, h0.map { ($0, c0!) }, lengths: f.lengths)
            outputs = ["out": out, "hN": h, "cN": cN]
        case let gru as GRU:
            let (out, h) = gru(x, h0, lengths: f.lengths)
            outputs = ["out": out, "hN": h]
        case let rnn as RNN:
            let (out, h) = rnn(x, h0, lengths: f.lengths)
            outputs = ["out": out, "hN": h]
        default:
            Issue.record("unexpected module \(model)")
        }
        f.check(outputs: outputs, module: model, inputs: inputs)
    }

    @Test func cellsMatchPyTorch() {
        let cells: [(String, Module)] = [
            ("rnncell", RNNCell(4, 5)), ("rnncell_relu", RNNCell(4, 5, nonlinearity: .relu)),
            ("lstmcell", LSTMCell(4, 5)), ("lstmcell_zero", LSTMCell(4, 5, bias: false)),
            ("grucell", GRUCell(4, 5)), ("grucell_unbatched", GRUCell(4, 5)),
        ]
        for (name, cell) in cells {
            guard let f = seqCase("seq_rnn", name) else { continue }
            f.load(into: cell)
            let x = f.input("x")
            let h = f.optional("h0").map { $0.detach().requiresGrad_() }
            let c = f.optional("c0").map { $0.detach().requiresGrad_() }
            var inputs = ["x": x]
            if let h { inputs["h0"] = h }
            if let c { inputs["c0"] = c }
            var outputs: [String: Tensor] = [:]
            switch cell {
            case let lstm as LSTMCell:
                let (hN, cN) = lstm(x, h.map { ($0, c!) })
                outputs = ["hN": hN, "cN": cN]
            case let gru as GRUCell: outputs = ["hN": gru(x, h)]
            case let rnn as RNNCell: outputs = ["hN": rnn(x, h)]
            default: Issue.record("unexpected cell \(cell)")
            }
            f.check(outputs: outputs, module: cell, inputs: inputs)
        }
    }

    @Test func parametersByPyTorchName() {
        let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true, projSize: 2)
        #expect(lstm.weight_ih_l1_reverse.shape == [16, 4])
        #expect(lstm.weight_hr_l0.shape == [2, 4])
        #expect(lstm.parameter(named: "bias_hh_l1") === lstm.bias_hh_l1)
        #expect(lstm.allWeights.count == 4 && lstm.allWeights[0].count == 5)
        let replacement = Tensor.zeros([16, 3])
        lstm.weight_ih_l0 = replacement
        #expect(lstm.parameters().contains { $0 === lstm.weight_ih_l0 })
        #expect(lstm.weight_ih_l0.requiresGrad)
        // Default initialization: U(-1/√hidden, 1/√hidden).
        let gru = GRU(8, 16)
        for p in gru.parameters() { #expect(p.abs().max().item() <= 0.25) }
        #expect(gru.weight_hh_l0.std().item() > 0.1)
    }
}
