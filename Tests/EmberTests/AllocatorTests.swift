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
    /// A large buffer freed and asked for again comes back from the cache, again and again.
    @Test func largeBuffersAreReused() {
        let allocator = CachingAllocator()
        let (p, size) = allocator.allocate(3 << 20)
        allocator.deallocate(p, size: size)
        for _ in 0..<10 {
            let (q, qSize) = allocator.allocate(3 << 20)
            #expect(q == p && qSize == size)
            allocator.deallocate(q, size: qSize)
        }
        #expect(allocator.stats.cachedBytes == size)
        allocator.emptyCache()
    }

    /// A large request with no cached buffer of its own class takes the smallest cached one of
    /// up to twice its size, and reports that buffer's real size; a larger one is left.
    @Test func largeRequestTakesACachedBufferOfUpToTwiceItsSize() {
        let allocator = CachingAllocator()
        let mib = 1 << 20
        let (p, size) = allocator.allocate(8 * mib)
        allocator.deallocate(p, size: size)
        let (tooSmall, tooSmallSize) = allocator.allocate(3 * mib)    // 8 MiB is more than twice 3
        #expect(tooSmall != p && tooSmallSize == 3 * mib)
        let (q, qSize) = allocator.allocate(5 * mib)
        #expect(q == p && qSize == 8 * mib)
        #expect(allocator.stats.allocatedBytes == 11 * mib && allocator.stats.cachedBytes == 0)
        allocator.deallocate(q, size: qSize)
        allocator.deallocate(tooSmall, size: tooSmallSize)
        #expect(allocator.stats.allocatedBytes == 0 && allocator.stats.cachedBytes == 11 * mib)
        allocator.emptyCache()
    }

    /// The buffers of a finished phase go back to the system as the next phase asks for
    /// memory: live plus cached bytes stay within a quarter (at least 64 MiB) above the most
    /// ever live, and the stalest buffers go first.
    @Test func cacheStaysNearTheLiveHighWaterMark() {
        let allocator = CachingAllocator()
        let mib = 1 << 20
        // Phase one: 8 buffers of 12 MiB live at once (96 MiB), then freed.
        let first = (0..<8).map { _ in allocator.allocate(12 * mib) }
        for (p, size) in first { allocator.deallocate(p, size: size) }
        #expect(allocator.stats.cachedBytes == 96 * mib)
        // Phase two: buffers of another size class; the total never passes the bound.
        var live: [(UnsafeMutableRawPointer, Int)] = []
        for _ in 0..<8 {
            live.append(allocator.allocate(20 * mib))
            let s = allocator.stats
            #expect(s.allocatedBytes + s.cachedBytes <= CachingAllocator.bound(highWater: s.peakAllocatedBytes))
        }
        // Phase one's buffers were returned to stay within the bound.
        #expect(allocator.stats.cachedBytes < 96 * mib)
        for (p, size) in live { allocator.deallocate(p, size: size) }
        allocator.emptyCache()
        #expect(allocator.stats.cachedBytes == 0)
    }
}
