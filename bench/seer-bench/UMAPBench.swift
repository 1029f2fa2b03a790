import Foundation
import SeerAnalytics
import SeerIndex
import SeerTensor

/// `seer-bench umap DATA.npy OUT.npy [NEIGHBORS]`: the map `seer map` makes of an index's unit
/// vectors (cosine metric, umap-learn's defaults): the k-NN graph (exact below 20,000 rows,
/// HNSW with M 16 / efConstruction 32 above, as `seer map`), then UMAP. Writes the 2-D embedding to OUT.npy and prints the
/// seconds of each stage and the peak resident memory.
func benchUMAP(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    let data = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[0])))
    let neighbors = args.count > 2 ? Int(args[2]) ?? 15 : 15
    let (n, d) = (data.shape[0], data.shape[1])
    var matrix = VectorMatrix(dimension: d, values: data.scalars)
    matrix.normalizeRows()
    var knn: NearestNeighborGraph!
    let graphSeconds = seconds {
        if n < 20_000 {
            knn = NearestNeighborGraph.exact(matrix.values, count: n, dimension: d, k: neighbors, metric: .cosine)
        } else {
            let found = NeighborSearch.approximate(HNSWIndex(matrix: matrix, parameters: HNSWParameters(m: 16, efConstruction: 32)),
                                                    ef: max(32, 2 * neighbors)).neighborsOfEveryRow(k: neighbors - 1)
            var indices = [Int32](repeating: -1, count: n * neighbors), distances = [Float](repeating: .infinity, count: n * neighbors)
            for i in 0..<n {
                indices[i * neighbors] = Int32(i)
                distances[i * neighbors] = 0
                for (slot, hit) in found[i].prefix(neighbors - 1).enumerated() {
                    indices[i * neighbors + slot + 1] = Int32(hit.index)
                    distances[i * neighbors + slot + 1] = max(0, 1 - hit.score)
                }
            }
            knn = NearestNeighborGraph(count: n, k: neighbors, indices: indices, distances: distances)
        }
    }
    var embedding: UMAP.Embedding!
    let umapSeconds = try seconds {
        embedding = try UMAP(neighbors: neighbors, metric: .cosine, seed: 0).fit(matrix.values, count: n, dimension: d, knn: knn) {
            FileHandle.standardError.write(Data(("seer-bench: " + $0 + "\n").utf8))
        }
    }
    let out = Tensor(shape: [n, 2], values: embedding.coordinates)
    try NPY.encode(out).write(to: URL(fileURLWithPath: args[1]))
    try printJSON([
        "n": n, "d": d, "neighbors": neighbors, "knn_seconds": graphSeconds, "umap_seconds": umapSeconds,
        "total_seconds": graphSeconds + umapSeconds, "initialisation": embedding.initialisation,
        "epochs": UMAP().epochCount(for: n), "edges": embedding.graph.edgeCount, "peak_resident_bytes": peakResidentBytes(),
    ])
}
