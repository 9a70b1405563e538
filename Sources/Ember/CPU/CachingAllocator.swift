import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out 64-byte aligned buffers and keeps freed ones for reuse by size class, so a
/// training step in steady state makes no `mmap`/`munmap` calls (PyTorch's CUDA caching
/// allocator does the same for GPU memory; on the CPU PyTorch calls `malloc` each time).
///
/// The cache is bounded by what the process has needed: when a request misses the cache and
/// the live plus cached bytes would pass the most bytes ever live plus a slack (a quarter of
/// that peak, at least 64 MiB), the large cached buffers freed longest ago go back to the
/// system first. A repeating step keeps every buffer it reuses; the buffers of a finished
/// phase (training before evaluation, a larger batch before a smaller one) are returned as
/// the next phase asks for memory. Large buffers (256 KiB and up) are mapped and unmapped
/// directly, so returning one lowers the resident size at once.
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

    /// A freed large buffer: its address, size class, and when it was freed (a count of
    /// frees), so the stalest goes first.
    private struct CachedBlock {
        var address: UInt
        var index: Int
        var size: Int
        var freedAt: Int
    }

    /// Freed small buffers form one singly linked list per size class, threaded through the
    /// buffers' own first 8 bytes, so taking or returning one allocates nothing. Freed large
    /// buffers sit in one short array (tens of entries), searched by class.
    private struct State {
        var heads = [UInt](repeating: 0, count: CachingAllocator.classCount)
        var large: [CachedBlock] = []
        var frees = 0
        /// The most bytes ever live at once (not reset by `resetPeak`).
        var highWater = 0
        var stats = Stats()
    }
    static let classCount = 256
    /// Buffers of at least this many bytes are mapped directly and count against the bound.
    static let largeBytes = 1 << 18
    /// The least slack above the live high-water mark that the cache may use: the size-class
    /// rounding of a training step needs some (the `cnn` benchmark's step, about 110 MiB live
    /// at most with its data set, reused about 30 MiB more; a 32 MiB floor unmapped and
    /// remapped buffers of 1-14 MiB every step).
    static let minimumSlack = 64 << 20
    private let state: Locked<State>

    /// An empty allocator (tests make their own; storages use `shared`).
    public init() {
        var s = State()
        s.large.reserveCapacity(256)
        state = Locked(s)
    }

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

    /// The bytes live plus cached may reach before stale large buffers are returned.
    static func bound(highWater: Int) -> Int { highWater + max(highWater / 4, minimumSlack) }

    /// Returns a 64-byte aligned buffer of at least `bytes` bytes and its real size (a large
    /// request may get a cached buffer of up to twice its size class; `deallocate` takes the
    /// real size back).
    public func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let (size, index) = Self.sizeClassAndIndex(bytes)
        let large = size >= Self.largeBytes
        var victims: [CachedBlock] = []
        var realSize = size
        let cached: UInt = state.withLock { s in
            s.stats.allocatedBytes += size
            if s.stats.allocatedBytes > s.stats.peakAllocatedBytes { s.stats.peakAllocatedBytes = s.stats.allocatedBytes }
            if s.stats.allocatedBytes > s.highWater { s.highWater = s.stats.allocatedBytes }
            if !large {
                let head = s.heads[index]
                if head != 0 {
                    s.heads[index] = UnsafeRawPointer(bitPattern: head)!.load(as: UInt.self)
                    s.stats.cachedBytes -= size
                }
                return head
            }
            // The most recently freed buffer of this class (its pages are likeliest in cache).
            var best = -1
            for i in s.large.indices where s.large[i].index == index && (best < 0 || s.large[i].freedAt > s.large[best].freedAt) { best = i }
            if best < 0 {
                // Else the smallest cached buffer of up to twice the size (four classes up): a
                // phase with other shapes (evaluation after training) reuses what the last one
                // left instead of mapping more (CNN workload peak RSS 272 -> 264.5 MiB).
                for i in s.large.indices where s.large[i].index > index && s.large[i].index <= index + 4
                    && (best < 0 || s.large[i].index < s.large[best].index) { best = i }
            }
            if best >= 0 {
                let block = s.large[best]
                s.large.swapAt(best, s.large.count - 1)
                s.large.removeLast()
                s.stats.cachedBytes -= block.size
                s.stats.allocatedBytes += block.size - size
                if s.stats.allocatedBytes > s.stats.peakAllocatedBytes { s.stats.peakAllocatedBytes = s.stats.allocatedBytes }
                if s.stats.allocatedBytes > s.highWater { s.highWater = s.stats.allocatedBytes }
                realSize = block.size
                return block.address
            }
            // A miss: make room under the bound by returning the stalest large buffers.
            let bound = Self.bound(highWater: s.highWater)
            while s.stats.allocatedBytes + s.stats.cachedBytes > bound && !s.large.isEmpty {
                var oldest = 0
                for i in s.large.indices where s.large[i].freedAt < s.large[oldest].freedAt { oldest = i }
                let block = s.large[oldest]
                s.large.swapAt(oldest, s.large.count - 1)
                s.large.removeLast()
                s.stats.cachedBytes -= block.size
                victims.append(block)
            }
            return 0
        }
        for v in victims { Self.release(UnsafeMutableRawPointer(bitPattern: v.address)!, size: v.size) }
        if cached != 0 { return (UnsafeMutableRawPointer(bitPattern: cached)!, realSize) }
        return (Self.obtain(size), size)
    }

    /// Takes a buffer back and keeps it for reuse.
    public func deallocate(_ pointer: UnsafeMutableRawPointer, size: Int) {
        let index = Self.sizeClassAndIndex(size).index
        state.withLock { s in
            s.stats.allocatedBytes -= size
            s.stats.cachedBytes += size
            if size >= Self.largeBytes {
                s.frees &+= 1
                s.large.append(CachedBlock(address: UInt(bitPattern: pointer), index: index, size: size, freedAt: s.frees))
            } else {
                pointer.storeBytes(of: s.heads[index], as: UInt.self)
                s.heads[index] = UInt(bitPattern: pointer)
            }
        }
    }

    /// New memory for a buffer of size class `size`: mapped pages for a large one, else
    /// `posix_memalign`.
    private static func obtain(_ size: Int) -> UnsafeMutableRawPointer {
        if size >= largeBytes {
            let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            if let p, p != MAP_FAILED { return p }
            fatalError("[Ember allocator] out of memory mapping \(size) bytes")
        }
        var raw: UnsafeMutableRawPointer?
        if posix_memalign(&raw, 64, size) != 0 || raw == nil {
            fatalError("[Ember allocator] out of memory allocating \(size) bytes")
        }
        return raw!
    }

    /// Gives a buffer from `obtain` back to the system.
    private static func release(_ pointer: UnsafeMutableRawPointer, size: Int) {
        if size >= largeBytes { munmap(pointer, size) } else { free(pointer) }
    }

    /// Allocated, cached and peak byte counts.
    public var stats: Stats { state.withLock { $0.stats } }

    /// Starts peak tracking again from the current allocation.
    public func resetPeak() { state.withLock { $0.stats.peakAllocatedBytes = $0.stats.allocatedBytes } }

    /// Returns every cached buffer to the system (PyTorch: `torch.cuda.empty_cache`).
    public func emptyCache() {
        let (small, large) = state.withLock { s -> ([UInt], [CachedBlock]) in
            var all: [UInt] = []
            for i in s.heads.indices {
                var p = s.heads[i]
                while p != 0 { all.append(p); p = UnsafeRawPointer(bitPattern: p)!.load(as: UInt.self) }
                s.heads[i] = 0
            }
            let large = s.large
            s.large.removeAll(keepingCapacity: true)
            s.stats.cachedBytes = 0
            return (all, large)
        }
        for p in small { free(UnsafeMutableRawPointer(bitPattern: p)) }
        for b in large { Self.release(UnsafeMutableRawPointer(bitPattern: b.address)!, size: b.size) }
    }
}
