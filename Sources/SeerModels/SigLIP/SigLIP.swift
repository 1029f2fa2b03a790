import Foundation
import SeerImage
import SeerTensor
import SeerTokenizers

/// A SigLIP checkpoint ready to use (`model_type: "siglip"`: SigLIP v1 with its SentencePiece
/// `spiece.model`, and SigLIP 2 "FixRes" checkpoints, which reuse the type with Gemma's
/// `tokenizer.json`): image and text embeddings in one space, scored per label with a sigmoid.
public final class SigLIP: ImageEmbedder, TextEmbedder {
    public let model: SigLIPModel
    public let tokenizer: any SigLIPTextTokenizer
    public let preprocessor: ImagePreprocessor

    public init(directory: URL) throws {
        let fm = FileManager.default
        let preprocessorURL = directory.appendingPathComponent("preprocessor_config.json")
        guard fm.fileExists(atPath: preprocessorURL.path) else { throw ModelError.missingFile(preprocessorURL.path) }
        model = try SigLIPModel(directory: directory)
        // SigLIP 2 ships Gemma's tokenizer.json; v1 a SentencePiece model.
        if fm.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) {
            tokenizer = try PretrainedTokenizer(directory: directory)
        } else if fm.fileExists(atPath: directory.appendingPathComponent("spiece.model").path) {
            tokenizer = try SiglipTokenizer(directory: directory)
        } else {
            throw ModelError.missingFile("\(directory.path)/spiece.model or tokenizer.json (SigLIP's tokenizer)")
        }
        preprocessor = try ImagePreprocessor(contentsOf: preprocessorURL)
        guard preprocessor.outputWidth == model.imageSize, preprocessor.outputHeight == model.imageSize else {
            throw ModelError.invalidConfig("preprocessor_config.json makes \(preprocessor.outputWidth)×\(preprocessor.outputHeight) images but the vision model expects \(model.imageSize)×\(model.imageSize)")
        }
    }

    public var modelType: String { "siglip" }
    public var embeddingDimension: Int { model.embeddingDimension }
    public var imageProcessor: any ImageProcessing { preprocessor }
    public var zeroShotScoring: ZeroShotScoring { .sigmoid(scale: model.logitScale, bias: model.logitBias) }

    public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        try model.imageEmbeddings(pixelValues: pixelValues)
    }

    /// Text embeddings (`get_text_features`): each text padded to the text tower's positions (64)
    /// as SigLIP's processor pads it, truncated when longer.
    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let length = model.config.text.maxPositionEmbeddings
        let embeddings = try model.textEmbeddings(tokenIDs: texts.map { tokenizer.encode($0, length: length) })
        return (0..<texts.count).map { embeddings.row($0) }
    }
}

/// What SigLIP needs of a tokenizer: ids padded (and truncated) to a length.
public protocol SigLIPTextTokenizer: Sendable {
    func encode(_ text: String, length: Int?) -> [Int32]
}

extension SiglipTokenizer: SigLIPTextTokenizer {}

extension PretrainedTokenizer: SigLIPTextTokenizer {
    public func encode(_ text: String, length: Int?) -> [Int32] { encode(text, length: length, padding: true) }
}

extension SigLIP {
    /// The SigLIP family: transformers' `SiglipModel` checkpoints (v1, and SigLIP 2 FixRes).
    static let family = ModelFamily(
        name: "SigLIP", modelTypes: ["siglip"], capabilities: [.imageEmbedding, .text],
        knownCheckpoints: [
            KnownCheckpoint(id: "google/siglip-base-patch16-224", summary: "B/16, 224 px, 203 M params, ImageNet zero-shot 76.0%"),
            KnownCheckpoint(id: "google/siglip-so400m-patch14-384", summary: "So400m/14, 384 px, 878 M params, ImageNet zero-shot 83.1%"),
            KnownCheckpoint(id: "google/siglip2-base-patch16-224", summary: "SigLIP 2 B/16, 224 px, Gemma vocabulary, ImageNet zero-shot 78.2%"),
            KnownCheckpoint(id: "google/siglip2-so400m-patch14-384", summary: "SigLIP 2 So400m/14, 384 px, ImageNet zero-shot 84.1%"),
        ]
    ) { directory, _, _ in
        try SigLIP(directory: directory)
    }
}
