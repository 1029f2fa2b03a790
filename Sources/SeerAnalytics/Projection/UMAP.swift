import Foundation

/// Errors of the projections: the input cannot be projected as asked.
public enum ProjectionError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let message): return message }
    }
}

/// UMAP (McInnes, Healy & Melville 2018) with umap-learn's defaults and choices: k-NN graph,
/// fuzzy simplicial set, spectral initialisation, a and b fitted from `minDist` and `spread`,
/// SGD with negative sampling; 500 epochs up to 10,000 rows, 200 above. Seeded: the same input
/// and seed give the same map on any number of threads.
public struct UMAP: Sendable {
    public var neighbors = 15
    public var minDist = 0.1
    public var spread = 1.0
    public var metric = ProjectionMetric.euclidean
    public var negativeSampleRate = 5
    /// nil: umap-learn's choice (500 up to 10,000 rows, 200 above).
    public var epochs: Int?
    public var dimensions = 2
    public var seed: UInt64 = 0
    /// Up to this many rows the optimiser runs on one thread exactly as umap-learn's seeded one
    /// (better neighbourhoods, ≈7 s at 10,000 rows); above it, the parallel scheme.
    public var sequentialUpTo = 10_000

    public init(neighbors: Int = 15, minDist: Double = 0.1, spread: Double = 1, metric: ProjectionMetric = .euclidean,
                epochs: Int? = nil, dimensions: Int = 2, seed: UInt64 = 0) {
        self.neighbors = neighbors
        self.minDist = minDist
        self.spread = spread
        self.metric = metric
        self.epochs = epochs
        self.dimensions = dimensions
        self.seed = seed
    }

    /// A fitted map: `count` rows of `dimensions` coordinates, how it was initialised, and the
    /// graph it was optimised on.
    public struct Embedding: Sendable {
        public var coordinates: [Float]
        public var count: Int
        public var dimensions: Int
        /// "spectral", or "random" when the spectral initialisation failed.
        public var initialisation: String
        public var graph: WeightedGraph
    }

    public var curve: CurveParameters { CurveParameters(minDist: minDist, spread: spread) }

    func validate(count n: Int) throws {
        if neighbors < 2 { throw ProjectionError.invalid("UMAP needs at least 2 neighbours (got \(neighbors))") }
        if !(minDist >= 0) || !(spread > 0) || minDist > spread {
            throw ProjectionError.invalid("UMAP needs 0 ≤ min_dist ≤ spread and spread > 0 (got min_dist \(minDist), spread \(spread))")
        }
        if dimensions < 1 { throw ProjectionError.invalid("UMAP needs at least 1 output dimension") }
        if n < 2 { throw ProjectionError.invalid("UMAP needs at least 2 rows to project (got \(n))") }
    }

    /// The number of epochs used for `count` rows.
    public func epochCount(for count: Int) -> Int { epochs ?? (count <= 10_000 ? 500 : 200) }

    /// Fits a map of `data` (`count` rows × `dimension`). `knn` is each row's nearest rows (itself
    /// first), e.g. from an HNSW search; nil computes them exactly. `log` hears what happened.
    public func fit(_ data: [Float], count n: Int, dimension d: Int, knn given: NearestNeighborGraph? = nil,
                    log: (String) -> Void = { _ in }) throws -> Embedding {
        try validate(count: n)
        guard data.count == n * d, data.allSatisfy(\.isFinite) else {
            throw ProjectionError.invalid("the input must be \(n) rows of \(d) finite numbers")
        }
        let knn = given ?? NearestNeighborGraph.exact(data, count: n, dimension: d, k: min(neighbors, n), metric: metric)
        let epochs = epochCount(for: n)
        var graph = FuzzySimplicialSet.graph(knn)
        if let maxWeight = graph.weights.max() { graph = graph.pruned(below: maxWeight / Float(epochs)) }

        var initialisation = "spectral"
        var start: [Float]
        do {
            start = try SpectralLayout.layout(graph, dim: dimensions, data: data, dimension: d, seed: seed)
        } catch {
            log("spectral initialisation failed (the graph's eigenvectors did not converge); starting from random positions")
            initialisation = "random"
            var random = ProjectionRandom(seed: seed)
            start = (0..<n * dimensions).map { _ in Float(random.uniform() * 20 - 10) }
        }
        var coordinates = Self.noisyScale(start, dim: dimensions, seed: seed)
        let curve = self.curve
        LayoutOptimizer(graph: graph, epochs: epochs, a: Float(curve.a), b: Float(curve.b),
                        negativeRate: negativeSampleRate, seed: seed, sequential: n <= sequentialUpTo)
            .run(heads: &coordinates, tails: nil, dim: dimensions)
        return Embedding(coordinates: coordinates, count: n, dimensions: dimensions, initialisation: initialisation, graph: graph)
    }

