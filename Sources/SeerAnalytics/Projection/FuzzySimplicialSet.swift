import Foundation

/// A symmetric weighted graph in compressed rows: row i's edges are
/// `columns[rowStart[i] ..< rowStart[i+1]]` with `weights` beside them, columns ascending.
/// Every edge appears in both its rows.
public struct WeightedGraph: Sendable {
    public let count: Int
    public var rowStart: [Int]
    public var columns: [Int32]
    public var weights: [Float]

    public var edgeCount: Int { columns.count }

    /// Drops the edges whose weight is below `threshold` (umap-learn's pruning before the
    /// optimisation: weights under max/epochs would be sampled less than once).
    public func pruned(below threshold: Float) -> WeightedGraph {
        var start = [Int](repeating: 0, count: count + 1)
        var keptColumns: [Int32] = [], keptWeights: [Float] = []
        keptColumns.reserveCapacity(columns.count)
        keptWeights.reserveCapacity(columns.count)
        for i in 0..<count {
            for e in rowStart[i]..<rowStart[i + 1] where weights[e] >= threshold && weights[e] > 0 {
                keptColumns.append(columns[e])
                keptWeights.append(weights[e])
            }
            start[i + 1] = keptColumns.count
        }
        return WeightedGraph(count: count, rowStart: start, columns: keptColumns, weights: keptWeights)
    }

    /// Each row's connected component (0, 1, …, in order of each component's first row).
    public func components() -> (labels: [Int], count: Int) {
        var labels = [Int](repeating: -1, count: count)
        var next = 0
        var stack: [Int] = []
        for seed in 0..<count where labels[seed] < 0 {
            labels[seed] = next
            stack.append(seed)
            while let i = stack.popLast() {
                for e in rowStart[i]..<rowStart[i + 1] where labels[Int(columns[e])] < 0 {
                    labels[Int(columns[e])] = next
                    stack.append(Int(columns[e]))
                }
            }
            next += 1
        }
        return (labels, next)
    }
}

/// UMAP's fuzzy simplicial set (McInnes et al. 2018, §3; umap-learn's `fuzzy_simplicial_set`):
/// each row's neighbour distances become memberships exp(−(d − ρ)/σ), where ρ is the distance to
/// the nearest neighbour (so every row is connected to at least one other with weight 1) and σ
/// is found by binary search so that the memberships sum to log2 k; the directed memberships
/// are then joined by the fuzzy union a + b − ab into a symmetric graph.
public enum FuzzySimplicialSet {
    /// The per-row ρ and σ (umap-learn's `smooth_knn_dist`, 64 bisection steps, tolerance 1e-5).
    /// `localConnectivity` is how many nearest neighbours are taken to be fully connected.
    public static func smoothDistances(_ knn: NearestNeighborGraph, localConnectivity: Double = 1, bandwidth: Double = 1)
        -> (rho: [Float], sigma: [Float]) {
        let n = knn.count, k = knn.k
        let target = log2(Double(k)) * bandwidth
        let minScale = 1e-3  // umap-learn's MIN_K_DIST_SCALE
        var globalMean = 0.0, finiteCount = 0
        for d in knn.distances where d.isFinite { globalMean += Double(d); finiteCount += 1 }
        globalMean /= Double(max(1, finiteCount))
        var rho = [Float](repeating: 0, count: n), sigma = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let row = (0..<k).map { Double(knn.distances[i * k + $0]) }
            let nonZero = row.filter { $0 > 0 && $0.isFinite }
            var r = 0.0
            if Double(nonZero.count) >= localConnectivity {
                let index = Int(localConnectivity.rounded(.down))
                let interpolation = localConnectivity - Double(index)
                if index > 0 {
                    r = nonZero[index - 1]
                    if interpolation > 1e-5 { r += interpolation * (nonZero[index] - nonZero[index - 1]) }
                } else {
                    r = interpolation * (nonZero.first ?? 0)
                }
            } else if !nonZero.isEmpty {
                r = nonZero.max()!
            }
            var lo = 0.0, hi = Double.infinity, mid = 1.0
            for _ in 0..<64 {
                var sum = 0.0
                // Column 0 is the row itself; umap-learn leaves it out of the sum.
                for j in 1..<max(1, k) where row[j].isFinite {
                    let d = row[j] - r
                    sum += d > 0 ? exp(-(d / mid)) : 1
                }
                if abs(sum - target) < 1e-5 { break }
                if sum > target {
                    hi = mid
                    mid = (lo + hi) / 2
                } else {
                    lo = mid
                    mid = hi == .infinity ? mid * 2 : (lo + hi) / 2
                }
            }
            if r > 0 {
                let finite = row.filter(\.isFinite)
                let mean = finite.reduce(0, +) / Double(max(1, finite.count))
                if mid < minScale * mean { mid = minScale * mean }
            } else if mid < minScale * globalMean {
                mid = minScale * globalMean
            }
            rho[i] = Float(r)
            sigma[i] = Float(mid)
        }
        return (rho, sigma)
    }

    /// The symmetric fuzzy union of the directed memberships.
    public static func graph(_ knn: NearestNeighborGraph, localConnectivity: Double = 1) -> WeightedGraph {
        let (rho, sigma) = smoothDistances(knn, localConnectivity: localConnectivity)
        return graph(knn, rho: rho, sigma: sigma)
    }

    static func graph(_ knn: NearestNeighborGraph, rho: [Float], sigma: [Float]) -> WeightedGraph {
        let n = knn.count, k = knn.k
        // Directed memberships, each entered in both rows (i, j) and (j, i).
        var degree = [Int](repeating: 0, count: n + 1)
        var directed: [(Int32, Int32, Float)] = []
        directed.reserveCapacity(n * k)
        for i in 0..<n {
            for slot in 0..<k {
                let j = Int(knn.indices[i * k + slot])
                guard j >= 0, j != i else { continue }
                let d = knn.distances[i * k + slot]
                let w: Float = (d - rho[i] <= 0 || sigma[i] == 0) ? 1 : Float(exp(-Double(d - rho[i]) / Double(sigma[i])))
                guard w > 0 else { continue }
                directed.append((Int32(i), Int32(j), w))
                degree[i + 1] += 1
                degree[j + 1] += 1
            }
        }
        for i in 0..<n { degree[i + 1] += degree[i] }
        var fill = degree
        var entries = [(Int32, Float)](repeating: (0, 0), count: degree[n])
        for (i, j, w) in directed {
            entries[fill[Int(i)]] = (j, w); fill[Int(i)] += 1
            entries[fill[Int(j)]] = (i, w); fill[Int(j)] += 1
        }
        // Sort each row by column and merge repeats: (i, j) present from both sides is a + b − ab.
        var rowStart = [Int](repeating: 0, count: n + 1)
        var columns: [Int32] = [], weights: [Float] = []
        columns.reserveCapacity(entries.count)
        weights.reserveCapacity(entries.count)
        for i in 0..<n {
            let row = entries[degree[i]..<degree[i + 1]].sorted { $0.0 < $1.0 }
            var e = row.startIndex
            while e < row.endIndex {
                let column = row[e].0
                var value = row[e].1
                e += 1
                while e < row.endIndex && row[e].0 == column {
                    value = value + row[e].1 - value * row[e].1
                    e += 1
                }
                if value > 0 {
                    columns.append(column)
                    weights.append(value)
                }
            }
            rowStart[i + 1] = columns.count
        }
        return WeightedGraph(count: n, rowStart: rowStart, columns: columns, weights: weights)
    }
}
