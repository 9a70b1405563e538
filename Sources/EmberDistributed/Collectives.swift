import CMPI
import Ember

extension ProcessGroup {
    /// Combines `tensor` over all ranks in place with `op`; every rank ends with the result
    /// (PyTorch: `dist.all_reduce(tensor, op)`). Float32, float64 or int64, contiguous.
    public func allReduce(_ tensor: Tensor, op: ReduceOp = .sum, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) {
        try allReduceWork(tensor, op: op, blocking: true, file: file, line: line).wait()
    }

    /// `allReduce` started on the communication thread; do not touch `tensor` before `wait()`
    /// (PyTorch: `dist.all_reduce(tensor, op, async_op=True)`).
    public func allReduceAsync(_ tensor: Tensor, op: ReduceOp = .sum, file: StaticString = #fileID, line: UInt = #line) -> Work {
        allReduceWork(tensor, op: op, blocking: false, file: file, line: line)
    }

    private func allReduceWork(_ tensor: Tensor, op: ReduceOp, blocking: Bool, file: StaticString, line: UInt) -> Work {
        let count = Self.checkedCount(tensor, "allReduce", file: file, line: line)
        checkReducible(tensor.dtype, "allReduce", file: file, line: line)
        let t = SendableTensor(tensor: tensor), n = worldSize
        return submit("MPI_Allreduce", blocking: blocking) { [self] in
            let p = rawBytes(t.tensor)
            if let e = failure("MPI_Allreduce", MPI_Allreduce(ember_mpi_in_place(), p, count, mpiType(t.tensor.dtype), op.mpiOp, comm)) { return e }
            if op == .avg { divide(p, count: Int(count), dtype: t.tensor.dtype, by: n) }
            return nil
        }
    }

    /// Copies `tensor` from rank `root` into `tensor` on every other rank (PyTorch:
    /// `dist.broadcast(tensor, src)`). Any dtype; contiguous.
    public func broadcast(_ tensor: Tensor, from root: Int = 0, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) {
        try broadcastWork(tensor, from: root, blocking: true, file: file, line: line).wait()
    }

    /// `broadcast` started on the communication thread (PyTorch: `dist.broadcast(..., async_op=True)`).
    public func broadcastAsync(_ tensor: Tensor, from root: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Work {
        broadcastWork(tensor, from: root, blocking: false, file: file, line: line)
    }

    private func broadcastWork(_ tensor: Tensor, from root: Int, blocking: Bool, file: StaticString, line: UInt) -> Work {
        check(root >= 0 && root < worldSize, "broadcast", "root rank \(root) is out of range for a world of \(worldSize)", file: file, line: line)
        _ = Self.checkedCount(tensor, "broadcast", file: file, line: line)
        let bytes = tensor.numel * tensor.dtype.itemSize
        let t = SendableTensor(tensor: tensor)
        return submit("MPI_Bcast", blocking: blocking) { [self] in
            // MPI counts are 32-bit: a large tensor goes in pieces of at most 1 GiB.
            var done = 0
            let p = rawBytes(t.tensor)
            while done < bytes {
                let piece = Swift.min(bytes - done, 1 << 30)
                if let e = failure("MPI_Bcast", MPI_Bcast(p + done, Int32(piece), ember_mpi_byte(), Int32(root), comm)) { return e }
                done += piece
            }
            return nil
        }
    }

    /// Every rank's `tensor`, in rank order, on every rank (PyTorch: `dist.all_gather(list, tensor)`).
    /// The tensors must have the same shape and dtype on every rank.
    public func allGather(_ tensor: Tensor, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) -> [Tensor] {
        let (out, work) = allGatherWork(tensor, blocking: true, file: file, line: line)
        try work.wait()
        return out
    }

    /// `allGather` started on the communication thread: the tensors are filled once `wait()` returns.
    public func allGatherAsync(_ tensor: Tensor, file: StaticString = #fileID, line: UInt = #line) -> ([Tensor], Work) {
        allGatherWork(tensor, blocking: false, file: file, line: line)
    }

    private func allGatherWork(_ tensor: Tensor, blocking: Bool, file: StaticString, line: UInt) -> ([Tensor], Work) {
        let count = Self.checkedCount(tensor, "allGather", file: file, line: line)
        let bytes = Int(count) * tensor.dtype.itemSize
        check(bytes * worldSize <= Int(Int32.max), "allGather", "\(bytes * worldSize) bytes in all is past MPI's count limit", file: file, line: line)
        let gathered = Tensor(empty: [worldSize] + tensor.shape, dtype: tensor.dtype)
        let src = SendableTensor(tensor: tensor), dst = SendableTensor(tensor: gathered)
        let work = submit("MPI_Allgather", blocking: blocking) { [self] in
            failure("MPI_Allgather", MPI_Allgather(rawBytes(src.tensor), Int32(bytes), ember_mpi_byte(),
                                                   rawBytes(dst.tensor), Int32(bytes), ember_mpi_byte(), comm))
        }
        return ((0..<worldSize).map { gathered.select(0, $0) }, work)
    }

    /// Reduces `input` over all ranks with `op` and gives rank `r` the `r`-th of `worldSize`
    /// equal slices along dimension 0 (PyTorch: `dist.reduce_scatter_tensor(output, input, op)`).
    /// `input.shape[0]` must be a multiple of the world size.
    public func reduceScatter(_ input: Tensor, op: ReduceOp = .sum, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) -> Tensor {
        let (out, work) = reduceScatterWork(input, op: op, blocking: true, file: file, line: line)
        try work.wait()
        return out
    }

    /// `reduceScatter` started on the communication thread: the result is filled once `wait()` returns.
    public func reduceScatterAsync(_ input: Tensor, op: ReduceOp = .sum, file: StaticString = #fileID, line: UInt = #line) -> (Tensor, Work) {
        reduceScatterWork(input, op: op, blocking: false, file: file, line: line)
    }

    private func reduceScatterWork(_ input: Tensor, op: ReduceOp, blocking: Bool, file: StaticString, line: UInt) -> (Tensor, Work) {
        let total = Self.checkedCount(input, "reduceScatter", file: file, line: line)
        check(input.dim >= 1 && input.shape[0] % worldSize == 0, "reduceScatter",
              "the input's first dimension must be a multiple of the world size \(worldSize), got shape \(input.shape)", file: file, line: line)
        checkReducible(input.dtype, "reduceScatter", file: file, line: line)
        var shape = input.shape
        shape[0] /= worldSize
        let output = Tensor(empty: shape, dtype: input.dtype)
        let count = Int(total) / worldSize, n = worldSize
        let src = SendableTensor(tensor: input), dst = SendableTensor(tensor: output)
        let work = submit("MPI_Reduce_scatter_block", blocking: blocking) { [self] in
            let p = rawBytes(dst.tensor)
            if let e = failure("MPI_Reduce_scatter_block", MPI_Reduce_scatter_block(rawBytes(src.tensor), p, Int32(count), mpiType(src.tensor.dtype), op.mpiOp, comm)) { return e }
            if op == .avg { divide(p, count: count, dtype: dst.tensor.dtype, by: n) }
            return nil
        }
        return (output, work)
    }

    /// Returns once every rank has called it (PyTorch: `dist.barrier()`).
    public func barrier() throws(DistributedError) {
        try submit("MPI_Barrier", blocking: true) { [self] in failure("MPI_Barrier", MPI_Barrier(comm)) }.wait()
    }

    /// `barrier` started on the communication thread.
    public func barrierAsync() -> Work {
        submit("MPI_Barrier") { [self] in failure("MPI_Barrier", MPI_Barrier(comm)) }
    }
}
