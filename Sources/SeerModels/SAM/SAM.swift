import Foundation
import SeerImage
import SeerTensor

/// A Segment Anything checkpoint (transformers' `SamModel`) ready to use: encode an image
/// once, then answer any number of prompts with the small decoder.
///
/// ```swift
/// let sam = try SAM(directory: URL(fileURLWithPath: "sam-vit-base"))
/// let embedding = try sam.embed(try ImageLoader.load(contentsOf: photoURL))
/// let best = try sam.predict(embedding, prompts: [SAMPrompt(points: [SAMPoint(x: 400, y: 650)])], multimask: true)[0]
/// ```
public final class SAM: VisionModel, SegmentAnything {
    public let config: SAMConfig
    public let processor: SAMProcessor
    let vision: SAMVisionEncoder
    let promptEncoder: SAMPromptEncoder
    let maskDecoder: SAMMaskDecoder
    /// The image-wide positional embedding [grid², hidden], the same for every image.
    let imagePE: Tensor

    /// Prompts decoded together at most. The answer does not depend on it; memory does
    /// (about 90 MB of temporaries per prompt at ViT-B's sizes), and larger batches were no
    /// faster per prompt (the image-side matrix products already have 4096 rows per prompt).
    static let maxBatch = 4

    /// Loads `config.json`, `model.safetensors` (f32, f16 or bf16; sharded or not) and, when
    /// present, `preprocessor_config.json` (otherwise SAM's standard preprocessing).
    public convenience init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.missingFile("\(directory.path) (expected a model folder with config.json and model.safetensors)")
        }
        let config = try SAMConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let preprocessorURL = directory.appendingPathComponent("preprocessor_config.json")
        let processor = FileManager.default.fileExists(atPath: preprocessorURL.path) ? try SAMProcessor(contentsOf: preprocessorURL) : SAMProcessor()
        let store: WeightStore
        do { store = try WeightStore(directory: directory) } catch let error as SeerTensorError {
            throw ModelError.missingFile(error.description)
        }
        try self.init(config: config, weights: Weights(store: store), processor: processor)
    }

    public init(config: SAMConfig, weights: Weights, processor: SAMProcessor = SAMProcessor()) throws {
        guard processor.padSize == config.vision.imageSize else {
            throw ModelError.invalidConfig("preprocessor pads images to \(processor.padSize)² but the vision encoder takes \(config.vision.imageSize)²")
        }
        guard config.promptEncoder.imageSize == config.vision.imageSize else {
            throw ModelError.invalidConfig("prompt encoder image_size \(config.promptEncoder.imageSize) differs from the vision encoder's \(config.vision.imageSize)")
        }
        self.config = config
        self.processor = processor
        do {
            vision = try SAMVisionEncoder(weights.scoped("vision_encoder"), config: config.vision)
            // Tied in transformers: older exports store it under the prompt encoder's name only.
            let name = weights.contains("shared_image_embedding.positional_embedding")
                ? "shared_image_embedding.positional_embedding" : "prompt_encoder.shared_embedding.positional_embedding"
            let shared = SAMPositionalEmbedding(gaussian: try weights.tensor(name, shape: [2, config.vision.numPosFeats]))
            promptEncoder = try SAMPromptEncoder(weights.scoped("prompt_encoder"), config: config.promptEncoder, shared: shared)
            maskDecoder = try SAMMaskDecoder(weights.scoped("mask_decoder"), config: config.maskDecoder)
            imagePE = shared.imageWide(size: config.vision.gridSize)
        } catch let error as SeerTensorError {
            throw ModelError.invalidConfig("weights do not fit the SAM architecture: \(error.description)")
        }
    }

    public var modelType: String { "sam" }
    var hidden: Int { config.maskDecoder.hiddenSize }
    var grid: Int { config.vision.gridSize }
    /// Side of the decoder's low-resolution masks (256 for the released checkpoints).
    public var lowResSize: Int { 4 * grid }

    // MARK: - Encoder

    public func embed(_ image: RGBImage) throws -> SAMImageEmbedding {
        guard image.width > 0, image.height > 0 else {
            throw ModelError.invalidInput("cannot segment an empty (\(image.width)×\(image.height)) image")
        }
        let (pixels, width, height) = processor.pixelValues(image)
        return SAMImageEmbedding(values: try imageEmbedding(pixelValues: pixels).scalars, channels: hidden, gridSize: grid,
                                 originalWidth: image.width, originalHeight: image.height, resizedWidth: width, resizedHeight: height)
    }

    /// pixel_values [3, size, size] → the image embedding [channels, grid, grid]
    /// (`SamModel.get_image_embeddings` for one image).
    public func imageEmbedding(pixelValues: Tensor) throws -> Tensor {
        let size = config.vision.imageSize
        guard pixelValues.shape == [config.vision.numChannels, size, size] else {
            throw ModelError.invalidInput("pixel values of shape \(pixelValues.shape) do not match the model's [\(config.vision.numChannels), \(size), \(size)]")
        }
        let channelsLast = vision.forward(pixels: pixelValues)
        return transposed(channelsLast.reshaped([grid * grid, hidden])).reshaped([hidden, grid, grid])
    }

    // MARK: - Decoder

    public func predict(_ embedding: SAMImageEmbedding, prompts: [SAMPrompt], multimask: Bool) throws -> [SAMPrediction] {
        try validate(embedding)
        for (i, prompt) in prompts.enumerated() { try validate(prompt, index: i) }
        guard !prompts.isEmpty else { return [] }

        // The image embedding channels-last, with no_mask_embed added (the dense embedding of
        // every prompt without a mask input).
        let image = transposed(Tensor(shape: [hidden, grid * grid], values: embedding.values))
        let withNoMask = sum(image, promptEncoder.noMaskEmbed)

        // Prompts with the same number of points and a box or not make the same token count:
        // those are decoded together, in order.
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for (i, prompt) in prompts.enumerated() {
            let key = "\(prompt.points.count)-\(prompt.box != nil)"
            if let g = groupOf[key] { groups[g].append(i) } else { groupOf[key] = groups.count; groups.append([i]) }
        }
        var results = [SAMPrediction?](repeating: nil, count: prompts.count)
        for group in groups {
            for start in stride(from: 0, to: group.count, by: Self.maxBatch) {
                let batch = Array(group[start..<min(start + Self.maxBatch, group.count)])
                let predictions = decode(batch.map { prompts[$0] }, image: image, withNoMask: withNoMask, embedding: embedding, multimask: multimask)
                for (slot, i) in batch.enumerated() { results[i] = predictions[slot] }
            }
        }
        return results.map { $0! }
    }

    /// Decodes prompts that share a token count.
    private func decode(_ prompts: [SAMPrompt], image: Tensor, withNoMask: Tensor, embedding: SAMImageEmbedding, multimask: Bool) -> [SAMPrediction] {
        let count = prompts.count, pixels = grid * grid
        let sparse = prompts.map { prompt -> [Float] in
            let points = prompt.points.map { point -> SAMInputPoint in
                let (x, y) = SAMProcessor.map(x: point.x, y: point.y, from: embedding)
                return SAMInputPoint(x: x, y: y, label: point.isForeground ? 1 : 0)
            }
            // SamProcessor turns boxes into float32 before mapping them (points stay float64).
            let box = prompt.box.map { b -> (x0: Double, y0: Double, x1: Double, y1: Double) in
                let p0 = SAMProcessor.map(x: Double(Float(b.x0)), y: Double(Float(b.y0)), from: embedding)
                let p1 = SAMProcessor.map(x: Double(Float(b.x1)), y: Double(Float(b.y1)), from: embedding)
                return (p0.x, p0.y, p1.x, p1.y)
            }
            return promptEncoder.sparseTokens(points: points, box: box)
        }
        let sparseTokens = Tensor(shape: [count, sparse[0].count / hidden, hidden], values: sparse.flatMap { $0 })

        // Image embedding + dense prompt embedding: one for all prompts without a mask input,
        // else one per prompt.
        let keys: Tensor
        if prompts.allSatisfy({ $0.previousLowResLogits == nil }) {
            keys = withNoMask.reshaped([1, pixels, hidden])
        } else {
            keys = Tensor(uninitialized: [count, pixels, hidden])
            for (p, prompt) in prompts.enumerated() {
                let target = keys.pointer + p * pixels * hidden
                if let mask = prompt.previousLowResLogits {
                    let dense = promptEncoder.denseEmbedding(mask: Tensor(shape: [lowResSize, lowResSize], values: mask))
                    let summed = sum(image, dense)
                    target.update(from: summed.pointer, count: pixels * hidden)
                    withExtendedLifetime(summed) {}
                } else {
                    target.update(from: withNoMask.pointer, count: pixels * hidden)
                }
            }
            withExtendedLifetime(withNoMask) {}
        }

        let (masks, iou) = maskDecoder.forward(image: keys, imagePE: imagePE, sparse: sparseTokens, grid: grid, multimask: multimask)
        let maskCount = masks.shape[1], lowRes = lowResSize, plane = lowRes * lowRes
        let outputPixels = embedding.originalWidth * embedding.originalHeight
        // Upscale every mask to the original size, in parallel.
        var logits = [[Float]](repeating: [], count: count * maskCount)
        let processor = self.processor
        logits.withUnsafeMutableBufferPointer { slots in
            parallelChunks(count * maskCount, grain: 1) { range in
                for i in range {
                    slots[i] = [Float](unsafeUninitializedCapacity: outputPixels) { buffer, initialized in
                        processor.postProcess(masks.pointer + i * plane, size: lowRes, embedding: embedding, into: buffer.baseAddress!)
                        initialized = outputPixels
                    }
                }
            }
        }
        return withExtendedLifetime((masks, iou)) {
            (0..<count).map { p in
                SAMPrediction(width: embedding.originalWidth, height: embedding.originalHeight,
                              logits: Array(logits[(p * maskCount)..<((p + 1) * maskCount)]),
                              iouScores: Array(UnsafeBufferPointer(start: iou.pointer + p * maskCount, count: maskCount)),
                              lowResLogits: (0..<maskCount).map { Array(UnsafeBufferPointer(start: masks.pointer + (p * maskCount + $0) * plane, count: plane)) })
            }
        }
    }

    // MARK: - Validation

    private func validate(_ e: SAMImageEmbedding) throws {
        guard e.channels == hidden, e.gridSize == grid else {
            throw ModelError.invalidInput("the image embedding is \(e.channels)×\(e.gridSize)×\(e.gridSize) but this model's decoder takes \(hidden)×\(grid)×\(grid): it was made by a different model")
        }
        guard e.originalWidth > 0, e.originalHeight > 0, (1...processor.padSize).contains(e.resizedWidth), (1...processor.padSize).contains(e.resizedHeight) else {
            throw ModelError.invalidInput("the image embedding's sizes (original \(e.originalWidth)×\(e.originalHeight), resized \(e.resizedWidth)×\(e.resizedHeight)) are not those of an image this model encoded")
        }
    }

    private func validate(_ prompt: SAMPrompt, index: Int) throws {
        guard !prompt.points.isEmpty || prompt.box != nil || prompt.previousLowResLogits != nil else {
            throw ModelError.invalidInput("prompt \(index) has no points, no box and no mask: give at least one")
        }
        let coordinates = prompt.points.flatMap { [$0.x, $0.y] } + (prompt.box.map { [$0.x0, $0.y0, $0.x1, $0.y1] } ?? [])
        guard coordinates.allSatisfy(\.isFinite) else {
            throw ModelError.invalidInput("prompt \(index) has a coordinate that is not a finite number")
        }
        if let mask = prompt.previousLowResLogits, mask.count != lowResSize * lowResSize {
            throw ModelError.invalidInput("prompt \(index): previousLowResLogits has \(mask.count) values, expected \(lowResSize)×\(lowResSize) (a prediction's lowResLogits)")
        }
    }
}

