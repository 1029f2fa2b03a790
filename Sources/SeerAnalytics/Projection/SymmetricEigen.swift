import Foundation

/// Eigenvectors of symmetric matrices, in Double: a dense Jacobi solver for small matrices, and
/// Lanczos (full reorthogonalisation, restarted) for the few largest eigenpairs of a big sparse
/// or implicit one: the spectral initialisation's graph Laplacian and PCA's covariance.
enum SymmetricEigen {
    /// All eigenpairs of the dense symmetric `n × n` matrix `a` (row-major), by cyclic Jacobi
    /// rotations: values descending, `vectors[c]` the unit eigenvector of `values[c]`.
    static func dense(_ a: [Double], n: Int) -> (values: [Double], vectors: [[Double]]) {
        var a = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, total = 0.0
            for i in 0..<n { for j in 0..<n { total += a[i * n + j] * a[i * n + j]; if i != j { off += a[i * n + j] * a[i * n + j] } } }
            if off <= 1e-30 * max(total, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p * n + q] != 0 {
                    let apq = a[p * n + q]
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {  // columns p and q
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {  // rows p and q
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        return (order.map { a[$0 * n + $0] }, order.map { c in (0..<n).map { v[$0 * n + c] } })
    }

    /// The `count` algebraically largest eigenpairs of the symmetric operator `apply` (y = A x,
    /// vectors of length n), restricted to the complement of the unit vectors `deflate`.
    /// Lanczos with `steps` vectors, restarted from the sum of the wanted Ritz vectors until each
    /// residual is below `tolerance` (relative) or `restarts` run out; `converged` says which.
    static func largest(count: Int, n: Int, deflate: [[Double]] = [], steps: Int = 64, restarts: Int = 12,
                        tolerance: Double = 1e-4, seed: UInt64 = 1,
                        apply: ([Double], inout [Double]) -> Void) -> (values: [Double], vectors: [[Double]], converged: Bool) {
        let room = n - deflate.count
        precondition(count >= 1 && count <= room, "asked for \(count) eigenpairs of a space of \(room) dimensions")
        // Small problems (a piece of a disconnected graph) need far fewer vectors: the basis and
        // the tridiagonal solve grow with its square, and there can be thousands of pieces.
        let m = min(room, max(2 * count + 1, min(steps, 8 + 2 * Int(Double(n).squareRoot()))))
        var random = ProjectionRandom(seed: seed)
        var start = (0..<n).map { _ in random.uniform() - 0.5 }
        var best: (values: [Double], vectors: [[Double]], converged: Bool) = ([], [], false)
        for _ in 0...restarts {
            var basis: [[Double]] = []
            var alpha: [Double] = [], beta: [Double] = []
            var q = start
            orthogonalize(&q, against: deflate)
            guard normalize(&q) else { break }
            var w = [Double](repeating: 0, count: n)
            var lastBeta = 0.0
            for j in 0..<m {
                basis.append(q)
                apply(q, &w)
                let a = dot(q, w)
                alpha.append(a)
                // Full reorthogonalisation (twice: one pass loses orthogonality in floating point).
                orthogonalize(&w, against: deflate)
                orthogonalize(&w, against: basis)
                orthogonalize(&w, against: basis)
                let b = norm(w)
                lastBeta = b
                if j == m - 1 || b < 1e-10 { break }
                beta.append(b)
                q = w.map { $0 / b }
            }
            let size = alpha.count
            var t = [Double](repeating: 0, count: size * size)
            for i in 0..<size {
                t[i * size + i] = alpha[i]
                if i + 1 < size { t[i * size + i + 1] = beta[i]; t[(i + 1) * size + i] = beta[i] }
            }
            let (theta, y) = dense(t, n: size)
            let wanted = min(count, size)
            var vectors: [[Double]] = []
            var converged = wanted == count
            for c in 0..<wanted {
                var x = [Double](repeating: 0, count: n)
                for (i, v) in basis.enumerated() where y[c][i] != 0 {
                    let s = y[c][i]
                    for r in 0..<n { x[r] += s * v[r] }
                }
                _ = normalize(&x)
                vectors.append(x)
                let residual = lastBeta * abs(y[c][size - 1])
                if residual > tolerance * max(1, abs(theta[c])) { converged = false }
            }
            best = (Array(theta.prefix(wanted)), vectors, converged)
            if converged || size < m { best.converged = wanted == count; break }
            start = vectors.reduce(into: [Double](repeating: 0, count: n)) { sum, v in for r in 0..<n { sum[r] += v[r] } }
        }
        return best
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    static func normalize(_ a: inout [Double]) -> Bool {
        let length = norm(a)
        guard length > 1e-300 else { return false }
        for i in a.indices { a[i] /= length }
        return true
    }

    static func orthogonalize(_ w: inout [Double], against vectors: [[Double]]) {
        for v in vectors {
            let s = dot(w, v)
            for i in w.indices { w[i] -= s * v[i] }
        }
    }
}

/// SplitMix64: small, seeded, and the same stream on every platform.
struct ProjectionRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
