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

    /// x += y, where y has x's shape or is one item repeated along x's leading dimensions
    /// (y.count divides x.count), as torch broadcasts a [1, …] operand.
    public static func add(_ y: Tensor, into x: Tensor) {
        let period = y.count
        precondition(period > 0 && x.count % period == 0, "add: \(y.shape) does not broadcast to \(x.shape)")
        let a = x.pointer, b = y.pointer
        parallelChunks(x.count, grain: 1 << 16) { range in
            // Segments that do not cross a period boundary, each one vectorized call.
            var i = range.lowerBound
            while i < range.upperBound {
                let j = i % period, n = min(range.upperBound - i, period - j)
                seer_add(a + i, b + j, n)
                i += n
            }
        }
        withExtendedLifetime((x, y)) {}
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

    /// Multi-head scaled dot-product attention: query [batch, queryLength, width], key and value
    /// [batch, keyLength, width], heads split along width and addressed in place;
    /// softmax(q·kᵀ / √headDim) · v written to out [batch, queryLength, width]. An input whose
    /// leading dimension is 1 is shared by every batch item. `causal` (queryLength == keyLength)
    /// masks future tokens.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool, into out: Tensor) {
        precondition(out.rank == 3 && query.rank == 3 && key.rank == 3 && value.rank == 3, "attention: inputs must be [batch, tokens, width]")
        let (batch, queryLength, width) = (out.shape[0], out.shape[1], out.shape[2])
        let keyLength = key.shape[1]
        precondition([query, key, value].allSatisfy { ($0.shape[0] == 1 || $0.shape[0] == batch) && $0.shape[2] == width }
                     && query.shape[1] == queryLength && value.shape[1] == keyLength,
                     "attention: query \(query.shape), key \(key.shape), value \(value.shape) do not fit out \(out.shape)")
        precondition(width % heads == 0, "attention: width \(width) not divisible by \(heads) heads")
        precondition(!causal || queryLength == keyLength, "attention: causal needs as many queries as keys")
        let headDim = width / heads
        let scale = 1 / Float(headDim).squareRoot()
        let (q, k, v, o) = (query.pointer, key.pointer, value.pointer, out.pointer)
        func itemStride(_ t: Tensor) -> Int { t.shape[0] == 1 ? 0 : t.count / t.shape[0] }
        let (qStride, kStride, vStride) = (itemStride(query), itemStride(key), itemStride(value))
        // Long queries (SAM's image tokens) are split into blocks so that one batch item still
        // keeps every worker busy and the score block stays small.
        let block = max(1, min(queryLength, 1024))
        let blocks = (queryLength + block - 1) / block
        parallelChunks(batch * heads * blocks, grain: 1) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * keyLength)
            defer { scores.deallocate() }
            for task in range {
                let (b, h, part) = (task / (heads * blocks), (task / blocks) % heads, task % blocks)
                let q0 = part * block, rows = min(block, queryLength - q0)
                sgemm(transposeB: true, m: rows, n: keyLength, k: headDim, alpha: scale,
                      a: q + b * qStride + q0 * width + h * headDim, lda: width,
                      b: k + b * kStride + h * headDim, ldb: width, c: scores, ldc: keyLength)
                for r in 0..<rows {
                    let row = scores + r * keyLength
                    let visible = causal ? q0 + r + 1 : keyLength
                    seer_softmax(row, visible)
                    if visible < keyLength { (row + visible).update(repeating: 0, count: keyLength - visible) }
                }
                sgemm(m: rows, n: headDim, k: keyLength, a: scores, lda: keyLength, b: v + b * vStride + h * headDim, ldb: width,
                      c: o + (b * queryLength + q0) * width + h * headDim, ldc: width)
            }
        }
        withExtendedLifetime((query, key, value, out)) {}
    }
}

/// Inner product of two float vectors of length `count` (vectorized for the CPU at hand).
@inline(__always)
public func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    seer_dot(a, b, count)
}

/// `out[i]` = q · row `index[i]` of the `n`-float rows in `base` (spaced `stride` floats apart),
/// several rows at a time. `prefetch`: request every row from memory first, so that their
/// misses overlap (rows not in cache); leave it off for rows just used.
@inline(__always)
public func dotProducts(_ q: UnsafePointer<Float>, rowsOf base: UnsafePointer<Float>, stride: Int, at index: UnsafePointer<Int32>,
                        count: Int, length n: Int, into out: UnsafeMutablePointer<Float>, prefetch: Bool) {
    seer_dot_gather(q, base, stride, index, count, n, out, prefetch ? 1 : 0)
}
