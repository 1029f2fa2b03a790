import Foundation

/// How well a low-dimensional embedding keeps neighbourhoods (Venna & Kaski 2001), exactly as
/// scikit-learn's `manifold.trustworthiness` computes it: each row's k nearest rows in the
/// embedding are looked up in the row's ranking of all rows by input distance (Euclidean), and
/// every one ranked beyond k costs its excess rank:
/// T = 1 − 2/(n k (2n − 3k − 1)) · Σ max(0, rank − k). 1 is perfect.
/// Distances are compared in Double; ties in the input ranking go to the lower row number.
public func trustworthiness(input: [Float], dimension d: Int, embedding: [Float], embeddingDimension e: Int, k: Int = 10) throws -> Double {
    let n = input.count / max(1, d)
    guard input.count == n * d, embedding.count == n * e else { throw ProjectionError.invalid("input and embedding must have the same rows") }
    guard k >= 1, k < n / 2 else { throw ProjectionError.invalid("trustworthiness needs k < n/2 (k \(k), n \(n))") }
    func distances(_ x: [Float], _ dim: Int, from i: Int) -> [Double] {
        (0..<n).map { j in
            var s = 0.0
            for c in 0..<dim { let t = Double(x[i * dim + c]) - Double(x[j * dim + c]); s += t * t }
            return s
        }
    }
    var penalty = 0.0
    for i in 0..<n {
        let inputDistances = distances(input, d, from: i)
        let order = (0..<n).filter { $0 != i }.sorted { inputDistances[$0] != inputDistances[$1] ? inputDistances[$0] < inputDistances[$1] : $0 < $1 }
        var rank = [Int](repeating: 0, count: n)
        for (position, j) in order.enumerated() { rank[j] = position + 1 }
        let embedded = distances(embedding, e, from: i)
        let nearest = (0..<n).filter { $0 != i }.sorted { embedded[$0] != embedded[$1] ? embedded[$0] < embedded[$1] : $0 < $1 }.prefix(k)
        for j in nearest where rank[j] > k { penalty += Double(rank[j] - k) }
    }
    let (nn, kk) = (Double(n), Double(k))
    return 1 - penalty * (2 / (nn * kk * (2 * nn - 3 * kk - 1)))
}
