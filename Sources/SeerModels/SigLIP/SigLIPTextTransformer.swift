import SeerTensor

/// transformers' SiglipTextTransformer (`text_model.*`): token + position embeddings, a
/// bidirectional encoder (no causal mask, and no attention mask: the checkpoints were trained
/// attending over the padding), `final_layer_norm`, the hidden state at the *last position*
/// (padding or not), then `head` with bias.
struct SigLIPTextTransformer: Sendable {
    let config: SigLIPTextConfig
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    let encoder: Encoder
    let finalLayerNorm: LayerNorm
    let head: Linear

    init(_ weights: Weights, config: SigLIPTextConfig) throws {
        self.config = config
        let width = config.hiddenSize
        tokenEmbedding = try Embedding(weights.scoped("embeddings.token_embedding"), count: config.vocabSize, dimension: width)
        positionEmbedding = try Embedding(weights.scoped("embeddings.position_embedding"), count: config.maxPositionEmbeddings, dimension: width)
        encoder = try Encoder.clip(weights.scoped("encoder"), layers: config.numHiddenLayers, width: width,
                                   intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                   activationName: config.hiddenAct, eps: config.layerNormEps)
        finalLayerNorm = try LayerNorm(weights.scoped("final_layer_norm"), dimension: width, eps: config.layerNormEps)
        head = try Linear(weights.scoped("head"), inFeatures: width, outFeatures: config.projectionSize)
    }

    /// Token id sequences, all of one length (the tokenizer pads to it) → pooled outputs
    /// [count, projectionSize] (`pooler_output`).
    func pooledOutput(tokenIDs: [[Int32]]) throws -> Tensor {
        guard let tokens = tokenIDs.first?.count, tokens > 0 else { throw ModelError.invalidInput("empty token sequence") }
        guard tokenIDs.allSatisfy({ $0.count == tokens }) else {
            throw ModelError.invalidInput("SigLIP's text tower takes sequences padded to one length (it pools the last position)")
        }
        guard tokens <= config.maxPositionEmbeddings else {
            throw ModelError.invalidInput("\(tokens) tokens exceed the text model's \(config.maxPositionEmbeddings) positions")
        }
        if let bad = tokenIDs.joined().first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        let batch = tokenIDs.count, width = config.hiddenSize
        let hidden = Tensor(uninitialized: [batch, tokens, width])
        for (b, ids) in tokenIDs.enumerated() {
            for t in 0..<tokens {
                let row = hidden.pointer + (b * tokens + t) * width
                let token = tokenEmbedding.row(Int(ids[t])), position = positionEmbedding.row(t)
                for i in 0..<width { row[i] = token[i] + position[i] }
            }
        }
        encoder.forward(hidden, causal: false)
        // Only the last position is pooled, so only its row needs the final LayerNorm.
        let last = Tensor(uninitialized: [batch, width])
        for b in 0..<batch {
            (last.pointer + b * width).update(from: hidden.pointer + (b * tokens + tokens - 1) * width, count: width)
        }
        return head(finalLayerNorm(last))
    }
}
