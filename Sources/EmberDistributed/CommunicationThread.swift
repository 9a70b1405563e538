#if canImport(Glibc)
import Glibc
#endif

/// The one thread that makes a process group's asynchronous MPI calls, one job after another in
/// the order they were submitted (PyTorch's ProcessGroupMPI keeps such a worker thread too).
/// Collectives must be issued in the same order on every rank; a single FIFO thread guarantees
/// it, and lets the caller go on computing while a collective runs (async work, DDP's overlap).
///
/// A blocking collective issued while nothing is queued runs on the caller's own thread instead
/// (`beginInline`/`endInline`): handing it over and waiting for the result cost two thread
/// wake-ups, 15-30 µs on a virtual machine, more than 5% of a 1 MiB all-reduce. Queued jobs wait
/// for it, so the order is kept. Meanwhile this thread is the call's watchdog: it wakes a few
/// times a second, and when the call outlives its deadline it runs `onInlineTimeout`, which
/// reports the error and ends the job (a thread blocked inside MPI cannot be given back).
final class CommunicationThread: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [() -> Void] = []
    private var head = 0
    /// Whether this thread is running a job.
    private var busy = false
    /// The blocking collective running on a caller's thread, and when it must have finished.
    private var inlineCall: String?
    private var inlineDeadline = timespec()
    private let onInlineTimeout: @Sendable (String) -> Never
    /// How often the idle thread looks at an inline call's deadline, in seconds.
    private static let watchdogTick = 0.25

    /// Starts the thread; `onInlineTimeout(call)` runs on it when an inline call outlives its deadline.
    init(onInlineTimeout: @escaping @Sendable (String) -> Never) {
        self.onInlineTimeout = onInlineTimeout
        pthread_mutex_init(lock, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
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

    /// Claims the right to make MPI call `call` on the caller's thread, to finish within
    /// `seconds`: true when nothing is queued or running (then `endInline()` must follow the
    /// call), false when the call must be queued behind pending work.
    func beginInline(_ call: String, seconds: Double) -> Bool {
        let deadline = monotonicDeadline(after: seconds)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if busy || head < jobs.count || inlineCall != nil { return false }
        inlineCall = call
        inlineDeadline = deadline
        return true
    }

    /// Ends the inline call `beginInline` admitted; queued jobs may run again.
    func endInline() {
        pthread_mutex_lock(lock)
        inlineCall = nil
        if head < jobs.count { pthread_cond_signal(cond) }
        pthread_mutex_unlock(lock)
    }

    private func loop() -> Never {
        pthread_mutex_lock(lock)
        while true {
            if head < jobs.count && inlineCall == nil {
                let job = jobs[head]
                head += 1
                if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
                busy = true
                pthread_mutex_unlock(lock)
                job()
                pthread_mutex_lock(lock)
                busy = false
                continue
            }
            let now = monotonicDeadline(after: 0)
            if let call = inlineCall, (now.tv_sec, now.tv_nsec) >= (inlineDeadline.tv_sec, inlineDeadline.tv_nsec) {
                pthread_mutex_unlock(lock)
                onInlineTimeout(call)
            }
            var wake = monotonicDeadline(after: Self.watchdogTick)
            pthread_cond_timedwait(cond, lock, &wake)
        }
    }
}
