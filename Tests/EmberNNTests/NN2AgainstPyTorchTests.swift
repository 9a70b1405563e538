import EmberNN
import EmberTestSupport
import Testing

// The rest of torch.nn (issue 20, section 4): activations and losses checked against PyTorch
// 1.13 in float32 (values and input gradients), from Tests/Fixtures/nn2.safetensors
// (scripts/make_nn2_fixtures.py).

private let reductions: [(String, Reduction)] = [("none", .none), ("mean", .mean), ("sum", .sum)]

let nn2ActivationCases: [OpCase] = [
    OpCase("mish") { Mish()($0[0]) },
    OpCase("hardswish") { Hardswish()($0[0]) },
    OpCase("hardsigmoid") { hardsigmoid($0[0]) },
    OpCase("selu") { SELU()($0[0]) },
    OpCase("celu") { CELU(alpha: 0.7)($0[0]) },
    OpCase("relu6") { ReLU6()($0[0]) },
    OpCase("softsign") { Softsign()($0[0]) },
    OpCase("tanhshrink") { Tanhshrink()($0[0]) },
    OpCase("threshold") { Threshold(0.3, -2)($0[0]) },
    OpCase("glu") { GLU()($0[0]) },
    OpCase("glu.dim0") { glu($0[0], dim: 0) },
    OpCase("logsigmoid") { LogSigmoid()($0[0]) },
    OpCase("softmin") { Softmin(dim: 1)($0[0]) },
    OpCase("softmax2d") { Softmax2d()($0[0]) },
    OpCase("softmax2d.3d") { softmax2d($0[0]) },
    OpCase("gelu") { GELU()($0[0]) },
    OpCase("gelu.tanh") { GELU(approximate: "tanh")($0[0]) },
]

let nn2LossCases: [OpCase] = reductions.flatMap { name, r -> [OpCase] in
    [
        OpCase("poisson_nll.\(name)") { PoissonNLLLoss(reduction: r)($0[0], $0[1]) },
        OpCase("gaussian_nll.\(name)") { GaussianNLLLoss(reduction: r)($0[0], $0[1], $0[2]) },
        OpCase("hinge_embedding.\(name)") { HingeEmbeddingLoss(margin: 1.5, reduction: r)($0[0], $0[1]) },
        OpCase("soft_margin.\(name)") { SoftMarginLoss(reduction: r)($0[0], $0[1]) },
        OpCase("multilabel_soft_margin.\(name)") { MultiLabelSoftMarginLoss(reduction: r)($0[0], $0[1]) },
        OpCase("multilabel_margin.\(name)") { MultiLabelMarginLoss(reduction: r)($0[0], $0[1]) },
        OpCase("multi_margin.\(name)") { MultiMarginLoss(reduction: r)($0[0], $0[1]) },
        OpCase("triplet.\(name)") { TripletMarginLoss(reduction: r)($0[0], $0[1], $0[2]) },
        OpCase("triplet_distance.\(name)") { TripletMarginWithDistanceLoss(reduction: r)($0) },
        OpCase("ctc.\(name)", rtol: 1e-4, atol: 1e-5) {
            CTCLoss(reduction: r)($0[0].logSoftmax(dim: 2), $0[1], inputLengths: $0[2], targetLengths: $0[3])
        },
    ]
} + [
    OpCase("poisson_nll.rate_full") { poissonNLLLoss($0[0], $0[1], logInput: false, full: true, eps: 1e-3) },
    OpCase("poisson_nll.full") { poissonNLLLoss($0[0], $0[1], full: true, reduction: .sum) },
    OpCase("gaussian_nll.homoscedastic") { gaussianNLLLoss($0[0], $0[1], variance: $0[2], full: true) },
    OpCase("gaussian_nll.last1") { gaussianNLLLoss($0[0], $0[1], variance: $0[2], eps: 0.05, reduction: .sum) },
    OpCase("multilabel_soft_margin.weight") { MultiLabelSoftMarginLoss(weight: $0[2])($0[0], $0[1]) },
    OpCase("multilabel_margin.1d") { multilabelMarginLoss($0[0], $0[1], reduction: .none) },
    OpCase("multi_margin.p2_weight") { MultiMarginLoss(p: 2, margin: 0.7, weight: $0[2], reduction: .none)($0[0], $0[1]) },
    OpCase("multi_margin.1d") { multiMarginLoss($0[0], $0[1]) },
    OpCase("triplet.p1_swap") { tripletMarginLoss($0[0], $0[1], $0[2], margin: 0.5, p: 1, swap: true, reduction: .none) },
    OpCase("triplet_distance.cosine_swap") {
        tripletMarginWithDistanceLoss($0[0], $0[1], $0[2], distance: { 1 - $0.cosineSimilarity($1) }, margin: 0.4, swap: true, reduction: .none)
    },
    OpCase("ctc.concatenated_blank", rtol: 1e-4, atol: 1e-5) {
        ctcLoss($0[0].logSoftmax(dim: 2), $0[1], inputLengths: $0[2], targetLengths: $0[3], blank: 4, reduction: .none)
    },
    OpCase("ctc.zero_infinity", rtol: 1e-4, atol: 1e-5) {
        CTCLoss(zeroInfinity: true)([$0[0].logSoftmax(dim: 2), $0[1], $0[2], $0[3]])
    },
    OpCase("ctc.unbatched", rtol: 1e-4, atol: 1e-5) {
        ctcLoss($0[0].logSoftmax(dim: 1), $0[1], inputLengths: $0[2].reshape([1]), targetLengths: $0[3].reshape([1]), reduction: .sum)
    },
]

@Suite struct NN2AgainstPyTorch {
    @Test(arguments: nn2ActivationCases) func activation(_ c: OpCase) { checkAgainstFixture("nn2", c) }

    @Test(arguments: nn2LossCases) func loss(_ c: OpCase) { checkAgainstFixture("nn2", c) }

    @Test func tableCoversFixture() { checkFixtureCoverage("nn2", nn2ActivationCases + nn2LossCases + nn2LayerCases) }
}
