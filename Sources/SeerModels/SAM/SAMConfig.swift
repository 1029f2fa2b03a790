import Foundation

/// `config.json` of a Segment Anything checkpoint, decoded as transformers' SamConfig
/// (configuration_sam.py) with the same defaults for absent fields, so Hub checkpoints
/// (facebook/sam-vit-base, -large, -huge) load as they are.
public struct SAMConfig: Sendable, Equatable, Decodable {
    public var vision = SAMVisionConfig()
    public var promptEncoder = SAMPromptEncoderConfig()
    public var maskDecoder = SAMMaskDecoderConfig()

    /// SamConfig(): the ViT-B-sized vision tower with the standard prompt encoder and decoder.
    public init() {}

    public init(contentsOf url: URL) throws {
        self = try ModelConfigFile.decode(SAMConfig.self, from: url)
    }

    public init(json: [String: Any]) throws {
        self = try ModelConfigFile.decode(SAMConfig.self, json: json)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        vision = try c.nested("vision_config", SAMVisionConfig.self)
        promptEncoder = try c.nested("prompt_encoder_config", SAMPromptEncoderConfig.self)
        maskDecoder = try c.nested("mask_decoder_config", SAMMaskDecoderConfig.self)
        // The three parts meet in one embedding space; transformers would fail on a mismatch
        // only in the middle of a forward pass.
        guard vision.outputChannels == promptEncoder.hiddenSize, promptEncoder.hiddenSize == maskDecoder.hiddenSize,
              2 * vision.numPosFeats == maskDecoder.hiddenSize else {
            throw ModelError.invalidConfig("vision output_channels (\(vision.outputChannels)), 2 × num_pos_feats (\(2 * vision.numPosFeats)), prompt encoder hidden_size (\(promptEncoder.hiddenSize)) and mask decoder hidden_size (\(maskDecoder.hiddenSize)) must be equal")
        }
        guard promptEncoder.imageEmbeddingSize == vision.gridSize else {
            throw ModelError.invalidConfig("prompt encoder expects a \(promptEncoder.imageEmbeddingSize)² embedding, the vision encoder makes \(vision.gridSize)²")
        }
    }
}

public struct SAMVisionConfig: Sendable, Equatable, Decodable {
    public var hiddenSize = 768
    public var outputChannels = 256
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 1024
    public var patchSize = 16
    public var hiddenAct = "gelu"
    public var layerNormEps: Float = 1e-6
    public var qkvBias = true
    public var useAbsPos = true
    public var useRelPos = true
    public var windowSize = 14
    public var globalAttnIndexes = [2, 5, 8, 11]
    public var numPosFeats = 128
    public var mlpDim = 3072

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        outputChannels = try c("output_channels", or: outputChannels)
        numHiddenLayers = try c("num_hidden_layers", or: numHiddenLayers)
        numAttentionHeads = try c("num_attention_heads", or: numAttentionHeads)
        numChannels = try c("num_channels", or: numChannels)
        imageSize = try c("image_size", or: SquareSize(imageSize)).value
        patchSize = try c("patch_size", or: SquareSize(patchSize)).value
        hiddenAct = try c("hidden_act", or: hiddenAct)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        qkvBias = try c("qkv_bias", or: qkvBias)
        useAbsPos = try c("use_abs_pos", or: useAbsPos)
        useRelPos = try c("use_rel_pos", or: useRelPos)
        windowSize = try c("window_size", or: windowSize)
        globalAttnIndexes = try c("global_attn_indexes", or: globalAttnIndexes)
        numPosFeats = try c("num_pos_feats", or: numPosFeats)
        // transformers: mlp_dim = int(hidden_size * mlp_ratio) when absent or null.
        let ratio = try c("mlp_ratio", or: Double?.none) ?? 4.0
        mlpDim = try c("mlp_dim", or: Int?.none) ?? Int(Double(hiddenSize) * ratio)
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("vision_config: hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard patchSize > 0, imageSize % patchSize == 0 else {
            throw ModelError.invalidConfig("vision_config: image_size \(imageSize) is not a multiple of patch_size \(patchSize)")
        }
        guard windowSize >= 0, numChannels > 0, outputChannels > 0, mlpDim > 0, numPosFeats > 0 else {
            throw ModelError.invalidConfig("vision_config: sizes must be positive")
        }
    }

    /// Patches per side of the image (64 for the released checkpoints).
    public var gridSize: Int { imageSize / patchSize }
    var headDim: Int { hiddenSize / numAttentionHeads }
}

