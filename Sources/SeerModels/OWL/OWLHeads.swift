import Foundation
import SeerTensor

/// transformers' OwlViTBoxPredictionHead (`box_head`, and OWLv2's `objectness_head` with one
/// output): dense0 → exact GELU → dense1 → exact GELU → dense2.
struct OWLMLPHead: Sendable {
    let dense0: Linear
    let dense1: Linear
    let dense2: Linear

    init(_ weights: Weights, width: Int, outputs: Int) throws {
        dense0 = try Linear(weights.scoped("dense0"), inFeatures: width, outFeatures: width)
        dense1 = try Linear(weights.scoped("dense1"), inFeatures: width, outFeatures: width)
        dense2 = try Linear(weights.scoped("dense2"), inFeatures: width, outFeatures: outputs)
    }

    /// features [batch, patches, width] → [batch, patches, outputs].
    func callAsFunction(_ features: Tensor) -> Tensor {
        let hidden = dense0(features)
        Ops.apply(.gelu, inPlace: hidden)
        let hidden2 = dense1(hidden)
        Ops.apply(.gelu, inPlace: hidden2)
        return dense2(hidden2)
    }
}

/// transformers' OwlViTClassPredictionHead (`class_head`): patch features projected to the text
/// width (`dense0`), both sides divided by (‖·‖ + 1e-6), cosine logits shifted by `logit_shift` and
/// scaled by ELU(`logit_scale`) + 1, both per patch.
struct OWLClassHead: Sendable {
    let dense0: Linear
    let logitShift: Linear
    let logitScale: Linear

    init(_ weights: Weights, visionWidth: Int, textWidth: Int) throws {
        dense0 = try Linear(weights.scoped("dense0"), inFeatures: visionWidth, outFeatures: textWidth)
        logitShift = try Linear(weights.scoped("logit_shift"), inFeatures: visionWidth, outFeatures: 1)
        logitScale = try Linear(weights.scoped("logit_scale"), inFeatures: visionWidth, outFeatures: 1)
    }

    /// The unnormalized class embeddings [batch, patches, textWidth] (what image-guided
    /// detection picks its query from).
    func classEmbeddings(_ features: Tensor) -> Tensor { dense0(features) }

    /// features [batch, patches, width], queries [batch or 1, count, textWidth] → logits
    /// [batch, patches, count].
    func logits(_ features: Tensor, queries: Tensor) -> Tensor {
        let (batch, patches) = (features.shape[0], features.shape[1])
        let (count, dim) = (queries.shape[1], queries.shape[2])
        let embeds = normalizedRows(dense0(features))
        let q = normalizedRows(queries)
        let shift = logitShift(features), scale = logitScale(features)
        let out = Tensor(uninitialized: [batch, patches, count])
        for b in 0..<batch {
            let queryBase = q.pointer + (queries.shape[0] == 1 ? 0 : b * count * dim)
            for p in 0..<patches {
                let row = embeds.pointer + (b * patches + p) * dim
                let s = scale.pointer[b * patches + p]
                let elu = (s > 0 ? s : expm1(s)) + 1
                let shifted = shift.pointer[b * patches + p]
                for k in 0..<count {
                    let cosine = dotProduct(row, queryBase + k * dim, dim)
                    out.pointer[(b * patches + p) * count + k] = (cosine + shifted) * elu
                }
            }
        }
        withExtendedLifetime((embeds, q, shift, scale)) {}
        return out
    }

    /// x / (‖x‖ + 1e-6) along the last dimension (a copy).
    private func normalizedRows(_ x: Tensor) -> Tensor {
        let dim = x.shape.last!, rows = x.count / dim
        let out = Tensor(uninitialized: x.shape)
        for r in 0..<rows {
            let src = x.pointer + r * dim, dst = out.pointer + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += src[i] * src[i] }
            let norm = sum.squareRoot() + 1e-6
            for i in 0..<dim { dst[i] = src[i] / norm }
        }
        withExtendedLifetime(x) {}
        return out
    }
}

/// OwlViTForObjectDetection.compute_box_bias: each patch's box starts centred at the patch grid's
/// corner ((column + 1) / columns, (row + 1) / rows) with the size of one patch, in logit space:
/// log(v + 1e-4) − log1p(−v + 1e-4). [rows · columns, 4] in (x, y, width, height) order.
func owlBoxBias(rows: Int, columns: Int) -> [Float] {
    func logit(_ v: Float) -> Float { log(v + 1e-4) - log1p(-v + 1e-4) }
    var bias = [Float]()
    bias.reserveCapacity(rows * columns * 4)
    for r in 0..<rows {
        for c in 0..<columns {
            let x = min(max(Float(c + 1) / Float(columns), 0), 1), y = min(max(Float(r + 1) / Float(rows), 0), 1)
            bias += [logit(x), logit(y), logit(1 / Float(columns)), logit(1 / Float(rows))]
        }
    }
    return bias
}
