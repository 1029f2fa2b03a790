import Foundation

/// A fixed set of mutexes; item i uses mutex i mod count. Cheaper than a lock per graph node
/// and, with a few thousand stripes, almost never contended.
final class LockStripes: @unchecked Sendable {
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>
    private let count: Int

    init(count: Int) {
        self.count = count
        mutexes = .allocate(capacity: count)
        for i in 0..<count { pthread_mutex_init(mutexes + i, nil) }
    }

    deinit {
        for i in 0..<count { pthread_mutex_destroy(mutexes + i) }
        mutexes.deallocate()
    }

    @inline(__always) func lock(_ item: Int) { pthread_mutex_lock(mutexes + item % count) }
    @inline(__always) func unlock(_ item: Int) { pthread_mutex_unlock(mutexes + item % count) }
}
