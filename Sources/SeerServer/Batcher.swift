import Dispatch
import Foundation
import SeerImage
import SeerModels

/// Runs blocking work (decoding, preprocessing, forward passes) on Dispatch threads so it never
/// holds the Swift concurrency pool or NIO's event loops.
func offload<T: Sendable>(_ queue: DispatchQueue = .global(), _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        queue.async { continuation.resume(with: Result { try work() }) }
    }
}

/// Statistics of the batcher, for tests, `/metrics` and the load test.
public struct BatcherStats: Sendable, Equatable {
    /// Forward passes run.
    public var batches = 0
    /// Images embedded.
    public var images = 0
    /// Requests served.
    public var requests = 0
    /// Forward passes that served more than one request.
    public var multiRequestBatches = 0
    /// The largest number of images in one forward pass.
    public var largestBatch = 0
}

/// Dynamic batching: requests hand in encoded images; the batcher gathers those that arrive
/// within `maxWait` of the first waiting one (or while a forward pass runs), up to `maxBatch`
/// images, and runs them through the model's pipeline (parallel decode and preprocessing, one
/// forward pass) on one model queue. Results go back to each request in its own order, one per
/// image: an image that does not decode fails alone.
public actor ImageBatcher {
    private struct Job {
        let images: [[UInt8]]
        let continuation: CheckedContinuation<[Result<[Float], any Error>], any Error>
    }

    private let pipeline: ImageEmbeddingPipeline
    private let limits: ImageLimits
    private let configuration: BatchingConfiguration
    private let modelQueue = DispatchQueue(label: "seer.server.model")
    private var queue: [Job] = []
    private var draining = false
    public private(set) var stats = BatcherStats()

    public init(pipeline: ImageEmbeddingPipeline, limits: ImageLimits, configuration: BatchingConfiguration) {
        self.pipeline = pipeline
        self.limits = limits
        self.configuration = BatchingConfiguration(maxBatch: max(1, configuration.maxBatch), maxWait: configuration.maxWait)
    }

    /// Embeddings of encoded images (JPEG, PNG, WebP bytes), one result per image.
    public func embed(images: [[UInt8]]) async throws -> [Result<[Float], any Error>] {
        guard !images.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(images: images, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    /// Requests waiting for a forward pass (not counting one that is running).
    public var pendingRequests: Int { queue.count }

    private var queuedImages: Int { queue.reduce(0) { $0 + $1.images.count } }

    private func drain() async {
        while !queue.isEmpty {
            // Gather: wait up to maxWait for more requests, stopping as soon as a batch is full.
            let deadline = ContinuousClock.now + configuration.maxWait
            while queuedImages < configuration.maxBatch && ContinuousClock.now < deadline {
                try? await Task.sleep(for: min(.milliseconds(1), deadline - ContinuousClock.now))
            }
            // Whole requests, in arrival order, up to maxBatch images (a request bigger than
            // maxBatch runs alone).
            var jobs: [Job] = []
            var count = 0
            while let next = queue.first, jobs.isEmpty || count + next.images.count <= configuration.maxBatch {
                jobs.append(queue.removeFirst())
                count += next.images.count
            }
            let pipeline = self.pipeline, limits = self.limits
            let inputs = jobs.flatMap(\.images)
            let result: Result<[Result<[Float], any Error>], any Error>
            do {
                result = .success(try await offload(modelQueue) {
                    try pipeline.embed(count: inputs.count) { try ImageLoader.decode(inputs[$0], limits: limits) }.map { $0.map(\.vector) }
                })
            } catch {
                result = .failure(error)
            }
            stats.batches += 1
            stats.images += count
            stats.requests += jobs.count
            if jobs.count > 1 { stats.multiRequestBatches += 1 }
            stats.largestBatch = max(stats.largestBatch, count)
            switch result {
            case .success(let rows):
                var start = 0
                for job in jobs {
                    job.continuation.resume(returning: Array(rows[start..<(start + job.images.count)]))
                    start += job.images.count
                }
            case .failure(let error):
                for job in jobs { job.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }
}
