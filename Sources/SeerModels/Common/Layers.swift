import SeerTensor

/// torch.nn.Linear: weight [out, in], optional bias [out].
struct Linear: Sendable {
    let weight: LinearWeight
    let bias: Tensor?

    init(_ weights: Weights, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        weight = LinearWeight(try weights.tensor("weight", shape: [outFeatures, inFeatures]))
        self.bias = bias ? try weights.tensor("bias", shape: [outFeatures]) : nil
    }

    /// A layer from tensors already in hand (a slice of a packed weight, say).
    init(weight: LinearWeight, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    var outFeatures: Int { weight.outFeatures }

    func callAsFunction(_ x: Tensor, into out: Tensor) {
        Ops.linear(x, weight: weight, bias: bias, into: out)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Ops.linear(x, weight: weight, bias: bias)
    }
}

/// torch.nn.LayerNorm over the last dimension.
struct LayerNorm: Sendable {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    init(_ weights: Weights, dimension: Int, eps: Float) throws {
        weight = try weights.tensor("weight", shape: [dimension])
        bias = try weights.tensor("bias", shape: [dimension])
        self.eps = eps
    }

    func callAsFunction(_ x: Tensor, into out: Tensor) {
        Ops.layerNorm(x, weight: weight, bias: bias, eps: eps, into: out)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let out = Tensor(uninitialized: x.shape)
        Ops.layerNorm(x, weight: weight, bias: bias, eps: eps, into: out)
        return out
    }
}

/// torch.nn.Embedding: a [count, dimension] table looked up by row.
struct Embedding: Sendable {
    let table: Tensor

    init(_ weights: Weights, count: Int, dimension: Int) throws {
        table = try weights.tensor("weight", shape: [count, dimension])
    }

    var dimension: Int { table.shape[1] }

    /// A pointer to row `index`'s vector.
    func row(_ index: Int) -> UnsafeMutablePointer<Float> { table.pointer + index * dimension }
}
