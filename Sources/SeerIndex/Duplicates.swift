/// Near-duplicate groups: rows joined when their cosine is at least `threshold`, and groups
/// closed under that relation (union-find), so a chain a≈b≈c is one group.
public enum Duplicates {
    /// Groups of two or more rows, each sorted, largest group first.
    /// `neighbors` bounds how many candidates each row is checked against (its k nearest).
    public static func groups(_ search: NeighborSearch, threshold: Float, neighbors: Int = 16) -> [[Int]] {
        let n = search.matrix.count
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        for (row, found) in search.neighborsOfEveryRow(k: min(neighbors, max(0, n - 1))).enumerated() {
            for neighbor in found where neighbor.score >= threshold {
                let (a, b) = (root(row), root(neighbor.index))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in 0..<n { members[root(i), default: []].append(i) }
        return members.values.filter { $0.count > 1 }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }
}

/// The least typical rows: each row scores the mean cosine to its k nearest other rows (a
/// local density), and the lowest scores come first. Unlike distance from one global centroid,
/// this also finds an odd image sitting between clusters.
public enum Outliers {
    public static func rank(_ search: NeighborSearch, neighbors k: Int = 10) -> [Neighbor] {
        let found = search.neighborsOfEveryRow(k: max(1, k))
        return found.enumerated().map { row, neighbors in
            Neighbor(index: row, score: neighbors.isEmpty ? 0 : neighbors.reduce(0) { $0 + $1.score } / Float(neighbors.count))
        }
        .sorted { $0.score != $1.score ? $0.score < $1.score : $0.index < $1.index }
    }
}
