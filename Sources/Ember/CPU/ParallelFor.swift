import CEmberKernels
import Dispatch
import Synchronization

/// Runs work on all cores through one persistent pool whose idle workers block (libdispatch's
/// global pool), never spinning. Ember's ops call OpenBLAS synchronously from the calling
/// thread, so Ember's chunks and OpenBLAS's threads take turns rather than running at once;
/// `bench/` measures a GEMM followed by an elementwise op to check they do not fight.
package enum Parallel {
    /// Number of chunks to split work into: the cores this process may run on (its CPU
    /// affinity mask, as `taskset` or a container's cpuset sets it; PyTorch's default thread
    /// count follows it too), else the online core count.
    /// `setNumThreads` changes it.
    package static var workers: Int { workerCount.load(ordering: .relaxed) }
    static let usableCores = Int(ember_usable_cpu_count())
    static let workerCount = Atomic<Int>(usableCores)

    /// Calls `body` on disjoint subranges covering `0..<count`, in parallel when `count`
    /// is at least `grain` (elements per worker worth waking a thread for).
    @inline(__always)
    package static func forRange(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(workers, count / max(grain, 1))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { i in
                let start = count * i / chunks
                let end = count * (i + 1) / chunks
                task.value(start..<end)
            }
        }
    }
}

extension Parallel {
    /// Calls `body(task)` for every task in `0..<count`, spread over the cores as they come
    /// free (a core slowed by other work takes fewer tasks), in parallel when `count > 1`.
    static func forEachTask(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || workers == 1 {
            for t in 0..<count { body(t) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { task.value($0) }
        }
    }
}

extension Parallel {
    /// Starts `task(arg)` on a thread of the one pool (libdispatch's global queue, the threads
    /// `forRange` and `forEachTask` run on): how a C kernel whose threads must work at once
    /// (the LSTM's, which meet between time steps) borrows them instead of starting its own.
    /// The kernel takes only the threads that come within a short wait, so a busy pool
    /// cannot stall it.
    static let submitTask: ember_submit_fn = { task, arg in
        let work = UncheckedSendable((task, arg))
        DispatchQueue.global().async { work.value.0?(work.value.1) }
    }
}

/// Carries a value into a `@Sendable` closure when the caller guarantees the accesses are
/// disjoint (each parallel chunk writes its own range).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
