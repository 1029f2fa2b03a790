import Foundation
import Testing
@testable import SeerServer

/// Sends `count` requests from `connections` keep-alive raw connections, taking bodies in turn;
/// returns how many were not a 200 with an embeddings body.
func hammer(port: Int, count: Int, connections: Int, requests: [(path: String, body: [UInt8])]) async -> Int {
    let next = Counter()
    return await withTaskGroup(of: Int.self) { group in
        for _ in 0..<connections {
            group.addTask {
                await onThread {
                    guard let connection = try? RawConnection(port: port) else { return count }
                    var failures = 0
                    while let i = next.take(below: count) {
                        let request = requests[i % requests.count]
                        let answer = connection.post(request.path, body: request.body)
                        if answer?.status != 200 || !(answer?.body.starts(with: Array(#"{"frame_id":null,"embeddings":[["#.utf8)) ?? false) {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
        }
        return await group.reduce(0, +)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// What `seer serve` holds now, from its /metrics: the gauges that return to their idle values
/// when the server is idle, and the bytes malloc has handed out and not had back.
struct Holdings: Sendable, CustomStringConvertible {
    var connections = -1, requestsInFlight = -1, pendingRequests = -1, heapBytes = -1
    var description: String {
        "\(connections) connections, \(requestsInFlight) requests in flight, \(pendingRequests) queued, \(heapBytes / 1024) KiB of heap"
    }

    /// Scrapes /metrics on a connection of its own (closed after), so the one connection open
    /// and the one request in flight that an idle server shows are the scrape's.
    static func scrape(port: Int) async -> Holdings? {
        await onThread {
            guard let connection = try? RawConnection(port: port),
                  connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                  let response = connection.readResponse(), response.status == 200 else { return nil }
            var holdings = Holdings()
            for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Int(parts[1]) else { continue }
                switch parts[0] {
                case "seer_http_connections_open": holdings.connections = value
                case "seer_http_requests_in_flight": holdings.requestsInFlight = value
                case "seer_batcher_pending_requests": holdings.pendingRequests = value
                case "seer_heap_bytes_in_use": holdings.heapBytes = value
                default: break
                }
            }
            return holdings
        }
    }

    /// Once the server is idle (the clients' connections closed: the server learns of that a
    /// moment after they do), what it holds.
    static func whenIdle(port: Int) async throws -> Holdings {
        var idle: Holdings?
        try await waitUntil("seer serve to close the clients' connections") {
            idle = await scrape(port: port)
            return idle?.connections == 1
        }
        return idle!
    }
}

@Suite("Memory under load")
struct MemoryTests {
    /// Heap growth allowed over the 10,000 measured requests, about 100 bytes a request: room
    /// for malloc's per-thread caches of freed chunks (counted as in use). Leaking each request's
    /// body would add over 25 MB (2,500 image bodies of 10 KB and more), its decoded pixels far more.
    static let allowedHeapGrowth = 1024 * 1024

    @Test("the real `seer serve` holds as much after 10,000 more mixed requests at concurrency 8 as before: connections, requests, queued work, heap bytes")
    func holdsNothingAfterTenThousandRequests() async throws {
        // Its own process, so the heap is the server's alone (other suites run in this one in parallel).
        let server = try await ServeProcess(arguments: ["--max-batch", "8", "--max-wait-ms", "2"])
        defer { server.stop() }
        let images = try ["images/rocket_exif8.jpg", "clip-inputs/astronaut.webp", "clip-inputs/chelsea.jpg"].map { name in
            let bytes = try Data(contentsOf: fixtures.appendingPathComponent(name))
            return Array(try JSONSerialization.data(withJSONObject: ["image": ["type": "base64", "value": bytes.base64EncodedString()]]))
        }
        // A fixed set of texts, so the warm-up fills every cache the measured run can touch;
        // one request in four is an image.
        var requests: [(path: String, body: [UInt8])] = []
        for i in 0..<180 {
            requests.append(("/clip/embed_text", Array(try JSONSerialization.data(withJSONObject: ["text": "a photo of thing \(i)"]))))
            if i % 3 == 0 { requests.append(("/clip/embed_image", images[(i / 3) % images.count])) }
        }

        #expect(await hammer(port: server.port, count: 1_000, connections: 8, requests: requests) == 0, "warm-up")
        let before = try await Holdings.whenIdle(port: server.port)
        #expect(await hammer(port: server.port, count: 10_000, connections: 8, requests: requests) == 0, "measured run")
        let after = try await Holdings.whenIdle(port: server.port)
        print("seer serve after warm-up: \(before); after 10,000 more requests: \(after)")
        // Idle: the scrape's own connection and request, nothing queued.
        #expect(after.requestsInFlight == 1 && after.pendingRequests == 0, "\(after)")
        #expect(before.heapBytes > 0 && after.heapBytes > 0, "no heap figure in /metrics")
        #expect(after.heapBytes - before.heapBytes < Self.allowedHeapGrowth,
                "the heap grew \((after.heapBytes - before.heapBytes) / 1024) KiB over 10,000 requests: \(before) → \(after)")

        // Still answering, and correctly: the library's embedding for each image.
        let client = Client(port: server.port)
        #expect(try await client.get("/healthz").status == 200)
        let answer = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
        let embedding = try #require(rows(answer.object["embeddings"])?.first)
        #expect(maxDifference(embedding, try libraryImageEmbedding("chelsea.jpg")) < 1e-4)
    }
}
