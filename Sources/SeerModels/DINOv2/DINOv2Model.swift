import Foundation
import SeerTensor

/// transformers' Dinov2Model and Dinov2WithRegistersModel (5.23), read from the Hub's tensor
/// names: patch embedding (a strided conv with bias), CLS token, learned positions resized to
/// the input's patch grid, register tokens (register variant), a pre-norm encoder with
/// LayerScale on both branches, and a final LayerNorm over every token. No LayerNorm before the
/// encoder; the mask token is only used in pre-training and is not read.
///
/// Token order: [CLS, register 1…R, patch (0,0), (0,1), …], as `last_hidden_state` orders them.
public final class DINOv2Model: Sendable {
    public let config: DINOv2Config
    let classToken: Tensor            // [width]
    let registerTokens: Tensor?       // [registers, width]
    let positionEmbeddings: Tensor    // [1 + side², width]
    let patchEmbedding: PatchEmbedding
    let encoder: Encoder
    let layerNorm: LayerNorm
    private let positionCache = PositionCache()

    public init(config: DINOv2Config, weights: Weights) throws {
        self.config = config
        let width = config.hiddenSize, side = config.positionGridSide
        let embeddings = weights.scoped("embeddings")
        classToken = try embeddings.tensor("cls_token", shape: [1, 1, width]).reshaped([width])
        let registers = config.numRegisterTokens
        registerTokens = registers > 0 ? try embeddings.tensor("register_tokens", shape: [1, registers, width]).reshaped([registers, width]) : nil
        positionEmbeddings = try embeddings.tensor("position_embeddings", shape: [1, 1 + side * side, width]).reshaped([1 + side * side, width])
        patchEmbedding = try PatchEmbedding(embeddings.scoped("patch_embeddings.projection"), channels: config.numChannels,
                                            patch: config.patchSize, width: width, bias: true)
        let shape = EncoderLayerShape(width: width, intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                      feedForward: config.useSwigluFFN ? .swiglu : .mlp(Activation(configName: config.hiddenAct)!),
                                      qkvBias: config.qkvBias, eps: config.layerNormEps)
        encoder = try Encoder(weights.scoped("encoder.layer"), count: config.numHiddenLayers,
                              names: .dinov2(swiglu: config.useSwigluFFN), shape: shape)
        layerNorm = try LayerNorm(weights.scoped("layernorm"), dimension: width, eps: config.layerNormEps)
    }

    /// Loads `config.json` and `model.safetensors` (or its shards) from a checkpoint folder.
    public convenience init(directory: URL) throws {
        let config = try DINOv2Config(contentsOf: directory.appendingPathComponent("config.json"))
        try self.init(config: config, weights: Weights(store: WeightStore(directory: directory)))
    }

    /// Tokens per image for an input of this size: CLS, registers, patches.
    public func tokenCount(height: Int, width: Int) -> Int {
        let (rows, columns) = patchEmbedding.grid(height: height, width: width)
        return 1 + config.numRegisterTokens + rows * columns
    }

    /// pixelValues [batch, channels, height, width] (any size of at least one patch) →
    /// `last_hidden_state` [batch, tokens, hiddenSize], after the final LayerNorm.
    public func lastHiddenState(pixelValues: Tensor) throws -> Tensor {
        let hidden = try embedded(pixelValues)
        encoder.forward(hidden, causal: false)
        layerNorm(hidden, into: hidden)
        return hidden
    }

