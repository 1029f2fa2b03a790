/// Roboflow's "Identify Outliers" workflow block (roboflow_core/identify_outliers@v1):
///
/// 1. The embedding is scaled to unit length and appended to a window of the last
///    `windowSize` embeddings (the current one included).
/// 2. Warming up while fewer than `warmup` embeddings have been seen (so the `warmup`-th is the
///    first judged, one earlier than "Identify Changes" counts).
/// 3. μ = the window's mean direction (sum / |sum|; the current embedding when the window has
///    fewer than 2 rows or the sum is zero). The von Mises–Fisher κ the block also fits is
///    never used, so it is not computed here.
/// 4. percentile = (number of window rows whose μ·row is below μ·x) / window count, and the
///    embedding is flagged when percentile < t or > 1 − t.
///
/// The current row is in the window, so percentile is at most (n−1)/n: with n = 32 and
/// t = 0.05 the ranks 0, 1 and 31 are flagged, 3 of 32 (~9%) on stationary data.
/// μ·x is computed exactly as μ·row for the current row, so the current row never counts as
/// below itself (numpy's separate dot and einsum can differ in the last bit there).
public struct RoboflowIdentifyOutliers: EmbeddingDetector {
    public let thresholdPercentile: Double
    public let warmup: Int
    public let windowSize: Int

    private var samples = 0
    private var window: [[Double]] = []

    /// Roboflow's defaults: t = 0.05, warm-up 3, window 32.
    public init(thresholdPercentile: Double = 0.05, warmup: Int = 3, windowSize: Int = 32) {
        self.thresholdPercentile = thresholdPercentile
        self.warmup = warmup
        self.windowSize = windowSize
    }

    public mutating func update(_ embedding: [Float]) -> DetectorReading {
        let x = Vectors.unit(embedding)
        samples += 1
        window.append(x)
        if window.count > windowSize { window.removeFirst() }
        if samples < warmup {
            return DetectorReading(isOutlier: false, warmingUp: true, percentile: 0.5, score: nil)
        }
        let mu = meanDirection() ?? x
        let current = Vectors.dot(mu, x)
        let below = window.filter { Vectors.dot(mu, $0) < current }.count
        let percentile = Double(below) / Double(window.count)
        let t = thresholdPercentile
        return DetectorReading(isOutlier: percentile < t || percentile > 1 - t, warmingUp: false,
                               percentile: percentile, score: nil)
    }

    private func meanDirection() -> [Double]? {
        guard window.count >= 2 else { return nil }
        var sum = [Double](repeating: 0, count: window[0].count)
        for row in window { for i in sum.indices { sum[i] += row[i] } }
        let r = Vectors.norm(sum)
        return r == 0 ? nil : sum.map { $0 / r }
    }
}
