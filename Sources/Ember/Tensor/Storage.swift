/// One contiguous, 64-byte aligned buffer that tensors view (PyTorch: `torch.UntypedStorage`).
///
/// Its `version` goes up on every in-place write, so autograd can tell when a tensor saved
/// for backward was modified afterwards.
public final class Storage: @unchecked Sendable {
    /// The start of the buffer.
    public let data: UnsafeMutableRawPointer
    /// Usable bytes (at least what was asked for).
    public let byteCount: Int
    /// Bumped by every in-place op on any view of this storage.
    @exclusivity(unchecked) public internal(set) var version: Int = 0
    /// The device the bytes live on.
    public let device: Device = .cpu

    /// Allocates `byteCount` uninitialized bytes from the caching allocator.
    public init(byteCount: Int) {
        let (p, size) = CachingAllocator.shared.allocate(byteCount)
        data = p
        self.byteCount = size
    }

    deinit { CachingAllocator.shared.deallocate(data, size: byteCount) }

    @inline(__always) package func bumpVersion() { version &+= 1 }
}
