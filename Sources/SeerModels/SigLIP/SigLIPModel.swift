import Foundation
import SeerTensor

/// transformers' SiglipModel: both towers plus `logit_scale` and `logit_bias`. Embeddings are
/// the towers' pooled outputs, unnormalized, as `get_image_features` / `get_text_features`
/// return them; `logits_per_image` = exp(logit_scale) · cos + logit_bias.
public final class SigLIPModel: Sendable {
    public let config: SigLIPConfig
    let vision: SigLIPVisionTransformer
    let text: SigLIPTextTransformer
    /// exp(logit_scale).
    public let logitScale: Float
    public let logitBias: Float

    public init(config: SigLIPConfig, weights: Weights) throws {
        guard config.text.projectionSize == config.vision.hiddenSize else {
            throw ModelError.invalidConfig("text projection_size \(config.text.projectionSize) differs from the vision hidden_size \(config.vision.hiddenSize): the embeddings would not share a space")
        }
        self.config = config
        vision = try SigLIPVisionTransformer(weights.scoped("vision_model"), config: config.vision)
        text = try SigLIPTextTransformer(weights.scoped("text_model"), config: config.text)
        logitScale = exp(try weights.tensor("logit_scale", shape: [1]).scalar)
        logitBias = try weights.tensor("logit_bias", shape: [1]).scalar
    }

    public convenience init(directory: URL) throws {
        let config = try SigLIPConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let store: WeightStore
        do { store = try WeightStore(directory: directory) } catch let error as SeerTensorError {
            throw ModelError.missingFile(error.description)
        }
        do {
            try self.init(config: config, weights: Weights(store: store))
        } catch let error as SeerTensorError {
            throw ModelError.invalidConfig("weights do not fit the SigLIP architecture: \(error.description)")
        }
    }

    public var embeddingDimension: Int { config.vision.hiddenSize }
    public var imageSize: Int { config.vision.imageSize }

    /// pixelValues [batch, 3, imageSize, imageSize] → image embeddings [batch, hidden].
    public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        try vision.pooledOutput(pixelValues: pixelValues)
    }

    /// Padded token id sequences → text embeddings [count, projectionSize].
    public func textEmbeddings(tokenIDs: [[Int32]]) throws -> Tensor {
        try text.pooledOutput(tokenIDs: tokenIDs)
    }
}
