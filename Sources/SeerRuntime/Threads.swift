import Foundation
import Synchronization

/// How many worker threads Seer's own loops use: kernels, image resizing, batch
/// preprocessing, search. A setting the libraries read, so a program sets it once (the CLI's
/// `--threads`) instead of exporting an environment variable before anything reads it.
/// Unset, it is `SEER_NUM_THREADS` when that is a positive number, else the active cores.
public enum SeerThreads {
    private static let setting = Atomic<Int>(0)
    private static let fallback: Int = {
        if let text = ProcessInfo.processInfo.environment["SEER_NUM_THREADS"], let n = Int(text), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The worker count now in force (always at least 1).
    public static var count: Int {
        let value = setting.load(ordering: .relaxed)
        return value > 0 ? value : fallback
    }

    /// Sets the worker count for everything that starts after this call; nil goes back to
    /// the default.
    public static func set(_ count: Int?) {
        precondition(count.map { $0 > 0 } ?? true, "a thread count must be positive")
        setting.store(count ?? 0, ordering: .relaxed)
    }
}
