import SeerTensor

/// One pre-LayerNorm transformer block, named as transformers' CLIPEncoderLayer
/// (`encoder.layers.N.{layer_norm1,self_attn.{q,k,v,out}_proj,layer_norm2,mlp.fc1,mlp.fc2}`).
struct CLIPEncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let queryProjection: Linear
    let keyProjection: Linear
    let valueProjection: Linear
    let outputProjection: Linear
    let layerNorm2: LayerNorm
    let fc1: Linear
    let fc2: Linear
    let heads: Int
    let activation: Activation

    init(_ weights: Weights, width: Int, intermediate: Int, heads: Int, activation: Activation, eps: Float) throws {
        layerNorm1 = try LayerNorm(weights.scoped("layer_norm1"), dimension: width, eps: eps)
        let attention = weights.scoped("self_attn")
        queryProjection = try Linear(attention.scoped("q_proj"), inFeatures: width, outFeatures: width)
        keyProjection = try Linear(attention.scoped("k_proj"), inFeatures: width, outFeatures: width)
        valueProjection = try Linear(attention.scoped("v_proj"), inFeatures: width, outFeatures: width)
        outputProjection = try Linear(attention.scoped("out_proj"), inFeatures: width, outFeatures: width)
        layerNorm2 = try LayerNorm(weights.scoped("layer_norm2"), dimension: width, eps: eps)
        fc1 = try Linear(weights.scoped("mlp.fc1"), inFeatures: width, outFeatures: intermediate)
        fc2 = try Linear(weights.scoped("mlp.fc2"), inFeatures: intermediate, outFeatures: width)
        self.heads = heads
        self.activation = activation
    }

    /// hidden ← hidden + attn(ln1(hidden)); hidden ← hidden + mlp(ln2(hidden)), in place.
    func forward(_ hidden: Tensor, causal: Bool, buffers: EncoderBuffers) {
        layerNorm1(hidden, into: buffers.normed)
        queryProjection(buffers.normed, into: buffers.query)
        keyProjection(buffers.normed, into: buffers.key)
        valueProjection(buffers.normed, into: buffers.value)
        Ops.attention(query: buffers.query, key: buffers.key, value: buffers.value, heads: heads, causal: causal, into: buffers.attended)
        outputProjection(buffers.attended, into: buffers.normed)
        Ops.add(buffers.normed, into: hidden)

        layerNorm2(hidden, into: buffers.normed)
        fc1(buffers.normed, into: buffers.intermediate)
        Ops.apply(activation, inPlace: buffers.intermediate)
        fc2(buffers.intermediate, into: buffers.normed)
        Ops.add(buffers.normed, into: hidden)
    }
}

/// Scratch tensors for one forward pass, allocated once and reused by every layer. Each is
/// fully written before it is read, so none needs zeroing.
struct EncoderBuffers {
    let normed, query, key, value, attended, intermediate: Tensor

    init(batch: Int, tokens: Int, width: Int, intermediate: Int) {
        let shape = [batch, tokens, width]
        normed = Tensor(uninitialized: shape)
        query = Tensor(uninitialized: shape)
        key = Tensor(uninitialized: shape)
        value = Tensor(uninitialized: shape)
        attended = Tensor(uninitialized: shape)
        self.intermediate = Tensor(uninitialized: [batch, tokens, intermediate])
    }
}

/// transformers' CLIPEncoder: a stack of `encoder.layers.N`.
struct CLIPEncoder: Sendable {
    let layers: [CLIPEncoderLayer]
    let width: Int
    let intermediate: Int

    init(_ weights: Weights, layers count: Int, width: Int, intermediate: Int, heads: Int, activationName: String, eps: Float) throws {
        guard let activation = Activation(configName: activationName) else {
            throw ModelError.unsupported("hidden_act '\(activationName)' (Seer supports quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu)")
        }
        layers = try (0..<count).map {
            try CLIPEncoderLayer(weights.scoped("layers.\($0)"), width: width, intermediate: intermediate,
                                 heads: heads, activation: activation, eps: eps)
        }
        self.width = width
        self.intermediate = intermediate
    }

    /// Runs every layer over hidden [batch, tokens, width] in place.
    func forward(_ hidden: Tensor, causal: Bool) {
        let buffers = EncoderBuffers(batch: hidden.shape[0], tokens: hidden.shape[1], width: width, intermediate: intermediate)
        for layer in layers { layer.forward(hidden, causal: causal, buffers: buffers) }
    }
}
