import Foundation
import SeerImage
import SeerTensor
import SeerTokenizers

/// A CLIP checkpoint ready to use: the model with its tokenizer and image preprocessor, loaded
/// from one Hugging Face-layout folder. It embeds images and texts in one space.
///
/// ```swift
/// let clip = try CLIP(directory: URL(fileURLWithPath: "clip-vit-base-patch32"))
/// let image = try ImageLoader.load(contentsOf: photoURL)
/// let similarity = cosineSimilarity(try clip.embed(images: [image])[0], try clip.embed(texts: ["a cat"])[0])
/// ```
public final class CLIP: ImageEmbedder, TextEmbedder {
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

    public var modelType: String { "clip" }
    public var embeddingDimension: Int { model.embeddingDimension }
    public var imageProcessor: any ImageProcessing { preprocessor }
    public var zeroShotScoring: ZeroShotScoring { .softmax(scale: model.logitScale) }

    /// Image embeddings (projected, not normalized: transformers' `get_image_features`).
    public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        try model.imageEmbeddings(pixelValues: pixelValues)
    }

    /// Text embeddings (projected, not normalized: transformers' `get_text_features`). Texts
    /// longer than the model's context are truncated, as CLIPTokenizer(truncation=True) does.
    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let embeddings = try model.textEmbeddings(tokenIDs: texts.map { tokenizer.encode($0) })
        return (0..<texts.count).map { embeddings.row($0) }
    }
}

extension CLIP {
    /// The CLIP family: transformers' `CLIPModel` checkpoints.
    static let family = ModelFamily(
        name: "CLIP", modelTypes: ["clip"], capabilities: [.imageEmbedding, .text],
        knownCheckpoints: [
            KnownCheckpoint(id: "openai/clip-vit-base-patch32", summary: "ViT-B/32, 224 px, 151 M params, ImageNet zero-shot 63.3%"),
            KnownCheckpoint(id: "openai/clip-vit-base-patch16", summary: "ViT-B/16, 224 px, 150 M params, ImageNet zero-shot 68.3%"),
            KnownCheckpoint(id: "openai/clip-vit-large-patch14", summary: "ViT-L/14, 224 px, 428 M params, ImageNet zero-shot 75.5%"),
            KnownCheckpoint(id: "openai/clip-vit-large-patch14-336", summary: "ViT-L/14, 336 px, 428 M params, ImageNet zero-shot 76.6%"),
            KnownCheckpoint(id: "laion/CLIP-ViT-B-32-laion2B-s34B-b79K", summary: "ViT-B/32 trained on LAION-2B, ImageNet zero-shot 66.6%"),
            KnownCheckpoint(id: "laion/CLIP-ViT-L-14-laion2B-s32B-b82K", summary: "ViT-L/14 trained on LAION-2B, ImageNet zero-shot 75.3%"),
            KnownCheckpoint(id: "laion/CLIP-ViT-H-14-laion2B-s32B-b79K", summary: "ViT-H/14 trained on LAION-2B, ImageNet zero-shot 78.0%"),
        ]
    ) { directory, _, _ in
        try CLIP(directory: directory)
    }
}
