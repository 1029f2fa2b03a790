import SeerTensor

/// transformers' SiglipVisionTransformer (`vision_model.*`): patch convolution with bias,
/// learned positions (no class token, no pre-LayerNorm), the encoder, `post_layernorm` over all
/// tokens, then the multi-head attention pooling head.
struct SigLIPVisionTransformer: Sendable {
    let config: SigLIPVisionConfig
    let patchEmbedding: PatchEmbedding
    let positionEmbedding: Embedding
    let encoder: Encoder
    let postLayerNorm: LayerNorm
    let head: SigLIPAttentionPoolingHead

    init(_ weights: Weights, config: SigLIPVisionConfig) throws {
        self.config = config
        let width = config.hiddenSize
        let embeddings = weights.scoped("embeddings")
        patchEmbedding = try PatchEmbedding(embeddings.scoped("patch_embedding"), channels: config.numChannels,
                                            patch: config.patchSize, width: width, bias: true)
        positionEmbedding = try Embedding(embeddings.scoped("position_embedding"), count: config.patchCount, dimension: width)
        // SigLIP's layers are named as CLIP's (layer_norm1, self_attn.{q,k,v,out}_proj, mlp.fc1/fc2).
        encoder = try Encoder.clip(weights.scoped("encoder"), layers: config.numHiddenLayers, width: width,
                                   intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                   activationName: config.hiddenAct, eps: config.layerNormEps)
        postLayerNorm = try LayerNorm(weights.scoped("post_layernorm"), dimension: width, eps: config.layerNormEps)
        head = try SigLIPAttentionPoolingHead(weights.scoped("head"), config: config)
    }

    /// pixelValues [batch, channels, size, size] → pooled output [batch, width] (`pooler_output`).
    func pooledOutput(pixelValues: Tensor) throws -> Tensor {
        try head(lastHiddenState(pixelValues: pixelValues))
    }

    /// All tokens after `post_layernorm`, [batch, patches, width].
    func lastHiddenState(pixelValues: Tensor) throws -> Tensor {
        let c = config
        guard pixelValues.rank == 4, pixelValues.shape[1] == c.numChannels, pixelValues.shape[2] == c.imageSize, pixelValues.shape[3] == c.imageSize else {
            throw ModelError.invalidInput("pixel values of shape \(pixelValues.shape) do not match the model's [batch, \(c.numChannels), \(c.imageSize), \(c.imageSize)]")
        }
        let batch = pixelValues.shape[0], width = c.hiddenSize, tokens = c.patchCount
        let hidden = patchEmbedding(pixelValues).reshaped([batch, tokens, width])
        for b in 0..<batch {
            for t in 0..<tokens {
                let row = hidden.pointer + (b * tokens + t) * width, position = positionEmbedding.row(t)
                for i in 0..<width { row[i] += position[i] }
            }
        }
        encoder.forward(hidden, causal: false)
        return postLayerNorm(hidden)
    }
}

/// transformers' SiglipMultiheadAttentionPoolingHead (`vision_model.head.*`): a learned probe
/// attends over every token through `torch.nn.MultiheadAttention` (q, k, v packed in
/// `attention.in_proj_weight`), then out ← out + mlp(layernorm(out)); the probe's row is pooled.
struct SigLIPAttentionPoolingHead: Sendable {
    let probe: Tensor            // [1, 1, width]
    let query: Linear
    let key: Linear
    let value: Linear
    let output: Linear
    let layerNorm: LayerNorm
    let fc1: Linear
    let fc2: Linear
    let activation: Activation
    let heads: Int
    let width: Int

    init(_ weights: Weights, config: SigLIPVisionConfig) throws {
        let width = config.hiddenSize
        probe = try weights.tensor("probe", shape: [1, 1, width])
        // in_proj_weight [3·width, width] stacks W_q, W_k, W_v; in_proj_bias likewise.
        let attention = weights.scoped("attention")
        let packed = try attention.tensor("in_proj_weight", shape: [3 * width, width])
        let packedBias = try attention.tensor("in_proj_bias", shape: [3 * width])
        func part(_ i: Int) -> Linear {
            let w = Tensor(uninitialized: [width, width]), b = Tensor(uninitialized: [width])
            withExtendedLifetime((packed, packedBias)) {
                w.pointer.update(from: packed.pointer + i * width * width, count: width * width)
                b.pointer.update(from: packedBias.pointer + i * width, count: width)
            }
            return Linear(weight: LinearWeight(w), bias: b)
        }
        (query, key, value) = (part(0), part(1), part(2))
        output = try Linear(attention.scoped("out_proj"), inFeatures: width, outFeatures: width)
        layerNorm = try LayerNorm(weights.scoped("layernorm"), dimension: width, eps: config.layerNormEps)
        fc1 = try Linear(weights.scoped("mlp.fc1"), inFeatures: width, outFeatures: config.intermediateSize)
        fc2 = try Linear(weights.scoped("mlp.fc2"), inFeatures: config.intermediateSize, outFeatures: width)
        guard let activation = Activation(configName: config.hiddenAct) else {
            throw ModelError.unsupported("hidden_act '\(config.hiddenAct)'")
        }
        self.activation = activation
        heads = config.numAttentionHeads
        self.width = width
    }

    /// hidden [batch, tokens, width] → pooled [batch, width].
    func callAsFunction(_ hidden: Tensor) -> Tensor {
        let batch = hidden.shape[0]
        // The probe is the same for every image: its query is computed once and shared (batch 1).
        let q = query(probe)
        let k = key(hidden), v = value(hidden)
        let attended = Tensor(uninitialized: [batch, 1, width])
        Ops.attention(query: q, key: k, value: v, heads: heads, causal: false, into: attended)
        let pooled = output(attended).reshaped([batch, width])
        let mlp = fc1(layerNorm(pooled))
        Ops.apply(activation, inPlace: mlp)
        Ops.add(fc2(mlp), into: pooled)
        return pooled
    }
}
