import EmberNN
import EmberTestSupport
import Testing

// Activation functions and functional layers checked against PyTorch 1.13 in float64 (values
// and gradients), from Tests/Fixtures/nn_functional.safetensors (scripts/make_nn_fixtures.py).

let functionalCases: [OpCase] = [
    OpCase("relu") { relu($0[0]) },
    OpCase("leaky_relu") { leakyRelu($0[0], negativeSlope: 0.2) },
    OpCase("elu") { elu($0[0], alpha: 0.7) },
    OpCase("gelu") { gelu($0[0]) },
    OpCase("gelu_tanh") { gelu($0[0], approximate: "tanh") },
    OpCase("silu") { silu($0[0]) },
    OpCase("sigmoid") { sigmoid($0[0]) },
    OpCase("tanh") { tanh($0[0]) },
    OpCase("softmax") { softmax($0[0], dim: 1) },
    OpCase("log_softmax") { logSoftmax($0[0], dim: 0) },
    OpCase("softplus") { softplus($0[0], beta: 2, threshold: 5) },
    OpCase("hardtanh") { hardtanh($0[0], minVal: -0.5, maxVal: 0.5) },
    OpCase("prelu.shared") { prelu($0[0], weight: $0[1]) },
    OpCase("prelu.channels") { prelu($0[0], weight: $0[1]) },
    OpCase("linear") { linear($0[0], weight: $0[1], bias: $0[2]) },
    OpCase("linear.3d") { linear($0[0], weight: $0[1], bias: $0[2]) },
    OpCase("linear.nobias") { linear($0[0], weight: $0[1]) },
    OpCase("bilinear") { t in
        let m = Bilinear(3, 5, 2, dtype: .float64)
        m.weight = t[2]
        m.bias = t[3]
        return m(t[0], t[1])
    },
    OpCase("bilinear.3d") { t in
        let m = Bilinear(3, 5, 2, bias: false, dtype: .float64)
        m.weight = t[2]
        return m(t[0], t[1])
    },
    OpCase("layer_norm") { layerNorm($0[0], normalizedShape: [4, 5], weight: $0[1], bias: $0[2]) },
    OpCase("layer_norm.noaffine") { layerNorm($0[0], normalizedShape: [5], eps: 1e-3) },
    OpCase("group_norm") { groupNorm($0[0], numGroups: 3, weight: $0[1], bias: $0[2]) },
    OpCase("group_norm.noaffine") { groupNorm($0[0], numGroups: 2, eps: 1e-2) },
    OpCase("embedding.padding") { embedding($0[0], weight: $0[1], paddingIdx: 2) },
    OpCase("embedding.max_norm") { embedding($0[0], weight: $0[1], maxNorm: 1.5) },
]

@Suite struct FunctionalAgainstPyTorch {
    @Test(arguments: functionalCases) func functional(_ c: OpCase) { checkAgainstFixture("nn_functional", c) }

    @Test func tableCoversFixture() { checkFixtureCoverage("nn_functional", functionalCases) }
}
