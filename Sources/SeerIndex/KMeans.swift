import SeerTensor
/// One cluster: its rows, its unit centroid, and the member closest to that centroid.
public struct Cluster: Sendable, Equatable {
    public var members: [Int]
    public var centroid: [Float]
    public var representative: Int
}

/// Spherical k-means: unit vectors, cosine similarity, centroids renormalized after every
/// update. Seeded with k-means++ (each next seed drawn with probability ∝ (1 − cos)² to the
/// nearest seed so far), deterministic for a given seed.
public enum KMeans {
    public static func cluster(_ matrix: VectorMatrix, k requested: Int, iterations: Int = 50, seed: UInt64 = 1) -> [Cluster] {
        let n = matrix.count, d = matrix.dimension
        let k = min(requested, n)
        guard k > 0 else { return [] }
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

        // k-means++ seeding.
        var centroids = VectorMatrix(dimension: d)
        var nearest = [Float](repeating: .infinity, count: n)
        var pick = Int(random.next() % UInt64(n))
        for _ in 0..<k {
            centroids.append(Array(matrix.row(pick)), id: Int64(centroids.count))
            let seedRow = Array(matrix.row(pick))
            matrix.values.withUnsafeBufferPointer { values in
                seedRow.withUnsafeBufferPointer { s in
                    for i in 0..<n {
                        let distance = max(0, 1 - dotProduct(values.baseAddress! + i * d, s.baseAddress!, d))
                        nearest[i] = min(nearest[i], distance * distance)
                    }
                }
            }
            let total = nearest.reduce(0, +)
            guard total > 0 else { break }  // fewer distinct points than k
            var target = Float(uniform()) * total
            pick = n - 1
            for i in 0..<n {
                target -= nearest[i]
                if target <= 0 && nearest[i] > 0 { pick = i; break }
            }
        }

        // Lloyd iterations on the sphere.
        var assignment = [Int](repeating: -1, count: n)
        for _ in 0..<iterations {
            let found = ExactSearch(matrix: centroids).search(matrix.values, queryCount: n, k: 1)
            let next = found.map { $0.first?.index ?? 0 }
            if next == assignment { break }
            assignment = next
            var sums = [Float](repeating: 0, count: centroids.count * d)
            for (row, c) in assignment.enumerated() {
                for j in 0..<d { sums[c * d + j] += matrix.values[row * d + j] }
            }
            var updated = VectorMatrix(dimension: d)
            for c in 0..<centroids.count {
                let sum = Array(sums[c * d ..< (c + 1) * d])
                // An empty cluster keeps its old centroid.
                updated.append(sum.contains { $0 != 0 } ? unitLength(sum) : Array(centroids.row(c)), id: Int64(c))
            }
            centroids = updated
        }

        var clusters: [Cluster] = []
        for c in 0..<centroids.count {
            let members = (0..<n).filter { assignment[$0] == c }
            guard !members.isEmpty else { continue }
            let centroid = Array(centroids.row(c))
            let representative = members.max { a, b in
                cosine(matrix.row(a), centroid) < cosine(matrix.row(b), centroid)
            }!
            clusters.append(Cluster(members: members, centroid: centroid, representative: representative))
        }
        return clusters.sorted { $0.members.count != $1.members.count ? $0.members.count > $1.members.count : $0.members[0] < $1.members[0] }
    }

    /// Both are unit vectors, so their cosine is their dot product.
    static func cosine(_ a: ArraySlice<Float>, _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in dotProduct(x.baseAddress!, y.baseAddress!, min(x.count, y.count)) } }
    }
}
