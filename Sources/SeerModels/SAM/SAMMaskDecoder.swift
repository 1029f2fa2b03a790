import SeerTensor

/// transformers' SamAttention: projections to an inner width (hidden / downsample rate),
/// multi-head attention, projection back. Inputs are batched [prompts, length, hidden].
struct SAMDecoderAttention: Sendable {
    let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    let heads: Int

    init(_ weights: Weights, hidden: Int, downsampleRate: Int, heads: Int) throws {
        let inner = hidden / downsampleRate
        qProj = try Linear(weights.scoped("q_proj"), inFeatures: hidden, outFeatures: inner)
        kProj = try Linear(weights.scoped("k_proj"), inFeatures: hidden, outFeatures: inner)
        vProj = try Linear(weights.scoped("v_proj"), inFeatures: hidden, outFeatures: inner)
        outProj = try Linear(weights.scoped("out_proj"), inFeatures: inner, outFeatures: hidden)
        self.heads = heads
    }

    func callAsFunction(query: Tensor, key: Tensor, value: Tensor) -> Tensor {
        let q = qProj(query), k = kProj(key), v = vProj(value)
        let batch = max(q.shape[0], k.shape[0], v.shape[0])
        let attended = Tensor(uninitialized: [batch, q.shape[1], q.shape[2]])
        Ops.attention(query: q, key: k, value: v, heads: heads, causal: false, into: attended)
        return outProj(attended)
    }
}

/// transformers' SamTwoWayAttentionBlock: token self-attention, tokens → image
/// cross-attention, token MLP, image → tokens cross-attention, each followed by a LayerNorm.
struct SAMTwoWayBlock: Sendable {
    let selfAttn: SAMDecoderAttention
    let layerNorm1: LayerNorm
    let crossTokenToImage: SAMDecoderAttention
    let layerNorm2: LayerNorm
    let lin1: Linear, lin2: Linear
    let activation: Activation
    let layerNorm3: LayerNorm
    let layerNorm4: LayerNorm
    let crossImageToToken: SAMDecoderAttention
    let skipFirstLayerPE: Bool

    init(_ weights: Weights, config: SAMMaskDecoderConfig, activation: Activation, skipFirstLayerPE: Bool) throws {
        let (hidden, heads, eps) = (config.hiddenSize, config.numAttentionHeads, config.layerNormEps)
        selfAttn = try SAMDecoderAttention(weights.scoped("self_attn"), hidden: hidden, downsampleRate: 1, heads: heads)
        layerNorm1 = try LayerNorm(weights.scoped("layer_norm1"), dimension: hidden, eps: eps)
        crossTokenToImage = try SAMDecoderAttention(weights.scoped("cross_attn_token_to_image"), hidden: hidden,
                                                    downsampleRate: config.attentionDownsampleRate, heads: heads)
        layerNorm2 = try LayerNorm(weights.scoped("layer_norm2"), dimension: hidden, eps: eps)
        lin1 = try Linear(weights.scoped("mlp.lin1"), inFeatures: hidden, outFeatures: config.mlpDim)
        lin2 = try Linear(weights.scoped("mlp.lin2"), inFeatures: config.mlpDim, outFeatures: hidden)
        self.activation = activation
        layerNorm3 = try LayerNorm(weights.scoped("layer_norm3"), dimension: hidden, eps: eps)
        layerNorm4 = try LayerNorm(weights.scoped("layer_norm4"), dimension: hidden, eps: eps)
        crossImageToToken = try SAMDecoderAttention(weights.scoped("cross_attn_image_to_token"), hidden: hidden,
                                                    downsampleRate: config.attentionDownsampleRate, heads: heads)
        self.skipFirstLayerPE = skipFirstLayerPE
    }

