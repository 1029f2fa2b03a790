import SeerTensor

/// How distances between input rows are measured.
public enum ProjectionMetric: String, Sendable, CaseIterable {
    /// Euclidean distance (umap-learn's default).
    case euclidean
    /// 1 − cosine similarity (what an index of unit embeddings is searched by).
    case cosine
}

/// Each row's k nearest rows, itself first (distance 0), as umap-learn's `nearest_neighbors`
/// returns them: row i's neighbours are `indices[i*k ..< (i+1)*k]`, nearest first, with their
/// distances beside them. An index of −1 marks a missing neighbour (fewer than k were found).
public struct NearestNeighborGraph: Sendable {
    public let count: Int
    public let k: Int
    public var indices: [Int32]
    public var distances: [Float]

    public init(count: Int, k: Int, indices: [Int32], distances: [Float]) {
        precondition(indices.count == count * k && distances.count == count * k, "k entries per row")
        self.count = count
        self.k = k
        self.indices = indices
        self.distances = distances
    }

    /// Exact neighbours by brute force: blocks of rows against all rows through BLAS, so the
    /// n × n distances are never held at once. Right for up to some tens of thousands of rows
    /// (above that, an HNSW search builds the graph: see SeerIndex's `NeighborSearch`).
    /// `data` is `count` rows of `dimension` floats.
    public static func exact(_ data: [Float], count n: Int, dimension d: Int, k requested: Int,
                             metric: ProjectionMetric) -> NearestNeighborGraph {
        precondition(data.count == n * d, "data must hold \(n) rows of \(d)")
        let k = min(requested, n)
        var rows = data
        if metric == .cosine { normalizeRows(&rows, count: n, dimension: d) }
        var norms = [Float](repeating: 0, count: n)
        rows.withUnsafeBufferPointer { x in
            for i in 0..<n { var s: Float = 0; for j in 0..<d { s += x[i * d + j] * x[i * d + j] }; norms[i] = s }
        }
        var indices = [Int32](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        let block = 256
        rows.withUnsafeBufferPointer { x in
            norms.withUnsafeBufferPointer { norms in
                indices.withUnsafeMutableBufferPointer { outIndices in
                    distances.withUnsafeMutableBufferPointer { outDistances in
                        nonisolated(unsafe) let (x, norms, outIndices, outDistances) = (x, norms, outIndices, outDistances)
                        let blocks = (n + block - 1) / block
                        parallelChunks(blocks, grain: 1) { range in
                            var products = [Float](repeating: 0, count: block * n)
                            var candidates: [(Float, Int32)] = []
                            candidates.reserveCapacity(n)
                            for b in range {
                                let r0 = b * block, rows = min(block, n - r0)
                                products.withUnsafeMutableBufferPointer { p in
                                    sgemm(transposeB: true, m: rows, n: n, k: d, a: x.baseAddress! + r0 * d, lda: d,
                                          b: x.baseAddress!, ldb: d, c: p.baseAddress!, ldc: n)
                                }
                                for r in 0..<rows {
                                    let i = r0 + r
                                    candidates.removeAll(keepingCapacity: true)
                                    for j in 0..<n {
                                        let dot = products[r * n + j]
                                        let distance: Float = metric == .cosine
                                            ? max(0, 1 - dot)
                                            : max(0, norms[i] + norms[j] - 2 * dot).squareRoot()
                                        // The row itself first, at distance 0, as umap-learn has it.
                                        candidates.append((j == i ? -1 : distance, Int32(j)))
                                    }
                                    let best = smallest(k, of: &candidates)
                                    for (slot, item) in best.enumerated() {
                                        outIndices[i * k + slot] = item.1
                                        outDistances[i * k + slot] = item.1 == Int32(i) ? 0 : item.0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return NearestNeighborGraph(count: n, k: k, indices: indices, distances: distances)
    }

    /// The k smallest (distance, index) pairs, nearest first; ties by the smaller index.
    static func smallest(_ k: Int, of items: inout [(Float, Int32)]) -> ArraySlice<(Float, Int32)> {
        func less(_ a: (Float, Int32), _ b: (Float, Int32)) -> Bool { a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
        // Partial selection: keep a sorted prefix of k, insert the rare item that beats its last.
        var top = Array(items.prefix(k)).sorted(by: less)
        for item in items.dropFirst(k) where less(item, top[k - 1]) {
            var slot = k - 1
            while slot > 0 && less(item, top[slot - 1]) { top[slot] = top[slot - 1]; slot -= 1 }
            top[slot] = item
        }
        return top[...]
    }
}

/// Scales each row to unit length (zero rows stay zero).
func normalizeRows(_ values: inout [Float], count n: Int, dimension d: Int) {
    for i in 0..<n {
        var s: Float = 0
        for j in 0..<d { s += values[i * d + j] * values[i * d + j] }
        let norm = s.squareRoot()
        if norm > 0 { for j in 0..<d { values[i * d + j] /= norm } }
    }
}
