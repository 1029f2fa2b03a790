import SeerTensor

/// transformers' CLIPVisionTransformer (`vision_model.*`): patch embedding as a strided
/// convolution, class token, learned positions, pre-LayerNorm ("pre_layrnorm", sic), the encoder,
/// and post-LayerNorm of the class token.
struct CLIPVisionTransformer: Sendable {
    let config: CLIPVisionConfig
    let classEmbedding: Tensor      // [width]
    let patchEmbedding: LinearWeight // conv weight [width, channels, patch, patch] viewed as [width, channels·patch²]
    let positionEmbedding: Embedding
    let preLayerNorm: LayerNorm
    let encoder: CLIPEncoder
    let postLayerNorm: LayerNorm

    init(_ weights: Weights, config: CLIPVisionConfig) throws {
        self.config = config
        let width = config.hiddenSize, patch = config.patchSize
        let embeddings = weights.scoped("embeddings")
        classEmbedding = try embeddings.tensor("class_embedding", shape: [width])
        patchEmbedding = LinearWeight(try embeddings.tensor("patch_embedding.weight", shape: [width, config.numChannels, patch, patch])
            .reshaped([width, config.numChannels * patch * patch]))
        positionEmbedding = try Embedding(embeddings.scoped("position_embedding"), count: config.tokenCount, dimension: width)
        preLayerNorm = try LayerNorm(weights.scoped("pre_layrnorm"), dimension: width, eps: config.layerNormEps)
        encoder = try CLIPEncoder(weights.scoped("encoder"), layers: config.numHiddenLayers, width: width,
                                  intermediate: config.intermediateSize, heads: config.numAttentionHeads,
                                  activationName: config.hiddenAct, eps: config.layerNormEps)
        postLayerNorm = try LayerNorm(weights.scoped("post_layernorm"), dimension: width, eps: config.layerNormEps)
    }

    /// pixelValues [batch, channels, size, size] → pooled output [batch, width].
    func pooledOutput(pixelValues: Tensor) -> Tensor {
        let batch = pixelValues.shape[0]
        let width = config.hiddenSize, tokens = config.tokenCount
        let embedded = Tensor(uninitialized: [batch, tokens, width])
        embedPatches(pixelValues, into: embedded)

        let hidden = Tensor(uninitialized: embedded.shape)
        preLayerNorm(embedded, into: hidden)
        encoder.forward(hidden, causal: false)

        // Only the class token is pooled, so only its row needs the final LayerNorm.
        let classTokens = Tensor(uninitialized: [batch, width])
        for b in 0..<batch {
            (classTokens.pointer + b * width).update(from: hidden.pointer + b * tokens * width, count: width)
        }
        return postLayerNorm(classTokens)
    }

    /// Conv2d(stride = kernel = patch) as one matrix multiply over unfolded patches, then class
    /// token and position embeddings (CLIPVisionEmbeddings.forward).
    private func embedPatches(_ pixels: Tensor, into embedded: Tensor) {
        let batch = pixels.shape[0], channels = config.numChannels, size = config.imageSize, patch = config.patchSize
        let side = config.patchesPerSide, patchCount = side * side
        let width = config.hiddenSize, tokens = config.tokenCount
        let patchLength = channels * patch * patch
        let unfolded = Tensor(uninitialized: [batch * patchCount, patchLength])
        for b in 0..<batch {
            let image = pixels.pointer + b * channels * size * size
            // Row (b, py, px), column (c, ky, kx): the order of the conv weight's flattened kernel.
            for py in 0..<side {
                for px in 0..<side {
                    var out = unfolded.pointer + ((b * side + py) * side + px) * patchLength
                    for c in 0..<channels {
                        for ky in 0..<patch {
                            let source = image + c * size * size + (py * patch + ky) * size + px * patch
                            out.update(from: source, count: patch)
                            out += patch
                        }
                    }
                }
            }
        }
        let patchTokens = Ops.linear(unfolded, weight: patchEmbedding)
        for b in 0..<batch {
            let imageTokens = embedded.pointer + b * tokens * width
            imageTokens.update(from: classEmbedding.pointer, count: width)
            (imageTokens + width).update(from: patchTokens.pointer + b * patchCount * width, count: patchCount * width)
            for t in 0..<tokens {
                let row = imageTokens + t * width, position = positionEmbedding.row(t)
                for i in 0..<width { row[i] += position[i] }
            }
        }
    }
}
