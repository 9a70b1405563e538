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
