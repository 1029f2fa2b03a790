import Foundation
import SeerImage
import SeerTensor

/// The one path from images to vectors: decode and preprocess into batch slots in parallel (at
/// most one decoded image per worker in memory), run the model once on the images that
/// decoded, and hand back one result per input, in order. Files, request bodies and video
/// frames all arrive here as "the i-th image"; a slot whose image fails keeps its error and
/// the others are still embedded.
public struct ImageEmbeddingPipeline: Sendable {
    public let model: any ImageEmbedder

    public init(_ model: any ImageEmbedder) { self.model = model }

    /// An embedded image: its vector and its size as decoded (EXIF orientation applied).
    public struct Embedded: Sendable {
        public let vector: [Float]
        public let width: Int
        public let height: Int
    }

    /// Embeds `count` images, the i-th produced by `image(i)` on a worker thread.
    public func embed(count: Int, image: @escaping @Sendable (Int) throws -> RGBImage) throws -> [Result<Embedded, any Error>] {
        guard count > 0 else { return [] }
        let processor = model.imageProcessor
        let sizes = SizeSlots(count: count)
        let (batch, failures) = Self.fillBatch(count, width: processor.inputWidth, height: processor.inputHeight) { i in
            let decoded = try image(i)
            sizes.set(i, width: decoded.width, height: decoded.height)
            return processor.pixelValues(decoded)
        }
        let good = (0..<count).filter { failures[$0] == nil }
        var rows: [[Float]] = []
        if good.count == count {
            let embeddings = try model.imageEmbeddings(pixelValues: batch)
            rows = (0..<count).map { embeddings.row($0) }
        } else if !good.isEmpty {
            // Compact the images that decoded, so the model runs only on real inputs.
            let plane = 3 * processor.inputWidth * processor.inputHeight
            let compact = Tensor(uninitialized: [good.count, 3, processor.inputHeight, processor.inputWidth])
            for (slot, i) in good.enumerated() { (compact.pointer + slot * plane).update(from: batch.pointer + i * plane, count: plane) }
            let embeddings = try model.imageEmbeddings(pixelValues: compact)
            rows = (0..<good.count).map { embeddings.row($0) }
        }
        var next = 0
        return (0..<count).map { i in
            if let failure = failures[i] { return .failure(failure) }
            defer { next += 1 }
            return .success(Embedded(vector: rows[next], width: sizes.width(i), height: sizes.height(i)))
        }
    }

    /// Image files, decoded within `limits`.
    public func embed(files urls: [URL], limits: ImageLimits = .default) throws -> [Result<Embedded, any Error>] {
        try embed(count: urls.count) { try ImageLoader.load(contentsOf: urls[$0], limits: limits) }
    }

    /// Decoded images; every one embeds, so the vectors come back directly.
    public func embed(images: [RGBImage]) throws -> [[Float]] {
        try embed(count: images.count) { images[$0] }.map { try $0.get().vector }
    }

    /// The preprocessed batch alone, [count, 3, H, W] (for tests and benchmarks).
    public func pixelValues(_ images: [RGBImage]) -> Tensor {
        let processor = model.imageProcessor
        return Self.fillBatch(images.count, width: processor.inputWidth, height: processor.inputHeight) { processor.pixelValues(images[$0]) }.batch
    }

    /// A [count, 3, height, width] batch whose slot i is filled, in parallel, with `pixels(i)`;
    /// a slot whose closure throws keeps its error instead (and zeros).
    static func fillBatch(_ count: Int, width: Int, height: Int,
                          _ pixels: @escaping @Sendable (Int) throws -> [Float]) -> (batch: Tensor, failures: [(any Error)?]) {
        let plane = 3 * width * height
        let batch = Tensor(zeros: [count, 3, height, width])
        nonisolated(unsafe) let destination = batch.pointer
        var failures = [(any Error)?](repeating: nil, count: count)
        failures.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            parallelChunks(count, grain: 1) { range in
                for i in range {
                    do {
                        let values = try pixels(i)
                        precondition(values.count == plane, "an image processor returned \(values.count) values for a \(width)×\(height) input")
                        values.withUnsafeBufferPointer { (destination + i * plane).update(from: $0.baseAddress!, count: plane) }
                    } catch {
                        slots[i] = error
                    }
                }
            }
        }
        return (batch, failures)
    }
}

/// Per-slot image sizes written by parallel workers; each slot has exactly one writer, and
/// they are read only after the workers are done.
private final class SizeSlots: @unchecked Sendable {
    private let widths: UnsafeMutableBufferPointer<Int>
    private let heights: UnsafeMutableBufferPointer<Int>
    init(count: Int) {
        widths = .allocate(capacity: count)
        widths.initialize(repeating: 0)
        heights = .allocate(capacity: count)
        heights.initialize(repeating: 0)
    }
    deinit {
        widths.deallocate()
        heights.deallocate()
    }
    func set(_ i: Int, width: Int, height: Int) {
        widths[i] = width
        heights[i] = height
    }
    func width(_ i: Int) -> Int { widths[i] }
    func height(_ i: Int) -> Int { heights[i] }
}

extension ImageEmbedder {
    /// Image files' embeddings, one result per file (see `ImageEmbeddingPipeline`).
    public func embed(imagesAt urls: [URL], limits: ImageLimits = .default) throws -> [Result<[Float], any Error>] {
        try pipeline.embed(files: urls, limits: limits).map { $0.map(\.vector) }
    }

    /// Decoded images' embeddings.
    public func embed(images: [RGBImage]) throws -> [[Float]] {
        try pipeline.embed(images: images)
    }
}
