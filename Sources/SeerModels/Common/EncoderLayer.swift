import Foundation
import SeerTensor

/// Where one pre-norm layer's tensors live, relative to the layer's prefix, so that each family
/// reads its own checkpoint names (`EncoderLayerNames.clip` in CLIPEncoder.swift, `.dinov2(swiglu:)`
/// in DINOv2Model.swift).
struct EncoderLayerNames: Sendable {
    var norm1: String
    var query: String
    var key: String
    var value: String
    var output: String
    var norm2: String
    /// GELU-style MLP: `fc1`, `fc2`. SwiGLU: `fc1` is the fused [gate ‖ up] projection and `fc2`
    /// the down projection.
    var fc1: String
    var fc2: String
    /// LayerScale vectors (DINOv2's `layer_scale1.lambda1`, `layer_scale2.lambda1`); nil: none.
    var layerScale1: String?
    var layerScale2: String?
}

/// The feed-forward half of a layer.
enum FeedForwardKind: Sendable, Equatable {
    /// fc2(act(fc1(x))).
    case mlp(Activation)
    /// down(silu(gate(x)) · up(x)) with gate and up fused in one [2·hidden, width] weight
    /// (DINOv2's `Dinov2SwiGLUFFN`, stored as `mlp.weights_in` / `mlp.weights_out`).
    case swiglu
}

/// The shape of a stack of pre-norm layers.
struct EncoderLayerShape: Sendable, Equatable {
    var width: Int
    /// The MLP's hidden size (SwiGLU: the size of each of gate and up).
    var intermediate: Int
    var heads: Int
    var feedForward: FeedForwardKind
    var qkvBias = true
    var eps: Float
}

/// One pre-LayerNorm transformer block:
///   hidden ← hidden + ls1 ⊙ attn(norm1(hidden))
///   hidden ← hidden + ls2 ⊙ ffn(norm2(hidden))
/// with the LayerScale vectors ls1, ls2 present only where the names give them (DINOv2's
/// Dinov2Layer; without them, CLIP's CLIPEncoderLayer).
struct EncoderLayer: Sendable {
    let norm1: LayerNorm
    let query: Linear
    let key: Linear
    let value: Linear
    let output: Linear
    let norm2: LayerNorm
    let fc1: Linear
    let fc2: Linear
    let layerScale1: Tensor?
    let layerScale2: Tensor?
    let shape: EncoderLayerShape

    init(_ weights: Weights, names: EncoderLayerNames, shape: EncoderLayerShape) throws {
        let (width, eps) = (shape.width, shape.eps)
        norm1 = try LayerNorm(weights.scoped(names.norm1), dimension: width, eps: eps)
        query = try Linear(weights.scoped(names.query), inFeatures: width, outFeatures: width, bias: shape.qkvBias)
        key = try Linear(weights.scoped(names.key), inFeatures: width, outFeatures: width, bias: shape.qkvBias)
        value = try Linear(weights.scoped(names.value), inFeatures: width, outFeatures: width, bias: shape.qkvBias)
        output = try Linear(weights.scoped(names.output), inFeatures: width, outFeatures: width)
        norm2 = try LayerNorm(weights.scoped(names.norm2), dimension: width, eps: eps)
        let fc1Outputs = shape.feedForward == .swiglu ? 2 * shape.intermediate : shape.intermediate
        fc1 = try Linear(weights.scoped(names.fc1), inFeatures: width, outFeatures: fc1Outputs)
        fc2 = try Linear(weights.scoped(names.fc2), inFeatures: shape.intermediate, outFeatures: width)
        layerScale1 = try names.layerScale1.map { try weights.tensor($0, shape: [width]) }
        layerScale2 = try names.layerScale2.map { try weights.tensor($0, shape: [width]) }
        self.shape = shape
    }

