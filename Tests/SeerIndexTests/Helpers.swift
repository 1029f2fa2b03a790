import Foundation
@testable import SeerIndex

/// Deterministic unit vectors for tests.
func randomUnitRows(_ n: Int, _ d: Int, seed: UInt64) -> VectorMatrix {
    var random = SplitMix64(seed: seed)
    var values = [Float](repeating: 0, count: n * d)
    for i in values.indices { values[i] = Float(Double(random.next() >> 11) / Double(1 << 53)) * 2 - 1 }
    var matrix = VectorMatrix(dimension: d, values: values)
    matrix.normalizeRows()
    return matrix
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seer-index-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Brute-force top-k by plain loops (the reference the searches are checked against).
func referenceTopK(_ matrix: VectorMatrix, _ query: [Float], k: Int) -> [Int] {
    var scored: [(index: Int, score: Float)] = []
    for i in 0..<matrix.count {
        var score: Float = 0
        for (a, b) in zip(matrix.row(i), query) { score += a * b }
        scored.append((i, score))
    }
    scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
    return scored.prefix(k).map(\.index)
}
