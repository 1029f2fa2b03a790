import SeerTensor

/// transformers' CLIPTextTransformer (`text_model.*`): token + position embeddings, a causal
/// encoder, final LayerNorm, and the hidden state at the end-of-text token as the pooled output.
struct CLIPTextTransformer: Sendable {
    /// Which position's hidden state is the pooled output.
    enum Pooling: Sendable {
        /// The largest id (the real EOS is CLIP's largest): old CLIP configs, and OWL-ViT/OWLv2 always.
        case argmax
        /// The first `eos_token_id`.
        case firstEOS
    }

    let config: CLIPTextConfig
    let pooling: Pooling
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    let encoder: Encoder
    let finalLayerNorm: LayerNorm

    /// `pooling` nil: CLIP's rule (CLIPTextTransformer.forward): configs from before transformers
    /// PR #24773 say eos_token_id = 2 and pool at the largest id; newer ones at the first eos_token_id.
    init(_ weights: Weights, config: CLIPTextConfig, pooling: Pooling? = nil) throws {
        self.config = config
        self.pooling = pooling ?? (config.eosTokenID == 2 ? .argmax : .firstEOS)
        let width = config.hiddenSize
        tokenEmbedding = try Embedding(weights.scoped("embeddings.token_embedding"), count: config.vocabSize, dimension: width)
        positionEmbedding = try Embedding(weights.scoped("embeddings.position_embedding"), count: config.maxPositionEmbeddings, dimension: width)
        encoder = try Encoder.clip(weights.scoped("encoder"), layers: config.numHiddenLayers, width: width,
                                   intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                   activationName: config.hiddenAct, eps: config.layerNormEps)
        finalLayerNorm = try LayerNorm(weights.scoped("final_layer_norm"), dimension: width, eps: config.layerNormEps)
    }

    /// The position whose hidden state is pooled: the first largest id (torch's argmax), or the
    /// first eos_token_id.
    func poolingIndex(_ ids: [Int32]) -> Int {
        if pooling == .argmax {
            var best = 0
            for (i, id) in ids.enumerated() where id > ids[best] { best = i }
            return best
        }
        return ids.firstIndex(of: Int32(config.eosTokenID)) ?? ids.count - 1
    }

    func validate(_ ids: [Int32]) throws {
        guard !ids.isEmpty else { throw ModelError.invalidInput("empty token sequence") }
        guard ids.count <= config.maxPositionEmbeddings else {
            throw ModelError.invalidInput("\(ids.count) tokens exceed the text model's \(config.maxPositionEmbeddings) positions")
        }
        if let bad = ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
    }

    /// Token id sequences (any lengths) → pooled outputs [count, width]. Sequences are padded to
    /// the longest; the causal mask means padding after a sequence never changes its pooled state.
    func pooledOutput(tokenIDs: [[Int32]]) throws -> Tensor {
        for ids in tokenIDs { try validate(ids) }
        let batch = tokenIDs.count, width = config.hiddenSize
        let tokens = tokenIDs.map(\.count).max() ?? 0
        let hidden = Tensor(uninitialized: [batch, tokens, width])
        for (b, ids) in tokenIDs.enumerated() {
            for t in 0..<tokens {
                let row = hidden.pointer + (b * tokens + t) * width
                let token = tokenEmbedding.row(Int(t < ids.count ? ids[t] : ids[ids.count - 1]))
                let position = positionEmbedding.row(t)
                for i in 0..<width { row[i] = token[i] + position[i] }
            }
        }
        encoder.forward(hidden, causal: true)

        let pooled = Tensor(uninitialized: [batch, width])
        for (b, ids) in tokenIDs.enumerated() {
            let t = poolingIndex(ids)
            (pooled.pointer + b * width).update(from: hidden.pointer + (b * tokens + t) * width, count: width)
        }
        return finalLayerNorm(pooled)
    }
}