public struct SAMPromptEncoderConfig: Sendable, Equatable, Decodable {
    public var hiddenSize = 256
    public var imageSize = 1024
    public var patchSize = 16
    public var maskInputChannels = 16
    public var numPointEmbeddings = 4
    public var hiddenAct = "gelu"
    public var layerNormEps: Float = 1e-6

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        imageSize = try c("image_size", or: SquareSize(imageSize)).value
        patchSize = try c("patch_size", or: SquareSize(patchSize)).value
        maskInputChannels = try c("mask_input_channels", or: maskInputChannels)
        numPointEmbeddings = try c("num_point_embeddings", or: numPointEmbeddings)
        hiddenAct = try c("hidden_act", or: hiddenAct)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        guard patchSize > 0, imageSize > 0, hiddenSize > 0 else {
            throw ModelError.invalidConfig("prompt_encoder_config: sizes must be positive")
        }
        guard maskInputChannels >= 4, maskInputChannels % 4 == 0 else {
            throw ModelError.invalidConfig("prompt_encoder_config: mask_input_channels \(maskInputChannels) must be a positive multiple of 4")
        }
        guard numPointEmbeddings >= 4 else {
            throw ModelError.invalidConfig("prompt_encoder_config: num_point_embeddings must be at least 4 (background, foreground, two box corners)")
        }
    }

    public var imageEmbeddingSize: Int { imageSize / patchSize }
}

public struct SAMMaskDecoderConfig: Sendable, Equatable, Decodable {
    public var hiddenSize = 256
    public var hiddenAct = "relu"
    public var mlpDim = 2048
    public var numHiddenLayers = 2
    public var numAttentionHeads = 8
    public var attentionDownsampleRate = 2
    public var numMultimaskOutputs = 3
    public var iouHeadDepth = 3
    public var iouHeadHiddenDim = 256
    public var layerNormEps: Float = 1e-6

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        hiddenSize = try c("hidden_size", or: hiddenSize)
        hiddenAct = try c("hidden_act", or: hiddenAct)
        mlpDim = try c("mlp_dim", or: mlpDim)
        numHiddenLayers = try c("num_hidden_layers", or: numHiddenLayers)
        numAttentionHeads = try c("num_attention_heads", or: numAttentionHeads)
        attentionDownsampleRate = try c("attention_downsample_rate", or: attentionDownsampleRate)
        numMultimaskOutputs = try c("num_multimask_outputs", or: numMultimaskOutputs)
        iouHeadDepth = try c("iou_head_depth", or: iouHeadDepth)
        iouHeadHiddenDim = try c("iou_head_hidden_dim", or: iouHeadHiddenDim)
        layerNormEps = try c("layer_norm_eps", or: layerNormEps)
        guard hiddenSize > 0, hiddenSize % 8 == 0, numAttentionHeads > 0, attentionDownsampleRate > 0,
              (hiddenSize / attentionDownsampleRate) % numAttentionHeads == 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("mask_decoder_config: hidden_size \(hiddenSize) must be a multiple of 8 and, divided by attention_downsample_rate \(attentionDownsampleRate), of num_attention_heads \(numAttentionHeads)")
        }
        guard iouHeadDepth >= 2, numMultimaskOutputs >= 1, mlpDim > 0, iouHeadHiddenDim > 0 else {
            throw ModelError.invalidConfig("mask_decoder_config: iou_head_depth must be at least 2 and sizes positive")
        }
    }

    var maskTokenCount: Int { numMultimaskOutputs + 1 }
}
