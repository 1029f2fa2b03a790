/// Finds the k most similar rows of a matrix for a batch of unit query vectors: exact (BLAS)
/// for small collections, the HNSW graph for large ones. Results index rows of the matrix.
public enum NeighborSearch {
    case exact(ExactSearch)
    case approximate(HNSWIndex, ef: Int)

    public var matrix: VectorMatrix {
        switch self {
        case .exact(let search): return search.matrix
        case .approximate(let graph, _): return graph.matrix
        }
    }

    public var isApproximate: Bool {
        if case .approximate = self { return true }
        return false
    }

    /// `queries` holds `queryCount` rows of the matrix's dimension.
    public func search(_ queries: [Float], queryCount: Int, k: Int) -> [[Neighbor]] {
        switch self {
        case .exact(let search): return search.search(queries, queryCount: queryCount, k: k)
        case .approximate(let graph, let ef): return graph.search(queries, queryCount: queryCount, k: k, ef: max(ef, k))
        }
    }

    /// The k nearest other rows of every row (the row itself left out), in query batches.
    public func neighborsOfEveryRow(k: Int) -> [[Neighbor]] {
        let matrix = self.matrix
        let d = matrix.dimension
        var all: [[Neighbor]] = []
        all.reserveCapacity(matrix.count)
        let batch = 1024
        for start in stride(from: 0, to: matrix.count, by: batch) {
            let end = min(matrix.count, start + batch)
            let found = search(Array(matrix.values[start * d ..< end * d]), queryCount: end - start, k: k + 1)
            for (offset, neighbors) in found.enumerated() {
                all.append(Array(neighbors.filter { $0.index != start + offset }.prefix(k)))
            }
        }
        return all
    }
}
