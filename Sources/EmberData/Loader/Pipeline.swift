import Synchronization

/// Loads batches on worker threads ahead of the consumer and hands them over in order.
///
/// Batch numbers are claimed one at a time, in order, under a lock (`claim` may pull from a
/// stream), so batch `i` is always the same work whichever thread does it. At most
/// `window` batches are claimed and not yet consumed, which bounds memory. `stop()` (called
/// when the iterator is dropped) wakes every worker and joins it; a worker finishes the
/// batch it is computing, then exits.
final class BatchPipeline<Batch: Sendable>: @unchecked Sendable {
    /// The work for batch `index`, or nil when there are no more batches.
    typealias Claim = (_ index: Int) -> (@Sendable () -> Batch)?

    private let monitor = Monitor()
    // Guarded by `monitor`.
    private var results: [Int: Batch] = [:]
    private var outstanding = 0          // claimed (or being claimed) and not yet consumed
    private var nextToConsume = 0
    private var total: Int?              // the number of batches, once a claim came back empty
    private var stopped = false
    private let window: Int

    // Guarded by `claimLock`.
    private let claimLock = Locked<Int>(0)   // the next batch number to claim
    private let claim: Claim

    private var threads: [WorkerThread] = []
    /// The workers still running.
    let liveWorkers = ThreadCounter()

    /// Starts `workers` threads that run `claim`ed work at most `window` batches ahead,
    /// from batch `first` on.
    init(workers: Int, window: Int, first: Int = 0, claim: @escaping Claim) {
        self.window = window
        self.claim = claim
        nextToConsume = first
        claimLock.withLock { $0 = first }
        threads = (0..<workers).map { _ in
            WorkerThread(counter: liveWorkers) { [self] in self.workerLoop() }
        }
    }

    private func workerLoop() {
        while true {
            let go: Bool = monitor.locked {
                while !stopped && total == nil && outstanding >= window { monitor.wait() }
                if stopped || total != nil { return false }
                outstanding += 1
                return true
            }
            if !go { return }
            let (index, work) = claimLock.withLock { next -> (Int, (@Sendable () -> Batch)?) in
                let work = claim(next)
                if work != nil { next += 1 }
                return (next - (work != nil ? 1 : 0), work)
            }
            guard let work else {
                monitor.locked {
                    if total == nil { total = index }
                    outstanding -= 1
                    monitor.broadcast()
                }
                return
            }
            let batch = work()
            monitor.locked {
                results[index] = batch
                monitor.broadcast()
            }
        }
    }

    /// The next batch in order, waiting for it if needed; nil after the last.
    func next() -> Batch? {
        monitor.locked {
            while true {
                if let b = results.removeValue(forKey: nextToConsume) {
                    nextToConsume += 1
                    outstanding -= 1
                    monitor.broadcast()
                    return b
                }
                if let total, nextToConsume >= total { return nil }
                monitor.wait()
            }
        }
    }

    /// Tells every worker to stop and waits for each to exit.
    func stop() {
        monitor.locked {
            stopped = true
            results.removeAll()
            monitor.broadcast()
        }
        for t in threads { t.join() }
        threads.removeAll()
    }
}
