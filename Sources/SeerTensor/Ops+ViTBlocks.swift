import CSeerKernels

/// Kernels that ViT blocks beyond CLIP's need: LayerScale residuals and SwiGLU (DINOv2).
extension Ops {
    /// x += y ⊙ scale, where y has x's shape and scale is one vector over the last dimension:
    /// `hidden + layer_scale(branch)` in one pass over memory (transformers' Dinov2LayerScale
    /// multiplies, then the residual adds).
    public static func add(_ y: Tensor, scaledBy scale: Tensor, into x: Tensor) {
        let width = x.shape.last ?? 0
        precondition(y.count == x.count, "add: \(y.shape) does not match \(x.shape)")
        precondition(scale.count == width, "add: scale of \(scale.count) does not match width \(width)")
        let rows = x.count / max(width, 1)
        let (a, b, s) = (x.pointer, y.pointer, scale.pointer)
        parallelChunks(rows, grain: max(1, (1 << 16) / max(width, 1))) { range in
            for r in range { seer_add_scaled(a + r * width, b + r * width, s, width) }
        }
        withExtendedLifetime((x, y, scale)) {}
    }

    /// SwiGLU gating: x [..., 2·width] holds [gate ‖ up] per row (DINOv2's fused `weights_in`
    /// output, chunked as transformers' Dinov2SwiGLUFFN does); out [..., width] = silu(gate) · up.
    public static func swiglu(_ x: Tensor, into out: Tensor) {
        let width = out.shape.last ?? 0
        precondition(x.shape.last == 2 * width && x.count == 2 * out.count, "swiglu: input \(x.shape) is not [..., 2 × \(width)] for output \(out.shape)")
        let rows = out.count / max(width, 1)
        let (source, destination) = (x.pointer, out.pointer)
        parallelChunks(rows, grain: max(1, (1 << 14) / max(width, 1))) { range in
            seer_swiglu(source + range.lowerBound * 2 * width, destination + range.lowerBound * width, range.count, width)
        }
        withExtendedLifetime((x, out)) {}
    }
}
