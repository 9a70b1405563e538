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

    private struct State: ~Copyable {
        var free: [Int: [UInt]] = [:]  // buffer addresses by size class
        var stats = Stats()
    }
    private let state = Mutex(State())
    /// Freed buffers beyond this many cached bytes go back to the system.
    private let cacheLimit = 2 << 30

    /// Rounds a request up to its size class: 64-byte multiples up to 4 KiB, then steps of
    /// a quarter of the next power of two (at most 25% slack).
    @inlinable static func sizeClass(_ bytes: Int) -> Int {
        if bytes <= 4096 { return max(64, (bytes + 63) & ~63) }
        let high = Int.bitWidth - (bytes - 1).leadingZeroBitCount  // 2^high >= bytes
        let step = 1 << (high - 3)
        return (bytes + step - 1) / step * step
    }

    /// Returns a 64-byte aligned buffer of at least `bytes` bytes and its real size.
    public func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let size = Self.sizeClass(bytes)
        let cached: UInt = state.withLock { s in
            s.stats.allocatedBytes += size
            s.stats.peakAllocatedBytes = max(s.stats.peakAllocatedBytes, s.stats.allocatedBytes)
            if let p = s.free[size]?.popLast() { s.stats.cachedBytes -= size; return p }
            return 0
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
        let address = UInt(bitPattern: pointer)
        let keep = state.withLock { s -> Bool in
            s.stats.allocatedBytes -= size
            guard s.stats.cachedBytes + size <= cacheLimit else { return false }
            s.free[size, default: []].append(address)
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
            let all = s.free.values.flatMap { $0 }
            s.free = [:]; s.stats.cachedBytes = 0
            return all
        }
        for p in buffers { free(UnsafeMutableRawPointer(bitPattern: p)) }
    }
}
