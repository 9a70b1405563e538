import Ember
import EmberData
import EmberNN
import EmberOptim
#if canImport(Glibc)
import Glibc
#endif

/// Workload `mlp`: training a 784-512-256-10 MLP on Fashion-MNIST with Adam (lr 1e-3) and
/// cross-entropy, batch 128, shuffled each epoch, measured exactly as the peers are
/// (`bench/torch_bench.py`, `bench/jax_bench.py`): the images stay one uint8 `[60000, 784]`
/// tensor, each batch is gathered from it by the epoch's permutation and converted to float32
/// in [0, 1]; one warm-up epoch is not timed, then samples/s over the next two epochs (with
/// --quick, epochs of 60 batches). Also the process's peak resident memory (VmHWM).
enum MLPBench {
    /// Epochs run, the first of them a warm-up, and the batches per epoch (nil: all).
    static func plan(quick: Bool) -> (epochs: Int, warmupEpochs: Int, batchesPerEpoch: Int?) {
        quick ? (3, 1, 60) : (3, 1, nil)
    }

    static func run(quick: Bool) {
        manualSeed(0)
        let train: FashionMNIST
        do { train = try FashionMNIST(train: true) } catch {
            print("mlp: \(error)")
            return
        }
        let images = train.data.reshape([train.count, 784])   // uint8
        let labels = train.targets                            // int64
        let model = Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        let criterion = CrossEntropyLoss()
        let (epochs, warmupEpochs, batchesPerEpoch) = plan(quick: quick)
        let n = train.count, batch = 128
        var samples = 0, start = 0.0
        for epoch in 0..<epochs {
            if epoch == warmupEpochs { start = monotonicSeconds() }
            let order = Tensor.randperm(n)
            let batches = min((n + batch - 1) / batch, batchesPerEpoch ?? .max)
            for b in 0..<batches {
                let index = order.narrow(0, start: b * batch, length: min(batch, n - b * batch))
                let x = images.indexSelect(0, index).float().div_(255)
                let y = labels.indexSelect(0, index)
                optimizer.zeroGrad()
                let loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                if epoch >= warmupEpochs { samples += index.shape[0] }
            }
        }
        let elapsed = monotonicSeconds() - start
        report("mlp", "train 784-512-256-10 Adam b128 (warm epochs)", .ember, "samples/s", Double(samples) / elapsed)
        report("mlp", "peak resident memory", .ember, "MiB (lower)", peakResidentMiB())
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The process's peak resident set size (VmHWM in /proc/self/status), in MiB.
func peakResidentMiB() -> Double {
    guard let file = fopen("/proc/self/status", "r") else { return .nan }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            let kb = text.split(separator: " ").compactMap { Double($0) }.first ?? .nan
            return kb / 1024
        }
    }
    return .nan
}
