import Ember
import EmberTestSupport
import Testing

// Gradients of functions composed from primitives, against PyTorch 1.13
// (Tests/Fixtures/composite.safetensors, made by scripts/make_composite_fixtures.py).

let compositeCases: [OpCase] = [
    // A two-layer MLP and its cross-entropy loss, inputs x, w1, b1, w2, b2, labels.
    OpCase("mlp.loss") { t in
        let hidden = (t[0].matmul(t[1]) + t[2]).relu()
        let logits = hidden.matmul(t[3]) + t[4]
        return -logits.logSoftmax(dim: 1).gather(1, t[5].unsqueeze(1)).mean()
    },
    // Softmax cross-entropy written by hand: shift, exp, sum, log, one-hot pick.
    OpCase("softmax.cross_entropy") { t in
        let shifted = t[0] - t[0].max(dim: 1, keepDim: true).values
        let logProbs = shifted - shifted.exp().sum(dim: 1, keepDim: true).log()
        let picked = (logProbs * t[1].oneHot(numClasses: 4).to(logProbs.dtype)).sum(dim: 1)
        return -picked.mean()
    },
    // Layer norm from primitives, inputs x, gamma, beta.
    OpCase("layer_norm") { t in
        let mean = t[0].mean(dim: 1, keepDim: true)
        let variance = (t[0] - mean).square().mean(dim: 1, keepDim: true)
        return (t[0] - mean) / (variance + 1e-5).sqrt() * t[1] + t[2]
    },
    // Scaled dot-product attention, inputs q, k, v.
    OpCase("attention") { t in
        (t[0].matmul(t[1].transpose(1, 2)) / 2).softmax(dim: -1).matmul(t[2])
    },
]

@Suite struct CompositeAgainstPyTorch {
    @Test(arguments: compositeCases) func composite(_ c: OpCase) { checkAgainstFixture("composite", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("composite", compositeCases) }
}
