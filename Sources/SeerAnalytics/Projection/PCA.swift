import Foundation
import SeerTensor

/// Principal component analysis: the rows centred, their covariance XᵀX/(n − 1) through BLAS
/// (sgemm), its leading eigenvectors by Lanczos, and the rows projected on them. Each
/// component's sign is fixed so its largest-magnitude coefficient is positive, so a projection
/// does not flip between runs.
public struct PCA: Sendable {
    public var dimensions: Int

    public init(dimensions: Int = 2) { self.dimensions = dimensions }

    public struct Fitted: Sendable {
        /// The rows' coordinates: `count` × `dimensions`.
        public var coordinates: [Float]
        /// The unit components, `dimensions` × input dimension.
        public var components: [Float]
        public var mean: [Float]
        /// The variance along each component.
        public var variances: [Double]

        public init(coordinates: [Float], components: [Float], mean: [Float], variances: [Double]) {
            self.coordinates = coordinates
            self.components = components
            self.mean = mean
            self.variances = variances
        }
    }

    public func fit(_ data: [Float], count n: Int, dimension d: Int) throws -> Fitted {
        guard n >= 2 else { throw ProjectionError.invalid("PCA needs at least 2 rows (got \(n))") }
        guard dimensions >= 1, dimensions <= d else { throw ProjectionError.invalid("PCA can give 1 to \(d) dimensions (asked for \(dimensions))") }
        guard data.count == n * d, data.allSatisfy(\.isFinite) else { throw ProjectionError.invalid("the input must be \(n) rows of \(d) finite numbers") }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(data[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = data
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Float(Double(data[i * d + j]) - mean[j]) } }
        var covariance = [Float](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { x in
            covariance.withUnsafeMutableBufferPointer { c in
                sgemm(transposeA: true, m: d, n: d, k: n, alpha: 1 / Float(n - 1), a: x.baseAddress!, lda: d,
                      b: x.baseAddress!, ldb: d, c: c.baseAddress!, ldc: d)
            }
        }
        let matrix = covariance.map(Double.init)
        let found = SymmetricEigen.largest(count: dimensions, n: d, steps: min(d, 96), restarts: 20, tolerance: 1e-9) { x, y in
            for r in 0..<d {
                var s = 0.0
                for c in 0..<d { s += matrix[r * d + c] * x[c] }
                y[r] = s
            }
        }
        var components = [Float](repeating: 0, count: dimensions * d)
        for c in 0..<found.vectors.count {
            var v = found.vectors[c]
            if let peak = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[peak] < 0 { v = v.map { -$0 } }
            for j in 0..<d { components[c * d + j] = Float(v[j]) }
        }
        var coordinates = [Float](repeating: 0, count: n * dimensions)
        centred.withUnsafeBufferPointer { x in
            components.withUnsafeBufferPointer { w in
                coordinates.withUnsafeMutableBufferPointer { y in
                    sgemm(transposeB: true, m: n, n: dimensions, k: d, a: x.baseAddress!, lda: d,
                          b: w.baseAddress!, ldb: d, c: y.baseAddress!, ldc: dimensions)
                }
            }
        }
        return Fitted(coordinates: coordinates, components: components, mean: mean.map(Float.init), variances: found.values)
    }

    /// New rows in a fitted PCA's coordinates.
    public static func project(_ data: [Float], count n: Int, with fitted: Fitted) -> [Float] {
        let d = fitted.mean.count, k = fitted.components.count / max(1, d)
        var out = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            for c in 0..<k {
                var s: Float = 0
                for j in 0..<d { s += (data[i * d + j] - fitted.mean[j]) * fitted.components[c * d + j] }
                out[i * k + c] = s
            }
        }
        return out
    }
}
