/// What a detector says about one embedding.
public struct DetectorReading: Sendable, Equatable {
    /// The embedding is flagged (never during warm-up).
    public var isOutlier: Bool
    /// Too little history to judge yet.
    public var warmingUp: Bool
    /// Roboflow modes: the block's `percentile` output. Calibrated mode: the conformal p-value
    /// (small = unusual).
    public var percentile: Double
    /// Roboflow "Identify Changes": the z-score of the cosine. Calibrated mode: the novelty
    /// score (1 − cosine to the reference). Roboflow "Identify Outliers": nil.
    public var score: Double?

    public init(isOutlier: Bool, warmingUp: Bool, percentile: Double, score: Double?) {
        self.isOutlier = isOutlier
        self.warmingUp = warmingUp
        self.percentile = percentile
        self.score = score
    }
}

/// A detector fed one embedding at a time, in stream order. Value types: copy one to fork its state.
public protocol EmbeddingDetector: Sendable {
    mutating func update(_ embedding: [Float]) -> DetectorReading
}
