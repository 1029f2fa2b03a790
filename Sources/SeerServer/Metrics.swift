import Foundation
import Hummingbird

/// Request counters in Prometheus' text format, hand-written: requests and total seconds by
/// route and status, the batcher's counters, and gauges of what the server holds now (open
/// connections, requests in flight, queued requests, heap bytes), which return to their idle
/// values when the server is idle: the memory test checks that, so a leak fails it.
public final class Metrics: Sendable {
    private struct Key: Hashable { let route: String; let method: String; let status: Int }
    private let state = LockedBox<[Key: (count: Int, seconds: Double)]>([:])
    private let open = LockedBox<(connections: Int, requests: Int)>((0, 0))

    func connectionOpened() { open.withLock { $0.connections += 1 } }
    func connectionClosed() { open.withLock { $0.connections -= 1 } }
    func requestStarted() { open.withLock { $0.requests += 1 } }
    func requestEnded() { open.withLock { $0.requests -= 1 } }

    /// Client connections open now.
    public var connectionsOpen: Int { open.withLock { $0.connections } }
    /// Requests being answered now.
    public var requestsInFlight: Int { open.withLock { $0.requests } }

    func record(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { counters in
            let key = Key(route: route, method: method, status: status)
            let old = counters[key] ?? (0, 0)
            counters[key] = (old.count + 1, old.seconds + seconds)
        }
    }

    /// Total requests answered with `status` (any route).
    public func requests(status: Int) -> Int {
        state.withLock { $0.filter { $0.key.status == status }.values.reduce(0) { $0 + $1.count } }
    }

    func prometheusText(batcher: BatcherStats, pendingRequests: Int) -> String {
        let snapshot = state.withLock { $0 }
        var lines = [
            "# HELP seer_http_requests_total HTTP requests answered.",
            "# TYPE seer_http_requests_total counter",
        ]
        let keys = snapshot.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            lines.append("seer_http_requests_total{route=\"\(key.route)\",method=\"\(key.method)\",status=\"\(key.status)\"} \(snapshot[key]!.count)")
        }
        lines += ["# HELP seer_http_request_seconds_total Seconds spent answering HTTP requests.", "# TYPE seer_http_request_seconds_total counter"]
        for key in keys {
            lines.append("seer_http_request_seconds_total{route=\"\(key.route)\",method=\"\(key.method)\",status=\"\(key.status)\"} \(snapshot[key]!.seconds)")
        }
        lines += [
            "# HELP seer_batches_total Image forward passes run.", "# TYPE seer_batches_total counter",
            "seer_batches_total \(batcher.batches)",
            "# HELP seer_batched_images_total Images embedded through the batcher.", "# TYPE seer_batched_images_total counter",
            "seer_batched_images_total \(batcher.images)",
            "# HELP seer_multi_request_batches_total Forward passes that served more than one request.", "# TYPE seer_multi_request_batches_total counter",
            "seer_multi_request_batches_total \(batcher.multiRequestBatches)",
            "# HELP seer_largest_batch Largest forward pass, in images.", "# TYPE seer_largest_batch gauge",
            "seer_largest_batch \(batcher.largestBatch)",
            "# HELP seer_batcher_pending_requests Requests waiting for a forward pass.", "# TYPE seer_batcher_pending_requests gauge",
            "seer_batcher_pending_requests \(pendingRequests)",
            "# HELP seer_http_connections_open Client connections open now (the scrape's own included).", "# TYPE seer_http_connections_open gauge",
            "seer_http_connections_open \(connectionsOpen)",
            "# HELP seer_http_requests_in_flight Requests being answered now (the scrape itself included).", "# TYPE seer_http_requests_in_flight gauge",
            "seer_http_requests_in_flight \(requestsInFlight)",
        ]
        if let heap = HeapUsage.bytesInUse() {
            lines += ["# HELP seer_heap_bytes_in_use Bytes allocated with malloc and not yet freed (not RSS: no allocator caching or fragmentation).",
                      "# TYPE seer_heap_bytes_in_use gauge", "seer_heap_bytes_in_use \(heap)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.requestStarted()
        defer { metrics.requestEnded() }
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.record(route: context.endpointPath ?? route, method: request.method.rawValue, status: Int(response.status.code), seconds: (ContinuousClock.now - start).seconds)
            return response
        } catch {
            let status = (error as? HTTPResponseError)?.status.code ?? 500
            metrics.record(route: context.endpointPath ?? route, method: request.method.rawValue, status: Int(status), seconds: (ContinuousClock.now - start).seconds)
            throw error
        }
    }
}
