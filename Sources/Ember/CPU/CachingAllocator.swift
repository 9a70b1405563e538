import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Hands out 64-byte aligned buffers and keeps freed ones for reuse by size class, so a
/// training step in steady state makes no `mmap`/`munmap` calls (PyTorch's CUDA caching
/// allocator does the same for GPU memory; on the CPU PyTorch calls `malloc` each time).
public final class CachingAllocator: Sendable {
    /// The allocator every CPU storage uses.
    public static let shared = CachingAllocator()

    /// Byte counts the allocator reports (PyTorch: `torch.cuda.memory_stats`).
    public struct Stats: Sendable, Equatable {
        /// Bytes in buffers that tensors hold now.
        public var allocatedBytes = 0
        /// Bytes in freed buffers kept for reuse.
        public var cachedBytes = 0
        /// The most `allocatedBytes` has been since the last `resetPeak()`.
        public var peakAllocatedBytes = 0
    }

    /// Freed buffers form one singly linked list per size class, threaded through the
    /// buffers' own first 8 bytes, so taking or returning a buffer allocates nothing.
    private struct State {
        var heads = [UInt](repeating: 0, count: CachingAllocator.classCount)
        var stats = Stats()
    }
    static let classCount = 256
    private let state = Locked(State())
    /// Freed buffers beyond this many cached bytes go back to the system.
    private let cacheLimit = 2 << 30

    /// Rounds a request up to its size class: 64-byte multiples up to 4 KiB, then steps of
    /// a quarter of the next power of two (at most 25% slack).
    static func sizeClass(_ bytes: Int) -> Int { sizeClassAndIndex(bytes).size }

    /// The size class of a request and its index in the free-list table.
    @inline(__always)
    static func sizeClassAndIndex(_ bytes: Int) -> (size: Int, index: Int) {
        if bytes <= 4096 {
            let size = max(64, (bytes + 63) & ~63)
            return (size, size >> 6)                          // 1...64
        }
        let high = Int.bitWidth - (bytes - 1).leadingZeroBitCount  // 2^(high-1) < bytes <= 2^high
        let step = 1 << (high - 3)
        let k = (bytes + step - 1) / step                          // 5...8
        return (k * step, 64 + (high - 13) * 4 + (k - 4))          // 65...
    }

    /// Returns a 64-byte aligned buffer of at least `bytes` bytes and its real size.
    public func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let (size, index) = Self.sizeClassAndIndex(bytes)
        let cached: UInt = state.withLock { s in
            s.stats.allocatedBytes += size
            if s.stats.allocatedBytes > s.stats.peakAllocatedBytes { s.stats.peakAllocatedBytes = s.stats.allocatedBytes }
            let head = s.heads[index]
            if head != 0 {
                s.heads[index] = UnsafeRawPointer(bitPattern: head)!.load(as: UInt.self)
                s.stats.cachedBytes -= size
            }
            return head
        }
        if cached != 0 { return (UnsafeMutableRawPointer(bitPattern: cached)!, size) }
        var raw: UnsafeMutableRawPointer?
        if posix_memalign(&raw, 64, size) != 0 || raw == nil {
            fatalError("[Ember allocator] out of memory allocating \(size) bytes")
        }
        return (raw!, size)
    }

    /// Takes a buffer back; keeps it for reuse unless the cache is full.
    public func deallocate(_ pointer: UnsafeMutableRawPointer, size: Int) {
        let index = Self.sizeClassAndIndex(size).index
        let keep = state.withLock { s -> Bool in
            s.stats.allocatedBytes -= size
            guard s.stats.cachedBytes + size <= cacheLimit else { return false }
            pointer.storeBytes(of: s.heads[index], as: UInt.self)
            s.heads[index] = UInt(bitPattern: pointer)
            s.stats.cachedBytes += size
            return true
        }
        if !keep { free(pointer) }
    }

    /// Allocated, cached and peak byte counts.
    public var stats: Stats { state.withLock { $0.stats } }

    /// Starts peak tracking again from the current allocation.
    public func resetPeak() { state.withLock { $0.stats.peakAllocatedBytes = $0.stats.allocatedBytes } }

    /// Returns every cached buffer to the system (PyTorch: `torch.cuda.empty_cache`).
    public func emptyCache() {
        let buffers = state.withLock { s -> [UInt] in
            var all: [UInt] = []
            for i in s.heads.indices {
                var p = s.heads[i]
                while p != 0 { all.append(p); p = UnsafeRawPointer(bitPattern: p)!.load(as: UInt.self) }
                s.heads[i] = 0
            }
            s.stats.cachedBytes = 0
            return all
        }
        for p in buffers { free(UnsafeMutableRawPointer(bitPattern: p)) }
    }
}
