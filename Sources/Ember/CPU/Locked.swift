import Synchronization
#if EMBER_TSAN
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#endif

/// A value guarded by a lock: Ember's one lock for state shared between threads (the
/// allocator's free lists, the generators, the backward engine, module caches, loader state).
///
/// `Synchronization.Mutex` in every build but `make tsan`'s, which defines `EMBER_TSAN` and
/// takes a `pthread_mutex_t` instead: `Mutex` waits on a raw futex on Linux, which the thread
/// sanitizer cannot see, so it would report every access the lock guards as a race and hide the
/// real ones. (`Mutex` is the faster of the two uncontended: the allocator takes it on every
/// tensor allocation.)
package final class Locked<Value: Sendable>: @unchecked Sendable {
    #if EMBER_TSAN
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value
    #else
    private let mutex: Mutex<Value>
    #endif

    /// A lock guarding `value`, which must not be empty (`Void`): under the sanitizer an empty
    /// stored property shares its address with the mutex pointer, and reading the pointer is
    /// then reported as a race with the guarded access. A lock that guards state kept elsewhere
    /// holds a count.
    package init(_ value: Value) {
        precondition(MemoryLayout<Value>.size > 0, "Locked needs a non-empty value; use Locked(0) for a plain lock")
        #if EMBER_TSAN
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        #else
        mutex = Mutex(value)
        #endif
    }

    #if EMBER_TSAN
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    #endif

    /// Runs `body` with the value, holding the lock.
    @inline(__always)
    package func withLock<R: Sendable>(_ body: (inout Value) throws -> R) rethrows -> R {
        #if EMBER_TSAN
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
        #else
        return try mutex.withLock { (value: inout sending Value) throws -> R in try body(&value) }
        #endif
    }

    /// `withLock` for a result that is not `Sendable`: it leaves through a local rather than as
    /// `Mutex`'s `sending` result (the caller gets it on the thread that held the lock).
    @inline(__always)
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        #if EMBER_TSAN
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
        #else
        nonisolated(unsafe) var result: R?
        try mutex.withLock { (value: inout sending Value) throws -> Void in result = try body(&value) }
        return result!
        #endif
    }
}
