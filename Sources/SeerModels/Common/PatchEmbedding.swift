import SeerTensor

/// A ViT patch embedding: torch.nn.Conv2d(channels, width, kernel_size = stride = patch), with or
/// without bias, computed as one matrix multiply over the unfolded patches. Any input size works;
/// as with the strided convolution, rows and columns past the last whole patch are ignored.
struct PatchEmbedding: Sendable {
    /// The conv weight [width, channels, patch, patch] viewed as [width, channels·patch²].
    let weight: LinearWeight
    let bias: Tensor?
    let channels: Int
    let patch: Int
    let width: Int

    /// `weights` is scoped to the convolution (CLIP: `embeddings.patch_embedding`, DINOv2:
    /// `embeddings.patch_embeddings.projection`), which holds `weight` and, with `bias`, `bias`.
    init(_ weights: Weights, channels: Int, patch: Int, width: Int, bias: Bool) throws {
        weight = LinearWeight(try weights.tensor("weight", shape: [width, channels, patch, patch])
            .reshaped([width, channels * patch * patch]))
        self.bias = bias ? try weights.tensor("bias", shape: [width]) : nil
        self.channels = channels
        self.patch = patch
        self.width = width
    }

    /// The patch grid of an input: (rows, columns).
    func grid(height: Int, width: Int) -> (rows: Int, columns: Int) { (height / patch, width / patch) }

    /// pixels [batch, channels, height, width] → patch tokens [batch · rows · columns, width], in
    /// row-major patch order (the conv output flattened as `flatten(2).transpose(1, 2)`).
    func callAsFunction(_ pixels: Tensor) -> Tensor {
        precondition(pixels.rank == 4 && pixels.shape[1] == channels, "patch embedding: pixels \(pixels.shape) are not [batch, \(channels), height, width]")
        let (batch, height, imageWidth) = (pixels.shape[0], pixels.shape[2], pixels.shape[3])
        let (rows, columns) = grid(height: height, width: imageWidth)
        let patchLength = channels * patch * patch
        let unfolded = Tensor(uninitialized: [batch * rows * columns, patchLength])
        let (source, destination, patch, channels) = (pixels.pointer, unfolded.pointer, patch, channels)
        parallelChunks(batch * rows, grain: 4) { range in
            for task in range {
                let (b, py) = (task / rows, task % rows)
                let image = source + b * channels * height * imageWidth
                // Row (b, py, px), column (c, ky, kx): the order of the conv weight's flattened kernel.
                for px in 0..<columns {
                    var out = destination + (task * columns + px) * patchLength
                    for c in 0..<channels {
                        for ky in 0..<patch {
                            out.update(from: image + (c * height + py * patch + ky) * imageWidth + px * patch, count: patch)
                            out += patch
                        }
                    }
                }
            }
        }
        withExtendedLifetime(pixels) {}
        return Ops.linear(unfolded, weight: weight, bias: bias)
    }
}
