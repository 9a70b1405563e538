import CMPI
import Ember

/// How `allReduce` and `reduceScatter` combine the ranks' values (PyTorch: `torch.distributed.ReduceOp`).
public enum ReduceOp: Sendable, Equatable {
    /// The sum over ranks (PyTorch: `ReduceOp.SUM`).
    case sum
    /// The sum divided by the world size (PyTorch: `ReduceOp.AVG`).
    case avg
    /// The largest value (PyTorch: `ReduceOp.MAX`).
    case max

    var mpiOp: MPI_Op? {
        switch self {
        case .sum, .avg: return ember_mpi_sum()
        case .max: return ember_mpi_max()
        }
    }
}

/// Checks that `dtype` can be reduced: float32, float64 or int64 (a programming error otherwise).
func checkReducible(_ dtype: DType, _ call: StaticString, file: StaticString, line: UInt) {
    check(dtype == .float32 || dtype == .float64 || dtype == .int64, call, "reductions take float32, float64 or int64 tensors, got \(dtype)", file: file, line: line)
}

/// The MPI datatype of a reducible dtype.
func mpiType(_ dtype: DType) -> MPI_Datatype? {
    switch dtype {
    case .float32: return ember_mpi_float()
    case .float64: return ember_mpi_double()
    default: return ember_mpi_int64()
    }
}

/// The first byte of a contiguous tensor's elements.
func rawBytes(_ t: Tensor) -> UnsafeMutableRawPointer {
    t.storage.data + t.offset * t.dtype.itemSize
}

/// Divides `count` elements in place by `divisor`: the one division every averaging path uses
/// (DDP's buckets, `ReduceOp.avg`, `GradientShards`), so equal inputs give equal bits.
func divide(_ p: UnsafeMutableRawPointer, count: Int, dtype: DType, by divisor: Int) {
    switch dtype {
    case .float32:
        let q = p.assumingMemoryBound(to: Float.self), d = Float(divisor)
        for i in 0..<count { q[i] = q[i] / d }
    case .float64:
        let q = p.assumingMemoryBound(to: Double.self), d = Double(divisor)
        for i in 0..<count { q[i] = q[i] / d }
    case .int64:
        let q = p.assumingMemoryBound(to: Int64.self), d = Int64(divisor)
        for i in 0..<count { q[i] = q[i] / d }
    default: break
    }
}
