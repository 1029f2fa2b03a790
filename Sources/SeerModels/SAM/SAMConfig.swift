import Foundation

/// `config.json` of a Segment Anything checkpoint, decoded as transformers' SamConfig
/// (configuration_sam.py) with the same defaults for absent fields, so Hub checkpoints
/// (facebook/sam-vit-base, -large, -huge) load as they are.
public struct SAMConfig: Sendable, Equatable {
    public var vision = SAMVisionConfig()
    public var promptEncoder = SAMPromptEncoderConfig()
    public var maskDecoder = SAMMaskDecoderConfig()

    /// SamConfig(): the ViT-B-sized vision tower with the standard prompt encoder and decoder.
    public init() {}

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.missingFile(url.path)
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.invalidConfig("\(url.path) is not a JSON object")
        }
        try self.init(json: json)
    }

    public init(json: [String: Any]) throws {
        vision = try SAMVisionConfig(json: json["vision_config"] as? [String: Any] ?? [:])
        promptEncoder = try SAMPromptEncoderConfig(json: json["prompt_encoder_config"] as? [String: Any] ?? [:])
        maskDecoder = try SAMMaskDecoderConfig(json: json["mask_decoder_config"] as? [String: Any] ?? [:])
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

public struct SAMVisionConfig: Sendable, Equatable {
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

    init(json: [String: Any]) throws {
        hiddenSize = try json.int("hidden_size") ?? hiddenSize
        outputChannels = try json.int("output_channels") ?? outputChannels
        numHiddenLayers = try json.int("num_hidden_layers") ?? numHiddenLayers
        numAttentionHeads = try json.int("num_attention_heads") ?? numAttentionHeads
        numChannels = try json.int("num_channels") ?? numChannels
        imageSize = try json.squareSize("image_size") ?? imageSize
        patchSize = try json.squareSize("patch_size") ?? patchSize
        hiddenAct = (json["hidden_act"] as? String) ?? hiddenAct
        layerNormEps = try json.float("layer_norm_eps") ?? layerNormEps
        qkvBias = (json["qkv_bias"] as? Bool) ?? qkvBias
        useAbsPos = (json["use_abs_pos"] as? Bool) ?? useAbsPos
        useRelPos = (json["use_rel_pos"] as? Bool) ?? useRelPos
        windowSize = try json.int("window_size") ?? windowSize
        if let list = json["global_attn_indexes"] {
            guard let numbers = list as? [NSNumber] else {
                throw ModelError.invalidConfig("'global_attn_indexes' should be a list of integers, found \(list)")
            }
            globalAttnIndexes = numbers.map(\.intValue)
        }
        numPosFeats = try json.int("num_pos_feats") ?? numPosFeats
        // transformers: mlp_dim = int(hidden_size * mlp_ratio) when absent or null.
        let ratio = try json.float("mlp_ratio").map(Double.init) ?? 4.0
        mlpDim = try json.int("mlp_dim") ?? Int(Double(hiddenSize) * ratio)
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

public struct SAMPromptEncoderConfig: Sendable, Equatable {
    public var hiddenSize = 256
    public var imageSize = 1024
    public var patchSize = 16
    public var maskInputChannels = 16
    public var numPointEmbeddings = 4
    public var hiddenAct = "gelu"
    public var layerNormEps: Float = 1e-6

    public init() {}

    init(json: [String: Any]) throws {
        hiddenSize = try json.int("hidden_size") ?? hiddenSize
        imageSize = try json.squareSize("image_size") ?? imageSize
        patchSize = try json.squareSize("patch_size") ?? patchSize
        maskInputChannels = try json.int("mask_input_channels") ?? maskInputChannels
        numPointEmbeddings = try json.int("num_point_embeddings") ?? numPointEmbeddings
        hiddenAct = (json["hidden_act"] as? String) ?? hiddenAct
        layerNormEps = try json.float("layer_norm_eps") ?? layerNormEps
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

public struct SAMMaskDecoderConfig: Sendable, Equatable {
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

    init(json: [String: Any]) throws {
        hiddenSize = try json.int("hidden_size") ?? hiddenSize
        hiddenAct = (json["hidden_act"] as? String) ?? hiddenAct
        mlpDim = try json.int("mlp_dim") ?? mlpDim
        numHiddenLayers = try json.int("num_hidden_layers") ?? numHiddenLayers
        numAttentionHeads = try json.int("num_attention_heads") ?? numAttentionHeads
        attentionDownsampleRate = try json.int("attention_downsample_rate") ?? attentionDownsampleRate
        numMultimaskOutputs = try json.int("num_multimask_outputs") ?? numMultimaskOutputs
        iouHeadDepth = try json.int("iou_head_depth") ?? iouHeadDepth
        iouHeadHiddenDim = try json.int("iou_head_hidden_dim") ?? iouHeadHiddenDim
        layerNormEps = try json.float("layer_norm_eps") ?? layerNormEps
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
