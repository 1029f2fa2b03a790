/// Seer's default detector: a novelty score per embedding, turned into a conformal p-value
/// against the scores of the trailing `calibrationWindow` frames, flagged when p ≤
/// `falseAlarmRate`. On a stationary stream the scores are (close to) exchangeable, so the
/// share of frames flagged is the requested rate (see `ConformalCalibrator`); a frame unlike
/// the recent past gets a score above every calibration score and p = 1/(n+1).
///
/// The novelty score is 1 − cosine(embedding, reference), where the reference depends on the
/// mode:
/// - `.changes`: an exponential moving average of the previous unit embeddings (smoothing
///   `smoothingFactor`): "this frame differs from what the stream just showed". A lasting change
///   is absorbed within a few frames, so only the transition is flagged.
/// - `.outliers`: the mean of the previous `referenceWindow` unit embeddings: "this frame is
///   unlike the stream's normal look". A lasting change keeps being flagged until it makes up
///   more than the false-alarm rate of the calibration window.
///
/// Every frame enters the reference. A flagged frame enters the calibration window with its
/// score clipped to the window's largest score: kept whole, a few large anomalies would mask
/// the next ones (each counts as "at least as unusual"); left out (or clipped lower, to the
/// threshold), the window would lose its upper tail and the false-alarm rate would climb.
/// Clipping to the maximum only changes the order of scores above every calibration score,
/// which a stationary stream produces once per n + 1 frames.
/// No frame is flagged until the calibration window holds ⌈1/rate⌉ − 1 scores, the fewest
/// that allow p ≤ rate.
public struct CalibratedDetector: EmbeddingDetector {
    public enum Mode: String, Sendable, CaseIterable { case changes, outliers }

    public let mode: Mode
    public let falseAlarmRate: Double
    public let smoothingFactor: Double
    public let referenceWindow: Int
    public let minimumCalibration: Int

    private var calibrator: ConformalCalibrator
    private var ema: [Double]?
    private var recent: [[Double]] = []
    private var recentSum: [Double] = []

    public init(mode: Mode = .changes, falseAlarmRate: Double = 0.01, calibrationWindow: Int = 1000,
                smoothingFactor: Double = 0.1, referenceWindow: Int = 100) {
        precondition(falseAlarmRate > 0 && falseAlarmRate < 1, "false-alarm rate must be in (0, 1)")
        precondition(referenceWindow > 0, "reference window must hold at least one embedding")
        self.mode = mode
        self.falseAlarmRate = falseAlarmRate
        self.smoothingFactor = smoothingFactor
        self.referenceWindow = referenceWindow
        // A p-value can only reach α once n + 1 ≥ 1/α.
        minimumCalibration = max(1, Int((1 / falseAlarmRate).rounded(.up)) - 1)
        calibrator = ConformalCalibrator(capacity: max(calibrationWindow, minimumCalibration))
    }

    public mutating func update(_ embedding: [Float]) -> DetectorReading {
        let x = Vectors.unit(embedding)
        defer { absorb(x) }
        guard let reference = currentReference() else {
            return DetectorReading(isOutlier: false, warmingUp: true, percentile: 1, score: nil)
        }
        let score = 1 - Vectors.cosine(x, reference)
        let p = calibrator.pValue(score)
        let warmingUp = calibrator.count < minimumCalibration
        let isOutlier = !warmingUp && p <= falseAlarmRate
        calibrator.append(isOutlier ? min(score, calibrator.maximum) : score)
        return DetectorReading(isOutlier: isOutlier, warmingUp: warmingUp, percentile: p, score: score)
    }

    private func currentReference() -> [Double]? {
        switch mode {
        case .changes: return ema
        case .outliers: return recent.isEmpty ? nil : recentSum
        }
    }

    private mutating func absorb(_ x: [Double]) {
        switch mode {
        case .changes:
            let a = smoothingFactor
            ema = ema.map { zip($0, x).map { (1 - a) * $0 + a * $1 } } ?? x
        case .outliers:
            if recentSum.isEmpty { recentSum = [Double](repeating: 0, count: x.count) }
            recent.append(x)
            for i in x.indices { recentSum[i] += x[i] }
            if recent.count > referenceWindow {
                let old = recent.removeFirst()
                for i in old.indices { recentSum[i] -= old[i] }
            }
        }
    }
}
