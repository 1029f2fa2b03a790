import Foundation

/// The a and b of UMAP's low-dimensional similarity 1 / (1 + a·d^2b), fitted (least squares, as
/// umap-learn's `find_ab_params` does with scipy's `curve_fit`) to the curve that is 1 up to
/// `minDist` and exp(−(d − minDist)/spread) beyond it, on 300 points of [0, 3·spread].
public struct CurveParameters: Sendable, Equatable {
    public var a: Double
    public var b: Double

    public init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    public init(minDist: Double, spread: Double) {
        let xs = (0..<300).map { 3 * spread * Double($0) / 299 }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        // Levenberg–Marquardt from a = b = 1 (curve_fit's start), analytic Jacobian.
        var a = 1.0, b = 1.0, lambda = 1e-3
        func cost(_ a: Double, _ b: Double) -> Double {
            zip(xs, ys).reduce(0) { s, p in
                let f = 1 / (1 + a * pow(p.0, 2 * b))
                return s + (f - p.1) * (f - p.1)
            }
        }
        var current = cost(a, b)
        for _ in 0..<500 {
            var jtj = [0.0, 0.0, 0.0], jtr = [0.0, 0.0]
            for (x, y) in zip(xs, ys) where x > 0 {
                let p = pow(x, 2 * b)
                let f = 1 / (1 + a * p)
                let da = -p * f * f
                let db = -a * p * 2 * log(x) * f * f
                let r = f - y
                jtj[0] += da * da; jtj[1] += da * db; jtj[2] += db * db
                jtr[0] += da * r; jtr[1] += db * r
            }
            let m00 = jtj[0] * (1 + lambda), m11 = jtj[2] * (1 + lambda), m01 = jtj[1]
            let det = m00 * m11 - m01 * m01
            guard det != 0 else { break }
            let stepA = -(m11 * jtr[0] - m01 * jtr[1]) / det
            let stepB = -(m00 * jtr[1] - m01 * jtr[0]) / det
            let next = cost(a + stepA, b + stepB)
            if next < current {
                a += stepA; b += stepB
                let improvement = current - next
                current = next
                lambda = max(lambda / 10, 1e-12)
                if improvement < 1e-15 * max(current, 1e-30) || (abs(stepA) < 1e-12 && abs(stepB) < 1e-12) { break }
            } else {
                lambda *= 10
                if lambda > 1e12 { break }
            }
        }
        self.a = a
        self.b = b
    }
}
