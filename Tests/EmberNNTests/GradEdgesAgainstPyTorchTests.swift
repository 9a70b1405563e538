import Ember
import EmberNN
import EmberTestSupport
import Testing

// Gradients at the edges of losses and ops, where a backward formula can meet 0 · ∞ (a clamp,
// a mask, a zero denominator): PyTorch 1.13's values, NaN and infinities included, from
// Tests/Fixtures/grad_edges.safetensors (scripts/make_grad_fixtures.py).

let gradEdgeCases: [OpCase] = [
    // PyTorch divides by max(x (1 - x), 1e-12): finite at 0, 1 and 1e-30.
    OpCase("bce.edges") { binaryCrossEntropy($0[0], $0[1]) },
    OpCase("bce.edges.sum") { binaryCrossEntropy($0[0], $0[1], reduction: .sum) },
    OpCase("bce.edges.none") { binaryCrossEntropy($0[0], $0[1], reduction: .none) },
    OpCase("bce.edges.f32") { BCELoss()($0[0], $0[1]) },
    // Every target ignored: NaN loss, zero gradient (a zero-weight target is NaN in both).
    OpCase("nll.all_ignored") { nllLoss($0[0], $0[1]) },
    OpCase("ce.all_ignored") { crossEntropy($0[0], $0[1]) },
    OpCase("ce.all_ignored.smooth") { crossEntropy($0[0], $0[1], labelSmoothing: 0.1) },
    OpCase("ce.all_ignored.weight") { crossEntropy($0[0], $0[1], weight: $0[2]) },
    OpCase("sqrt.zero") { $0[0].sqrt() },
    OpCase("log.zero") { $0[0].log() },
    OpCase("rsqrt.zero") { $0[0].rsqrt() },
    OpCase("abs.zero") { $0[0].abs() },
    OpCase("relu.zero") { $0[0].relu() },
    OpCase("clamp.bounds") { $0[0].clamp(min: -1, max: 1) },
    OpCase("pow.scalar.zero") { t in let x = t[0]; return Tensor.stack([x.pow(2), x.pow(0.5), x.pow(0), x.pow(-1), x.pow(3)]) },
    // d/de x^e at x = 0 is 0 for e >= 0 and -∞ · sign for e < 0.
    OpCase("pow.tensor.zero") { $0[0].pow($0[1]) },
    OpCase("norm.zero_rows") { t in let x = t[0]; return Tensor.stack([x.norm(p: 2, dims: [1]), x.norm(p: 3, dims: [1]), x.norm(p: 1, dims: [1])]) },
    OpCase("norm.zero_all") { $0[0].norm() },
    // The unused branch's NaN still reaches the gradient, in PyTorch as here.
    OpCase("where.masked_sqrt") { t in let x = t[0]; return Tensor.where(x .> 0, x.sqrt(), Tensor.zeros([], dtype: .float64)) },
    OpCase("logsumexp.neg_inf_row") { $0[0].logsumexp(dim: 1) },
    OpCase("max.ties") { $0[0].max() },
    OpCase("amax.ties") { $0[0].amax(dims: [1]) },
    OpCase("max.dim.ties") { $0[0].max(dim: 1).values },
    OpCase("smooth_l1.switch") { smoothL1Loss($0[0], $0[1], reduction: .none, beta: 1) },
    OpCase("huber.switch") { huberLoss($0[0], $0[1], reduction: .none, delta: 0.5) },
    OpCase("l1.zero") { l1Loss($0[0], $0[1], reduction: .none) },
    // 0 log 0 = 0 in the loss; the gradient with respect to a zero target is NaN, as PyTorch's.
    OpCase("kl_div.zero_target") { klDiv($0[0], $0[1], reduction: .sum) },
    OpCase("kl_div.zero_target.log") { klDiv($0[0], $0[1], reduction: .sum, logTarget: true) },
    OpCase("margin_ranking.at_margin") { marginRankingLoss($0[0], $0[1], $0[2], margin: 0.5, reduction: .none) },
    OpCase("cosine_embedding.zero_vector") { cosineEmbeddingLoss($0[0], $0[1], $0[2], reduction: .none) },
]

@Suite struct GradEdgesAgainstPyTorch {
    @Test(arguments: gradEdgeCases) func edge(_ c: OpCase) { checkAgainstFixture("grad_edges", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("grad_edges", gradEdgeCases) }

    /// The values: at exactly 0 and 1 the gradient is 0 or ±1e12 (not NaN), at 1e-30
    /// with target 1 it is -1e12 (not -1e30); PyTorch's 1e-12 is a float32, so ±1.000000004e12.
    @Test func bceGradientAtZeroAndOne() {
        let x = Tensor([0.0, 0.0, 1.0, 1.0, 1e-30], dtype: .float64, requiresGrad: true)
        let y = Tensor([0.0, 1.0, 0.0, 1.0, 1.0], dtype: .float64)
        binaryCrossEntropy(x, y, reduction: .sum).backward()
        let g = x.grad!.toArray(as: Double.self)
        let big = 1 / Double(Float(1e-12))
        #expect(g[0] == 0 && g[3] == 0)
        #expect(g[1] == -big && g[2] == big && g[4] == -big)
    }

    @Test func allIgnoredTargetsGiveZeroGradient() {
        let x = Tensor([[0.5, -1.0], [2.0, 0.0]], requiresGrad: true)
        let target = Tensor([-100, -100] as [Int64])
        let loss = crossEntropy(x, target)
        #expect(loss.item().isNaN)
        loss.backward()
        #expect(x.grad!.toArray() == [0, 0, 0, 0])
    }
}
