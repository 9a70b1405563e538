import Ember
import EmberNN
import EmberOptim
#if canImport(Glibc)
import Glibc
#endif

/// Workload `lstm`: a character-level language model's training step in tokens/s (higher is
/// better): `Embedding(vocab, 64)` → `LSTM(64, 256)` → `Linear(256, vocab)`, sequence 64,
/// batch 32, cross-entropy, backward and an Adam step (lr 1e-3; PyTorch's `torch.optim.Adam`
/// with its defaults beside it); the corpus is `/usr/share/common-licenses/GPL-3`, windows
/// drawn at random. The limit is the step's multiply-adds at the rate of a large matrix
/// product: what the step would cost if everything but the arithmetic were free.
enum LSTMBench {
    static let corpusPath = "/usr/share/common-licenses/GPL-3"
    static let steps = 64, batch = 32, embed = 64, hidden = 256

    /// The corpus bytes, or a fixed pseudo-text when the file is absent.
    static func corpus() -> [UInt8] {
        guard let f = fopen(corpusPath, "rb") else {
            return (0..<35_000).map { (i: Int) -> UInt8 in
                let letter: Int = (i * 7 + i / 13) % 26
                return UInt8(97 + letter)
            }
        }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes
    }

    final class CharLM: Module, @unchecked Sendable {
        let emb: Embedding
        let lstm: LSTM
        let fc: Linear
        init(vocab: Int) {
            emb = Embedding(vocab, LSTMBench.embed)
            lstm = LSTM(LSTMBench.embed, LSTMBench.hidden)
            fc = Linear(LSTMBench.hidden, vocab)
            super.init()
        }
        override func forward(_ ids: Tensor) -> Tensor {
            let (output, _) = lstm(emb(ids))
            return fc(output)
        }
    }

    static func run(quick: Bool) { run(quick: quick, phases: false) }

    /// Workload `lstm`, or with `phases` workload `lstmphases` (Ember only, not in
    /// `bench/run.py`'s list): where the training step's time goes.
    static func run(quick: Bool, phases: Bool) {
        let plan = quick ? TimingPlan(warmup: 0.2, target: 0.5) : TimingPlan(warmup: 1, target: 4)
        let text = corpus()
        let symbols = Array(Set(text)).sorted()
        var index = [Int](repeating: 0, count: 256)
        for (i, s) in symbols.enumerated() { index[Int(s)] = i }
        let data = text.map { Int64(index[Int($0)]) }
        let vocab = symbols.count
        let model = CharLM(vocab: vocab)
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        var rng = SplitMix(state: 0)

        func batchWindows() -> (x: Tensor, y: Tensor) {
            var xs = [Int64](repeating: 0, count: steps * batch), ys = xs
            for b in 0..<batch {
                let start = Int(rng.next() % UInt64(data.count - steps - 1))
                for t in 0..<steps {
                    xs[t * batch + b] = data[start + t]
                    ys[t * batch + b] = data[start + t + 1]
                }
            }
            return (Tensor(xs, shape: [steps, batch]), Tensor(ys, shape: [steps * batch]))
        }

        let step = {
            let (x, y) = batchWindows()
            let logits = model(x).reshape([steps * batch, vocab])
            let loss = crossEntropy(logits, y)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            blackHole(loss)
        }
        if phases {
            reportPhases(model: model, optimizer: optimizer, vocab: vocab, batchWindows: batchWindows)
            return
        }
        let trainStep = secondsPerCall(plan, step)
        let tokens = Double(steps * batch)
        report("lstm", "char LM train step", .ember, "tokens/s", tokens / trainStep)
        report("lstm", "char LM train step, CPU time (all threads)", .ember, "ms/step", cpuSecondsPerCall(quick ? 3 : 10, step) * 1e3)
        report("lstm", "char LM train step", .limit, "tokens/s", tokens / gemmFloor(plan, vocab: vocab),
               source: "its multiply-adds at the 1024^3 matmul rate")

        let forward = secondsPerCall(plan) {
            let (x, _) = batchWindows()
            blackHole(withNoGrad { model(x) })
        }
        report("lstm", "char LM forward (no grad)", .ember, "tokens/s", tokens / forward)
    }

