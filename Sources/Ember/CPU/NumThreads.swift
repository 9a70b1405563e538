/// The number of threads Ember's ops use: its own parallel loops and OpenBLAS's GEMMs
/// (PyTorch: `torch.set_num_threads`, `torch.get_num_threads`). By default, the cores this
/// process may run on (its CPU affinity mask).
public var numThreads: Int { Parallel.workers }

/// Sets the number of threads Ember's ops use from now on, in every thread of the process
/// (PyTorch: `torch.set_num_threads(n)`); 1 runs everything on the calling thread.
public func setNumThreads(_ n: Int, file: StaticString = #fileID, line: UInt = #line) {
    check(n >= 1 && n <= 4096, "setNumThreads", "the number of threads must be in 1...4096, got \(n)", file: file, line: line)
    Parallel.workerCount.store(n, ordering: .relaxed)
    BLASThreads.setThreads(Int32(n))
}

/// Runs `body` with every matrix product on the thread that issues it: no OpenBLAS threads, and
/// no splitting of large GEMMs across the cores (Ember's other ops still use `numThreads`; no
/// PyTorch equivalent). A GEMM's bits then depend on its operands alone, not on the thread
/// count or the machine's load. `GradientShards` computes each shard inside it: a shard's
/// matrices are small (a quarter of a batch), where OpenBLAS's threads, which spin after each
/// call, cost a loaded two-core machine several times the product's own time (bench/RESULTS.md,
/// "Gradient shards").
///
/// ```swift
/// let y = withSingleThreadedGEMM { model(x) }
/// ```
public func withSingleThreadedGEMM<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = BLASThreads.withSingleThread {
        do throws(E) { return .success(try body()) } catch { return .failure(error) }
    }
    return try result.get()
}
