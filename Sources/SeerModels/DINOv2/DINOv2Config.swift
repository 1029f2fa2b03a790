import Foundation
import SeerTensor

/// `config.json` of a DINOv2 checkpoint (`model_type` "dinov2" or "dinov2_with_registers"),
/// with transformers' defaults for absent fields (configuration_dinov2.py,
/// configuration_dinov2_with_registers.py), so Hub checkpoints load as they are. Keys Seer has
/// no use for (dropout rates, backbone `out_features`, …) are ignored.
public struct DINOv2Config: Sendable, Equatable {
    public var modelType = "dinov2"
    public var hiddenSize = 768
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var mlpRatio: Double = 4
    public var hiddenAct = "gelu"
    public var layerNormEps: Float = 1e-6
    /// The side of the square input the position embeddings were learned for (518 on the Hub).
    public var imageSize = 224
    public var patchSize = 14
    public var numChannels = 3
    public var qkvBias = true
    public var useSwigluFFN = false
    /// Register tokens (dinov2_with_registers only; 0 for plain DINOv2).
    public var numRegisterTokens = 0

    public init() {}

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ModelError.missingFile(url.path) }
        do {
            self = try JSONDecoder().decode(DINOv2Config.self, from: data)
        } catch let error as ModelError {
            throw ModelError.invalidConfig("\(url.path): \(error.description)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ModelError.invalidConfig("\(url.path): \(key.isEmpty ? "" : "'\(key)': ")\(context.debugDescription)")
        } catch {
            throw ModelError.invalidConfig("\(url.path) is not a DINOv2 config.json: \(error)")
        }
    }

    /// The MLP's hidden size: `int(hidden_size * mlp_ratio)` (Dinov2MLP); for SwiGLU two thirds
    /// of that, rounded up to a multiple of 8 (Dinov2SwiGLUFFN: 4096 for dinov2-giant's 1536).
    public var intermediateSize: Int {
        let mlp = Int(Double(hiddenSize) * mlpRatio)
        return useSwigluFFN ? (Int(Double(mlp) * 2 / 3) + 7) / 8 * 8 : mlp
    }

    /// Patches per side of the learned position grid.
    public var positionGridSide: Int { imageSize / patchSize }

    /// Whether the position grid is resized with antialiasing: transformers' register variant
    /// passes `antialias=True` to `interpolate`, plain DINOv2 does not.
    public var antialiasedPositions: Bool { modelType == "dinov2_with_registers" }
}

extension DINOv2Config: Decodable {
    private enum Keys: String, CodingKey {
        case modelType = "model_type", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", mlpRatio = "mlp_ratio", hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps", imageSize = "image_size", patchSize = "patch_size"
        case numChannels = "num_channels", qkvBias = "qkv_bias", useSwigluFFN = "use_swiglu_ffn"
        case numRegisterTokens = "num_register_tokens"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        func value<T: Decodable>(_ key: Keys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        modelType = try value(.modelType, modelType)
        hiddenSize = try value(.hiddenSize, hiddenSize)
        numHiddenLayers = try value(.numHiddenLayers, numHiddenLayers)
        numAttentionHeads = try value(.numAttentionHeads, numAttentionHeads)
        mlpRatio = try value(.mlpRatio, mlpRatio)
        hiddenAct = try value(.hiddenAct, hiddenAct)
        layerNormEps = try value(.layerNormEps, layerNormEps)
        imageSize = try c.decodeIfPresent(SquareSize.self, forKey: .imageSize)?.side(.imageSize) ?? imageSize
        patchSize = try c.decodeIfPresent(SquareSize.self, forKey: .patchSize)?.side(.patchSize) ?? patchSize
        numChannels = try value(.numChannels, numChannels)
        qkvBias = try value(.qkvBias, qkvBias)
        useSwigluFFN = try value(.useSwigluFFN, useSwigluFFN)
        // Dinov2Config has no registers; Dinov2WithRegistersConfig defaults to 4.
        numRegisterTokens = modelType == "dinov2_with_registers" ? try value(.numRegisterTokens, 4) : 0
        try validate()
    }

    private func validate() throws {
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard patchSize > 0, imageSize >= patchSize else {
            throw ModelError.invalidConfig("image_size \(imageSize) is smaller than patch_size \(patchSize)")
        }
        guard numHiddenLayers >= 0, numChannels > 0, numRegisterTokens >= 0, mlpRatio > 0 else {
            throw ModelError.invalidConfig("num_hidden_layers, num_channels, num_register_tokens and mlp_ratio must be positive")
        }
        guard Activation(configName: hiddenAct) != nil else {
            throw ModelError.unsupported("hidden_act '\(hiddenAct)' (Seer supports gelu, quick_gelu, gelu_new, gelu_pytorch_tanh, relu)")
        }
    }

    /// `image_size` / `patch_size`: an int, or a [height, width] pair that must be square (the
    /// position grid is square: transformers reshapes it by the square root of its length).
    private enum SquareSize: Decodable {
        case one(Int)
        case pair([Int])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .one(n) } else { self = .pair(try c.decode([Int].self)) }
        }

        func side(_ key: Keys) throws -> Int {
            switch self {
            case .one(let n): return n
            case .pair(let v) where v.count == 2 && v[0] == v[1]: return v[0]
            case .pair(let v): throw ModelError.invalidConfig("'\(key.rawValue)' \(v) is not square; DINOv2's position grid is")
            }
        }
    }
}
