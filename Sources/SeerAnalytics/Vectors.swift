import Foundation

/// Vector helpers in Double: the detectors accumulate running means over thousands of frames,
/// and the Roboflow reference (numpy) works in float64.
enum Vectors {
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "vectors of different lengths: \(a.count) and \(b.count)")
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    /// `a / |a|`, or `a` unchanged when it is the zero vector.
    static func unit(_ a: [Double]) -> [Double] {
        let n = norm(a)
        return n == 0 ? a : a.map { $0 / n }
    }

    static func unit(_ a: [Float]) -> [Double] { unit(a.map(Double.init)) }

    /// dot(a, b) / (|a| |b|), as numpy computes it (NaN when either vector is zero).
    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        dot(a, b) / (norm(a) * norm(b))
    }
}

/// Cosine similarity of each embedding with the next (one fewer than embeddings; NaN where
/// either is the zero vector): the trace `SceneDetector` reads.
public func consecutiveSimilarities(_ embeddings: [[Float]]) -> [Double] {
    let vectors = embeddings.map { $0.map(Double.init) }
    return zip(vectors, vectors.dropFirst()).map { Vectors.cosine($0, $1) }
}

/// Median of the values (the mean of the two middle ones for an even count); NaN when empty.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
