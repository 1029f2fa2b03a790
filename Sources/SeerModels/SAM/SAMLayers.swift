import SeerTensor

// The convolutions and small blocks SAM is built from. Feature maps are kept channels-last
// ([height, width, channels], row-major): a 1×1 convolution is then a Linear over rows,
// LayerNorm2d a LayerNorm over rows, and larger kernels a Linear over unfolded patches.

/// torch.nn.Conv2d on a channels-last map, as one matrix multiply over unfolded patches
/// (im2col). The weight [out, in, k, k] is reordered once to [out, (ky, kx, in)], so each
/// kernel row of a patch is one contiguous copy from the channels-last input.
struct Conv2d: Sendable {
    let weight: LinearWeight
    let bias: Tensor?
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int

    init(_ weights: Weights, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) throws {
        let w = try weights.tensor("weight", shape: [outChannels, inChannels, kernel, kernel])
        let reordered = Tensor(uninitialized: [outChannels, kernel * kernel * inChannels])
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                for k in 0..<(kernel * kernel) {
                    reordered.pointer[o * kernel * kernel * inChannels + k * inChannels + c] =
                        w.pointer[(o * inChannels + c) * kernel * kernel + k]
                }
            }
        }
        weight = LinearWeight(reordered)
        self.bias = bias ? try weights.tensor("bias", shape: [outChannels]) : nil
        (self.inChannels, self.outChannels, self.kernel, self.stride, self.padding) = (inChannels, outChannels, kernel, stride, padding)
    }

    func outputSize(_ size: Int) -> Int { (size + 2 * padding - kernel) / stride + 1 }

    /// input [height, width, inChannels] → [outHeight, outWidth, outChannels].
    func callAsFunction(_ input: Tensor) -> Tensor {
        let (height, width) = (input.shape[0], input.shape[1])
        let (outHeight, outWidth) = (outputSize(height), outputSize(width))
        let out = Tensor(uninitialized: [outHeight, outWidth, outChannels])
        if kernel == 1 && stride == 1 && padding == 0 {
            Ops.linear(input.reshaped([height * width, inChannels]), weight: weight, bias: bias, into: out.reshaped([height * width, outChannels]))
            return out
        }
        let patchLength = kernel * kernel * inChannels
        let columns = Tensor(uninitialized: [outHeight * outWidth, patchLength])
        let (src, dst) = (input.pointer, columns.pointer)
        let (kernel, stride, padding, channels) = (self.kernel, self.stride, self.padding, inChannels)
        parallelChunks(outHeight, grain: 8) { rows in
            for oy in rows {
                for ox in 0..<outWidth {
                    var row = dst + (oy * outWidth + ox) * patchLength
                    for ky in 0..<kernel {
                        let y = oy * stride - padding + ky
                        for kx in 0..<kernel {
                            let x = ox * stride - padding + kx
                            if y >= 0 && y < height && x >= 0 && x < width {
                                row.update(from: src + (y * width + x) * channels, count: channels)
                            } else {
                                row.update(repeating: 0, count: channels)
                            }
                            row += channels
                        }
                    }
                }
            }
        }
        withExtendedLifetime(input) {
            Ops.linear(columns, weight: weight, bias: bias, into: out.reshaped([outHeight * outWidth, outChannels]))
        }
        return out
    }
}

/// torch.nn.ConvTranspose2d(kernel 2, stride 2) on a channels-last map: every input pixel
/// becomes a 2×2 block of the output, one Linear [in → (dy, dx, out)] per pixel.
struct ConvTranspose2x2: Sendable {
    let weight: LinearWeight
    let bias: Tensor  // [4 · out], the bias repeated for each (dy, dx)
    let inChannels: Int, outChannels: Int

    init(_ weights: Weights, inChannels: Int, outChannels: Int) throws {
        let w = try weights.tensor("weight", shape: [inChannels, outChannels, 2, 2])
        let b = try weights.tensor("bias", shape: [outChannels])
        let reordered = Tensor(uninitialized: [4 * outChannels, inChannels])
        for c in 0..<inChannels {
            for o in 0..<outChannels {
                for d in 0..<4 {
                    reordered.pointer[(d * outChannels + o) * inChannels + c] = w.pointer[(c * outChannels + o) * 4 + d]
                }
            }
        }
        weight = LinearWeight(reordered)
        bias = Tensor(shape: [4 * outChannels], values: (0..<4).flatMap { _ in b.scalars })
        (self.inChannels, self.outChannels) = (inChannels, outChannels)
    }

    /// input [batch, height, width, in] → [batch, 2·height, 2·width, out].
    func callAsFunction(_ input: Tensor) -> Tensor {
        let (batch, height, width) = (input.shape[0], input.shape[1], input.shape[2])
        let pixels = batch * height * width
        let blocks = Ops.linear(input.reshaped([pixels, inChannels]), weight: weight, bias: bias)
        let out = Tensor(uninitialized: [batch, 2 * height, 2 * width, outChannels])
        let (src, dst, channels) = (blocks.pointer, out.pointer, outChannels)
        parallelChunks(batch * height, grain: 16) { rows in
            for r in rows {
                let (b, y) = (r / height, r % height)
                for x in 0..<width {
                    let block = src + ((b * height + y) * width + x) * 4 * channels
                    for dy in 0..<2 {
                        let target = dst + ((b * 2 * height + 2 * y + dy) * 2 * width + 2 * x) * channels
                        // (dy, 0) and (dy, 1) are adjacent in both layouts: one copy of 2 pixels.
                        target.update(from: block + dy * 2 * channels, count: 2 * channels)
                    }
                }
            }
        }
        withExtendedLifetime(blocks) {}
        return out
    }
}

/// transformers' SamFeedForward: proj_in, ReLU, (depth − 2) × (Linear, ReLU), proj_out.
struct SAMFeedForward: Sendable {
    let projIn: Linear
    let hidden: [Linear]
    let projOut: Linear

    init(_ weights: Weights, input: Int, hidden width: Int, output: Int, depth: Int) throws {
        projIn = try Linear(weights.scoped("proj_in"), inFeatures: input, outFeatures: width)
        hidden = try (0..<(depth - 2)).map { try Linear(weights.scoped("layers.\($0)"), inFeatures: width, outFeatures: width) }
        projOut = try Linear(weights.scoped("proj_out"), inFeatures: width, outFeatures: output)
    }

    /// x [rows, input] → [rows, output].
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = projIn(x)
        Ops.apply(.relu, inPlace: h)
        for layer in hidden {
            h = layer(h)
            Ops.apply(.relu, inPlace: h)
        }
        return projOut(h)
    }
}
