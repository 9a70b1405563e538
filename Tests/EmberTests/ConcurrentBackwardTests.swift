import Foundation
import Testing
import Ember

/// Backward passes on several threads into shared leaves, as data-parallel (Hogwild) training
/// does: every gradient is added exactly once and nothing is corrupted. `make tsan` runs
/// this suite under the thread sanitizer.
@Suite struct ConcurrentBackwardTests {
    /// Runs `body(thread)` on `threads` threads at once and waits for all of them.
    func onThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: threads, execute: body)
    }

    /// The reproduction: 4 threads each run `(leaf * 1.0).sum().backward()` 500 times.
    @Test func sharedLeafAccumulatesEveryPass() {
        let leaf = Tensor([1.0, 2.0, 3.0] as [Float], requiresGrad: true)
        onThreads(4) { _ in
            for _ in 0..<500 { (leaf * 1.0).sum().backward() }
        }
        #expect(leaf.grad?.toArray() == [2000, 2000, 2000])
    }

    /// A leaf made on one thread and first used by several at once gets one accumulator.
    @Test func freshLeavesFirstUsedOnManyThreads() {
        for _ in 0..<50 {
            let leaf = Tensor.zeros([4]).requiresGrad_()
            onThreads(4) { t in (leaf * Double(t + 1)).sum().backward() }
            #expect(leaf.grad?.toArray() == [10, 10, 10, 10])
        }
    }

    /// Hooks and retained gradients run once per pass, never two at a time.
    @Test func hooksAndRetainedGradientsAreSerialized() {
        let leaf = Tensor([1.0, -1.0] as [Float], requiresGrad: true)
        final class Counter: @unchecked Sendable { var calls = 0 }
        let counter = Counter()
        leaf.registerHook { g in counter.calls += 1; return g * 2 }
        onThreads(4) { _ in
            for _ in 0..<100 {
                let y = leaf * 3.0
                y.retainGrad()
                y.sum().backward()
                #expect(y.grad?.toArray() == [1, 1])
            }
        }
        #expect(counter.calls == 400)
        #expect(leaf.grad?.toArray() == [2400, 2400])
    }

    /// A small MLP's weights shared by threads training on their own batches: the summed
    /// gradient equals the one computed on one thread, batch after batch.
    @Test func sharedWeightsMatchSerialGradients() {
        let generator = Generator(seed: 3)
        let w = (Tensor.randn([8, 4], generator: generator) * 0.5).requiresGrad_()
        let batches = (0..<8).map { _ in Tensor.randn([16, 8], generator: generator) }
        @Sendable func loss(_ x: Tensor) -> Tensor { x.matmul(w).tanh().square().mean() }
        for x in batches { loss(x).backward() }
        let serial = w.grad!.clone()
        w.grad = nil
        onThreads(4) { t in
            for x in batches[(t * 2)..<(t * 2 + 2)] { loss(x).backward() }
        }
        let parallel = w.grad!
        #expect((parallel - serial).abs().max().item() <= 1e-5 * serial.abs().max().item())
    }

    /// A backward started from a hook inside a backward pass on the same thread runs within it
    /// (no deadlock on the engine's lock).
    @Test func backwardInsideAHookRuns() {
        let a = Tensor([2.0] as [Float], requiresGrad: true)
        let b = Tensor([5.0] as [Float], requiresGrad: true)
        let bSquared = (b * b).sum()   // recorded outside: backward runs without grad mode
        a.registerHook { _ in bSquared.backward(); return nil }
        (a * 3.0).sum().backward()
        #expect(a.grad?.toArray() == [3])
        #expect(b.grad?.toArray() == [10])
    }
}
