import Foundation
import SeerTensor

/// Multinomial logistic regression fitted by L-BFGS, the objective scikit-learn's
/// LogisticRegression(solver="lbfgs") minimises: Σᵢ cross-entropy(softmax(W·xᵢ + b), yᵢ)
/// + ½·λ·‖W‖² with λ = 1/C (the bias is not penalised). Matrix products run on BLAS in
/// single precision; the optimiser's state is double.
public enum LogisticRegression {
    public struct Options: Sendable {
        /// scikit-learn's C: the inverse of the L2 strength.
        public var c: Double = 1
        public var maxIterations = 1000
        /// Stop when the gradient's largest entry is below this (scikit-learn's lbfgs uses pgtol 1e-4 on the mean loss).
        public var gradientTolerance = 1e-4
        public init(c: Double = 1, maxIterations: Int = 1000) { (self.c, self.maxIterations) = (c, maxIterations) }
    }

    /// Fits on `features` (n × dimension, row-major) with labels in 0..<classes.count.
    public static func fit(features: [Float], labels: [Int], classes: [String], options: Options = Options()) -> LinearProbe {
        let n = labels.count, k = classes.count
        precondition(n > 0 && features.count % n == 0, "features must be n rows of equal length")
        let d = features.count / n
        let objective = Objective(features: features, labels: labels, n: n, d: d, k: k, lambda: 1 / options.c)
        // Scaled by 1/n (as scikit-learn does) so tolerances do not depend on the sample count.
        let theta = LBFGS.minimize(dimension: k * d + k, maxIterations: options.maxIterations, tolerance: options.gradientTolerance) { theta in
            let (f, g) = objective.valueAndGradient(theta)
            return (f / Double(n), g.map { $0 / Double(n) })
        }
        return LinearProbe(classes: classes, dimension: d, weights: theta[0..<(k * d)].map { Float($0) }, bias: theta[(k * d)...].map { Float($0) })
    }

    public struct Selection: Sendable {
        /// Fitted on train and validation together with the chosen C: the probe to keep.
        public let probe: LinearProbe
        /// Fitted on train alone with the chosen C: what the validation accuracy describes.
        public let trainOnly: LinearProbe
        public let c: Double
        public let validationAccuracy: Double

        public init(probe: LinearProbe, trainOnly: LinearProbe, c: Double, validationAccuracy: Double) {
            (self.probe, self.trainOnly, self.c, self.validationAccuracy) = (probe, trainOnly, c, validationAccuracy)
        }
    }

    /// Picks C among `grid` by accuracy on the validation rows (ties: the smaller C, the simpler
    /// model), then refits on train and validation together with it.
    public static func fitSelectingStrength(train: (features: [Float], labels: [Int]), validation: (features: [Float], labels: [Int]),
                                            classes: [String], grid: [Double] = [0.01, 0.1, 1, 10, 100]) -> Selection {
        var best: (c: Double, accuracy: Double, probe: LinearProbe)?
        for c in grid {
            let probe = fit(features: train.features, labels: train.labels, classes: classes, options: Options(c: c))
            let accuracy = probe.accuracy(validation.features, labels: validation.labels)
            if best == nil || accuracy > best!.accuracy { best = (c, accuracy, probe) }
        }
        let chosen = best!
        let probe = fit(features: train.features + validation.features, labels: train.labels + validation.labels, classes: classes,
                        options: Options(c: chosen.c))
        return Selection(probe: probe, trainOnly: chosen.probe, c: chosen.c, validationAccuracy: chosen.accuracy)
    }

    struct Objective {
        let features: [Float]
        let labels: [Int]
        let n: Int, d: Int, k: Int
        let lambda: Double

        func valueAndGradient(_ theta: [Double]) -> (Double, [Double]) {
            let probe = LinearProbe(classes: Array(repeating: "", count: k), dimension: d,
                                    weights: theta[0..<(k * d)].map { Float($0) }, bias: theta[(k * d)...].map { Float($0) })
            var z = probe.logits(features)  // becomes P − Y below
            var loss = 0.0
            for i in 0..<n {
                let row = i * k
                var top = z[row]
                for c in 1..<k { top = max(top, z[row + c]) }
                var sum = 0.0
                for c in 0..<k { sum += exp(Double(z[row + c] - top)) }
                let logSum = Double(top) + log(sum)
                loss += logSum - Double(z[row + labels[i]])
                for c in 0..<k { z[row + c] = Float(exp(Double(z[row + c]) - logSum)) }
                z[row + labels[i]] -= 1
            }
            var gradW = [Float](repeating: 0, count: k * d)
            z.withUnsafeBufferPointer { r in
                features.withUnsafeBufferPointer { x in
                    gradW.withUnsafeMutableBufferPointer { g in
                        sgemm(transposeA: true, m: k, n: d, k: n, a: r.baseAddress!, lda: k, b: x.baseAddress!, ldb: d, c: g.baseAddress!, ldc: d)
                    }
                }
            }
            var gradient = [Double](repeating: 0, count: k * d + k)
            var penalty = 0.0
            for j in 0..<(k * d) {
                penalty += theta[j] * theta[j]
                gradient[j] = Double(gradW[j]) + lambda * theta[j]
            }
            for i in 0..<n { for c in 0..<k { gradient[k * d + c] += Double(z[i * k + c]) } }
            return (loss + 0.5 * lambda * penalty, gradient)
        }
    }
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search.
enum LBFGS {
    static func minimize(dimension: Int, maxIterations: Int, tolerance: Double, history: Int = 10,
                         _ f: ([Double]) -> (Double, [Double])) -> [Double] {
        var x = [Double](repeating: 0, count: dimension)
        var (value, gradient) = f(x)
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for _ in 0..<maxIterations {
            if gradient.map(abs).max() ?? 0 < tolerance { break }
            // Two-loop recursion: direction = −H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * dot(steps[i], q)
                for j in 0..<dimension { q[j] -= alphas[i] * changes[i][j] }
            }
            if let s = steps.last, let y = changes.last {
                let scale = dot(s, y) / dot(y, y)
                for j in 0..<dimension { q[j] *= scale }
            }
            for i in 0..<steps.count {
                let beta = rhos[i] * dot(changes[i], q)
                for j in 0..<dimension { q[j] += steps[i][j] * (alphas[i] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                direction = gradient.map { -$0 }
                slope = dot(gradient, direction)
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
            }
            var step = steps.isEmpty ? min(1, 1 / (gradient.map(abs).max() ?? 1)) : 1.0
            var next = x, nextValue = value, nextGradient = gradient
            var accepted = false
            for _ in 0..<40 {
                next = zip(x, direction).map { $0 + step * $1 }
                (nextValue, nextGradient) = f(next)
                if nextValue <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }
            let s = zip(next, x).map { $0 - $1 }, y = zip(nextGradient, gradient).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 {
                steps.append(s); changes.append(y); rhos.append(1 / sy)
                if steps.count > history { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            let improvement = value - nextValue
            (x, value, gradient) = (next, nextValue, nextGradient)
            if improvement <= 1e-12 * max(abs(value), 1) { break }
        }
        return x
    }
}
