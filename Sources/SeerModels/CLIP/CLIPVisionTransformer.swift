import SeerTensor

/// transformers' CLIPVisionTransformer (`vision_model.*`): patch embedding as a strided
/// convolution without bias, class token, learned positions, pre-LayerNorm ("pre_layrnorm",
/// sic), the encoder, and post-LayerNorm of the class token. OWL-ViT's and OWLv2's vision towers
/// are the same with the norm spelled `pre_layernorm`; they take every token's final state.
struct CLIPVisionTransformer: Sendable {
    let config: CLIPVisionConfig
    let classEmbedding: Tensor      // [width]
    let patchEmbedding: PatchEmbedding
    let positionEmbedding: Embedding
    let preLayerNorm: LayerNorm
    let encoder: Encoder
    let postLayerNorm: LayerNorm

    init(_ weights: Weights, config: CLIPVisionConfig, preLayerNormName: String = "pre_layrnorm") throws {
        self.config = config
        let width = config.hiddenSize
        let embeddings = weights.scoped("embeddings")
        classEmbedding = try embeddings.tensor("class_embedding", shape: [width])
        patchEmbedding = try PatchEmbedding(embeddings.scoped("patch_embedding"), channels: config.numChannels,
                                            patch: config.patchSize, width: width, bias: false)
        positionEmbedding = try Embedding(embeddings.scoped("position_embedding"), count: config.tokenCount, dimension: width)
        preLayerNorm = try LayerNorm(weights.scoped(preLayerNormName), dimension: width, eps: config.layerNormEps)
        encoder = try Encoder.clip(weights.scoped("encoder"), layers: config.numHiddenLayers, width: width,
                                   intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                   activationName: config.hiddenAct, eps: config.layerNormEps)
        postLayerNorm = try LayerNorm(weights.scoped("post_layernorm"), dimension: width, eps: config.layerNormEps)
    }

    /// pixelValues [batch, channels, size, size] → pooled output [batch, width].
    func pooledOutput(pixelValues: Tensor) -> Tensor {
        let batch = pixelValues.shape[0]
        let width = config.hiddenSize, tokens = config.tokenCount
        let embedded = Tensor(uninitialized: [batch, tokens, width])
        embed(pixelValues, into: embedded)

        let hidden = Tensor(uninitialized: embedded.shape)
        preLayerNorm(embedded, into: hidden)
        // Only the class token is pooled: the last layer runs for it alone (the other tokens
        // still give it their keys and values), and only its row gets the final LayerNorm.
        return postLayerNorm(encoder.firstTokenOutput(hidden))
    }

    /// pixelValues [batch, channels, size, size] → the encoder's last hidden state [batch, tokens,
    /// width] (before `post_layernorm`), class token first.
    func lastHiddenState(pixelValues: Tensor) -> Tensor {
        let embedded = Tensor(uninitialized: [pixelValues.shape[0], config.tokenCount, config.hiddenSize])
        embed(pixelValues, into: embedded)
        let hidden = Tensor(uninitialized: embedded.shape)
        preLayerNorm(embedded, into: hidden)
        encoder.forward(hidden, causal: false)
        return hidden
    }

    /// Patch tokens after the class token, plus position embeddings (CLIPVisionEmbeddings.forward;
    /// the grid is always the config's, so positions are never resized).
    private func embed(_ pixels: Tensor, into embedded: Tensor) {
        let batch = pixels.shape[0], patchCount = config.patchesPerSide * config.patchesPerSide
        let width = config.hiddenSize, tokens = config.tokenCount
        let patchTokens = patchEmbedding(pixels)
        for b in 0..<batch {
            let imageTokens = embedded.pointer + b * tokens * width
            imageTokens.update(from: classEmbedding.pointer, count: width)
            (imageTokens + width).update(from: patchTokens.pointer + b * patchCount * width, count: patchCount * width)
            for t in 0..<tokens {
                let row = imageTokens + t * width, position = positionEmbedding.row(t)
                for i in 0..<width { row[i] += position[i] }
            }
        }
        withExtendedLifetime(patchTokens) {}
    }
}
