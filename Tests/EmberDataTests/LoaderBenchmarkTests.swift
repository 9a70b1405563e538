import Foundation
import Testing
@testable import EmberData

/// Epoch timings of the loader over Fashion-MNIST; no assertions (timings are noisy here).
/// Runs only when EMBER_DATA_BENCH=1, in a release build: `scripts/data_loader_bench.sh`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["EMBER_DATA_BENCH"] == "1" && FashionFiles.available))
struct LoaderBenchmarkTests {
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Busy work on this thread for about `microseconds`.
    static func spin(microseconds: Int) {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(microseconds) * 1000
        while DispatchTime.now().uptimeNanoseconds < end {}
    }

    /// The best of `repeats` runs of one epoch, and the number of images it delivered.
    static func epoch<B>(_ loader: DataLoader<B>, repeats: Int = 3, size: (B) -> Int) -> (Double, Int) {
        var best = Double.infinity, images = 0
        for _ in 0..<repeats {
            var n = 0
            let t = seconds { for b in loader { n += size(b) } }
            best = min(best, t)
            images = n
        }
        return (best, images)
    }

    @Test func fashionMNISTEpochs() throws {
        var train: FashionMNIST?
        let load = Self.seconds { train = try? FashionMNIST(root: FashionFiles.root, train: true) }
        let data = try #require(train)
        print("[bench] FashionMNIST(train: true) load (gunzip + parse 60000 images): \(String(format: "%.3f", load)) s")
        for workers in [0, 2] {
            let fast = DataLoader(data, batchSize: 128, shuffle: true, numWorkers: workers, generator: Generator(seed: 0))
            let (t, n) = Self.epoch(fast) { $0.0.shape[0] }
            print("[bench] epoch, batch 128, shuffle, numWorkers \(workers), batched path: \(String(format: "%.3f", t)) s (\(n) images, \(fast.count) batches)")
        }
        // With a stand-in for a training step (0.5 ms of single-threaded work per batch),
        // workers overlap loading with it.
        for workers in [0, 2] {
            let fast = DataLoader(data, batchSize: 128, shuffle: true, numWorkers: workers, generator: Generator(seed: 0))
            let (t, _) = Self.epoch(fast) { _ in Self.spin(microseconds: 500); return 0 }
            print("[bench] epoch, batch 128, numWorkers \(workers), batched path + 0.5 ms simulated step per batch (\(String(format: "%.3f", Double(fast.count) * 0.0005)) s of steps): \(String(format: "%.3f", t)) s")
        }
        for workers in [0, 2] {
            let perSample = DataLoader(data, batchSize: 128, shuffle: true, collate: { Collate.pairs($0) }, numWorkers: workers, generator: Generator(seed: 0))
            let (t, n) = Self.epoch(perSample) { $0.0.shape[0] }
            print("[bench] epoch, batch 128, shuffle, numWorkers \(workers), per-sample + stack: \(String(format: "%.3f", t)) s (\(n) images)")
        }
        for workers in [0, 2] {
            let augmented = try FashionMNIST(root: FashionFiles.root, train: true, transform: Compose([RandomCrop(size: 28, padding: 2), RandomHorizontalFlip(), Normalize(mean: [0.2860], std: [0.3530])]))
            let loader = DataLoader(augmented, batchSize: 128, shuffle: true, numWorkers: workers, generator: Generator(seed: 0))
            let (t, n) = Self.epoch(loader, repeats: 1) { $0.0.shape[0] }
            print("[bench] epoch, batch 128, shuffle, numWorkers \(workers), crop+flip+normalize per sample: \(String(format: "%.3f", t)) s (\(n) images)")
            // A step that leaves the CPU free (as when the model runs on an accelerator).
            let (u, _) = Self.epoch(loader, repeats: 1) { _ in usleep(500); return 0 }
            print("[bench] epoch, batch 128, numWorkers \(workers), crop+flip+normalize + 0.5 ms sleeping step per batch: \(String(format: "%.3f", u)) s")
        }
    }
}
