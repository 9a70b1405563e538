import Foundation
import Testing
@testable import Ember

@Suite struct AllocatorTests {
    @Test func sizeClassesRoundUpWithBoundedSlack() {
        #expect(CachingAllocator.sizeClass(1) == 64)
        #expect(CachingAllocator.sizeClass(4096) == 4096)
        for bytes in [4097, 5000, 65_537, 1_000_000, 16 << 20] {
            let size = CachingAllocator.sizeClass(bytes)
            #expect(size >= bytes && Double(size) <= Double(bytes) * 1.25 + 64)
        }
    }

    @Test func freedBuffersAreReused() {
        let allocator = CachingAllocator()
        let (p, size) = allocator.allocate(10_000)
        allocator.deallocate(p, size: size)
        #expect(allocator.stats.cachedBytes == size)
        let (q, _) = allocator.allocate(9_999)
        #expect(q == p)
        #expect(allocator.stats.allocatedBytes == size && allocator.stats.cachedBytes == 0)
        #expect(allocator.stats.peakAllocatedBytes == size)
        allocator.deallocate(q, size: size)
        allocator.emptyCache()
        #expect(allocator.stats.cachedBytes == 0)
    }

    /// A training step in steady state takes no page faults: its buffers come from the cache.
    @Test func steadyStateTrainingStepTakesNoPageFaults() async {
        await #expect(processExitsWith: .success) {
            let w = Tensor.randn([256, 128], requiresGrad: true), x = Tensor.randn([64, 256])
            func step() {
                let loss = x.matmul(w).relu().logSoftmax(dim: 1).mean()
                loss.backward()
                withNoGrad { w.sub_(w.grad! * 0.01) }
                w.grad = nil
            }
            for _ in 0..<50 { step() }
            var before = rusage(), after = rusage()
            getrusage(RUSAGE_SELF.rawValue, &before)
            for _ in 0..<500 { step() }
            getrusage(RUSAGE_SELF.rawValue, &after)
            let faults = after.ru_minflt - before.ru_minflt
            // A few faults may come from the runtime (thread stacks, lazy symbol binding).
            if faults > 20 { print("page faults in steady state: \(faults)"); exit(1) }
        }
    }
}
