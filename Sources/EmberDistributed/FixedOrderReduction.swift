import CMPI
import Ember

/// The sum that makes data-parallel training bit-identical for any world size dividing the
/// number of shards. The fixed-order sum S_K of K values: write K = P·m with P the largest power
/// of two dividing K (m odd); group g < P holds values g, g + P, ..., g + (m − 1)·P, added one
/// after the other in that order, and the P group sums are combined as a balanced tree in which
/// group i meets group i + width/2 at each width (`foldTree`). For m = 1 that is the plain tree
/// (for 4: `(v0 + v2) + (v1 + v3)`).
///
/// For a power of two N dividing K, S_K splits into one piece per rank: rank r's groups are
/// r, r + N, ..., and S_K is the tree over the ranks of each rank's S_{K/N} over its own values
/// r, r + N, r + 2N, ... (what `GradientShards` sums locally). So `allReduceInFixedOrder`
/// combines N partial sums with S_N, and a world of `2N` ranks, or one rank summing its shards,
/// gets the very same bits (IEEE addition is commutative, but not associative: fixing the order
/// is what makes it reproducible). For other N the groups straddle the ranks, and
/// `allReduceShardsInFixedOrder` exchanges the unsummed values instead. MPI's own
/// `MPI_Allreduce` picks its order by message size and world size, so it is not used here.
///
/// Both move data as a ring all-reduce does: an all-to-all hands rank `r` the `r`-th slice of
/// every rank's buffer (a reduce-scatter), `r` sums its slice in the fixed order, and an
/// all-gather returns the sums to everyone.
extension ProcessGroup {
    /// Sums `tensor` over ranks in the fixed order above (S_N of the ranks' values, rank `r` as
    /// value `r`), then divides by `divisor`, in place (no PyTorch equivalent: PyTorch's
    /// all-reduce order depends on the backend). Float32 or float64, contiguous. Any world size
    /// gives S_N (3 ranks: `(r0 + r1) + r2`); for one rank's partial sum to stand for several
    /// ranks' values, N must be a power of two, else use `allReduceShardsInFixedOrder`.
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
            // recv holds one slice per source rank, in rank order: fold them.
            if dtype == .float32 {
                foldTree(recv.assumingMemoryBound(to: Float.self), count: n, chunk: chunk)
            } else {
                foldTree(recv.assumingMemoryBound(to: Double.self), count: n, chunk: chunk)
            }
            if divisor != 1 { divide(recv, count: chunk, dtype: dtype, by: divisor) }
            (send + rank * chunk * item).copyMemory(from: recv, byteCount: chunk * item)
            if let e = failure("MPI_Allgather", MPI_Allgather(ember_mpi_in_place(), 0, type, send, Int32(chunk), type, comm)) { return e }
            if padded { data.copyMemory(from: send, byteCount: count * item) }
            return nil
        }
    }
}

extension ProcessGroup {
    /// Sums the shards of every rank in the fixed order S_K above, divides by `divisor`, and
    /// returns the result on every rank (no PyTorch equivalent: no PyTorch collective fixes the
    /// order of a sum, nor sums values that a world size which is not a power of two splits
    /// between ranks the way one process would).
    ///
    /// `shards` is `[L, C]`, float32 or float64, contiguous, the same shape on every rank: row `j`
    /// of rank `r` is value `r + worldSize·j` of the K = L·worldSize values summed. The result,
    /// `[C]`, has the bits of one process folding all K rows in S_K's order (with `foldTree`),
    /// whatever the world size: what `GradientShards` uses when the world size is not a power of
    /// two (3 ranks sharing 6 or 12 shards). An all-to-all hands rank `d` the `d`-th slice of
    /// every shard, `d` folds its slice over the K shards, and an all-gather returns the slices:
    /// each rank sends and receives L times what `allReduceInFixedOrder` moves.
    ///
    /// ```swift
    /// // Rank r holds the gradients of shards r, r + 3 (K = 6 on 3 ranks), one per row.
    /// let mean = try group.allReduceShardsInFixedOrder(Tensor.stack([g0, g1]), divisor: 6)
    /// ```
    public func allReduceShardsInFixedOrder(_ shards: Tensor, divisor: Int = 1, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) -> Tensor {
        let (out, work) = allReduceShardsInFixedOrderWork(shards, divisor: divisor, blocking: true, file: file, line: line)
        try work.wait()
        return out
    }

