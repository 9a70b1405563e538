#if canImport(Glibc)
import Glibc
#endif

/// The one thread that makes a process group's MPI calls, one job after another in the order
/// they were submitted (PyTorch's ProcessGroupMPI keeps such a worker thread too). Collectives
/// must be issued in the same order on every rank; a single FIFO thread guarantees it, and
/// lets the caller go on computing while a collective runs (async work, DDP's overlap).
final class CommunicationThread: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [() -> Void] = []
    private var head = 0

    init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(cond, nil)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            Unmanaged<CommunicationThread>.fromOpaque(arg!).takeRetainedValue().loop()
        }, box)
        precondition(rc == 0, "EmberDistributed: cannot start the communication thread (pthread_create returned \(rc))")
        pthread_detach(thread)
    }

    /// Queues `job`; jobs run one at a time, in order.
    func submit(_ job: @escaping () -> Void) {
        pthread_mutex_lock(lock)
        jobs.append(job)
        pthread_cond_signal(cond)
        pthread_mutex_unlock(lock)
    }

    private func loop() -> Never {
        while true {
            pthread_mutex_lock(lock)
            while head == jobs.count { pthread_cond_wait(cond, lock) }
            let job = jobs[head]
            head += 1
            if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
            pthread_mutex_unlock(lock)
            job()
        }
    }
}
