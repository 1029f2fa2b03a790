import Foundation

/// `config.json` of a CLIP checkpoint, decoded as transformers' CLIPConfig with the same
/// defaults for absent fields (configuration_clip.py), so Hub checkpoints load as they are.
public struct CLIPConfig: Sendable, Equatable, Decodable {
    public var text: CLIPTextConfig
    public var vision: CLIPVisionConfig
    public var projectionDim: Int
    public var logitScaleInitValue: Float

    public init(text: CLIPTextConfig = .init(), vision: CLIPVisionConfig = .init(), projectionDim: Int = 512, logitScaleInitValue: Float = 2.6592) {
        self.text = text
        self.vision = vision
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    public init(contentsOf url: URL) throws {
        self = try ModelConfigFile.decode(CLIPConfig.self, from: url)
    }

    public init(json: [String: Any]) throws {
        self = try ModelConfigFile.decode(CLIPConfig.self, json: json)
    }

    /// openai/clip-vit-base-patch32 (the benchmark model).
    public static let vitBasePatch32 = CLIPConfig()

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        // Old checkpoints carry `text_config_dict`/`vision_config_dict` beside (or instead of) the new keys.
        text = try c.has("text_config") ? c.nested("text_config", CLIPTextConfig.self) : c.nested("text_config_dict", CLIPTextConfig.self)
        vision = try c.has("vision_config") ? c.nested("vision_config", CLIPVisionConfig.self) : c.nested("vision_config_dict", CLIPVisionConfig.self)
        projectionDim = try c("projection_dim", or: 512)
        logitScaleInitValue = try c("logit_scale_init_value", or: 2.6592)
    }
}

public struct CLIPTextConfig: Sendable, Equatable, Decodable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var numHiddenLayers = 12
    public var numAttentionHeads = 8
    public var maxPositionEmbeddings = 77
    public var hiddenAct = "quick_gelu"
    public var layerNormEps: Float = 1e-5
    public var eosTokenID = 49407

    public init() {}

    public init(from decoder: Decoder) throws {
        try self.init(from: decoder, defaults: CLIPTextConfig())
    }

    /// Decodes with another family's defaults for absent fields (OWL-ViT: 16 positions).
    init(from decoder: Decoder, defaults: CLIPTextConfig) throws {
        self = defaults
        let c = try decoder.container(keyedBy: ConfigKey.self)
        vocabSize = try c("vocab_size", or: vocabSize)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        intermediateSize = try c("intermediate_size", or: intermediateSize)
        numHiddenLayers = try c("num_hidden_layers", or: numHiddenLayers)
        numAttentionHeads = try c("num_attention_heads", or: numAttentionHeads)
        maxPositionEmbeddings = try c("max_position_embeddings", or: maxPositionEmbeddings)
        hiddenAct = try c("hidden_act", or: hiddenAct)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        // `eos_token_id` may be a list in newer configs; the first is the one the pooling uses.
        eosTokenID = try c("eos_token_id", or: FirstInt?.none)?.value ?? eosTokenID
        try validate(hiddenSize: hiddenSize, heads: numAttentionHeads, tower: "text_config")
    }
}

public struct CLIPVisionConfig: Sendable, Equatable, Decodable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 224
    public var patchSize = 32
    public var hiddenAct = "quick_gelu"
    public var layerNormEps: Float = 1e-5

    public init() {}

    public init(from decoder: Decoder) throws {
        try self.init(from: decoder, defaults: CLIPVisionConfig())
    }

    /// Decodes with another family's defaults for absent fields (OWL-ViT: 768 px, OWLv2: patch 16).
    init(from decoder: Decoder, defaults: CLIPVisionConfig) throws {
        self = defaults
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
        try validate(hiddenSize: hiddenSize, heads: numAttentionHeads, tower: "vision_config")
        guard patchSize > 0, imageSize % patchSize == 0 else {
            throw ModelError.invalidConfig("vision_config: image_size \(imageSize) is not a multiple of patch_size \(patchSize)")
        }
    }

    public var patchesPerSide: Int { imageSize / patchSize }
    public var tokenCount: Int { patchesPerSide * patchesPerSide + 1 }
}

private func validate(hiddenSize: Int, heads: Int, tower: String) throws {
    guard hiddenSize > 0, heads > 0, hiddenSize % heads == 0 else {
        throw ModelError.invalidConfig("\(tower): hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
    }
}