    /// Runs the block over hidden [batch, tokens, width] in place.
    func forward(_ hidden: Tensor, causal: Bool, buffers: LayerBuffers) {
        norm1(hidden, into: buffers.normed)
        query(buffers.normed, into: buffers.query)
        key(buffers.normed, into: buffers.key)
        value(buffers.normed, into: buffers.value)
        Ops.attention(query: buffers.query, key: buffers.key, value: buffers.value, heads: shape.heads, causal: causal, into: buffers.attended)
        output(buffers.attended, into: buffers.normed)
        addResidual(buffers.normed, scale: layerScale1, into: hidden)
        feedForward(hidden, normed: buffers.normed, intermediate: buffers.intermediate, gated: buffers.gated)
    }

    /// The block's output for the first token of each item only, [batch, 1, width]: keys and
    /// values still come from every token, but the query, the output projection and the
    /// feed-forward run for token 0 alone, so a pooled class token costs a fraction of the last
    /// layer. The row gets the same operations as in `forward` (BLAS may sum the one-row
    /// attention product in another order). `hidden` is left unchanged.
    func forwardFirstToken(_ hidden: Tensor, buffers: LayerBuffers) -> Tensor {
        let (batch, width) = (hidden.shape[0], hidden.shape[2])
        norm1(hidden, into: buffers.normed)
        key(buffers.normed, into: buffers.key)
        value(buffers.normed, into: buffers.value)
        let state = firstRows(of: hidden), normed = firstRows(of: buffers.normed)
        let attended = Tensor(uninitialized: [batch, 1, width])
        Ops.attention(query: query(normed), key: buffers.key, value: buffers.value, heads: shape.heads, causal: false, into: attended)
        output(attended, into: normed)
        addResidual(normed, scale: layerScale1, into: state)
        let swiglu = shape.feedForward == .swiglu
        feedForward(state, normed: normed, intermediate: Tensor(uninitialized: [batch, 1, fc1.outFeatures]),
                    gated: swiglu ? Tensor(uninitialized: [batch, 1, shape.intermediate]) : nil)
        return state
    }

    /// hidden ← hidden + ls2 ⊙ ffn(norm2(hidden)), with the caller's scratch tensors.
    private func feedForward(_ hidden: Tensor, normed: Tensor, intermediate: Tensor, gated: Tensor?) {
        norm2(hidden, into: normed)
        fc1(normed, into: intermediate)
        switch shape.feedForward {
        case .mlp(let activation):
            Ops.apply(activation, inPlace: intermediate)
            fc2(intermediate, into: normed)
        case .swiglu:
            Ops.swiglu(intermediate, into: gated!)
            fc2(gated!, into: normed)
        }
        addResidual(normed, scale: layerScale2, into: hidden)
    }

    /// Token 0 of every item, [batch, 1, width] (a copy).
    private func firstRows(of x: Tensor) -> Tensor {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        let out = Tensor(uninitialized: [batch, 1, width])
        for b in 0..<batch { (out.pointer + b * width).update(from: x.pointer + b * tokens * width, count: width) }
        withExtendedLifetime(x) {}
        return out
    }

    private func addResidual(_ branch: Tensor, scale: Tensor?, into hidden: Tensor) {
        if let scale { Ops.add(branch, scaledBy: scale, into: hidden) } else { Ops.add(branch, into: hidden) }
    }
}

/// Scratch tensors for one forward pass, allocated once and reused by every layer. Each is
/// fully written before it is read, so none needs zeroing.
struct LayerBuffers {
    let normed, query, key, value, attended, intermediate: Tensor
    /// SwiGLU's gated activations [batch, tokens, intermediate]; nil for an MLP.
    let gated: Tensor?
    let batch, tokens: Int

    var byteCount: Int { ([normed, query, key, value, attended, intermediate] + (gated.map { [$0] } ?? [])).reduce(0) { $0 + $1.count } * 4 }

