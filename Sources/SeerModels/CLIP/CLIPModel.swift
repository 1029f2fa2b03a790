import Foundation
import SeerTensor

/// transformers' CLIPModel: both towers plus `visual_projection`, `text_projection` and
/// `logit_scale`. Embeddings are the projected pooled outputs, unnormalized, exactly what
/// `get_image_features` / `get_text_features` return.
public final class CLIPModel: Sendable {
    public let config: CLIPConfig
    let vision: CLIPVisionTransformer
    let text: CLIPTextTransformer
    let visualProjection: Linear
    let textProjection: Linear
    /// exp(logit_scale): the temperature applied to cosine similarities.
    public let logitScale: Float

    public init(config: CLIPConfig, weights: Weights) throws {
        self.config = config
        vision = try CLIPVisionTransformer(weights.scoped("vision_model"), config: config.vision)
        text = try CLIPTextTransformer(weights.scoped("text_model"), config: config.text)
        visualProjection = try Linear(weights.scoped("visual_projection"), inFeatures: config.vision.hiddenSize,
                                      outFeatures: config.projectionDim, bias: false)
        textProjection = try Linear(weights.scoped("text_projection"), inFeatures: config.text.hiddenSize,
                                    outFeatures: config.projectionDim, bias: false)
        logitScale = exp(try weights.tensor("logit_scale", shape: []).scalar)
    }

    /// Loads `config.json` and `model.safetensors` (or its shards) from a checkpoint folder.
    public convenience init(directory: URL) throws {
        let config = try CLIPConfig(contentsOf: directory.appendingPathComponent("config.json"))
        try self.init(config: config, weights: Weights(store: WeightStore(directory: directory)))
    }

    public var embeddingDimension: Int { config.projectionDim }
    public var imageSize: Int { config.vision.imageSize }

    /// pixelValues [batch, 3, imageSize, imageSize] → image embeddings [batch, projectionDim].
    public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        let c = config.vision
        guard pixelValues.shape.count == 4, pixelValues.shape[1] == c.numChannels,
              pixelValues.shape[2] == c.imageSize, pixelValues.shape[3] == c.imageSize else {
            throw ModelError.invalidInput("pixel values of shape \(pixelValues.shape) do not match the model's [batch, \(c.numChannels), \(c.imageSize), \(c.imageSize)]")
        }
        return visualProjection(vision.pooledOutput(pixelValues: pixelValues))
    }

    /// Token id sequences (with BOS/EOS, as CLIPTokenizer makes them) → text embeddings [count, projectionDim].
    public func textEmbeddings(tokenIDs: [[Int32]]) throws -> Tensor {
        textProjection(try text.pooledOutput(tokenIDs: tokenIDs))
    }
}
