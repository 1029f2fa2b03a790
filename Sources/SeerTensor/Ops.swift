import CSeerKernels
import Foundation

/// Activation functions by their transformers names (`hidden_act` in config.json).
public enum Activation: String, Sendable, Codable {
    case quickGELU = "quick_gelu"       // x · σ(1.702x), OpenAI CLIP
    case gelu = "gelu"                  // exact, erf-based
    case geluTanh = "gelu_pytorch_tanh" // tanh approximation (also "gelu_new")
    case relu = "relu"

    public init?(configName: String) {
        if configName == "gelu_new" || configName == "gelu_fast" { self = .geluTanh; return }
        self.init(rawValue: configName)
    }
}

/// Kernels over tensors viewed as matrices [rows, lastDim]. Outputs are written into tensors the
/// caller allocated, so a forward pass can reuse its buffers across layers.
public enum Ops {
    /// out = x · weightᵀ + bias (a torch.nn.Linear).
    public static func linear(_ x: Tensor, weight: LinearWeight, bias: Tensor?, into out: Tensor) {
        precondition(x.shape.last == weight.inFeatures, "linear: input \(x.shape) does not match weight [\(weight.outFeatures), \(weight.inFeatures)]")
        let rows = x.count / weight.inFeatures
        precondition(out.count == rows * weight.outFeatures, "linear: output \(out.shape) is not [\(rows), \(weight.outFeatures)]")
        precondition(bias == nil || bias!.count == weight.outFeatures, "linear: bias does not match \(weight.outFeatures) outputs")
        withExtendedLifetime((x, bias, out)) {
            weight.multiply(x.pointer, rows: rows, bias: bias?.pointer, into: out.pointer)
        }
    }

    public static func linear(_ x: Tensor, weight: LinearWeight, bias: Tensor? = nil) -> Tensor {
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [weight.outFeatures])
        linear(x, weight: weight, bias: bias, into: out)
        return out
    }

    /// LayerNorm over the last dimension (biased variance, as torch.nn.LayerNorm).
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float, into out: Tensor) {
        let width = x.shape.last!
        precondition(weight.count == width && bias.count == width, "layerNorm: weight does not match width \(width)")
        precondition(out.count == x.count, "layerNorm: output size mismatch")
        let rows = x.count / width
        let src = x.pointer, dst = out.pointer, gamma = weight.pointer, beta = bias.pointer
        parallelChunks(rows, grain: 64) { range in
            for r in range { seer_layer_norm_row(src + r * width, dst + r * width, gamma, beta, width, eps) }
        }
    }

    /// x += y (same shape).
    public static func add(_ y: Tensor, into x: Tensor) {
        precondition(x.count == y.count, "add: \(x.shape) vs \(y.shape)")
        let a = x.pointer, b = y.pointer
        parallelChunks(x.count, grain: 1 << 16) { range in
            seer_add(a + range.lowerBound, b + range.lowerBound, range.count)
        }
    }

    public static func apply(_ activation: Activation, inPlace x: Tensor) {
        let p = x.pointer
        parallelChunks(x.count, grain: 1 << 14) { range in
            let start = p + range.lowerBound, n = range.count
            switch activation {
            case .quickGELU: seer_quick_gelu(start, n)
            case .gelu: seer_gelu_erf(start, n)
            case .geluTanh: seer_gelu_tanh(start, n)
            case .relu: seer_relu(start, n)
            }
        }
    }

    /// Multi-head scaled dot-product attention on [batch, tokens, heads·headDim] projections,
    /// heads addressed in place through leading dimensions. `causal` masks future tokens.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool, into out: Tensor) {
        precondition(query.rank == 3 && key.shape == query.shape && value.shape == query.shape && out.shape == query.shape,
                     "attention: q/k/v/out shapes differ")
        let batch = query.shape[0], tokens = query.shape[1], width = query.shape[2]
        precondition(width % heads == 0, "attention: width \(width) not divisible by \(heads) heads")
        let headDim = width / heads
        let scale = 1 / Float(headDim).squareRoot()
        let q = query.pointer, k = key.pointer, v = value.pointer, o = out.pointer
        parallelChunks(batch * heads, grain: 1) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: tokens * tokens)
            defer { scores.deallocate() }
            for task in range {
                let b = task / heads, h = task % heads
                let offset = b * tokens * width + h * headDim
                sgemm(transposeB: true, m: tokens, n: tokens, k: headDim, alpha: scale,
                      a: q + offset, lda: width, b: k + offset, ldb: width, c: scores, ldc: tokens)
                for i in 0..<tokens {
                    let row = scores + i * tokens
                    let visible = causal ? i + 1 : tokens
                    seer_softmax(row, visible)
                    if visible < tokens { (row + visible).update(repeating: 0, count: tokens - visible) }
                }
                sgemm(m: tokens, n: headDim, k: tokens, a: scores, lda: tokens,
                      b: v + offset, ldb: width, c: o + offset, ldc: width)
            }
        }
    }
}

/// Inner product of two float vectors of length `count` (vectorized for the CPU at hand).
@inline(__always)
public func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    seer_dot(a, b, count)
}

/// `out[i]` = q · row `index[i]` of the `n`-float rows in `base` (spaced `stride` floats apart),
/// computed several rows at a time so that their memory latency overlaps.
@inline(__always)
public func dotProducts(_ q: UnsafePointer<Float>, rowsOf base: UnsafePointer<Float>, stride: Int, at index: UnsafePointer<Int32>,
                        count: Int, length n: Int, into out: UnsafeMutablePointer<Float>) {
    seer_dot_gather(q, base, stride, index, count, n, out)
}