    init(batch: Int, tokens: Int, shape: EncoderLayerShape) {
        (self.batch, self.tokens) = (batch, tokens)
        let activations = [batch, tokens, shape.width]
        normed = Tensor(uninitialized: activations)
        query = Tensor(uninitialized: activations)
        key = Tensor(uninitialized: activations)
        value = Tensor(uninitialized: activations)
        attended = Tensor(uninitialized: activations)
        let swiglu = shape.feedForward == .swiglu
        intermediate = Tensor(uninitialized: [batch, tokens, swiglu ? 2 * shape.intermediate : shape.intermediate])
        gated = swiglu ? Tensor(uninitialized: [batch, tokens, shape.intermediate]) : nil
    }
}

/// A stack of `EncoderLayer`s named `<prefix>.<i>` (CLIP: `encoder.layers.N`, DINOv2:
/// `encoder.layer.N`).
struct Encoder: Sendable {
    let layers: [EncoderLayer]
    let shape: EncoderLayerShape
    private let scratch = LayerBufferCache()

    init(_ weights: Weights, count: Int, names: EncoderLayerNames, shape: EncoderLayerShape) throws {
        layers = try (0..<count).map { try EncoderLayer(weights.scoped("\($0)"), names: names, shape: shape) }
        self.shape = shape
    }

    /// Runs every layer over hidden [batch, tokens, width] in place. `afterLayer(i, hidden)`, if
    /// given, sees the hidden states after layer i (heads that need intermediate layers' tokens).
    func forward(_ hidden: Tensor, causal: Bool, afterLayer: ((Int, Tensor) -> Void)? = nil) {
        let buffers = scratch.take(batch: hidden.shape[0], tokens: hidden.shape[1], shape: shape)
        defer { scratch.giveBack(buffers) }
        for (i, layer) in layers.enumerated() {
            layer.forward(hidden, causal: causal, buffers: buffers)
            afterLayer?(i, hidden)
        }
    }

    /// The encoder's output at token 0 of each item, [batch, width], for models that pool the
    /// class token (bidirectional attention): every layer but the last runs in full over
    /// `hidden` (which it overwrites), the last only for token 0 (`forwardFirstToken`).
    func firstTokenOutput(_ hidden: Tensor) -> Tensor {
        let (batch, width) = (hidden.shape[0], hidden.shape[2])
        guard let last = layers.last else {
            let out = Tensor(uninitialized: [batch, width])
            for b in 0..<batch { (out.pointer + b * width).update(from: hidden.pointer + b * hidden.shape[1] * width, count: width) }
            withExtendedLifetime(hidden) {}
            return out
        }
        let buffers = scratch.take(batch: batch, tokens: hidden.shape[1], shape: shape)
        defer { scratch.giveBack(buffers) }
        for layer in layers.dropLast() { layer.forward(hidden, causal: false, buffers: buffers) }
        return last.forwardFirstToken(hidden, buffers: buffers).reshaped([batch, width])
    }
}

/// The last forward pass's scratch tensors, kept for the next pass of the same shape. Fresh
/// buffers of this size come from the kernel as new pages that must be zero-filled and faulted
/// in on every call (3% of DINOv2 ViT-B/14's time at batch 1 on Zen 3); a model embedding
/// batch after batch reuses the same ones instead. Concurrent passes each get their own (one
/// takes the kept set, the others allocate), and at most one set, of at most `maxBytes`, is kept.
final class LayerBufferCache: @unchecked Sendable {
    // @unchecked: `idle` is read and written only under `lock`.
    private let lock = NSLock()
    private var idle: LayerBuffers?
    /// ViT-B at batch 32 (8,224 tokens) needs 227 MB; larger sets are not kept.
    static let maxBytes = 256 << 20

    func take(batch: Int, tokens: Int, shape: EncoderLayerShape) -> LayerBuffers {
        let kept: LayerBuffers? = lock.withLock {
            guard let idle, idle.batch == batch, idle.tokens == tokens else { return nil }
            self.idle = nil
            return idle
        }
        return kept ?? LayerBuffers(batch: batch, tokens: tokens, shape: shape)
    }

    func giveBack(_ buffers: LayerBuffers) {
        guard buffers.byteCount <= Self.maxBytes else { return }
        lock.withLock { idle = buffers }
    }
}