    /// queries [P, tokens, hidden] and keys [P, pixels, hidden] in, both updated. Keys may
    /// come in as [1, pixels, hidden], shared by all P prompts; they leave as [P, …].
    func forward(queries: inout Tensor, keys: inout Tensor, queryPE: Tensor, keyPE: Tensor) {
        if skipFirstLayerPE {
            queries = selfAttn(query: queries, key: queries, value: queries)
        } else {
            let q = sum(queries, queryPE)
            queries = sum(queries, selfAttn(query: q, key: q, value: queries))
        }
        queries = layerNorm1(queries)

        let keysWithPE = sum(keys, keyPE)
        queries = layerNorm2(sum(queries, crossTokenToImage(query: sum(queries, queryPE), key: keysWithPE, value: keys)))

        let hidden = lin1(queries)
        Ops.apply(activation, inPlace: hidden)
        queries = layerNorm3(sum(queries, lin2(hidden)))

        // In place on the fresh attention output: no more image-sized temporaries than needed.
        let attended = crossImageToToken(query: keysWithPE, key: sum(queries, queryPE), value: queries)
        Ops.add(keys, into: attended)
        layerNorm4(attended, into: attended)
        keys = attended
    }
}

/// transformers' SamMaskDecoder (`mask_decoder.*`): the two-way transformer over output
/// tokens + prompt tokens and the image, then masks from the upscaled image features and the
/// hypernetwork of each mask token, and an IoU prediction per mask.
struct SAMMaskDecoder: Sendable {
    let config: SAMMaskDecoderConfig
    let outputTokens: Tensor  // [1 + maskTokens, hidden]: iou_token then mask_tokens
    let layers: [SAMTwoWayBlock]
    let finalAttn: SAMDecoderAttention
    let finalNorm: LayerNorm
    let upscaleConv1: ConvTranspose2x2
    let upscaleNorm: LayerNorm
    let upscaleConv2: ConvTranspose2x2
    let hypernetworks: [SAMFeedForward]
    let iouHead: SAMFeedForward

    init(_ weights: Weights, config: SAMMaskDecoderConfig) throws {
        self.config = config
        let hidden = config.hiddenSize, maskTokens = config.maskTokenCount
        let iou = try weights.tensor("iou_token.weight", shape: [1, hidden])
        let masks = try weights.tensor("mask_tokens.weight", shape: [maskTokens, hidden])
        outputTokens = Tensor(shape: [1 + maskTokens, hidden], values: iou.scalars + masks.scalars)
        guard let activation = Activation(configName: config.hiddenAct) else {
            throw ModelError.unsupported("mask decoder hidden_act '\(config.hiddenAct)'")
        }
        let transformer = weights.scoped("transformer")
        layers = try (0..<config.numHiddenLayers).map {
            try SAMTwoWayBlock(transformer.scoped("layers.\($0)"), config: config, activation: activation, skipFirstLayerPE: $0 == 0)
        }
        finalAttn = try SAMDecoderAttention(transformer.scoped("final_attn_token_to_image"), hidden: hidden,
                                            downsampleRate: config.attentionDownsampleRate, heads: config.numAttentionHeads)
        // nn.LayerNorm(hidden) with torch's default eps, not the config's.
        finalNorm = try LayerNorm(transformer.scoped("layer_norm_final_attn"), dimension: hidden, eps: 1e-5)
        upscaleConv1 = try ConvTranspose2x2(weights.scoped("upscale_conv1"), inChannels: hidden, outChannels: hidden / 4)
        upscaleNorm = try LayerNorm(weights.scoped("upscale_layer_norm"), dimension: hidden / 4, eps: 1e-6)
        upscaleConv2 = try ConvTranspose2x2(weights.scoped("upscale_conv2"), inChannels: hidden / 4, outChannels: hidden / 8)
        hypernetworks = try (0..<maskTokens).map {
            try SAMFeedForward(weights.scoped("output_hypernetworks_mlps.\($0)"), input: hidden, hidden: hidden, output: hidden / 8, depth: 3)
        }
        iouHead = try SAMFeedForward(weights.scoped("iou_prediction_head"), input: hidden, hidden: config.iouHeadHiddenDim,
                                     output: maskTokens, depth: config.iouHeadDepth)
    }

