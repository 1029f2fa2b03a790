import Foundation

/// `config.json` of a SigLIP checkpoint (`model_type: "siglip"`; SigLIP 2 "FixRes" checkpoints
/// reuse it), decoded as transformers' SiglipConfig (configuration_siglip.py, 5.23) with the
/// same defaults for absent fields.
public struct SigLIPConfig: Sendable, Equatable, Decodable {
    public var text = SigLIPTextConfig()
    public var vision = SigLIPVisionConfig()

    public init() {}

    public init(contentsOf url: URL) throws {
        self = try ModelConfigFile.decode(SigLIPConfig.self, from: url)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        text = try c.nested("text_config", SigLIPTextConfig.self)
        vision = try c.nested("vision_config", SigLIPVisionConfig.self)
    }
}

public struct SigLIPTextConfig: Sendable, Equatable, Decodable {
    public var vocabSize = 32000
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var maxPositionEmbeddings = 64
    public var hiddenAct = "gelu_pytorch_tanh"
    public var layerNormEps: Float = 1e-6
    /// The `head` projection's output size; transformers defaults it to `hidden_size`.
    public var projectionSize = 768

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        vocabSize = try c("vocab_size", or: vocabSize)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        intermediateSize = try c("intermediate_size", or: intermediateSize)
        numHiddenLayers = try c("num_hidden_layers", or: numHiddenLayers)
        numAttentionHeads = try c("num_attention_heads", or: numAttentionHeads)
        maxPositionEmbeddings = try c("max_position_embeddings", or: maxPositionEmbeddings)
        hiddenAct = try c("hidden_act", or: hiddenAct)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        projectionSize = try c("projection_size", or: Int?.none) ?? hiddenSize
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("text_config: hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard vocabSize > 0, maxPositionEmbeddings > 0, projectionSize > 0 else {
            throw ModelError.invalidConfig("text_config: sizes must be positive")
        }
    }
}

public struct SigLIPVisionConfig: Sendable, Equatable, Decodable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 224
    public var patchSize = 16
    public var hiddenAct = "gelu_pytorch_tanh"
    public var layerNormEps: Float = 1e-6
    /// The attention-pooling head; without it transformers has no pooled output to embed.
    public var visionUseHead = true

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        intermediateSize = try c("intermediate_size", or: intermediateSize)
        numHiddenLayers = try c("num_hidden_layers", or: numHiddenLayers)
        numAttentionHeads = try c("num_attention_heads", or: numAttentionHeads)
        numChannels = try c("num_channels", or: numChannels)
        imageSize = try c("image_size", or: SquareSize(imageSize)).value
        patchSize = try c("patch_size", or: SquareSize(patchSize)).value
        hiddenAct = try c("hidden_act", or: hiddenAct)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        visionUseHead = try c("vision_use_head", or: visionUseHead)
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("vision_config: hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard patchSize > 0, imageSize % patchSize == 0 else {
            throw ModelError.invalidConfig("vision_config: image_size \(imageSize) is not a multiple of patch_size \(patchSize)")
        }
        guard visionUseHead else {
            throw ModelError.unsupported("vision_config.vision_use_head is false: the checkpoint has no pooling head, so it gives no image embedding")
        }
    }

    public var patchesPerSide: Int { imageSize / patchSize }
    public var patchCount: Int { patchesPerSide * patchesPerSide }
}
