import Ember
import EmberData
import EmberNN
import EmberOptim
import class EmberTrain.CNN
#if canImport(Glibc)
import Glibc
#endif

/// Workload `data`: the data loader.
///
/// - Full Fashion-MNIST training epochs (60000 images), batch 128, shuffled, on the iterating
///   thread (`numWorkers: 0`), with `Normalize(mean: [0.2860], std: [0.3530])` and without:
///   samples/s, the median of 3 epochs (1 with --quick). `torch_bench.py` runs PyTorch's
///   DataLoader over a TensorDataset of the same float tensors, normalizing per sample.
///   Ember applies a one-channel `Normalize` as a 256-entry table while converting the bytes
///   (`PointwiseTransform`); a row with the same Normalize inside a `Lambda` shows the
///   per-image path (a tensor per image, transformed, then stacked).
/// - Augmented training: `RandomCrop(28, padding: 4)` + `RandomHorizontalFlip` on 2 worker
///   threads feeding the CNN `ember train` uses (`EmberTrain.CNN`, Adam, batch 128): the time
///   the loop waits in the loader's `next()` as a share of the whole step (wait + forward,
///   backward, update), over 80 steps after the first (20 with --quick). Ember only.
enum DataBench {
    static let mean = 0.2860, std = 0.3530

    static func run(quick: Bool) {
        let plain: FashionMNIST, normalized: FashionMNIST, augmented: FashionMNIST
        do {
            plain = try FashionMNIST(train: true)
            normalized = try FashionMNIST(train: true, transform: Normalize(mean: [mean], std: [std]))
            augmented = try FashionMNIST(train: true, transform: Compose([RandomCrop(size: 28, padding: 4), RandomHorizontalFlip()]))
        } catch {
            print("data: \(error)")
            return
        }
        let epochs = quick ? 1 : 3
        let withNormalize = DataLoader(normalized, batchSize: 128, shuffle: true, generator: Generator(seed: 0))
        report("data", "Fashion-MNIST epoch, shuffle + Normalize, b128, 0 workers", .ember, "samples/s", epochRate(withNormalize, epochs: epochs))
        // The same Normalize hidden in a Lambda: the per-image path (a tensor per image, then a stack).
        let perImage = try! FashionMNIST(train: true, transform: Lambda { [norm = Normalize(mean: [mean], std: [std])] in norm($0) })
        let perImageLoader = DataLoader(perImage, batchSize: 128, shuffle: true, generator: Generator(seed: 0))
        report("data", "Fashion-MNIST epoch, shuffle + Normalize per image (Lambda), b128, 0 workers", .ember, "samples/s", epochRate(perImageLoader, epochs: epochs))
        let without = DataLoader(plain, batchSize: 128, shuffle: true, generator: Generator(seed: 0))
        report("data", "Fashion-MNIST epoch, shuffle, b128, 0 workers", .ember, "samples/s", epochRate(without, epochs: epochs))

        let loader = DataLoader(augmented, batchSize: 128, shuffle: true, numWorkers: 2, generator: Generator(seed: 0))
        let (waitShare, stepMs, waitMs) = trainingWait(loader, steps: quick ? 20 : 80)
        report("data", "CNN train, RandomCrop(28, pad 4) + flip, 2 workers: data wait / step", .ember, "% (lower)", waitShare * 100)
        report("data", "CNN train, RandomCrop(28, pad 4) + flip, 2 workers: step incl. wait", .ember, "ms/step", stepMs)
        report("data", "CNN train, RandomCrop(28, pad 4) + flip, 2 workers: data wait", .ember, "ms/step", waitMs)
        report("data", "peak resident memory", .ember, "MiB (lower)", peakResidentMiB())
    }

    /// Samples per second over whole epochs, the median of `epochs` epochs.
    static func epochRate(_ loader: DataLoader<(Tensor, Tensor)>, epochs: Int) -> Double {
        var rates: [Double] = []
        for _ in 0..<epochs {
            var samples = 0
            let start = monotonicSeconds()
            for (images, labels) in loader {
                blackHole(images)
                samples += labels.shape[0]
            }
            rates.append(Double(samples) / (monotonicSeconds() - start))
        }
        rates.sort()
        return rates[rates.count / 2]
    }

    /// Trains `EmberTrain.CNN` on `loader` for `steps` steps after a first one, timing the
    /// wait in `next()` apart from the rest of each step: (wait share, ms per step, ms waited per step).
    static func trainingWait(_ loader: DataLoader<(Tensor, Tensor)>, steps: Int) -> (Double, Double, Double) {
        manualSeed(0)
        let model = CNN(classes: 10, inputMean: mean, inputStd: std)
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        let criterion = CrossEntropyLoss()
        let iterator = loader.makeIterator()
        var wait = 0.0, total = 0.0
        for step in 0...steps {
            let t0 = monotonicSeconds()
            guard let (images, labels) = iterator.next() else { break }
            let t1 = monotonicSeconds()
            optimizer.zeroGrad()
            let loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            blackHole(loss.item())
            let t2 = monotonicSeconds()
            if step > 0 {   // the first batch waits for the workers to start: not steady state
                wait += t1 - t0
                total += t2 - t0
            }
        }
        return (wait / total, total / Double(steps) * 1e3, wait / Double(steps) * 1e3)
    }
}