    /// One batch of P prompts with the same number of sparse tokens.
    /// - image: [P, grid·grid, hidden] image embedding plus dense prompt embedding, per prompt,
    ///   or [1, grid·grid, hidden] when all P share it (no mask inputs): the first layer's
    ///   image-side projections are then computed once.
    /// - imagePE: [grid·grid, hidden], the image-wide positional embedding.
    /// - sparse: [P, sparseTokens, hidden].
    /// Returns the selected masks' low-resolution logits [P, masks, 4·grid, 4·grid] and IoU
    /// predictions [P, masks]: masks 1… with `multimask`, mask 0 without (as transformers).
    func forward(image: Tensor, imagePE: Tensor, sparse: Tensor, grid: Int, multimask: Bool) -> (masks: Tensor, iou: Tensor) {
        let (prompts, hidden) = (sparse.shape[0], config.hiddenSize)
        let outputCount = outputTokens.shape[0], sparseCount = sparse.shape[1]
        let tokenCount = outputCount + sparseCount
        let tokens = Tensor(uninitialized: [prompts, tokenCount, hidden])
        for p in 0..<prompts {
            let row = tokens.pointer + p * tokenCount * hidden
            row.update(from: outputTokens.pointer, count: outputCount * hidden)
            (row + outputCount * hidden).update(from: sparse.pointer + p * sparseCount * hidden, count: sparseCount * hidden)
        }
        withExtendedLifetime((outputTokens, sparse)) {}

        // SamTwoWayTransformer.forward
        var queries = tokens, keys = image
        let keyPE = imagePE
        for layer in layers {
            layer.forward(queries: &queries, keys: &keys, queryPE: tokens, keyPE: keyPE)
        }
        let attended = finalAttn(query: sum(queries, tokens), key: sum(keys, keyPE), value: keys)
        queries = finalNorm(sum(queries, attended))

        if keys.shape[0] != prompts {  // still shared: only with no two-way layers at all
            keys = sum(Tensor(zeros: [prompts] + keys.shape.dropFirst()), keys)
        }
        // Upscaled image features [P, 4·grid, 4·grid, hidden / 8].
        var upscaled = upscaleConv1(keys.reshaped([prompts, grid, grid, hidden]))
        upscaleNorm(upscaled, into: upscaled)
        Ops.apply(.gelu, inPlace: upscaled)
        upscaled = upscaleConv2(upscaled)
        Ops.apply(.gelu, inPlace: upscaled)

        let selected = multimask ? Array(1..<config.maskTokenCount) : [0]
        let (channels, pixels) = (hidden / 8, 16 * grid * grid)
        let masks = Tensor(uninitialized: [prompts, selected.count, 4 * grid, 4 * grid])
        let tokenRows = { (index: Int) -> Tensor in
            let rows = Tensor(uninitialized: [prompts, hidden])
            for p in 0..<prompts { (rows.pointer + p * hidden).update(from: queries.pointer + (p * tokenCount + index) * hidden, count: hidden) }
            return rows
        }
        // hyper[p, m] = hypernetwork m (mask token m); mask = hyper · upscaled pixel features.
        let hyper = Tensor(uninitialized: [prompts, selected.count, channels])
        for (slot, m) in selected.enumerated() {
            let out = hypernetworks[m](tokenRows(1 + m))
            for p in 0..<prompts { (hyper.pointer + (p * selected.count + slot) * channels).update(from: out.pointer + p * channels, count: channels) }
        }
        let (h, u, o) = (hyper.pointer, upscaled.pointer, masks.pointer)
        let count = selected.count
        parallelChunks(prompts, grain: 1) { range in
            for p in range {
                sgemm(transposeB: true, m: count, n: pixels, k: channels, a: h + p * count * channels, lda: channels,
                      b: u + p * pixels * channels, ldb: channels, c: o + p * count * pixels, ldc: pixels)
            }
        }
        withExtendedLifetime((hyper, upscaled)) {}

        let allIoU = iouHead(tokenRows(0))  // [P, maskTokens]
        let iou = Tensor(uninitialized: [prompts, selected.count])
        for p in 0..<prompts {
            for (slot, m) in selected.enumerated() { iou.pointer[p * selected.count + slot] = allIoU.pointer[p * config.maskTokenCount + m] }
        }
        return (masks, withExtendedLifetime(allIoU) { iou })
    }
}

/// a + b, where b either has a's shape or is one item repeated along a's leading dimension.
func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor(uninitialized: a.shape)
    out.pointer.update(from: a.pointer, count: a.count)
    Ops.add(b, into: out)
    return withExtendedLifetime(a) { out }
}
