import Ember
import EmberData
import EmberNN
import EmberOptim
#if canImport(Glibc)
import Glibc
#endif

/// Workload `mlp`: training a 784-512-256-10 MLP on Fashion-MNIST with Adam (lr 1e-3) and
/// cross-entropy, batch 128, shuffled: training samples/s over one epoch (the first 100
/// batches with --quick), and the process's peak resident memory (VmHWM).
enum MLPBench {
    static func run(quick: Bool) {
        manualSeed(0)
        let train: FashionMNIST
        do { train = try FashionMNIST(train: true) } catch {
            print("mlp: \(error)")
            return
        }
        let loader = DataLoader(train, batchSize: 128, shuffle: true, generator: Generator(seed: 0))
        let model = Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        let criterion = CrossEntropyLoss()
        let maxBatches = quick ? 100 : Int.max
        var samples = 0, batches = 0
        let start = monotonicSeconds()
        for (images, labels) in loader {
            optimizer.zeroGrad()
            let loss = criterion(model(images.flatten(startDim: 1)), labels)
            loss.backward()
            optimizer.step()
            samples += images.shape[0]
            batches += 1
            if batches >= maxBatches { break }
        }
        let elapsed = monotonicSeconds() - start
        report("mlp", "train 784-512-256-10 Adam b128", .ember, "samples/s", Double(samples) / elapsed)
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
