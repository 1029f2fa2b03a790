import Foundation
import SeerImage
import SeerTensor
import SeerTokenizers

/// A CLIP checkpoint ready to use: the model with its tokenizer and image preprocessor, loaded
/// from one Hugging Face-layout folder. This is the API the `seer` CLI and server sit on.
///
/// ```swift
/// let clip = try CLIP(directory: URL(fileURLWithPath: "clip-vit-base-patch32"))
/// let image = try ImageLoader.load(contentsOf: photoURL)
/// let similarity = cosineSimilarity(try clip.embed(images: [image])[0], try clip.embed(texts: ["a cat"])[0])
/// ```
public final class CLIP: Sendable {
    public let model: CLIPModel
    public let tokenizer: CLIPTokenizer
    public let preprocessor: ImagePreprocessor

    /// The files a CLIP folder needs, checked up front so a missing one is named, not discovered
    /// half-way through loading.
    public static let requiredFiles = ["config.json", "preprocessor_config.json"]

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.missingFile("\(directory.path) (expected a model folder with config.json, model.safetensors, preprocessor_config.json, vocab.json, merges.txt)")
        }
        for name in Self.requiredFiles where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            throw ModelError.missingFile(directory.appendingPathComponent(name).path)
        }
        model = try CLIPModel(directory: directory)
        tokenizer = try CLIPTokenizer(directory: directory)
        preprocessor = try ImagePreprocessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json"))
        guard preprocessor.outputWidth == model.imageSize, preprocessor.outputHeight == model.imageSize else {
            throw ModelError.invalidConfig("preprocessor_config.json makes \(preprocessor.outputWidth)×\(preprocessor.outputHeight) images but the vision model expects \(model.imageSize)×\(model.imageSize)")
        }
    }

    public var embeddingDimension: Int { model.embeddingDimension }

    /// Preprocesses images (in parallel) into one [count, 3, size, size] batch.
    public func pixelValues(_ images: [RGBImage]) -> Tensor {
        let preprocessor = self.preprocessor
        return parallelBatch(images.count) { preprocessor.pixelValues(images[$0]) }.batch
    }

    /// A [count, 3, size, size] batch whose slot i is filled, in parallel, with `pixels(i)`;
    /// a slot whose closure throws keeps its error instead.
    private func parallelBatch(_ count: Int, _ pixels: @escaping @Sendable (Int) throws -> [Float]) -> (batch: Tensor, failures: [(any Error)?]) {
        let size = model.imageSize, plane = 3 * size * size
        let batch = Tensor(zeros: [count, 3, size, size])
        nonisolated(unsafe) let destination = batch.pointer
        var failures = [(any Error)?](repeating: nil, count: count)
        failures.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            parallelChunks(count, grain: 1) { range in
                for i in range {
                    do {
                        let values = try pixels(i)
                        values.withUnsafeBufferPointer { (destination + i * plane).update(from: $0.baseAddress!, count: plane) }
                    } catch {
                        slots[i] = error
                    }
                }
            }
        }
        return (batch, failures)
    }

    /// Embeds image files: each is decoded and preprocessed (in parallel) straight into the
    /// batch, so at most one decoded image per worker is in memory. A file that cannot be read
    /// gets its error in its slot; the others are still embedded.
    public func embed(imagesAt urls: [URL], limits: ImageLimits = .default) throws -> [Result<[Float], any Error>] {
        try embedFiles(urls, limits: limits).map { $0.map(\.vector) }
    }

    /// `embed(imagesAt:)` that also reports each image's size as decoded (EXIF orientation
    /// applied), for catalogs that record it.
    public func embedFiles(_ urls: [URL], limits: ImageLimits = .default) throws -> [Result<EmbeddedFile, any Error>] {
        guard !urls.isEmpty else { return [] }
        let preprocessor = self.preprocessor
        let sizes = SizeSlots(count: urls.count)
        let (batch, failures) = parallelBatch(urls.count) {
            let image = try ImageLoader.load(contentsOf: urls[$0], limits: limits)
            sizes.set($0, width: image.width, height: image.height)
            return preprocessor.pixelValues(image)
        }
        let size = model.imageSize, plane = 3 * size * size
        let good = urls.indices.filter { failures[$0] == nil }
        var rows: [[Float]] = []
        if good.count == urls.count {
            let embeddings = try model.imageEmbeddings(pixelValues: batch)
            rows = (0..<urls.count).map { embeddings.row($0) }
        } else if !good.isEmpty {
            // Compact the decodable images so the model runs only on real inputs.
            let compact = Tensor(zeros: [good.count, 3, size, size])
            for (slot, i) in good.enumerated() { (compact.pointer + slot * plane).update(from: batch.pointer + i * plane, count: plane) }
            let embeddings = try model.imageEmbeddings(pixelValues: compact)
            rows = (0..<good.count).map { embeddings.row($0) }
        }
        var next = 0
        return urls.indices.map { i in
            if let failure = failures[i] { return .failure(failure) }
            defer { next += 1 }
            return .success(EmbeddedFile(vector: rows[next], width: sizes.width(i), height: sizes.height(i)))
        }
    }

    /// Image embeddings (projected, not normalized: transformers' `get_image_features`).
    public func embed(images: [RGBImage]) throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        let embeddings = try model.imageEmbeddings(pixelValues: pixelValues(images))
        return (0..<images.count).map { embeddings.row($0) }
    }

    /// Text embeddings (projected, not normalized: transformers' `get_text_features`). Texts
    /// longer than the model's context are truncated, as CLIPTokenizer(truncation=True) does.
    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let embeddings = try model.textEmbeddings(tokenIDs: texts.map { tokenizer.encode($0) })
        return (0..<texts.count).map { embeddings.row($0) }
    }

    /// A zero-shot classifier over `labels`: each label's text embedding is the normalized mean
    /// of its normalized embeddings under every template ("a photo of a {}."), the prompt
    /// ensembling of the CLIP paper.
    public func classifier(labels: [String], templates: [String] = ["{}"]) throws -> ZeroShotClassifier {
        guard !labels.isEmpty else { throw ModelError.invalidInput("no labels given") }
        guard !templates.isEmpty else { throw ModelError.invalidInput("no prompt templates given") }
        for template in templates where !template.contains("{}") {
            throw ModelError.invalidInput("template \"\(template)\" has no {} where the label goes")
        }
        let prompts = labels.flatMap { label in templates.map { $0.replacingOccurrences(of: "{}", with: label) } }
        let promptEmbeddings = try embed(texts: prompts).map(normalized)
        let classEmbeddings = labels.indices.map { i -> [Float] in
            let rows = promptEmbeddings[(i * templates.count)..<((i + 1) * templates.count)]
            var mean = [Float](repeating: 0, count: embeddingDimension)
            for row in rows { for d in 0..<mean.count { mean[d] += row[d] } }
            return normalized(mean)
        }
        return ZeroShotClassifier(labels: labels, classEmbeddings: classEmbeddings, logitScale: model.logitScale)
    }
}

