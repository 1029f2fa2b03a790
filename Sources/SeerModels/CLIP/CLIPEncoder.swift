import SeerTensor

extension EncoderLayerNames {
    /// transformers' CLIPEncoderLayer:
    /// `layers.N.{layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1, mlp.fc2}`.
    static let clip = EncoderLayerNames(
        norm1: "layer_norm1", query: "self_attn.q_proj", key: "self_attn.k_proj", value: "self_attn.v_proj",
        output: "self_attn.out_proj", norm2: "layer_norm2", fc1: "mlp.fc1", fc2: "mlp.fc2")
}

extension Encoder {
    /// transformers' CLIPEncoder (`weights` scoped to `encoder`): a stack of `layers.N`, pre-norm,
    /// no layer scale, q/k/v with bias, an MLP with the config's activation.
    static func clip(_ weights: Weights, layers count: Int, width: Int, intermediate: Int, heads: Int,
                     activationName: String, eps: Float) throws -> Encoder {
        guard let activation = Activation(configName: activationName) else {
            throw ModelError.unsupported("hidden_act '\(activationName)' (Seer supports quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu)")
        }
        let shape = EncoderLayerShape(width: width, intermediate: intermediate, heads: heads, feedForward: .mlp(activation), eps: eps)
        return try Encoder(weights.scoped("layers"), count: count, names: .clip, shape: shape)
    }
}
