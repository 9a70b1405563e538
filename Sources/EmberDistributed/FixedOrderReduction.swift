import CMPI
import Ember

/// The sum that makes data-parallel training bit-identical for any world size: rank `r`'s
/// values are the partial sum of the shards `r, r + N, r + 2N, ...` of a batch, and ranks are
/// combined as a balanced tree in which rank `r` meets rank `r + N/2` first. A world of
/// `2N` ranks, or one rank summing its shards with `GradientShards`, builds the very same
/// tree, so every world size gives the same bits (IEEE addition is commutative, but not
/// associative: fixing the tree is what makes it reproducible). MPI's own `MPI_Allreduce` picks
/// its order by message size and world size, so it is not used here.
///
/// It moves as much data as a ring all-reduce: an all-to-all hands rank `r` the `r`-th slice
/// of every rank's buffer (a reduce-scatter), `r` sums its slice in the tree's order, and an
/// all-gather returns the sums to everyone.
extension ProcessGroup {
    /// Sums `tensor` over ranks in the fixed tree order above, then divides by `divisor`, in
    /// place (no PyTorch equivalent: PyTorch's all-reduce order depends on the backend).
    /// Float32 or float64, contiguous. A world size that is not a power of two sums the ranks
    /// in rank order: reproducible run to run, but not equal to other world sizes.
    public func allReduceInFixedOrder(_ tensor: Tensor, divisor: Int = 1, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) {
        try allReduceInFixedOrderWork(tensor, divisor: divisor, blocking: true, file: file, line: line).wait()
    }

    /// `allReduceInFixedOrder` started on the communication thread.
    public func allReduceInFixedOrderAsync(_ tensor: Tensor, divisor: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Work {
        allReduceInFixedOrderWork(tensor, divisor: divisor, blocking: false, file: file, line: line)
    }

    private func allReduceInFixedOrderWork(_ tensor: Tensor, divisor: Int, blocking: Bool, file: StaticString, line: UInt) -> Work {
        let count = Int(Self.checkedCount(tensor, "allReduceInFixedOrder", file: file, line: line))
        check(tensor.dtype == .float32 || tensor.dtype == .float64, "allReduceInFixedOrder", "takes float32 or float64 tensors, got \(tensor.dtype)", file: file, line: line)
        check(divisor >= 1, "allReduceInFixedOrder", "divisor must be >= 1, got \(divisor)", file: file, line: line)
        let t = SendableTensor(tensor: tensor), n = worldSize
        return submit("MPI_Alltoall/MPI_Allgather (fixed-order all-reduce)", blocking: blocking) { [self] in
            let data = rawBytes(t.tensor), dtype = t.tensor.dtype
            if n == 1 {
                if divisor != 1 { divide(data, count: count, dtype: dtype, by: divisor) }
                return nil
            }
            let item = dtype.itemSize
            let chunk = (count + n - 1) / n
            let type = dtype == .float32 ? ember_mpi_float() : ember_mpi_double()
            // Without padding the tensor itself is the send buffer and, in place, the all-gather's
            // destination: one scratch buffer (kept between calls) receives the slices.
            let padded = chunk * n != count
            let recv = scratch.buffer(bytes: chunk * n * item * (padded ? 2 : 1))
            let send = padded ? recv + chunk * n * item : data
            if padded {
                send.copyMemory(from: data, byteCount: count * item)
                (send + count * item).initializeMemory(as: UInt8.self, repeating: 0, count: (chunk * n - count) * item)
            }
            if let e = failure("MPI_Alltoall", MPI_Alltoall(send, Int32(chunk), type, recv, Int32(chunk), type, comm)) { return e }
            // recv holds one slice per source rank, in rank order: fold the tree.
            if dtype == .float32 {
                foldTree(recv.assumingMemoryBound(to: Float.self), ranks: n, chunk: chunk)
            } else {
                foldTree(recv.assumingMemoryBound(to: Double.self), ranks: n, chunk: chunk)
            }
            if divisor != 1 { divide(recv, count: chunk, dtype: dtype, by: divisor) }
            (send + rank * chunk * item).copyMemory(from: recv, byteCount: chunk * item)
            if let e = failure("MPI_Allgather", MPI_Allgather(ember_mpi_in_place(), 0, type, send, Int32(chunk), type, comm)) { return e }
            if padded { data.copyMemory(from: send, byteCount: count * item) }
            return nil
        }
    }
}

/// Sums `ranks` slices of `chunk` values into the first, as the tree in which slice `i` meets
/// slice `i + width/2` at each width (for 4: `(s0 + s2) + (s1 + s3)`); for a world size that is
/// not a power of two, in rank order (`((s0 + s1) + s2)`): still independent of timing, but not
/// of the world size.
func foldTree<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, ranks: Int, chunk: Int) {
    if ranks & (ranks - 1) != 0 {
        for r in 1..<ranks {
            let b = p + r * chunk
            for k in 0..<chunk { p[k] = p[k] + b[k] }
        }
        return
    }
    var width = ranks
    while width > 1 {
        let half = width / 2
        for i in 0..<half {
            let a = p + i * chunk, b = p + (i + half) * chunk
            for k in 0..<chunk { a[k] = a[k] + b[k] }
        }
        width = half
    }
}

/// Scratch memory for the fixed-order reductions, kept between calls (a steady training loop
/// then allocates nothing); one collective uses it at a time (`ProcessGroup.scratch`).
final class ScratchBuffer: @unchecked Sendable {
    private var pointer: UnsafeMutableRawPointer?
    private var capacity = 0

    /// At least `bytes` bytes, 64-byte aligned; valid until the next call.
    func buffer(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity || pointer == nil {
            pointer?.deallocate()
            capacity = Swift.max(bytes, 64)
            pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        return pointer!
    }

    deinit { pointer?.deallocate() }
}
