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

/// A joinable OS thread running a closure.
final class WorkerThread: @unchecked Sendable {
    /// Worker threads alive now, across all loaders (tests check that stopping joins them).
    static let live = Atomic<Int>(0)

    private var thread: pthread_t
    private var joined = false

    /// Starts a thread running `body`.
    init(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        WorkerThread.live.add(1, ordering: .relaxed)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            WorkerThread.live.subtract(1, ordering: .releasing)
            return nil
        }, box)
        if rc != 0 {
            WorkerThread.live.subtract(1, ordering: .relaxed)
            Unmanaged<Box>.fromOpaque(box).release()
            dataFailure("DataLoader", "cannot start a worker thread: \(String(cString: strerror(rc)))", file: #fileID, line: #line)
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
