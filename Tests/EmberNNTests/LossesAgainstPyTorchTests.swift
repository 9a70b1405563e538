import EmberNN
import EmberTestSupport
import Testing

// Every loss with every reduction, class weights, ignore_index, label smoothing and
// probability targets, checked against PyTorch 1.13 in float64 (values and input gradients),
// from Tests/Fixtures/nn_losses.safetensors (scripts/make_nn_fixtures.py).

private let reductions: [(String, Reduction)] = [("none", .none), ("mean", .mean), ("sum", .sum)]

let lossCases: [OpCase] = reductions.flatMap { name, r -> [OpCase] in
    [
        OpCase("mse.\(name)") { MSELoss(reduction: r)($0[0], $0[1]) },
        OpCase("l1.\(name)") { L1Loss(reduction: r)($0[0], $0[1]) },
        OpCase("smooth_l1.\(name)") { SmoothL1Loss(reduction: r, beta: 0.5)($0[0], $0[1]) },
        OpCase("huber.\(name)") { HuberLoss(reduction: r, delta: 0.7)($0[0], $0[1]) },
        OpCase("ce.\(name)") { CrossEntropyLoss(reduction: r)($0[0], $0[1]) },
        OpCase("ce.weight.\(name)") { CrossEntropyLoss(weight: $0[2], reduction: r)($0[0], $0[1]) },
        OpCase("ce.ignore.\(name)") { CrossEntropyLoss(reduction: r)($0[0], $0[1]) },
        OpCase("ce.smooth.\(name)") { CrossEntropyLoss(reduction: r, labelSmoothing: 0.2)($0[0], $0[1]) },
        OpCase("ce.all.\(name)") { CrossEntropyLoss(weight: $0[2], ignoreIndex: -100, reduction: r, labelSmoothing: 0.15)($0[0], $0[1]) },
        OpCase("ce.prob.\(name)") { CrossEntropyLoss(reduction: r)($0[0], $0[1]) },
        OpCase("ce.prob_all.\(name)") { CrossEntropyLoss(weight: $0[2], reduction: r, labelSmoothing: 0.1)($0[0], $0[1]) },
        OpCase("ce.spatial.\(name)") { CrossEntropyLoss(weight: $0[2], reduction: r)($0[0], $0[1]) },
        OpCase("nll.\(name)") { NLLLoss(reduction: r)($0[0], $0[1]) },
        OpCase("nll.weight_ignore.\(name)") { NLLLoss(weight: $0[2], ignoreIndex: 1, reduction: r)($0[0], $0[1]) },
        OpCase("bce.\(name)") { BCELoss(reduction: r)($0[0], $0[1]) },
        OpCase("bce.weight.\(name)") { BCELoss(weight: $0[2], reduction: r)($0[0], $0[1]) },
        OpCase("bce_logits.\(name)") { BCEWithLogitsLoss(reduction: r)($0[0], $0[1]) },
        OpCase("bce_logits.pos_weight.\(name)") { BCEWithLogitsLoss(reduction: r, posWeight: $0[2])($0[0], $0[1]) },
        OpCase("bce_logits.weight.\(name)") { BCEWithLogitsLoss(weight: $0[2], reduction: r, posWeight: $0[3])($0[0], $0[1]) },
        OpCase("cosine.\(name)") { CosineEmbeddingLoss(margin: 0.1, reduction: r)($0[0], $0[1], $0[2]) },
        OpCase("margin_ranking.\(name)") { MarginRankingLoss(margin: 0.3, reduction: r)($0[0], $0[1], $0[2]) },
    ]
} + [
    OpCase("kl.none") { KLDivLoss(reduction: .none)($0[0], $0[1]) },
    OpCase("kl.sum") { KLDivLoss(reduction: .sum)($0[0], $0[1]) },
    OpCase("kl.mean") { KLDivLoss(reduction: .mean)($0[0], $0[1]) },
    OpCase("kl.batchmean") { KLDivLoss(reduction: .batchMean)($0[0], $0[1]) },
    OpCase("kl.log_target.batchmean") { KLDivLoss(reduction: .batchMean, logTarget: true)($0[0], $0[1]) },
    OpCase("ce.unbatched") { crossEntropy($0[0], $0[1]) },
    OpCase("ce.f32") { crossEntropy($0[0], $0[1]) },
]

@Suite struct LossesAgainstPyTorch {
    @Test(arguments: lossCases) func loss(_ c: OpCase) { checkAgainstFixture("nn_losses", c) }

    @Test func tableCoversFixture() { checkFixtureCoverage("nn_losses", lossCases) }
}
