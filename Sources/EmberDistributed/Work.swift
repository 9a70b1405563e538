#if canImport(Glibc)
import Glibc
#endif

/// A collective started with one of `ProcessGroup`'s `…Async` methods; `wait()` blocks until it
/// has finished (PyTorch: the `Work` handle `dist.all_reduce(t, async_op=True)` returns).
///
/// ```swift
/// let work = group.allReduceAsync(grads, op: .avg)
/// computeSomethingElse()
/// try work.wait()
/// ```
public final class Work: @unchecked Sendable {
    /// The MPI call, for messages.
    public let call: String
    private let rank: Int
    private let timeout: Double
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var done = false
    private var failure: DistributedError?

    init(call: String, rank: Int, timeout: Double) {
        self.call = call
        self.rank = rank
        self.timeout = timeout
        pthread_mutex_init(lock, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        cond.deallocate()
    }

    /// Marks the work finished (by the communication thread), with the error if it failed.
    func finish(_ error: DistributedError?) {
        pthread_mutex_lock(lock)
        failure = error
        done = true
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(lock)
    }

    /// Whether the collective has finished (PyTorch: `work.is_completed()`).
    public var isCompleted: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return done
    }

    /// Blocks until the collective has finished; throws its `DistributedError`, or
    /// `DistributedError.timeout` when it has not finished within the group's timeout (PyTorch:
    /// `work.wait()`). After a timeout the collective is still pending inside MPI: the process
    /// should report the error and end (`ProcessGroup.abort`).
    public func wait() throws(DistributedError) {
        var deadline = monotonicDeadline(after: timeout)
        pthread_mutex_lock(lock)
        while !done {
            if pthread_cond_timedwait(cond, lock, &deadline) == ETIMEDOUT && !done {
                pthread_mutex_unlock(lock)
                throw .timeout(call: call, rank: rank, seconds: timeout)
            }
        }
        let error = failure
        pthread_mutex_unlock(lock)
        if let error { throw error }
    }
}

/// The CLOCK_MONOTONIC time `seconds` from now, for `pthread_cond_timedwait` on a condition
/// variable set to that clock.
func monotonicDeadline(after seconds: Double) -> timespec {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    let whole = seconds.rounded(.down)
    t.tv_sec += Int(whole)
    t.tv_nsec += Int((seconds - whole) * 1e9)
    if t.tv_nsec >= 1_000_000_000 { t.tv_sec += 1; t.tv_nsec -= 1_000_000_000 }
    return t
}
