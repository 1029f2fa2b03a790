import Foundation

/// `config.json` of a CLIP checkpoint, decoded as transformers' CLIPConfig with the same
/// defaults for absent fields (configuration_clip.py), so Hub checkpoints load as they are.
public struct CLIPConfig: Sendable, Equatable {
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
        // Old checkpoints carry `text_config_dict`/`vision_config_dict` beside (or instead of) the new keys.
        let textJSON = (json["text_config"] as? [String: Any]) ?? (json["text_config_dict"] as? [String: Any]) ?? [:]
        let visionJSON = (json["vision_config"] as? [String: Any]) ?? (json["vision_config_dict"] as? [String: Any]) ?? [:]
        text = try CLIPTextConfig(json: textJSON)
        vision = try CLIPVisionConfig(json: visionJSON)
        projectionDim = try json.int("projection_dim") ?? 512
        logitScaleInitValue = try json.float("logit_scale_init_value") ?? 2.6592
    }

    /// openai/clip-vit-base-patch32 (the benchmark model).
    public static let vitBasePatch32 = CLIPConfig()
}

public struct CLIPTextConfig: Sendable, Equatable {
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

    init(json: [String: Any]) throws {
        vocabSize = try json.int("vocab_size") ?? vocabSize
        hiddenSize = try json.int("hidden_size") ?? hiddenSize
        intermediateSize = try json.int("intermediate_size") ?? intermediateSize
        numHiddenLayers = try json.int("num_hidden_layers") ?? numHiddenLayers
        numAttentionHeads = try json.int("num_attention_heads") ?? numAttentionHeads
        maxPositionEmbeddings = try json.int("max_position_embeddings") ?? maxPositionEmbeddings
        hiddenAct = (json["hidden_act"] as? String) ?? hiddenAct
        layerNormEps = try json.float("layer_norm_eps") ?? layerNormEps
        // `eos_token_id` may be a list in newer configs; the first is the one the pooling uses.
        if let list = json["eos_token_id"] as? [Any], let first = (list.first as? NSNumber)?.intValue {
            eosTokenID = first
        } else {
            eosTokenID = try json.int("eos_token_id") ?? eosTokenID
        }
        try validate(hiddenSize: hiddenSize, heads: numAttentionHeads, tower: "text_config")
    }
}

public struct CLIPVisionConfig: Sendable, Equatable {
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

    init(json: [String: Any]) throws {
        hiddenSize = try json.int("hidden_size") ?? hiddenSize
        intermediateSize = try json.int("intermediate_size") ?? intermediateSize
        numHiddenLayers = try json.int("num_hidden_layers") ?? numHiddenLayers
        numAttentionHeads = try json.int("num_attention_heads") ?? numAttentionHeads
        numChannels = try json.int("num_channels") ?? numChannels
        imageSize = try json.squareSize("image_size") ?? imageSize
        patchSize = try json.squareSize("patch_size") ?? patchSize
        hiddenAct = (json["hidden_act"] as? String) ?? hiddenAct
        layerNormEps = try json.float("layer_norm_eps") ?? layerNormEps
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

extension Dictionary where Key == String, Value == Any {
    /// An integer field, nil when absent or null; a wrong type is an error naming the key.
    func int(_ key: String) throws -> Int? {
        guard let value = self[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, Double(number.intValue) == number.doubleValue else {
            throw ModelError.invalidConfig("'\(key)' should be an integer, found \(value)")
        }
        return number.intValue
    }

    func float(_ key: String) throws -> Float? {
        guard let value = self[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber else { throw ModelError.invalidConfig("'\(key)' should be a number, found \(value)") }
        return number.floatValue
    }

    /// A size given as an int or as a [height, width] pair that must be square.
    func squareSize(_ key: String) throws -> Int? {
        if let pair = self[key] as? [NSNumber] {
            guard pair.count == 2, pair[0] == pair[1] else {
                throw ModelError.invalidConfig("'\(key)' \(pair) is not square; Seer's vision encoders take square inputs")
            }
            return pair[0].intValue
        }
        return try int(key)
    }
}
