import Foundation

/// What a test waited for and did not get in time.
struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "gave up waiting for \(what)" }
}

/// Returns once `condition` holds, reading it again every 10 ms: for a count the server keeps (a
/// metric, a queue length), so the test goes on when the state it needs is there, however the
/// scheduler runs. Throws after `limit`, a generous bound, so a broken server fails the test
/// instead of hanging it.
func waitUntil(_ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Reads `process`'s output on a thread of its own until a line `parse` accepts, hands that value
/// over (nil when the child closes its end first, with everything it said), then drains the pipe
/// to its end so the child can never block on a full pipe. A child that says nothing of use for
/// `limit` seconds is killed. The thread itself calls off that kill when the line comes: the
/// test's task may wait long for a thread of the concurrency pool, which other suites' tests hold.
func firstLine<T: Sendable>(of handle: FileHandle, from process: Process, within limit: Double,
                            _ parse: @escaping @Sendable (String) -> T?) async -> (T?, String) {
    // DispatchWorkItem is thread-safe, though not marked Sendable.
    nonisolated(unsafe) let watchdog = DispatchWorkItem { [process] in kill(process.processIdentifier, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
    return await withCheckedContinuation { continuation in
        let thread = Thread {
            var pending = Data(), said = "", resumed = false
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                guard !resumed else { continue }
                pending.append(chunk)
                while !resumed, let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    said += line + "\n"
                    if let value = parse(line) {
                        watchdog.cancel()
                        resumed = true
                        continuation.resume(returning: (value, said))
                    }
                }
            }
            watchdog.cancel()
            if !resumed { continuation.resume(returning: (nil, said + String(decoding: pending, as: UTF8.self))) }
        }
        thread.start()
    }
}