    /// Prints, per phase of the training step (making the batch, embedding, LSTM forward,
    /// output layer, loss, zeroGrad, backward, Adam), the mean wall and process CPU
    /// milliseconds over 100 steps after 20 warm-up steps. CPU above wall means the phase
    /// used both cores.
    static func reportPhases(model: CharLM, optimizer: Adam, vocab: Int, batchWindows: () -> (x: Tensor, y: Tensor)) {
        func seconds(_ clock: clockid_t) -> Double {
            var t = timespec()
            clock_gettime(clock, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let names = ["batch", "embedding", "lstm forward", "fc forward", "ce forward", "zeroGrad", "backward", "adam"]
        var wall = [Double](repeating: 0, count: names.count), cpu = wall
        let measured = 100, warmup = 20
        for step in 0..<(measured + warmup) {
            var phase = 0
            var w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID)
            func mark() {
                let w = seconds(CLOCK_MONOTONIC), c = seconds(CLOCK_PROCESS_CPUTIME_ID)
                if step >= warmup { wall[phase] += w - w0; cpu[phase] += c - c0 }
                phase += 1
                w0 = w; c0 = c
            }
            let (x, y) = batchWindows(); mark()
            let e = model.emb(x); mark()
            let (o, _) = model.lstm(e); mark()
            let logits = model.fc(o).reshape([steps * batch, vocab]); mark()
            let loss = crossEntropy(logits, y); mark()
            optimizer.zeroGrad(); mark()
            loss.backward(); mark()
            optimizer.step(); mark()
        }
        for (i, name) in names.enumerated() {
            print(name.padding(toLength: 14, withPad: " ", startingAt: 0), String(format: "wall %7.3f ms   cpu %7.3f ms", wall[i] / Double(measured) * 1e3, cpu[i] / Double(measured) * 1e3))
        }
        print("total         ", String(format: "wall %7.3f ms   cpu %7.3f ms", wall.reduce(0, +) / Double(measured) * 1e3, cpu.reduce(0, +) / Double(measured) * 1e3))
    }

    /// Seconds per step if every multiply-add of the step ran at the rate of a large matrix
    /// product on all cores (Ember's 1024³ float32 `matmul`, split across the cores): the
    /// recurrent product forward and backward and W_hh's gradient, the input projection with
    /// its two gradients counted once per symbol (the least any implementation must do: the
    /// LSTM's input is an embedding row, so W_ih·x takes `vocab` distinct values, which is how
    /// Ember computes it), and the output layer's three products. The elementwise work, the
    /// loss and the optimizer are taken as free, so no implementation of the step can beat it.
    static func gemmFloor(_ plan: TimingPlan, vocab: Int) -> Double {
        let rows = Double(steps * batch), gates = Double(4 * hidden)
        let recurrent = rows * gates * Double(hidden)
        let inputProjection = Double(vocab) * gates * Double(embed)
        let lstm = 3 * (recurrent + inputProjection)  // forward, [dh, d_input], [dW_hh, dW_ih]
        let output = 3 * rows * Double(hidden * vocab)
        let multiplyAdds = lstm + output
        let n = 1024
        let a = Tensor.randn([n, n]), b = Tensor.randn([n, n])
        let seconds = secondsPerCall(plan) { blackHole(a.matmul(b)) }
        let rate = Double(n * n * n) / seconds
        return multiplyAdds / rate
    }
}

/// Process CPU time (user + system, all threads) per call of `body` over `calls` calls: the
/// work a step costs, less sensitive than wall time to other processes on a busy machine.
func cpuSecondsPerCall(_ calls: Int, _ body: () -> Void) -> Double {
    func cpu() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
        return user + system
    }
    body()
    let start = cpu()
    for _ in 0..<calls { body() }
    return (cpu() - start) / Double(calls)
}

/// A tiny seeded generator for picking windows (SplitMix64).
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
