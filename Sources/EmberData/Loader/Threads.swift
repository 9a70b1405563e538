import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable (pthreads), for the loader's producer/consumer
/// hand-off: `Synchronization.Mutex` has no way to wait for a condition.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (the lock must be held) until another thread calls `broadcast`.
    func wait() { pthread_cond_wait(cond, mutex) }

    /// Wakes every waiting thread (call with the lock held).
    func broadcast() { pthread_cond_broadcast(cond) }
}

/// Counts the threads of one group that are still running (tests check that stopping a
/// loader joins every worker).
final class ThreadCounter: Sendable {
    /// Worker threads of every group alive now.
    static let all = Atomic<Int>(0)
    let live = Atomic<Int>(0)
    /// The threads of this group still running.
    var count: Int { live.load(ordering: .acquiring) }
}

/// A joinable OS thread running a closure.
final class WorkerThread: @unchecked Sendable {
    private var thread: pthread_t
    private var joined = false

    /// Starts a thread running `body`.
    init(counter: ThreadCounter, _ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        counter.live.add(1, ordering: .relaxed)
        ThreadCounter.all.add(1, ordering: .relaxed)
        let run: @Sendable () -> Void = {
            body()
            counter.live.subtract(1, ordering: .releasing)
            ThreadCounter.all.subtract(1, ordering: .releasing)
        }
        let box = Unmanaged.passRetained(Box(run)).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if rc != 0 {
            counter.live.subtract(1, ordering: .relaxed)
            ThreadCounter.all.subtract(1, ordering: .relaxed)
            Unmanaged<Box>.fromOpaque(box).release()
            emberFailure("DataLoader", "cannot start a worker thread: \(String(cString: strerror(rc)))", file: #fileID, line: #line)
        }
        thread = t
    }

    /// Waits for the thread to finish.
    func join() {
        if joined { return }
        pthread_join(thread, nil)
        joined = true
    }
}
