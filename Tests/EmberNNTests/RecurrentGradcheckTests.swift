import Ember
import EmberNN
import Testing

// The fused recurrent ops (Ember's `recurrentLayer` and the cells) under gradcheck in float64:
// every input (sequence, weights, biases, initial states) against central finite differences,
// through all outputs at once (output, final hidden and cell state), forwards and reversed,
// with and without per-row lengths.

private struct LayerCase: CustomTestStringConvertible, Sendable {
    let cell: RecurrentCell
    let reverse: Bool
    let lengths: [Int]?
    let bias: Bool
    var testDescription: String { "\(cell) reverse=\(reverse) lengths=\(lengths.map { "\($0)" } ?? "none") bias=\(bias)" }
}

private let layerCases: [LayerCase] = [RecurrentCell.lstm, .gru, .rnnTanh, .rnnRelu].flatMap { cell in
    [
        LayerCase(cell: cell, reverse: false, lengths: nil, bias: true),
        LayerCase(cell: cell, reverse: true, lengths: nil, bias: true),
        LayerCase(cell: cell, reverse: false, lengths: [3, 1, 2], bias: true),
        LayerCase(cell: cell, reverse: true, lengths: [2, 3, 0], bias: false),
    ]
}

@Suite struct RecurrentGradcheck {
    @Test(arguments: layerCases)
    fileprivate func layerGradients(_ c: LayerCase) {
        let g = Generator(seed: 7)
        let steps = 3, batch = 3, inputSize = 2, hidden = 2, gates = c.cell.gateCount * hidden
        func leaf(_ shape: [Int]) -> Tensor { (Tensor.randn(shape, dtype: .float64, generator: g) * 0.8).detach().requiresGrad_() }
        var inputs = [leaf([steps, batch, inputSize]), leaf([gates, inputSize]), leaf([gates, hidden])]
        if c.bias { inputs += [leaf([gates]), leaf([gates])] }
        inputs.append(leaf([batch, hidden]))
        if c.cell == .lstm { inputs.append(leaf([batch, hidden])) }
        let result = gradcheck({ xs in
            let bias = c.bias
            let r = recurrentLayer(xs[0], cell: c.cell, weightIH: xs[1], weightHH: xs[2],
                                   biasIH: bias ? xs[3] : nil, biasHH: bias ? xs[4] : nil,
                                   h0: xs[bias ? 5 : 3], c0: c.cell == .lstm ? xs[bias ? 6 : 4] : nil,
                                   lengths: c.lengths, reverse: c.reverse)
            var parts = [r.output.reshape([-1]), r.hN.reshape([-1])]
            if let cN = r.cN { parts.append(cN.reshape([-1])) }
            return Tensor.cat(parts)
        }, inputs: inputs)
        #expect(result.passed, "\(result)")
    }

    @Test func cellsGradients() {
        let g = Generator(seed: 11)
        func leaf(_ shape: [Int]) -> Tensor { Tensor.randn(shape, dtype: .float64, generator: g).requiresGrad_() }
        let lstm = gradcheck({ xs in
            let (h, c) = lstmCell(xs[0], h: xs[1], c: xs[2], weightIH: xs[3], weightHH: xs[4], biasIH: xs[5], biasHH: xs[6])
            return Tensor.cat([h, c], dim: 1)
        }, inputs: [leaf([2, 3]), leaf([2, 2]), leaf([2, 2]), leaf([8, 3]), leaf([8, 2]), leaf([8]), leaf([8])])
        #expect(lstm.passed, "lstmCell: \(lstm)")
        let gru = gradcheck({ xs in
            gruCell(xs[0], h: xs[1], weightIH: xs[2], weightHH: xs[3], biasIH: xs[4], biasHH: xs[5])
        }, inputs: [leaf([2, 3]), leaf([2, 2]), leaf([6, 3]), leaf([6, 2]), leaf([6]), leaf([6])])
        #expect(gru.passed, "gruCell: \(gru)")
        let tanhCell = gradcheck({ xs in
            rnnTanhCell(xs[0], h: xs[1], weightIH: xs[2], weightHH: xs[3], biasIH: xs[4], biasHH: xs[5])
        }, inputs: [leaf([2, 3]), leaf([2, 2]), leaf([2, 3]), leaf([2, 2]), leaf([2]), leaf([2])])
        #expect(tanhCell.passed, "rnnTanhCell: \(tanhCell)")
        let reluCell = gradcheck({ xs in
            rnnReluCell(xs[0], h: xs[1], weightIH: xs[2], weightHH: xs[3], biasIH: xs[4], biasHH: xs[5])
        }, inputs: [leaf([2, 3]), leaf([2, 2]), leaf([2, 3]), leaf([2, 2]), leaf([2]), leaf([2])])
        #expect(reluCell.passed, "rnnReluCell: \(reluCell)")
    }
}
