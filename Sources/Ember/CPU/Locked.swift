#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a lock: Ember's one lock for state shared between threads (the
/// allocator's free lists, the generators, the backward engine, module caches, loader state).
///
/// A `pthread_mutex_t` rather than `Synchronization.Mutex`: the same uncontended cost, and the
/// thread sanitizer understands it (`Mutex` waits on a raw futex on Linux, which the sanitizer
/// cannot see, so every access it guards would be reported as a race and `make tsan` could not
/// find the real ones).
package final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A lock guarding `value`, which must not be empty (`Void`): an empty stored property shares
    /// its address with the mutex pointer, and the sanitizer then reports reading the pointer
    /// as a race with the guarded access. A lock that guards state kept elsewhere holds a count.
    package init(_ value: Value) {
        precondition(MemoryLayout<Value>.size > 0, "Locked needs a non-empty value; use Locked(0) for a plain lock")
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    @inline(__always)
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
