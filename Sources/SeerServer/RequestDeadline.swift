import Dispatch
import Foundation
import Hummingbird
import NIOCore

/// A request's time limit: when it started and how long it may take before it is answered 503.
///
/// Its body is read in the handler's own task, racing the deadline, and a body still arriving
/// at the deadline has had its read cancelled, and ended, before the 503 goes out. After a
/// response Hummingbird reads on to the end of the request's body (to find the next request),
/// so a read left running in another task would be a second reader of one NIO stream: NIO
/// stops the process on that ("only a single Iterator"). So it went while the body was read
/// under `run`: eight clients trickling bodies past a 1 s timeout crashed `seer serve` in 2 of
/// 12 rounds under CPU load (none in 24 rounds since).
///
/// Its timers are Dispatch timers, cancelled when the request is done: a cancelled `Task.sleep`
/// keeps its timer job (about 1 KB) until the deadline it was set for, so every request held
/// memory for the whole timeout (60 s by default) after it was answered.
struct RequestDeadline: Sendable {
    let start: ContinuousClock.Instant
    let limit: Duration

    var instant: ContinuousClock.Instant { start + limit }
    var timeout: APIError { APIError(.serviceUnavailable, "Timeout", "request took longer than \(limit.seconds) s") }

    /// The whole body (at most `maxBytes`), or the 503 at the deadline once its read has ended.
    func body(of request: Request, upTo maxBytes: Int) async throws -> ByteBuffer {
        let instant = self.instant
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await request.body.collect(upTo: maxBytes) }
            group.addTask {
                await DeadlineTimer.sleep(until: instant)
                return nil
            }
            // Leaving the group cancels the loser and waits for it: the read is over either way.
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else { throw timeout }
            return body
        }
    }

    /// Runs `operation`, but answers 503 at the deadline without waiting for it to finish
    /// (blocking model work cannot be interrupted; its result is dropped). `operation` must not
    /// read the request body (see above).
    func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let gate = ResumeOnce<T>()
        let instant = self.instant, timeout = self.timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.set(continuation)
                let work = Task { gate.resume(await Result(catchingAsync: operation)) }
                let timer = DeadlineTimer(instant) {
                    gate.resume(.failure(timeout))
                    work.cancel()
                }
                gate.onResume { timer.cancel() }
            }
        } onCancel: {
            gate.resume(.failure(CancellationError()))
        }
    }
}

/// Calls `fire` at a deadline unless cancelled first; cancelling frees it at once.
final class DeadlineTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    init(_ deadline: ContinuousClock.Instant, fire: @escaping @Sendable () -> Void) {
        let remaining = max(.zero, deadline - .now).components
        let nanoseconds = remaining.seconds * 1_000_000_000 + remaining.attoseconds / 1_000_000_000
        source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds)))
        source.setEventHandler(handler: fire)
        source.resume()
    }

    func cancel() { source.cancel() }

    /// Returns at `deadline`, or as soon as the calling task is cancelled.
    static func sleep(until deadline: ContinuousClock.Instant) async {
        let gate = ResumeOnce<Void>()
        _ = try? await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.set(continuation)
                let timer = DeadlineTimer(deadline) { gate.resume(.success(())) }
                gate.onResume { timer.cancel() }
            }
        } onCancel: {
            gate.resume(.success(()))
        }
    }
}

final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    func set(_ c: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = lock.withLock {
            if let pending { self.pending = nil; return pending }
            continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func onResume(_ action: @escaping @Sendable () -> Void) {
        let already = lock.withLock { () -> Bool in
            if done { return true }
            cleanup = action
            return false
        }
        if already { action() }
    }

    func resume(_ result: Result<T, any Error>) {
        let (c, action): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = lock.withLock {
            if done { return (nil, nil) }
            done = true
            if continuation == nil { pending = result }
            defer { continuation = nil; cleanup = nil }
            return (continuation, cleanup)
        }
        c?.resume(with: result)
        action?()
    }
}

extension Result where Failure == any Error, Success: Sendable {
    init(catchingAsync body: @Sendable () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
