import Ember
import EmberNN
import EmberOptim
#if canImport(Glibc)
import Glibc
#endif

/// Workload `gpt`: a small GPT's training step in tokens/s (higher is better): token and
/// learned position embeddings (d_model 128), 4 pre-norm `TransformerEncoderLayer`s (4 heads,
/// feed-forward 512, GELU, dropout 0, causal mask), a final `LayerNorm` and a `Linear` head;
/// context 128, batch 32, cross-entropy, backward and an AdamW step (lr 1e-3, weight decay
/// 0.01; the PyTorch side uses the same `nn` layers and `torch.optim.AdamW`); windows of the
/// GPL-3 text.
enum GPTBench {
    static let context = 128, batch = 32, dModel = 128, heads = 4, layers = 4, feedForward = 512

    final class MiniGPT: Module, @unchecked Sendable {
        let tokens: Embedding
        let positions: Embedding
        let blocks: [TransformerEncoderLayer]
        let norm: LayerNorm
        let head: Linear
        let mask = Transformer.generateSquareSubsequentMask(GPTBench.context)

        init(vocab: Int) {
            tokens = Embedding(vocab, GPTBench.dModel)
            positions = Embedding(GPTBench.context, GPTBench.dModel)
            blocks = (0..<GPTBench.layers).map { _ in
                TransformerEncoderLayer(dModel: GPTBench.dModel, nhead: GPTBench.heads, dimFeedforward: GPTBench.feedForward,
                                        dropout: 0, activation: .gelu, batchFirst: true, normFirst: true)
            }
            norm = LayerNorm(GPTBench.dModel)
            head = Linear(GPTBench.dModel, vocab)
            super.init()
        }

        override func forward(_ ids: Tensor) -> Tensor {
            var x = tokens(ids) + positions.weight
            for block in blocks { x = block(x, srcMask: mask) }
            return head(norm(x))
        }
    }

    static func run(quick: Bool) {
        let plan = quick ? TimingPlan(warmup: 0.5, target: 1) : TimingPlan(warmup: 2, target: 8)
        let text = LSTMBench.corpus()
        let symbols = Array(Set(text)).sorted()
        var index = [Int](repeating: 0, count: 256)
        for (i, s) in symbols.enumerated() { index[Int(s)] = i }
        let data = text.map { Int64(index[Int($0)]) }
        let vocab = symbols.count
        let model = MiniGPT(vocab: vocab)
        let optimizer = AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.01)
        var rng = SplitMix(state: 1)

        func batchWindows() -> (x: Tensor, y: Tensor) {
            var xs = [Int64](repeating: 0, count: batch * context), ys = xs
            for b in 0..<batch {
                let start = Int(rng.next() % UInt64(data.count - context - 1))
                for t in 0..<context {
                    xs[b * context + t] = data[start + t]
                    ys[b * context + t] = data[start + t + 1]
                }
            }
            return (Tensor(xs, shape: [batch, context]), Tensor(ys, shape: [batch * context]))
        }

        let step = {
            let (x, y) = batchWindows()
            let loss = crossEntropy(model(x).reshape([batch * context, vocab]), y)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            blackHole(loss)
        }
        let trainStep = secondsPerCall(plan, step)
        report("gpt", "mini GPT train step", .ember, "tokens/s", Double(batch * context) / trainStep)
        report("gpt", "mini GPT train step, CPU time (all threads)", .ember, "ms/step", cpuSecondsPerCall(quick ? 2 : 5, step) * 1e3)
    }
}
