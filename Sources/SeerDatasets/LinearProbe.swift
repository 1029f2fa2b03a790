import Foundation
import SeerTensor

/// A linear probe: multinomial logistic regression on frozen embeddings. `weights` is
/// [classes × dimension] row-major; the probability of class k is softmax(W·x + b)[k].
public struct LinearProbe: Sendable, Equatable {
    public let classes: [String]
    public let dimension: Int
    public var weights: [Float]
    public var bias: [Float]

    public init(classes: [String], dimension: Int, weights: [Float], bias: [Float]) {
        precondition(weights.count == classes.count * dimension && bias.count == classes.count, "one weight row and bias per class")
        (self.classes, self.dimension, self.weights, self.bias) = (classes, dimension, weights, bias)
    }

    /// Logits [n × classes] of n feature rows (row-major, n × dimension).
    public func logits(_ features: [Float]) -> [Float] {
        let n = features.count / dimension, k = classes.count
        var out = [Float](repeating: 0, count: n * k)
        for row in 0..<n { for c in 0..<k { out[row * k + c] = bias[c] } }
        features.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { z in
                    sgemm(transposeB: true, m: n, n: k, k: dimension, a: x.baseAddress!, lda: dimension,
                          b: w.baseAddress!, ldb: dimension, beta: 1, c: z.baseAddress!, ldc: k)
                }
            }
        }
        return out
    }

    /// The most probable class of each row (first on ties).
    public func predict(_ features: [Float]) -> [Int] {
        let z = logits(features), k = classes.count
        return stride(from: 0, to: z.count, by: k).map { start in
            var best = 0
            for c in 1..<k where z[start + c] > z[start + best] { best = c }
            return best
        }
    }

    public func accuracy(_ features: [Float], labels: [Int]) -> Double {
        let predicted = predict(features)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