    /// Places new rows into a fitted map without moving it (umap-learn's `transform`): each new
    /// row's memberships to its nearest mapped rows (`knn`: indices into the map, nearest first,
    /// no self), a start at their weighted mean, then a third of the epochs of SGD against the
    /// fixed map (100 up to 10,000 mapped rows, 30 above).
    public func place(knn: NearestNeighborGraph, into map: [Float], mapCount: Int) throws -> [Float] {
        let dim = dimensions
        guard map.count == mapCount * dim else { throw ProjectionError.invalid("the map must hold \(mapCount) rows of \(dim)") }
        let n = knn.count, k = knn.k
        guard n > 0 else { return [] }
        guard mapCount > 0, k > 0 else { throw ProjectionError.invalid("new rows need a map with at least one row") }
        // umap-learn lowers the local connectivity by one for new points (none is itself a neighbour).
        let (rho, sigma) = FuzzySimplicialSet.smoothDistances(withSelfColumn(knn), localConnectivity: 0)
        var rowStart = [0], columns: [Int32] = [], weights: [Float] = []
        var start = [Float](repeating: 0, count: n * dim)
        for i in 0..<n {
            var total: Float = 0
            for slot in 0..<k {
                let j = Int(knn.indices[i * k + slot])
                guard j >= 0, j < mapCount else { continue }
                let d = knn.distances[i * k + slot]
                let w: Float = (d - rho[i] <= 0 || sigma[i] == 0) ? 1 : Float(exp(-Double(d - rho[i]) / Double(sigma[i])))
                columns.append(Int32(j)); weights.append(w)
                total += w
                for c in 0..<dim { start[i * dim + c] += w * map[j * dim + c] }
            }
            if total > 0 { for c in 0..<dim { start[i * dim + c] /= total } }
            rowStart.append(columns.count)
        }
        var graph = WeightedGraph(count: n, rowStart: rowStart, columns: columns, weights: weights)
        let epochs = max(1, (epochs ?? (mapCount <= 10_000 ? 100 : 30) * 3) / 3)
        if let maxWeight = graph.weights.max() { graph = graph.pruned(below: maxWeight / Float(epochs)) }
        let curve = self.curve
        LayoutOptimizer(graph: graph, epochs: epochs, a: Float(curve.a), b: Float(curve.b),
                        negativeRate: negativeSampleRate, seed: seed).run(heads: &start, tails: map, dim: dim)
        return start
    }

    /// The neighbours with a leading self column at distance 0 (what `smoothDistances` skips).
    private func withSelfColumn(_ knn: NearestNeighborGraph) -> NearestNeighborGraph {
        let k = knn.k + 1
        var indices = [Int32](repeating: -1, count: knn.count * k), distances = [Float](repeating: 0, count: knn.count * k)
        for i in 0..<knn.count {
            for slot in 0..<knn.k {
                indices[i * k + slot + 1] = knn.indices[i * knn.k + slot]
                distances[i * k + slot + 1] = knn.distances[i * knn.k + slot]
            }
        }
        return NearestNeighborGraph(count: knn.count, k: k, indices: indices, distances: distances)
    }

    /// umap-learn's `noisy_scale_coords` (largest |coordinate| to 10, Gaussian noise of 1e-4),
    /// then each axis scaled to [0, 10].
    static func noisyScale(_ start: [Float], dim: Int, seed: UInt64) -> [Float] {
        var random = ProjectionRandom(seed: seed &+ 1)
        let largest = start.map { abs($0) }.max() ?? 0
        let expansion = largest > 0 ? 10 / largest : 1
        var coordinates = start.map { $0 * expansion + Float(random.normal() * 1e-4) }
        let n = coordinates.count / dim
        for c in 0..<dim {
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<n { lo = min(lo, coordinates[i * dim + c]); hi = max(hi, coordinates[i * dim + c]) }
            let range = hi - lo
            for i in 0..<n { coordinates[i * dim + c] = range > 0 ? 10 * (coordinates[i * dim + c] - lo) / range : 0 }
        }
        return coordinates
    }
}
