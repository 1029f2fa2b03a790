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
/// The current row is in the window, and the block computes μ·x (`np.dot`) and μ·row
/// (`np.einsum`) with sums in different orders: when the dot comes out one ulp above the
/// einsum, the current row counts as below itself and the rank is one higher (percentile up
/// to n/n = 1, flagged). That happens on about half the frames, so `NumPySums` reproduces both
/// orders (and numpy's norms) bit for bit, as numpy runs them on AVX2 x86-64 CPUs; the test
/// runs Roboflow's block itself (scripts/fixtures/make_roboflow_block_fixtures.py).
/// On stationary data 3/32 of frames are still flagged with n = 32 and t = 0.05: the extra rank
/// moves as many frames past the upper threshold as it moves off the lower one.
public struct RoboflowIdentifyOutliers: EmbeddingDetector {
    // Settable between updates: Roboflow's block takes them with every embedding.
    public var thresholdPercentile: Double
    public var warmup: Int
    public var windowSize: Int

    private var samples = 0
    private var window: [[Double]] = []

    /// Roboflow's defaults: t = 0.05, warm-up 3, window 32.
    public init(thresholdPercentile: Double = 0.05, warmup: Int = 3, windowSize: Int = 32) {
        self.thresholdPercentile = thresholdPercentile
        self.warmup = warmup
        self.windowSize = windowSize
    }

    public mutating func update(_ embedding: [Float]) -> DetectorReading {
        update(embedding.map(Double.init))
    }

    /// The block takes float64 (`np.array(embedding, dtype=float)`): workflow inputs come as JSON numbers.
    public mutating func update(_ raw: [Double]) -> DetectorReading {
        let length = NumPySums.norm(raw)
        let x = length == 0 ? raw : raw.map { $0 / length }
        samples += 1
        window.append(x)
        if window.count > windowSize { window.removeFirst() }
        if samples < warmup {
            return DetectorReading(isOutlier: false, warmingUp: true, percentile: 0.5, score: nil)
        }
        let mu = meanDirection() ?? x
        let current = NumPySums.blasDot(mu, x)
        let below = window.filter { NumPySums.einsumDot($0, mu) < current }.count
        let percentile = Double(below) / Double(window.count)
        let t = thresholdPercentile
        return DetectorReading(isOutlier: percentile < t || percentile > 1 - t, warmingUp: false,
                               percentile: percentile, score: nil)
    }

    private func meanDirection() -> [Double]? {
        guard window.count >= 2 else { return nil }
        var sum = [Double](repeating: 0, count: window[0].count)
        for row in window { for i in sum.indices { sum[i] += row[i] } }
        let r = NumPySums.norm(sum)
        return r == 0 ? nil : sum.map { $0 / r }
    }
}
