/// Turns a stream of novelty scores into conformal p-values against a trailing window of past
/// scores: p = (1 + #{past s ≥ s}) / (n + 1).
///
/// When the scores are exchangeable (a stationary stream), the rank of a new score among the
/// n past ones is uniform, so P(p ≤ α) = ⌊α(n+1)⌋/(n+1) ≤ α, which is α whenever α(n+1) is
/// a whole number. That is why flagging "p ≤ α" gives the false-alarm rate the user asks for,
/// whatever the score's distribution (no normality assumption, unlike a z-score rule).
/// A sliding window keeps it valid when the stream drifts slowly.
public struct ConformalCalibrator: Sendable {
    public let capacity: Int
    private var scores: [Double] = []
    private var next = 0  // ring-buffer slot to overwrite once full

    public init(capacity: Int) {
        precondition(capacity > 0, "calibration window must hold at least one score")
        self.capacity = capacity
    }

    public var count: Int { scores.count }

    public func pValue(_ score: Double) -> Double {
        var atLeast = 0
        for s in scores where s >= score { atLeast += 1 }
        return Double(1 + atLeast) / Double(scores.count + 1)
    }

    /// The largest score in the window (−∞ when empty).
    public var maximum: Double { scores.max() ?? -.infinity }

    public mutating func append(_ score: Double) {
        if scores.count < capacity {
            scores.append(score)
        } else {
            scores[next] = score
            next = (next + 1) % capacity
        }
    }
}