/// Label probabilities for image embeddings: softmax over labels of logit_scale × cosine.
public struct ZeroShotClassifier: Sendable {
    public let labels: [String]
    /// One unit vector per label.
    public let classEmbeddings: [[Float]]
    public let logitScale: Float

    public struct Prediction: Sendable, Equatable {
        public let label: String
        public let probability: Float
        public let cosine: Float
    }

    /// Predictions for one image embedding, all labels, most probable first.
    public func predict(_ imageEmbedding: [Float]) -> [Prediction] {
        let unit = normalized(imageEmbedding)
        let cosines = classEmbeddings.map { dot(unit, $0) }
        let logits = cosines.map { $0 * logitScale }
        let top = logits.max() ?? 0
        let exps = logits.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return labels.indices
            .map { Prediction(label: labels[$0], probability: exps[$0] / total, cosine: cosines[$0]) }
            .sorted { $0.probability > $1.probability }
    }
}

/// Built-in prompt templates for `--ensemble`: varied phrasings of "a photo of a {}", which
/// average out the wording sensitivity of zero-shot CLIP.
public let defaultPromptTemplates = [
    "a photo of a {}.",
    "a photo of the {}.",
    "a close-up photo of a {}.",
    "a cropped photo of a {}.",
    "a bright photo of a {}.",
    "a dark photo of a {}.",
    "a blurry photo of a {}.",
    "a low resolution photo of a {}.",
    "a good photo of a {}.",
    "a photo of a large {}.",
    "a photo of a small {}.",
    "a picture of a {}.",
    "an image of a {}.",
    "a rendering of a {}.",
    "a drawing of a {}.",
    "a {} in the wild.",
]

public func dot(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "vectors of different lengths")
    return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in dotProduct(x.baseAddress!, y.baseAddress!, a.count) } }
}

/// `v` scaled to unit length (a zero vector stays zero).
public func normalized(_ v: [Float]) -> [Float] {
    let norm = dot(v, v).squareRoot()
    return norm > 0 ? v.map { $0 / norm } : v
}

public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    dot(normalized(a), normalized(b))
}

/// An image file's embedding and its size in pixels (as decoded, EXIF orientation applied).
public struct EmbeddedFile: Sendable {
    public let vector: [Float]
    public let width: Int
    public let height: Int
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
