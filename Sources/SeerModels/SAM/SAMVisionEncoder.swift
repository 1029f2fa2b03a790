import SeerTensor

/// One block of SAM's ViT (transformers' SamVisionLayer, `vision_encoder.layers.N`):
/// pre-LayerNorm attention, windowed (with zero padding up to a multiple of the window) or
/// global, with decomposed relative positions; then a pre-LayerNorm MLP.
struct SAMVisionLayer: Sendable {
    let layerNorm1: LayerNorm
    let qkv: Linear
    let proj: Linear
    let relPosH: Tensor?
    let relPosW: Tensor?
    let layerNorm2: LayerNorm
    let lin1: Linear
    let lin2: Linear
    let activation: Activation
    let heads: Int
    /// 0 for global attention.
    let windowSize: Int

    init(_ weights: Weights, config: SAMVisionConfig, windowSize: Int, activation: Activation) throws {
        let width = config.hiddenSize
        layerNorm1 = try LayerNorm(weights.scoped("layer_norm1"), dimension: width, eps: config.layerNormEps)
        let attention = weights.scoped("attn")
        qkv = try Linear(attention.scoped("qkv"), inFeatures: width, outFeatures: 3 * width, bias: config.qkvBias)
        proj = try Linear(attention.scoped("proj"), inFeatures: width, outFeatures: width)
        if config.useRelPos {
            // SamVisionAttention.get_rel_pos interpolates the tables to 2·side − 1 entries; at
            // that length (every released checkpoint) the interpolation is the identity.
            let side = windowSize == 0 ? config.gridSize : windowSize
            relPosH = try attention.tensor("rel_pos_h", shape: [2 * side - 1, config.headDim])
            relPosW = try attention.tensor("rel_pos_w", shape: [2 * side - 1, config.headDim])
        } else {
            (relPosH, relPosW) = (nil, nil)
        }
        layerNorm2 = try LayerNorm(weights.scoped("layer_norm2"), dimension: width, eps: config.layerNormEps)
        lin1 = try Linear(weights.scoped("mlp.lin1"), inFeatures: width, outFeatures: config.mlpDim)
        lin2 = try Linear(weights.scoped("mlp.lin2"), inFeatures: config.mlpDim, outFeatures: width)
        self.activation = activation
        heads = config.numAttentionHeads
        self.windowSize = windowSize
    }

    /// hidden [grid, grid, width], updated in place.
    func forward(_ hidden: Tensor) {
        let (grid, width) = (hidden.shape[0], hidden.shape[2])
        let tokens = grid * grid
        let flat = hidden.reshaped([tokens, width])
        let normed = layerNorm1(flat)

        let attended = Tensor(uninitialized: [tokens, width])
        if windowSize == 0 {
            let qkvOut = qkv(normed).reshaped([1, tokens, 3 * width])
            Ops.gridAttention(qkv: qkvOut, windows: 1, side: grid, heads: heads, relPosH: relPosH, relPosW: relPosW,
                              into: attended.reshaped([1, tokens, width]))
        } else {
            let windowed = windowPartition(normed, grid: grid, width: width)
            let windows = windowed.shape[0], side = windowSize
            let qkvOut = qkv(windowed.reshaped([windows * side * side, width])).reshaped([windows, side * side, 3 * width])
            let out = Tensor(uninitialized: [windows, side * side, width])
            Ops.gridAttention(qkv: qkvOut, windows: windows, side: side, heads: heads, relPosH: relPosH, relPosW: relPosW, into: out)
            windowUnpartition(out, grid: grid, width: width, into: attended)
        }
        let projected = proj(attended)
        Ops.add(projected, into: flat)

        let normed2 = layerNorm2(flat)
        let intermediate = lin1(normed2)
        Ops.apply(activation, inPlace: intermediate)
        let mlpOut = lin2(intermediate)
        Ops.add(mlpOut, into: flat)
    }

    /// SamVisionLayer.window_partition: pads the grid with zeros (bottom and right) to a
    /// multiple of the window and cuts it into [windows, side·side, width], windows row-major.
    /// The padded tokens take part in attention as keys, as in the reference.
    private func windowPartition(_ x: Tensor, grid: Int, width: Int) -> Tensor {
        let side = windowSize, perRow = (grid + side - 1) / side
        let out = Tensor(uninitialized: [perRow * perRow, side * side, width])
        let (src, dst) = (x.pointer, out.pointer)
        parallelChunks(perRow * perRow, grain: 1) { windows in
            for w in windows {
                let (wy, wx) = (w / perRow, w % perRow)
                for r in 0..<side {
                    let y = wy * side + r
                    let row = dst + (w * side * side + r * side) * width
                    let x0 = wx * side, valid = y < grid ? max(0, min(side, grid - x0)) : 0
                    if valid > 0 { row.update(from: src + (y * grid + x0) * width, count: valid * width) }
                    if valid < side { (row + valid * width).update(repeating: 0, count: (side - valid) * width) }
                }
            }
        }
        withExtendedLifetime(x) {}
        return out
    }

