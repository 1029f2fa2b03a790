import Foundation
import SeerTensor

/// transformers' SamPositionalEmbedding: random Fourier features of a point in [0, 1]²,
/// [sin(2π·(2p − 1)·G), cos(…)] with G [2, numPosFeats]. Shared by the image-wide positional
/// embedding and the prompt encoder (`shared_image_embedding.positional_embedding`).
struct SAMPositionalEmbedding: Sendable {
    let gaussian: Tensor  // [2, features]
    var features: Int { gaussian.shape[1] }

    /// Writes the 2·features values for the point already mapped to [−1, 1]² (`2p − 1`).
    func encode(centeredX x: Float, centeredY y: Float, into out: UnsafeMutablePointer<Float>) {
        let g = gaussian.pointer, f = features
        // 2 * np.pi times a float32 tensor: the factor is rounded to float32 first.
        let twoPi = Float(2 * Double.pi)
        for i in 0..<f {
            let angle = twoPi * (x * g[i] + y * g[f + i])
            out[i] = sin(angle)
            out[f + i] = cos(angle)
        }
    }

    /// SamModel.get_image_wide_positional_embeddings, channels-last: [size·size, 2·features]
    /// for the centers of a size×size grid.
    func imageWide(size: Int) -> Tensor {
        let out = Tensor(uninitialized: [size * size, 2 * features])
        for y in 0..<size {
            for x in 0..<size {
                // float32 as the reference: (cumsum − 0.5) / size, then 2c − 1.
                let cx = (Float(x + 1) - 0.5) / Float(size), cy = (Float(y + 1) - 0.5) / Float(size)
                encode(centeredX: 2 * cx - 1, centeredY: 2 * cy - 1, into: out.pointer + (y * size + x) * 2 * features)
            }
        }
        return out
    }
}

/// A point of a prompt in the model's input frame (the resized image, before padding).
struct SAMInputPoint {
    var x: Double, y: Double
    /// 1 foreground, 0 background, −1 padding ("not a point").
    var label: Int
}

/// transformers' SamPromptEncoder (`prompt_encoder.*`): points and box corners become sparse
/// tokens; a mask input (the 256×256 logits of an earlier prediction) becomes a dense
/// embedding added to the image embedding, and without one `no_mask_embed` is added.
struct SAMPromptEncoder: Sendable {
    let config: SAMPromptEncoderConfig
    let shared: SAMPositionalEmbedding
    let pointEmbed: [Tensor]  // num_point_embeddings × [hidden]: background, foreground, box corner 1, box corner 2
    let notAPointEmbed: Tensor
    let noMaskEmbed: Tensor
    let maskConv1: Conv2d
    let maskNorm1: LayerNorm
    let maskConv2: Conv2d
    let maskNorm2: LayerNorm
    let maskConv3: Conv2d
    let activation: Activation

    init(_ weights: Weights, config: SAMPromptEncoderConfig, shared: SAMPositionalEmbedding) throws {
        self.config = config
        self.shared = shared
        let hidden = config.hiddenSize
        pointEmbed = try (0..<config.numPointEmbeddings).map { try weights.tensor("point_embed.\($0).weight", shape: [1, hidden]) }
        notAPointEmbed = try weights.tensor("not_a_point_embed.weight", shape: [1, hidden])
        noMaskEmbed = try weights.tensor("no_mask_embed.weight", shape: [1, hidden])
        let mask = weights.scoped("mask_embed"), channels = config.maskInputChannels
        maskConv1 = try Conv2d(mask.scoped("conv1"), inChannels: 1, outChannels: channels / 4, kernel: 2, stride: 2)
        maskNorm1 = try LayerNorm(mask.scoped("layer_norm1"), dimension: channels / 4, eps: config.layerNormEps)
        maskConv2 = try Conv2d(mask.scoped("conv2"), inChannels: channels / 4, outChannels: channels, kernel: 2, stride: 2)
        maskNorm2 = try LayerNorm(mask.scoped("layer_norm2"), dimension: channels, eps: config.layerNormEps)
        maskConv3 = try Conv2d(mask.scoped("conv3"), inChannels: channels, outChannels: hidden, kernel: 1)
        guard let activation = Activation(configName: config.hiddenAct) else {
            throw ModelError.unsupported("prompt encoder hidden_act '\(config.hiddenAct)'")
        }
        self.activation = activation
    }

    /// The sparse tokens of one prompt, [count, hidden]: its points (then a padding point
    /// when there is no box, as `_embed_points(pad=input_boxes is None)`), then the two box
    /// corners. Coordinates are in the model's input frame.
    func sparseTokens(points: [SAMInputPoint], box: (x0: Double, y0: Double, x1: Double, y1: Double)?) -> [Float] {
        let hidden = config.hiddenSize
        var out = [Float](repeating: 0, count: (points.count + (box == nil && !points.isEmpty ? 1 : 0) + (box == nil ? 0 : 2)) * hidden)
        let size = Double(config.imageSize)
        func encode(_ x: Double, _ y: Double, _ slot: Int) {
            // The reference works in float64 up to 2c − 1, then casts to float32.
            out.withUnsafeMutableBufferPointer { buffer in
                shared.encode(centeredX: Float(2 * ((x + 0.5) / size) - 1), centeredY: Float(2 * ((y + 0.5) / size) - 1),
                              into: buffer.baseAddress! + slot * hidden)
            }
        }
        func add(_ table: Tensor, _ slot: Int) {
            for i in 0..<hidden { out[slot * hidden + i] += table.pointer[i] }
        }
        var slot = 0
        if !points.isEmpty {
            for point in points {
                encode(point.x, point.y, slot)
                switch point.label {
                case 1: add(pointEmbed[1], slot)
                case 0: add(pointEmbed[0], slot)
                default:
                    for i in 0..<hidden { out[slot * hidden + i] = notAPointEmbed.pointer[i] }
                }
                slot += 1
            }
            if box == nil {
                // The padding point: label −1, so its embedding is `not_a_point_embed` alone.
                for i in 0..<hidden { out[slot * hidden + i] = notAPointEmbed.pointer[i] }
                slot += 1
            }
        }
        if let box {
            encode(box.x0, box.y0, slot)
            add(pointEmbed[2], slot)
            encode(box.x1, box.y1, slot + 1)
            add(pointEmbed[3], slot + 1)
        }
        return withExtendedLifetime((pointEmbed, notAPointEmbed)) { out }
    }

    /// SamMaskEmbedding: mask logits [size, size] (4× the embedding grid) → dense embedding
    /// [grid·grid, hidden], channels-last.
    func denseEmbedding(mask: Tensor) -> Tensor {
        let size = mask.shape[0]
        var x = maskConv1(mask.reshaped([size, size, 1]))
        x = maskNorm1(x)
        Ops.apply(activation, inPlace: x)
        x = maskConv2(x)
        x = maskNorm2(x)
        Ops.apply(activation, inPlace: x)
        x = maskConv3(x)
        return x.reshaped([x.shape[0] * x.shape[1], config.hiddenSize])
    }
}
