import Foundation
import SeerRuntime

/// The number of worker threads Seer's own kernels use now (`SeerThreads.count`).
public var seerThreadCount: Int {
    _ = blasIsSingleThreaded
    return SeerThreads.count
}

/// Seer splits work itself; BLAS runs single-threaded inside each worker, or its own idle
/// pool would spin against Seer's on the same cores. Done once, before the first kernel.
let blasIsSingleThreaded: Void = setBLASThreadCount(1)

/// Runs `body(range)` over `0..<count` split into contiguous chunks, in parallel when the work is
/// big enough to be worth waking threads for. `grain` is the smallest chunk worth a thread.
@inline(__always)
public func parallelChunks(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(seerThreadCount, count / max(grain, 1))
    if chunks <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunkSize = (count + chunks - 1) / chunks
    // concurrentPerform returns only after every iteration ran, so `body` outlives its uses.
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let start = c * chunkSize
        let end = min(count, start + chunkSize)
        if start < end { body(start..<end) }
    }
}
