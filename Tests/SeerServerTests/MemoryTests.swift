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

@Suite("Memory under load")
struct MemoryTests {
    /// Growth allowed over the 10,000 measured requests. Leaking one small image body (~10 KB)
    /// per request would add about 100 MB, one 512-byte embedding row about 5 MB per 10,000 —
    /// so this bound catches a leak of anything request-sized, while leaving room for allocator noise.
    static let allowedGrowth = 24 * 1024 * 1024

    @Test("the real `seer serve` stays flat in resident memory over 10,000 mixed requests at concurrency 8")
    func flatOverTenThousandRequests() async throws {
        // Its own process, so RSS is the server's alone (other suites run in this one in parallel).
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
        let before = server.residentBytes
        #expect(await hammer(port: server.port, count: 10_000, connections: 8, requests: requests) == 0, "measured run")
        let after = server.residentBytes
        print("seer serve RSS: \(before / 1_048_576) MiB after warm-up, \(after / 1_048_576) MiB after 10,000 more requests")
        #expect(before > 0 && after > 0)
        #expect(after - before < Self.allowedGrowth, "RSS grew \((after - before) / 1024) KiB over 10,000 requests")

        // Still answering, and correctly: the library's embedding for each image.
        let client = Client(port: server.port)
        #expect(try await client.get("/healthz").status == 200)
        let answer = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
        let embedding = try #require(rows(answer.object["embeddings"])?.first)
        #expect(maxDifference(embedding, try libraryImageEmbedding("chelsea.jpg")) < 1e-4)
    }
}