    /// `allReduceShardsInFixedOrder` started on the communication thread: the result is filled
    /// once `wait()` returns; do not touch `shards` before.
    public func allReduceShardsInFixedOrderAsync(_ shards: Tensor, divisor: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> (Tensor, Work) {
        allReduceShardsInFixedOrderWork(shards, divisor: divisor, blocking: false, file: file, line: line)
    }

    private func allReduceShardsInFixedOrderWork(_ shards: Tensor, divisor: Int, blocking: Bool, file: StaticString, line: UInt) -> (Tensor, Work) {
        _ = Self.checkedCount(shards, "allReduceShardsInFixedOrder", file: file, line: line)
        check(shards.dim == 2 && shards.shape[0] >= 1, "allReduceShardsInFixedOrder", "takes one row per shard, [shards, values], got shape \(shards.shape)", file: file, line: line)
        check(shards.dtype == .float32 || shards.dtype == .float64, "allReduceShardsInFixedOrder", "takes float32 or float64 tensors, got \(shards.dtype)", file: file, line: line)
        check(divisor >= 1, "allReduceShardsInFixedOrder", "divisor must be >= 1, got \(divisor)", file: file, line: line)
        let local = shards.shape[0], count = shards.shape[1], n = worldSize
        let chunk = (count + n - 1) / n
        check(local * chunk <= Int(Int32.max), "allReduceShardsInFixedOrder", "\(local * chunk) values per rank is past MPI's count limit", file: file, line: line)
        let output = Tensor(empty: [count], dtype: shards.dtype)
        let src = SendableTensor(tensor: shards), dst = SendableTensor(tensor: output)
        let work = submit("MPI_Alltoall/MPI_Allgather (fixed-order sum of shards)", blocking: blocking) { [self] in
            let dtype = src.tensor.dtype, item = dtype.itemSize
            let input = rawBytes(src.tensor), result = rawBytes(dst.tensor)
            // send: [destination][local shard][chunk]; recv: [source rank][local shard][chunk];
            // gathered: [rank][chunk].
            let block = local * chunk * item
            let buffer = scratch.buffer(bytes: 2 * n * block + n * chunk * item)
            let send = buffer, recv = n == 1 ? buffer : buffer + n * block, gathered = buffer + 2 * n * block
            for d in 0..<n {
                let start = d * chunk, length = Swift.max(0, Swift.min(chunk, count - start))
                for j in 0..<local {
                    let to = send + (d * local + j) * chunk * item
                    if length > 0 { to.copyMemory(from: input + (j * count + start) * item, byteCount: length * item) }
                    if length < chunk { (to + length * item).initializeMemory(as: UInt8.self, repeating: 0, count: (chunk - length) * item) }
                }
            }
            let type = dtype == .float32 ? ember_mpi_float() : ember_mpi_double()
            if n > 1, let e = failure("MPI_Alltoall", MPI_Alltoall(send, Int32(local * chunk), type, recv, Int32(local * chunk), type, comm)) { return e }
            // Value k = r + n·j came from rank r as its shard j.
            let slot = { (k: Int) in (k % n) * local + k / n }
            if dtype == .float32 {
                let p = recv.assumingMemoryBound(to: Float.self)
                foldTree(count: local * n, chunk: chunk) { p + slot($0) * chunk }
            } else {
                let p = recv.assumingMemoryBound(to: Double.self)
                foldTree(count: local * n, chunk: chunk) { p + slot($0) * chunk }
            }
            if divisor != 1 { divide(recv, count: chunk, dtype: dtype, by: divisor) }
            (gathered + rank * chunk * item).copyMemory(from: recv, byteCount: chunk * item)
            if n > 1, let e = failure("MPI_Allgather", MPI_Allgather(ember_mpi_in_place(), 0, type, gathered, Int32(chunk), type, comm)) { return e }
            result.copyMemory(from: gathered, byteCount: count * item)
            return nil
        }
        return (output, work)
    }
}

/// Sums `count` slices of `chunk` values, laid end to end at `p`, into the first, in the order
/// S_count (see above): for 4, `(s0 + s2) + (s1 + s3)`; for 3, `(s0 + s1) + s2`; for 12 (P = 4,
/// m = 3), the groups `(s0 + s4) + s8`, `(s1 + s5) + s9`, ... combined as `(g0 + g2) + (g1 + g3)`.
func foldTree<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, count: Int, chunk: Int) {
    foldTree(count: count, chunk: chunk) { p + $0 * chunk }
}

/// `foldTree` over slices anywhere: `slice(k)` is where value `k` lies; the sum ends in `slice(0)`.
func foldTree<T: BinaryFloatingPoint>(count: Int, chunk: Int, _ slice: (Int) -> UnsafeMutablePointer<T>) {
    precondition(count >= 1, "foldTree: count must be at least 1")
    let groups = 1 << count.trailingZeroBitCount
    // Each group's members in order, into its first member's slice.
    for g in 0..<groups {
        let a = slice(g)
        for k in stride(from: g + groups, to: count, by: groups) {
            let b = slice(k)
            for i in 0..<chunk { a[i] = a[i] + b[i] }
        }
    }
    // The groups as a balanced tree.
    var width = groups
    while width > 1 {
        let half = width / 2
        for g in 0..<half {
            let a = slice(g), b = slice(g + half)
            for i in 0..<chunk { a[i] = a[i] + b[i] }
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
