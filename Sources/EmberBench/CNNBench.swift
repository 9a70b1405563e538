import Ember
import EmberData
import EmberNN
import EmberOptim

/// Workload `cnn`: the Fashion-MNIST CNN (conv 1→32 3x3 pad 1, ReLU, max-pool 2, conv 32→64,
/// ReLU, max-pool 2, fc 3136→128, ReLU, fc 128→10) with Adam, batch 128: training samples/s
/// over the first 150 batches (30 with --quick), inference samples/s at batch 1000, and the
/// process's peak resident memory.
enum CNNBench {
    final class Net: Module, @unchecked Sendable {
        let conv1 = Conv2d(1, 32, kernelSize: 3, padding: 1)
        let conv2 = Conv2d(32, 64, kernelSize: 3, padding: 1)
        let pool = MaxPool2d(2)
        let fc1 = Linear(3136, 128)
        let fc2 = Linear(128, 10)
        override func forward(_ x: Tensor) -> Tensor {
            var x = pool(relu(conv1(x)))
            x = pool(relu(conv2(x)))
            return fc2(relu(fc1(x.flatten(startDim: 1))))
        }
    }

    static func run(quick: Bool) {
        manualSeed(0)
        let train: FashionMNIST
        do { train = try FashionMNIST(train: true) } catch {
            print("cnn: \(error)")
            return
        }
        let loader = DataLoader(train, batchSize: 128, shuffle: true, generator: Generator(seed: 0))
        let model = Net()
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        let criterion = CrossEntropyLoss()
        let maxBatches = quick ? 30 : 150
        var samples = 0, batches = 0
        let start = monotonicSeconds()
        for (images, labels) in loader {
            optimizer.zeroGrad()
            let loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            samples += images.shape[0]
            batches += 1
            if batches >= maxBatches { break }
        }
        let elapsed = monotonicSeconds() - start
        report("cnn", "train b128 Adam", .ember, "samples/s", Double(samples) / elapsed)

        model.eval()
        let batch = Tensor.rand([1000, 1, 28, 28])
        let inference = withNoGrad { secondsPerCall(quick ? .quick : .full) { blackHole(model(batch)) } }
        report("cnn", "inference b1000", .ember, "samples/s", 1000 / inference)
        report("cnn", "peak resident memory", .ember, "MiB (lower)", peakResidentMiB())
    }
}
