import Foundation
import Testing
import SeerModels
@testable import SeerServer

@Suite("Dynamic batching and shutdown")
struct BatchingTests {
    @Test("concurrent embed_image requests share one forward pass and get the one-at-a-time answers")
    func concurrentRequestsAreBatched() async throws {
        let names = (0..<6).map { imageNames[$0 % imageNames.count] }
        // One at a time: batches of one.
        let single = try await withServer({ $0.batching = BatchingConfiguration(maxBatch: 1, maxWait: .zero) }) { server, client async throws in
            var out: [[Float]] = []
            for name in names {
                let result = try await client.post("/clip/embed_image", json: ["image": try base64Image(name)])
                out.append(try #require(rows(result.object["embeddings"])?.first))
            }
            #expect(await server.batcher!.stats.multiRequestBatches == 0)
            return out
        }
        // Concurrent: the batch waits (up to a minute) until all six are in, so it is one pass of six.
        try await withServer({ $0.batching = BatchingConfiguration(maxBatch: 6, maxWait: .seconds(60)) }) { server, client async throws in
            let batched = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (i, name) in names.enumerated() {
                    let body: [String: Any] = ["image": try base64Image(name)]
                    let data = try JSONSerialization.data(withJSONObject: body)
                    group.addTask {
                        let result = try await client.post("/clip/embed_image", raw: data)
                        return (i, try #require(rows(result.object["embeddings"])?.first))
                    }
                }
                var out = [[Float]](repeating: [], count: names.count)
                for try await (i, row) in group { out[i] = row }
                return out
            }
            let stats = await server.batcher!.stats
            #expect(stats.batches == 1)
            #expect(stats.largestBatch == 6)
            #expect(stats.multiRequestBatches == 1)
            for (a, b) in zip(batched, single) { #expect(a == b) }
        }
    }

    @Test("graceful shutdown lets an in-flight request finish")
    func gracefulShutdown() async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.batching = BatchingConfiguration(maxBatch: 2, maxWait: .milliseconds(1500))
        let server = SeerServer(embedder: sharedCLIP, configuration: configuration)
        let running = try await server.start()
        let client = Client(port: running.port)
        let body = try JSONSerialization.data(withJSONObject: ["image": try base64Image("chelsea.jpg")])
        let inFlight = Task { try await client.post("/clip/embed_image", raw: body) }
        // The request is queued for its forward pass (which waits 1.5 s for company) before the
        // shutdown. (When other suites hold the concurrency pool longer than that, it may already
        // be answered: the wait then ends on that, and the request must still have got its 200.)
        try await waitUntil("the request to reach the batcher") {
            await server.batcher!.pendingRequests > 0 || server.metrics.requests(status: 200) > 0
        }
        try await running.shutdown()
        let result = try await inFlight.value
        #expect(result.status == 200)
        #expect(rows(result.object["embeddings"]) == [try libraryImageEmbedding("chelsea.jpg")])
        await #expect(throws: (any Error).self) { _ = try await client.get("/healthz") }
    }
}
