import Foundation

/// UMAP's spectral initialisation (umap-learn's `spectral_layout`): the eigenvectors of the
/// graph's symmetric normalised Laplacian L = I − D^-1/2 W D^-1/2 for its smallest eigenvalues
/// after the trivial one. They are the largest of D^-1/2 W D^-1/2 once its top eigenvector
/// (√degree) is projected out, which is what Lanczos finds here. A graph in several pieces is
/// laid out piece by piece around a layout of the pieces, as umap-learn's
/// `multi_component_layout` does.
enum SpectralLayout {
    enum Failure: Error { case notConverged }

    /// `dim` coordinates per row (row-major). `data` (rows × `dimension`) places the pieces of a
    /// graph that falls apart; throws when the eigenvectors do not converge.
    static func layout(_ graph: WeightedGraph, dim: Int, data: [Float], dimension: Int, seed: UInt64) throws -> [Float] {
        let (labels, pieces) = graph.components()
        if pieces == 1 { return try connected(graph, dim: dim, seed: seed) }
        var random = ProjectionRandom(seed: seed ^ 0x5EED)
        let meta = pieceLayout(labels: labels, pieces: pieces, dim: dim, data: data, dimension: dimension, seed: seed)
        var result = [Float](repeating: 0, count: graph.count * dim)
        var groups = [[Int]](repeating: [], count: pieces)
        for (row, piece) in labels.enumerated() { groups[piece].append(row) }
        var position = [Int32](repeating: -1, count: graph.count)
        for piece in 0..<pieces {
            let members = groups[piece]
            var nearest = Double.infinity
            for other in 0..<pieces where other != piece {
                var s = 0.0
                for c in 0..<dim { let d = meta[piece * dim + c] - meta[other * dim + c]; s += d * d }
                if s > 0 { nearest = min(nearest, s.squareRoot()) }
            }
            let range = nearest.isFinite ? nearest / 2 : 1
            var local: [Float]
            if members.count < 2 * dim || members.count <= dim + 1 {
                local = (0..<members.count * dim).map { _ in Float((random.uniform() * 2 - 1) * range) }
            } else {
                let sub = subgraph(graph, members: members, position: &position)
                local = (try? connected(sub, dim: dim, seed: seed &+ UInt64(piece)))
                    ?? (0..<members.count * dim).map { _ in Float(random.uniform() * 2 - 1) }
                let largest = local.map { abs($0) }.max() ?? 0
                let scale = largest > 0 ? Float(range) / largest : 0
                for i in local.indices { local[i] *= scale }
            }
            for (r, row) in members.enumerated() {
                for c in 0..<dim { result[row * dim + c] = local[r * dim + c] + Float(meta[piece * dim + c]) }
            }
        }
        return result
    }

    /// The layout of one connected graph.
    static func connected(_ graph: WeightedGraph, dim: Int, seed: UInt64) throws -> [Float] {
        let n = graph.count
        guard n > dim + 1 else { throw Failure.notConverged }
        var degree = [Double](repeating: 0, count: n)
        for i in 0..<n { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { degree[i] += Double(graph.weights[e]) } }
        let scale = degree.map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
        var trivial = degree.map { $0.squareRoot() }
        _ = SymmetricEigen.normalize(&trivial)
        // Big graphs: fewer restarts (each reorthogonalises the whole basis); the result only seeds the optimiser.
        let found = SymmetricEigen.largest(count: dim, n: n, deflate: [trivial], steps: n > 50_000 ? 48 : 64,
                                           restarts: n > 50_000 ? 4 : 12, tolerance: 1e-4, seed: seed) { x, y in
            for i in 0..<n {
                var s = 0.0
                for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                    let j = Int(graph.columns[e])
                    s += Double(graph.weights[e]) * scale[j] * x[j]
                }
                y[i] = scale[i] * s
            }
        }
        guard found.vectors.count == dim, found.vectors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw Failure.notConverged }
        var result = [Float](repeating: 0, count: n * dim)
        for i in 0..<n { for c in 0..<dim { result[i * dim + c] = Float(found.vectors[c][i]) } }
        return result
    }

    /// Where each piece goes: for a few pieces, ± unit axes (as umap-learn); for more, a spectral
    /// layout of the pieces' centroids under the affinity exp(−distance²).
    static func pieceLayout(labels: [Int], pieces: Int, dim: Int, data: [Float], dimension d: Int, seed: UInt64) -> [Double] {
        var meta = [Double](repeating: 0, count: pieces * dim)
        if pieces <= 2 * dim {
            let half = (pieces + 1) / 2
            for p in 0..<pieces {
                let axis = p % half
                if axis < dim { meta[p * dim + axis] = p < half ? 1 : -1 }
            }
            return meta
        }
        var centroids = [Double](repeating: 0, count: pieces * d)
        var sizes = [Double](repeating: 0, count: pieces)
        for (row, piece) in labels.enumerated() {
            sizes[piece] += 1
            for j in 0..<d { centroids[piece * d + j] += Double(data[row * d + j]) }
        }
        for p in 0..<pieces { for j in 0..<d { centroids[p * d + j] /= max(1, sizes[p]) } }
        var affinity = [Double](repeating: 0, count: pieces * pieces)
        for a in 0..<pieces {
            for b in 0..<pieces {
                var s = 0.0
                for j in 0..<d { let x = centroids[a * d + j] - centroids[b * d + j]; s += x * x }
                affinity[a * pieces + b] = exp(-s)
            }
        }
        var degree = (0..<pieces).map { a in (0..<pieces).reduce(0.0) { $0 + affinity[a * pieces + $1] } }
        degree = degree.map { max($0, 1e-300) }
        var trivial = degree.map { $0.squareRoot() }
        _ = SymmetricEigen.normalize(&trivial)
        let found = SymmetricEigen.largest(count: dim, n: pieces, deflate: [trivial], seed: seed) { x, y in
            for a in 0..<pieces {
                var s = 0.0
                for b in 0..<pieces { s += affinity[a * pieces + b] / degree[b].squareRoot() * x[b] }
                y[a] = s / degree[a].squareRoot()
            }
        }
        var random = ProjectionRandom(seed: seed)
        for p in 0..<pieces {
            for c in 0..<dim {
                meta[p * dim + c] = c < found.vectors.count ? found.vectors[c][p] : random.uniform()
            }
        }
        let largest = meta.map { abs($0) }.max() ?? 0
        if largest > 0 { meta = meta.map { $0 / largest } }
        return meta
    }

    /// The graph among `members`; `position` is scratch of one −1 per row, left as it was found.
    static func subgraph(_ graph: WeightedGraph, members: [Int], position: inout [Int32]) -> WeightedGraph {
        for (r, row) in members.enumerated() { position[row] = Int32(r) }
        defer { for row in members { position[row] = -1 } }
        var start = [0], columns: [Int32] = [], weights: [Float] = []
        for row in members {
            for e in graph.rowStart[row]..<graph.rowStart[row + 1] where position[Int(graph.columns[e])] >= 0 {
                columns.append(position[Int(graph.columns[e])])
                weights.append(graph.weights[e])
            }
            start.append(columns.count)
        }
        return WeightedGraph(count: members.count, rowStart: start, columns: columns, weights: weights)
    }
}
