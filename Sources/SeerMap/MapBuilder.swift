import Foundation
import SeerAnalytics
import SeerIndex

/// How a map is projected.
public enum MapMethod: String, Sendable, CaseIterable {
    case umap, pca
}

public struct MapOptions: Sendable {
    public var method = MapMethod.umap
    public var neighbors = 15
    public var minDist = 0.1
    public var metric = ProjectionMetric.cosine
    public var seed: UInt64 = 0
    /// Place images without a position into the stored map instead of recomputing it.
    public var update = false
    /// From this many images on, the k-NN graph comes from an HNSW search instead of exact search.
    public var approximateThreshold = 20_000

    public init() {}

    /// The options as stored with the projection (what `--update` checks and the page shows).
    var parameters: String {
        method == .pca ? "{\"method\":\"pca\"}"
            : "{\"method\":\"umap\",\"neighbors\":\(neighbors),\"min_dist\":\(minDist),\"metric\":\"\(metric.rawValue)\",\"seed\":\(seed)}"
    }
}

/// A map of an index: every loaded image with its position, and the loaded collection (whose
/// vectors colour the map by clusters or outliers).
public struct DatasetMap {
    public var collection: ImageIndex.Collection
    /// One per entry of `collection.entries`.
    public var points: [SIMD2<Float>]
    public var method: MapMethod
    public var parameters: String
    /// How many images were placed into a stored map (`--update`), or nil when it was computed.
    public var placed: Int?
    /// Whether the map was saved in the index.
    public var stored: Bool
}

/// Projects an index's embeddings to 2-D and keeps the result in the index.
public enum MapBuilder {
    static let projectionName = "map"

    public static func build(store: VectorStore, options: MapOptions, log: (String) -> Void = { _ in }) throws -> DatasetMap {
        let collection = try ImageIndex(store: store).load()
        let matrix = collection.search.matrix
        let n = matrix.count
        guard n >= 2 else { throw ProjectionError.invalid("a map needs at least 2 indexed images (the index has \(n))") }
        let ids = matrix.ids
        let projections = store as? ProjectionStoring

        if options.update, let stored = try projections?.loadProjection(name: projectionName) {
            guard stored.method == options.method.rawValue else {
                throw ProjectionError.invalid("the stored map is \(stored.method), not \(options.method.rawValue): drop --update to recompute it")
            }
            var points = [SIMD2<Float>](repeating: .zero, count: n)
            var missing: [Int] = []
            for i in 0..<n {
                if let point = stored.points[ids[i]] { points[i] = point } else { missing.append(i) }
            }
            let mapped = (0..<n).filter { stored.points[ids[$0]] != nil }
            if !missing.isEmpty {
                guard !mapped.isEmpty else { throw ProjectionError.invalid("the stored map has none of the indexed images: drop --update") }
                let placed = try place(missing, into: mapped, points: points, matrix: matrix, stored: stored, options: options)
                for (slot, row) in missing.enumerated() { points[row] = placed[slot] }
                var updated = stored
                for row in missing { updated.points[ids[row]] = points[row] }
                try projections?.saveProjection(name: projectionName, updated)
            }
            log("placed \(missing.count) new image(s) into the stored \(stored.method) map of \(mapped.count)")
            return DatasetMap(collection: collection, points: points, method: options.method, parameters: stored.parameters,
                              placed: missing.count, stored: true)
        } else if options.update {
            log("no stored map in this index yet: computing one")
        }

        let d = matrix.dimension
        var points: [SIMD2<Float>]
        var model: [Float] = []
        switch options.method {
        case .pca:
            let fitted = try PCA(dimensions: 2).fit(matrix.values, count: n, dimension: d)
            points = (0..<n).map { i -> SIMD2<Float> in SIMD2(fitted.coordinates[2 * i], fitted.coordinates[2 * i + 1]) }
            model = fitted.mean + fitted.components
        case .umap:
            let umap = UMAP(neighbors: min(options.neighbors, n), minDist: options.minDist, metric: options.metric, seed: options.seed)
            let knn = n >= options.approximateThreshold ? approximateNeighbors(collection.search, k: umap.neighbors, metric: options.metric)
                : NearestNeighborGraph.exact(matrix.values, count: n, dimension: d, k: umap.neighbors, metric: options.metric)
            let fitted = try umap.fit(matrix.values, count: n, dimension: d, knn: knn, log: log)
            points = (0..<n).map { i -> SIMD2<Float> in SIMD2(fitted.coordinates[2 * i], fitted.coordinates[2 * i + 1]) }
        }
        var stored = false
        if let projections {
            var byID: [Int64: SIMD2<Float>] = [:]
            for i in 0..<n { byID[ids[i]] = points[i] }
            try projections.saveProjection(name: projectionName, StoredProjection(method: options.method.rawValue, parameters: options.parameters,
                                                                                  points: byID, model: model))
            stored = true
        } else {
            log("this index cannot store a map (PostgreSQL): the map is computed but not saved")
        }
        return DatasetMap(collection: collection, points: points, method: options.method, parameters: options.parameters,
                          placed: nil, stored: stored)
    }