/// [rows, columns] → [columns, rows].
func transposed(_ x: Tensor) -> Tensor {
    let (rows, columns) = (x.shape[0], x.shape[1])
    let out = Tensor(uninitialized: [columns, rows])
    let (src, dst) = (x.pointer, out.pointer)
    // Tiles of 32×32 keep both sides in cache.
    parallelChunks((rows + 31) / 32, grain: 4) { tiles in
        for tile in tiles {
            let r0 = tile * 32, r1 = min(rows, r0 + 32)
            for c0 in stride(from: 0, to: columns, by: 32) {
                for c in c0..<min(columns, c0 + 32) {
                    for r in r0..<r1 { dst[c * rows + r] = src[r * columns + c] }
                }
            }
        }
    }
    return withExtendedLifetime(x) { out }
}

extension SAM {
    /// The Segment Anything family: transformers' `SamModel` checkpoints.
    static let family = ModelFamily(
        name: "SAM", modelTypes: ["sam"], capabilities: [.segmentation],
        knownCheckpoints: [
            KnownCheckpoint(id: "facebook/sam-vit-base", summary: "ViT-B image encoder, 94 M params"),
            KnownCheckpoint(id: "facebook/sam-vit-large", summary: "ViT-L image encoder, 312 M params"),
            KnownCheckpoint(id: "facebook/sam-vit-huge", summary: "ViT-H image encoder, 641 M params"),
        ]
    ) { directory, _, _ in
        try SAM(directory: directory)
    }
}
