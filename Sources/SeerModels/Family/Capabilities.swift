import Foundation
import SeerImage
import SeerTensor

/// A loaded checkpoint of any family. What it can do is told by the capability protocols it
/// also conforms to (`ImageEmbedder`, `TextEmbedder`, `SegmentAnything`, …): commands and
/// routes ask for a capability, never for a family, so a new family needs no change to them.
public protocol VisionModel: AnyObject, Sendable {
    /// `config.json`'s `model_type` this checkpoint was loaded as ("clip", "dinov2", …).
    var modelType: String { get }
}

/// Turns one decoded image into the model's input: channels-first float32 of
/// `3 × inputHeight × inputWidth`. `ImagePreprocessor` (transformers' CLIP/Bit processors) is
/// one; a family whose processor works otherwise (pad to square, …) brings its own.
public protocol ImageProcessing: Sendable {
    var inputWidth: Int { get }
    var inputHeight: Int { get }
    /// Exactly `3 * inputHeight * inputWidth` values.
    func pixelValues(_ image: RGBImage) -> [Float]
}

extension ImagePreprocessor: ImageProcessing {
    public var inputWidth: Int { outputWidth }
    public var inputHeight: Int { outputHeight }
}

/// A model that maps images to vectors. Everything that embeds images (CLI, indexer, server
/// batcher, video) goes through `ImageEmbeddingPipeline` over this protocol.
public protocol ImageEmbedder: VisionModel {
    var embeddingDimension: Int { get }
    var imageProcessor: any ImageProcessing { get }
    /// pixelValues [batch, 3, inputHeight, inputWidth] → embeddings [batch, embeddingDimension],
    /// as the reference returns them (unnormalized unless the reference normalizes).
    func imageEmbeddings(pixelValues: Tensor) throws -> Tensor
}

/// A model with a text tower whose embeddings live in the same space as its image embeddings.
public protocol TextEmbedder: VisionModel {
    var embeddingDimension: Int { get }
    /// Texts longer than the model's context are truncated as its tokenizer does.
    func embed(texts: [String]) throws -> [[Float]]
    /// How image–text cosines become label probabilities for zero-shot classification.
    var zeroShotScoring: ZeroShotScoring { get }
}

extension ImageEmbedder {
    /// The one path from pixels to vectors, for this model.
    public var pipeline: ImageEmbeddingPipeline { ImageEmbeddingPipeline(self) }
}

/// Why a command that needs a capability cannot run with the model it was given.
public enum CapabilityError: Error, CustomStringConvertible, Equatable {
    case noTextTower(modelType: String, familiesWithText: [String])
    case notAnImageEmbedder(modelType: String, imageEmbedders: [String])
    case notASegmenter(modelType: String)
    case notADetector(modelType: String, detectors: [String])

    public var description: String {
        switch self {
        case .noTextTower(let type, let families):
            return "this model (\(type)) has no text tower, so it cannot embed text or classify by label; models with one: \(families.joined(separator: ", "))"
        case .notAnImageEmbedder(let type, let families):
            return "this model (\(type)) does not embed images; image embedders: \(families.joined(separator: ", "))"
        case .notASegmenter(let type):
            return "this model (\(type)) is not a Segment Anything model"
        case .notADetector(let type, let families):
            return "this model (\(type)) does not detect objects; detectors: \(families.joined(separator: ", "))"
        }
    }
}

extension VisionModel {
    /// This model as a text embedder, or an error that names the families that have text.
    public func requireText() throws -> any TextEmbedder {
        guard let text = self as? any TextEmbedder else {
            throw CapabilityError.noTextTower(modelType: modelType, familiesWithText: ModelRegistry.shared.modelTypes(with: .text))
        }
        return text
    }

    public func requireSegmenter() throws -> any SegmentAnything {
        guard let segmenter = self as? any SegmentAnything else { throw CapabilityError.notASegmenter(modelType: modelType) }
        return segmenter
    }

    public func requireDetector() throws -> any ObjectDetector {
        guard let detector = self as? any ObjectDetector else {
            throw CapabilityError.notADetector(modelType: modelType, detectors: ModelRegistry.shared.modelTypes(with: .detection))
        }
        return detector
    }

    public func requireImageEmbedder() throws -> any ImageEmbedder {
        guard let embedder = self as? any ImageEmbedder else {
            throw CapabilityError.notAnImageEmbedder(modelType: modelType, imageEmbedders: ModelRegistry.shared.modelTypes(with: .imageEmbedding))
        }
        return embedder
    }
}