    /// Each row's k nearest rows (itself first) from the index's search: its saved HNSW graph
    /// when it has one, else a graph built now (exact search of every row costs n² dot products).
    static func approximateNeighbors(_ search: NeighborSearch, k: Int, metric: ProjectionMetric) -> NearestNeighborGraph {
        let graphSearch: NeighborSearch = search.isApproximate ? search
            : .approximate(HNSWIndex(matrix: search.matrix, parameters: mapGraphParameters), ef: max(32, 2 * k))
        return neighborGraph(graphSearch.neighborsOfEveryRow(k: k - 1), k: k, metric: metric)
    }

    /// A lighter graph than search's (M 16, efConstruction 32): UMAP needs each image's
    /// neighbourhood, not its exact top 15 (umap-learn's NN-descent is approximate too).
    public static let mapGraphParameters = HNSWParameters(m: 16, efConstruction: 32)

    /// Search hits (cosine scores, self left out) as UMAP's neighbour graph (self first, distances).
    static func neighborGraph(_ found: [[Neighbor]], k: Int, metric: ProjectionMetric) -> NearestNeighborGraph {
        let n = found.count
        var indices = [Int32](repeating: -1, count: n * k), distances = [Float](repeating: .infinity, count: n * k)
        for i in 0..<n {
            indices[i * k] = Int32(i)
            distances[i * k] = 0
            for (slot, hit) in found[i].prefix(k - 1).enumerated() {
                indices[i * k + slot + 1] = Int32(hit.index)
                distances[i * k + slot + 1] = distance(cosine: hit.score, metric)
            }
        }
        return NearestNeighborGraph(count: n, k: k, indices: indices, distances: distances)
    }

    /// Unit vectors: cosine distance 1 − cos, Euclidean √(2 − 2 cos).
    static func distance(cosine: Float, _ metric: ProjectionMetric) -> Float {
        metric == .cosine ? max(0, 1 - cosine) : max(0, 2 - 2 * cosine).squareRoot()
    }

    /// Positions for `rows` in a stored map of `mapped` rows: PCA projects them with the stored
    /// components; UMAP places them from their nearest mapped images (umap-learn's transform).
    static func place(_ rows: [Int], into mapped: [Int], points: [SIMD2<Float>], matrix: VectorMatrix, stored: StoredProjection,
                      options: MapOptions) throws -> [SIMD2<Float>] {
        let d = matrix.dimension
        let values = rows.flatMap { matrix.row($0) }
        if stored.method == MapMethod.pca.rawValue {
            guard stored.model.count == 3 * d else { throw ProjectionError.invalid("the stored PCA map has no components: drop --update") }
            let fitted = PCA.Fitted(coordinates: [], components: Array(stored.model[d...]), mean: Array(stored.model[..<d]), variances: [])
            let projected = PCA.project(values, count: rows.count, with: fitted)
            return (0..<rows.count).map { r -> SIMD2<Float> in SIMD2(projected[2 * r], projected[2 * r + 1]) }
        }
        let parameters = (try? JSONSerialization.jsonObject(with: Data(stored.parameters.utf8))) as? [String: Any] ?? [:]
        let k = min(parameters["neighbors"] as? Int ?? options.neighbors, mapped.count)
        let metric = (parameters["metric"] as? String).flatMap(ProjectionMetric.init(rawValue:)) ?? options.metric
        let umap = UMAP(neighbors: max(2, k), minDist: parameters["min_dist"] as? Double ?? options.minDist, metric: metric,
                        seed: (parameters["seed"] as? Int).map(UInt64.init) ?? options.seed)
        var mappedMatrix = VectorMatrix(dimension: d)
        for row in mapped { mappedMatrix.append(Array(matrix.row(row)), id: matrix.ids[row]) }
        let found = ExactSearch(matrix: mappedMatrix).search(values, queryCount: rows.count, k: k)
        var indices = [Int32](repeating: -1, count: rows.count * k), distances = [Float](repeating: .infinity, count: rows.count * k)
        for (r, hits) in found.enumerated() {
            for (slot, hit) in hits.enumerated() {
                indices[r * k + slot] = Int32(hit.index)
                distances[r * k + slot] = distance(cosine: hit.score, metric)
            }
        }
        var map: [Float] = []
        for row in mapped { map.append(points[row].x); map.append(points[row].y) }
        let placed = try umap.place(knn: NearestNeighborGraph(count: rows.count, k: k, indices: indices, distances: distances),
                                    into: map, mapCount: mapped.count)
        return (0..<rows.count).map { r -> SIMD2<Float> in SIMD2(placed[2 * r], placed[2 * r + 1]) }
    }
}
