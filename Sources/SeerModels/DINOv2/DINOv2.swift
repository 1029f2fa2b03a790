import Foundation
import SeerImage
import SeerTensor

/// A DINOv2 checkpoint ready to embed images: the model with its image preprocessor
/// (`preprocessor_config.json`, transformers' BitImageProcessor: shortest edge 256, bicubic,
/// center crop 224, ImageNet mean/std on the Hub), loaded from one Hugging Face-layout folder.
/// It has no text tower.
///
/// The embedding is chosen by `pooling`: `.cls` (default) is transformers' `pooler_output`,
/// `.mean` the mean of the patch tokens, `.clsMean` both concatenated (see `DINOv2Model.pooled`).
public final class DINOv2: ImageEmbedder {
    public let model: DINOv2Model
    public let preprocessor: ImagePreprocessor
    public let pooling: EmbeddingPooling

    public init(directory: URL, pooling: EmbeddingPooling = .cls) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.missingFile("\(directory.path) (expected a model folder with config.json, model.safetensors, preprocessor_config.json)")
        }
        for name in ["config.json", "preprocessor_config.json"] where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            throw ModelError.missingFile(directory.appendingPathComponent(name).path)
        }
        model = try DINOv2Model(directory: directory)
        preprocessor = try ImagePreprocessor(contentsOf: directory.appendingPathComponent("preprocessor_config.json"))
        let patch = model.config.patchSize
        guard preprocessor.outputWidth >= patch, preprocessor.outputHeight >= patch else {
            throw ModelError.invalidConfig("preprocessor_config.json makes \(preprocessor.outputWidth)×\(preprocessor.outputHeight) images, smaller than one \(patch)-pixel patch")
        }
        self.pooling = pooling
    }

    public var modelType: String { model.config.modelType }
    public var embeddingDimension: Int { pooling == .clsMean ? 2 * model.config.hiddenSize : model.config.hiddenSize }
    public var imageProcessor: any ImageProcessing { preprocessor }

    /// pixelValues [batch, 3, H, W] → [batch, embeddingDimension], pooled as `pooling` says.
    public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        try model.pooled(pixelValues: pixelValues, pooling: pooling)
    }

    /// Every token after the final LayerNorm, [batch, tokens, hiddenSize] (transformers'
    /// `last_hidden_state`): for tests and for heads that need the patch tokens.
    public func lastHiddenState(pixelValues: Tensor) throws -> Tensor {
        try model.lastHiddenState(pixelValues: pixelValues)
    }
}

extension DINOv2 {
    /// The DINOv2 family: transformers' `Dinov2Model` and `Dinov2WithRegistersModel` checkpoints.
    /// Summaries: parameters and ImageNet k-NN top-1 from the DINOv2 paper (Oquab et al. 2023).
    static let family = ModelFamily(
        name: "DINOv2", modelTypes: ["dinov2", "dinov2_with_registers"], capabilities: [.imageEmbedding],
        knownCheckpoints: [
            KnownCheckpoint(id: "facebook/dinov2-small", summary: "ViT-S/14, 22 M params, 384-d, ImageNet k-NN 79.0%"),
            KnownCheckpoint(id: "facebook/dinov2-base", summary: "ViT-B/14, 86 M params, 768-d, ImageNet k-NN 82.1%"),
            KnownCheckpoint(id: "facebook/dinov2-large", summary: "ViT-L/14, 300 M params, 1024-d, ImageNet k-NN 83.5%"),
            KnownCheckpoint(id: "facebook/dinov2-giant", summary: "ViT-g/14 (SwiGLU), 1.1 B params, 1536-d, ImageNet k-NN 83.5%"),
            KnownCheckpoint(id: "facebook/dinov2-with-registers-small", summary: "ViT-S/14 + 4 registers, 22 M params, 384-d"),
            KnownCheckpoint(id: "facebook/dinov2-with-registers-base", summary: "ViT-B/14 + 4 registers, 86 M params, 768-d"),
            KnownCheckpoint(id: "facebook/dinov2-with-registers-large", summary: "ViT-L/14 + 4 registers, 300 M params, 1024-d"),
            KnownCheckpoint(id: "facebook/dinov2-with-registers-giant", summary: "ViT-g/14 (SwiGLU) + 4 registers, 1.1 B params, 1536-d"),
        ],
        offersPooling: true
    ) { directory, _, options in
        try DINOv2(directory: directory, pooling: options.pooling ?? .cls)
    }
}
