import Ember
import EmberNN

/// Workload `lstmparts` (not in `bench/run.py`'s list; Ember only): where the `lstm`
/// workload's training step goes, in wall milliseconds per call at its shapes (sequence 64,
/// batch 32, LSTM 64 → 256): the layer forward without grad, the layer forward + backward
/// from a plain input and from an embedding's output (Embedding 96 → 64, whose distinct rows
/// the layer projects once), and the output layer with its loss (Linear 256 → 96,
/// cross-entropy) forward + backward.
enum LSTMPartsBench {
    static func run(quick: Bool) {
        let plan = quick ? TimingPlan(warmup: 0.2, target: 0.5) : TimingPlan(warmup: 0.5, target: 2)
        let steps = LSTMBench.steps, batch = LSTMBench.batch, hidden = LSTMBench.hidden, vocab = 96
        let lstm = LSTM(LSTMBench.embed, hidden)
        let fc = Linear(hidden, vocab)
        let emb = Embedding(vocab, LSTMBench.embed)
        let ids = Tensor((0..<(steps * batch)).map { Int64(($0 * 7919) % vocab) }, shape: [steps, batch])
        let x = Tensor.randn([steps, batch, LSTMBench.embed]).requiresGrad_()
        let gy = Tensor.randn([steps, batch, hidden])
        let features = Tensor.randn([steps * batch, hidden]).requiresGrad_()
        let targets = Tensor((0..<(steps * batch)).map { Int64($0 % vocab) }, shape: [steps * batch])
        let cases: [(String, () -> Void)] = [
            ("LSTM layer forward (no grad)", { blackHole(withNoGrad { lstm(x).output }) }),
            ("LSTM layer forward + backward", {
                lstm(x).output.backward(gradient: gy)
                lstm.zeroGrad(); x.grad = nil
            }),
            ("Embedding + LSTM layer forward (no grad)", { blackHole(withNoGrad { lstm(emb(ids)).output }) }),
            ("Embedding + LSTM layer forward", { blackHole(lstm(emb(ids)).output) }),
            ("Embedding + LSTM layer forward + backward", {
                lstm(emb(ids)).output.backward(gradient: gy)
                lstm.zeroGrad(); emb.zeroGrad()
            }),
            ("Linear + cross-entropy forward + backward", {
                crossEntropy(fc(features), targets).backward()
                fc.zeroGrad(); features.grad = nil
            }),
        ]
        for (name, body) in cases {
            report("lstmparts", name, .ember, "ms/call", secondsPerCall(plan, body) * 1e3)
        }
    }
}
