import Dispatch
import Foundation
import SeerModels
import SeerTensor

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

/// Dynamic batching: requests hand in preprocessed images; the batcher gathers those that arrive
/// within `maxWait` of the first waiting one (or while a forward pass runs), up to `maxBatch`
/// images, and runs them as one forward pass on one model queue. Results go back to each request
/// in its own order.
public actor ImageBatcher {
    private struct Job {
        let pixels: [[Float]]
        let continuation: CheckedContinuation<[[Float]], any Error>
    }

    private let clip: CLIP
    private let configuration: BatchingConfiguration
    private let modelQueue = DispatchQueue(label: "seer.server.model")
    private var queue: [Job] = []
    private var draining = false
    public private(set) var stats = BatcherStats()

    public init(clip: CLIP, configuration: BatchingConfiguration) {
        self.clip = clip
        self.configuration = BatchingConfiguration(maxBatch: max(1, configuration.maxBatch), maxWait: configuration.maxWait)
    }

    /// Embeddings of preprocessed images (each `3 × size × size` floats from the CLIP preprocessor).
    public func embed(pixels: [[Float]]) async throws -> [[Float]] {
        guard !pixels.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(pixels: pixels, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    /// Requests waiting for a forward pass (not counting one that is running).
    public var pendingRequests: Int { queue.count }

    private var queuedImages: Int { queue.reduce(0) { $0 + $1.pixels.count } }

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
            while let next = queue.first, jobs.isEmpty || count + next.pixels.count <= configuration.maxBatch {
                jobs.append(queue.removeFirst())
                count += next.pixels.count
            }
            let clip = self.clip
            let inputs = jobs.map(\.pixels)
            let result: Result<[[Float]], any Error>
            do {
                result = .success(try await offload(modelQueue) { try Self.forward(clip, inputs.flatMap { $0 }) })
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
                    job.continuation.resume(returning: Array(rows[start..<(start + job.pixels.count)]))
                    start += job.pixels.count
                }
            case .failure(let error):
                for job in jobs { job.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    private static func forward(_ clip: CLIP, _ pixels: [[Float]]) throws -> [[Float]] {
        let size = clip.model.imageSize
        let batch = Tensor(shape: [pixels.count, 3, size, size], values: pixels.flatMap { $0 })
        let embeddings = try clip.model.imageEmbeddings(pixelValues: batch)
        return (0..<pixels.count).map { embeddings.row($0) }
    }
}