    /// One vector per image: `.cls` is `pooler_output` (the CLS token after the final LayerNorm);
    /// `.mean` the mean of the patch tokens after the final LayerNorm (CLS and register tokens
    /// excluded, as Dinov2(WithRegisters)ForImageClassification takes `sequence_output[:, 1 + R:]`);
    /// `.clsMean` both concatenated [CLS ‖ mean], that classifier's input.
    public func pooled(pixelValues: Tensor, pooling: EmbeddingPooling) throws -> Tensor {
        let hidden = try embedded(pixelValues)
        if pooling == .cls {
            // pooler_output depends on the other tokens only through the last layer's keys and
            // values, so that layer runs for the CLS token alone; only its row is normalized.
            return layerNorm(encoder.firstTokenOutput(hidden))
        }
        encoder.forward(hidden, causal: false)
        let (batch, tokens, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        layerNorm(hidden, into: hidden)
        let firstPatch = 1 + config.numRegisterTokens, count = Float(tokens - firstPatch)
        let outWidth = pooling == .clsMean ? 2 * width : width
        let out = Tensor(zeros: [batch, outWidth])
        for b in 0..<batch {
            let item = hidden.pointer + b * tokens * width, row = out.pointer + b * outWidth
            if pooling == .clsMean { row.update(from: item, count: width) }
            let mean = pooling == .clsMean ? row + width : row
            for t in firstPatch..<tokens {
                let token = item + t * width
                for i in 0..<width { mean[i] += token[i] }
            }
            for i in 0..<width { mean[i] /= count }
        }
        withExtendedLifetime(hidden) {}
        return out
    }

    /// Dinov2Embeddings: the encoder's input [batch, tokens, width].
    private func embedded(_ pixels: Tensor) throws -> Tensor {
        let c = config
        guard pixels.rank == 4, pixels.shape[1] == c.numChannels, pixels.shape[0] > 0,
              pixels.shape[2] >= c.patchSize, pixels.shape[3] >= c.patchSize else {
            throw ModelError.invalidInput("pixel values of shape \(pixels.shape) do not fit the model's [batch, \(c.numChannels), height, width] with height and width at least \(c.patchSize)")
        }
        let (batch, width) = (pixels.shape[0], c.hiddenSize)
        let (rows, columns) = patchEmbedding.grid(height: pixels.shape[2], width: pixels.shape[3])
        let patchCount = rows * columns, registers = c.numRegisterTokens
        let tokens = 1 + registers + patchCount
        let patches = patchEmbedding(pixels)
        let positions = positionEmbeddings(rows: rows, columns: columns)
        let hidden = Tensor(uninitialized: [batch, tokens, width])
        // Dinov2Embeddings.forward: (cat(CLS, patches) + positions), then (register variant) the
        // register tokens inserted after CLS, which get no position.
        for b in 0..<batch {
            let item = hidden.pointer + b * tokens * width
            for i in 0..<width { item[i] = classToken.pointer[i] + positions.pointer[i] }
            if let registerTokens { (item + width).update(from: registerTokens.pointer, count: registers * width) }
            let patchRows = item + (1 + registers) * width, patchSource = patches.pointer + b * patchCount * width
            let patchPositions = positions.pointer + width
            for i in 0..<(patchCount * width) { patchRows[i] = patchSource[i] + patchPositions[i] }
        }
        withExtendedLifetime((patches, positions, classToken, registerTokens)) {}
        return hidden
    }

    /// The position embeddings for a grid of rows × columns patches: [1 + rows·columns, width].
    /// The learned grid is used as it is when it matches; otherwise its patch part is resized
    /// as transformers 5.23's `interpolate_pos_encoding` does: bicubic, `align_corners=False`,
    /// to an explicit `size=(rows, columns)`, in float32, with `antialias=True` for the register
    /// variant only. (transformers before 4.45 passed `scale_factor=(rows + 0.1) / side` instead
    /// of `size`, which gives slightly different numbers; Seer follows the pinned reference.)
    /// Resized grids are cached per size.
    func positionEmbeddings(rows: Int, columns: Int) -> Tensor {
        let side = config.positionGridSide
        if rows == side && columns == side { return positionEmbeddings }
        return positionCache.value(rows: rows, columns: columns) {
            let width = config.hiddenSize
            let grid = Tensor(shape: [side, side, width], storage: TensorStorage(borrowing: positionEmbeddings.pointer + width, count: side * side * width, owner: positionEmbeddings.storage))
            let resized = BicubicResampling.resize(grid, toHeight: rows, toWidth: columns, antialias: config.antialiasedPositions)
            let out = Tensor(uninitialized: [1 + rows * columns, width])
            out.pointer.update(from: positionEmbeddings.pointer, count: width)
            (out.pointer + width).update(from: resized.pointer, count: rows * columns * width)
            withExtendedLifetime(resized) {}
            return out
        }
    }
}

extension EncoderLayerNames {
    /// transformers' Dinov2Layer as the Hub checkpoints name it (before transformers 5's
    /// load-time renaming to q_proj/…, which `save_pretrained` undoes): SwiGLU checkpoints
    /// (dinov2-giant) keep gate and up fused in `mlp.weights_in`.
    static func dinov2(swiglu: Bool) -> EncoderLayerNames {
        EncoderLayerNames(
            norm1: "norm1", query: "attention.attention.query", key: "attention.attention.key",
            value: "attention.attention.value", output: "attention.output.dense", norm2: "norm2",
            fc1: swiglu ? "mlp.weights_in" : "mlp.fc1", fc2: swiglu ? "mlp.weights_out" : "mlp.fc2",
            layerScale1: "layer_scale1.lambda1", layerScale2: "layer_scale2.lambda1")
    }
}

/// Resized position grids by (rows, columns), filled once per size. `@unchecked`: the
/// dictionary is only touched under the lock.
private final class PositionCache: @unchecked Sendable {
    private let lock = NSLock()
    private var grids: [[Int]: Tensor] = [:]

    func value(rows: Int, columns: Int, make: () -> Tensor) -> Tensor {
        lock.withLock {
            if let grid = grids[[rows, columns]] { return grid }
            let grid = make()
            grids[[rows, columns]] = grid
            return grid
        }
    }
}