    /// SamVisionLayer.window_unpartition: the windows back into the grid, padding dropped.
    private func windowUnpartition(_ windows: Tensor, grid: Int, width: Int, into out: Tensor) {
        let side = windowSize, perRow = (grid + side - 1) / side
        let (src, dst) = (windows.pointer, out.pointer)
        parallelChunks(grid, grain: 4) { rows in
            for y in rows {
                let (wy, r) = (y / side, y % side)
                for wx in 0..<perRow {
                    let x0 = wx * side, valid = min(side, grid - x0)
                    let w = wy * perRow + wx
                    (dst + (y * grid + x0) * width).update(from: src + (w * side * side + r * side) * width, count: valid * width)
                }
            }
        }
        withExtendedLifetime((windows, out)) {}
    }
}

/// transformers' SamVisionEncoder (`vision_encoder.*`): patch embedding (a 16×16 stride-16
/// convolution), absolute positions, the blocks, and the neck (1×1 conv, LayerNorm2d,
/// 3×3 conv, LayerNorm2d) down to `output_channels`.
struct SAMVisionEncoder: Sendable {
    let config: SAMVisionConfig
    let patchEmbed: Conv2d
    let posEmbed: Tensor?  // [1, grid, grid, width]
    let layers: [SAMVisionLayer]
    let neckConv1: Conv2d
    let neckNorm1: LayerNorm
    let neckConv2: Conv2d
    let neckNorm2: LayerNorm

    init(_ weights: Weights, config: SAMVisionConfig) throws {
        self.config = config
        guard let activation = Activation(configName: config.hiddenAct) else {
            throw ModelError.unsupported("vision hidden_act '\(config.hiddenAct)' (Seer supports quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu)")
        }
        let (width, grid) = (config.hiddenSize, config.gridSize)
        patchEmbed = try Conv2d(weights.scoped("patch_embed.projection"), inChannels: config.numChannels, outChannels: width,
                                kernel: config.patchSize, stride: config.patchSize)
        posEmbed = config.useAbsPos ? try weights.tensor("pos_embed", shape: [1, grid, grid, width]) : nil
        layers = try (0..<config.numHiddenLayers).map { i in
            try SAMVisionLayer(weights.scoped("layers.\(i)"), config: config,
                               windowSize: config.globalAttnIndexes.contains(i) ? 0 : config.windowSize, activation: activation)
        }
        let neck = weights.scoped("neck"), out = config.outputChannels
        neckConv1 = try Conv2d(neck.scoped("conv1"), inChannels: width, outChannels: out, kernel: 1, bias: false)
        neckNorm1 = try LayerNorm(neck.scoped("layer_norm1"), dimension: out, eps: 1e-6)
        neckConv2 = try Conv2d(neck.scoped("conv2"), inChannels: out, outChannels: out, kernel: 3, padding: 1, bias: false)
        neckNorm2 = try LayerNorm(neck.scoped("layer_norm2"), dimension: out, eps: 1e-6)
    }

    /// pixels [channels, size, size] (channels-first, as the processor makes them) →
    /// image embedding [grid, grid, outputChannels] (channels-last).
    func forward(pixels: Tensor) -> Tensor {
        let (channels, size) = (config.numChannels, config.imageSize)
        // Channels-last, so each kernel row of a patch is one contiguous copy.
        let image = Tensor(uninitialized: [size, size, channels])
        let (src, dst) = (pixels.pointer, image.pointer)
        parallelChunks(size, grain: 16) { rows in
            for y in rows {
                for c in 0..<channels {
                    let plane = src + c * size * size + y * size
                    let row = dst + y * size * channels + c
                    for x in 0..<size { row[x * channels] = plane[x] }
                }
            }
        }
        withExtendedLifetime(pixels) {}
        let hidden = patchEmbed(image)
        if let posEmbed { Ops.add(posEmbed.reshaped(hidden.shape), into: hidden) }
        for layer in layers { layer.forward(hidden) }
        return neckNorm2(neckConv2(neckNorm1(neckConv1(hidden))))
    }
}
