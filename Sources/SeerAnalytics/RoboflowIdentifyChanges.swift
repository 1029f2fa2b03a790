import Foundation

/// Roboflow's "Identify Changes" workflow block (roboflow_core/identify_changes@v1), step for step,
/// including its quirks, so that `--compat roboflow` flags the same frames:
///
/// 1. The embedding is scaled to unit length.
/// 2. From the second embedding on, cs = cosine(embedding, running mean embedding).
///    The first cs seeds the cosine statistics (mean cs, std 0). Later ones update them
///    *including the current value*: EMA (mean, then var = (1−α)var + α(cs − mean)²), SMA (a
///    Welford-style update whose count is the number of embeddings seen, not of cosines), or a
///    sliding window of the last `windowSize` cosines (population std; the seeding cosine is
///    not in the window).
/// 3. z = (cs − mean)/std, percentile = 1 − Φ(z); with std 0, z = 0 and percentile 0.5.
/// 4. Flagged when percentile ≤ t/2 or ≥ 1 − t/2, except for the first `warmup` embeddings.
/// 5. The running mean embedding is then updated with the same strategy (the sliding window of
///    embeddings does not include the first embedding, which only seeds the mean).
///
/// On a stationary stream the cosine is roughly normal around its mean, so about t of all
/// frames are flagged (20% with the defaults) by construction.
public struct RoboflowIdentifyChanges: EmbeddingDetector {
    public enum Strategy: String, Sendable, CaseIterable {
        case ema, sma, slidingWindow = "sliding-window"
    }

    // Settable between updates: Roboflow's block takes them with every embedding.
    public var strategy: Strategy
    public var thresholdPercentile: Double
    public var warmup: Int
    public var smoothingFactor: Double
    public var windowSize: Int

    private var samples = 0
    /// The running mean embedding (the block's `average` output); nil before the first update.
    public private(set) var average: [Double]?
    /// The running per-dimension standard deviation of the embeddings (the block's `std` output).
    public private(set) var spread: [Double] = []
    private var embeddingVariance: [Double] = []
    private var embeddingM2: [Double] = []
    private var window: [[Double]] = []
    private var cosineMean: Double?
    private var cosineStd = 0.0
    private var cosineVariance = 0.0
    private var cosineM2 = 0.0
    private var cosineWindow: [Double] = []

    /// Roboflow's defaults: EMA, t = 0.2, warm-up 3, α = 0.1, window 10.
    public init(strategy: Strategy = .ema, thresholdPercentile: Double = 0.2, warmup: Int = 3,
                smoothingFactor: Double = 0.1, windowSize: Int = 10) {
        self.strategy = strategy
        self.thresholdPercentile = thresholdPercentile
        self.warmup = warmup
        self.smoothingFactor = smoothingFactor
        self.windowSize = windowSize
    }

    public mutating func update(_ embedding: [Float]) -> DetectorReading {
        update(embedding.map(Double.init))
    }

    /// The block takes float64: workflow inputs come as JSON numbers.
    public mutating func update(_ embedding: [Double]) -> DetectorReading {
        let x = Vectors.unit(embedding)
        var percentile = 0.5
        var z = 0.0
        if let average {
            let cs = Vectors.cosine(x, average)
            updateCosineStatistics(cs)
            // A cosine with no spread yet (the first one, a still scene) is no evidence either way:
            // inference-core 1.8.3's block answers z = 0, percentile 0.5 rather than NaN.
            if cosineStd != 0 {
                z = (cs - cosineMean!) / cosineStd
                percentile = 1 - 0.5 * (1 + erf(z / 2.0.squareRoot()))
            }
        }
        let warmingUp = samples < warmup
        let t = thresholdPercentile
        let isOutlier = !warmingUp && (percentile <= t / 2 || percentile >= 1 - t / 2)
        updateAverage(x)
        samples += 1
        return DetectorReading(isOutlier: isOutlier, warmingUp: warmingUp, percentile: percentile, score: z)
    }

    private mutating func updateCosineStatistics(_ cs: Double) {
        guard let mean = cosineMean else {
            cosineMean = cs
            cosineStd = 0
            return
        }
        let a = smoothingFactor
        switch strategy {
        case .ema:
            let newMean = (1 - a) * mean + a * cs
            cosineVariance = (1 - a) * cosineVariance + a * (cs - newMean) * (cs - newMean)
            cosineMean = newMean
            cosineStd = cosineVariance.squareRoot()
        case .sma:
            let count = Double(samples + 1)
            let newMean = cs / count + mean * Double(samples) / count
            cosineM2 += (cs - mean) * (cs - newMean)
            cosineMean = newMean
            cosineStd = (cosineM2 / (count - 1)).squareRoot()
        case .slidingWindow:
            cosineWindow.append(cs)
            if cosineWindow.count > windowSize { cosineWindow.removeFirst() }
            let m = cosineWindow.reduce(0, +) / Double(cosineWindow.count)
            let variance = cosineWindow.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(cosineWindow.count)
            cosineMean = m
            cosineStd = variance.squareRoot()
        }
    }

    private mutating func updateAverage(_ x: [Double]) {
        guard let average else {
            self.average = x
            spread = [Double](repeating: 0, count: x.count)
            embeddingVariance = spread
            embeddingM2 = spread
            return
        }
        let a = smoothingFactor
        switch strategy {
        case .ema:
            let mean = zip(average, x).map { (1 - a) * $0 + a * $1 }
            embeddingVariance = zip(embeddingVariance, zip(x, mean)).map { (1 - a) * $0 + a * ($1.0 - $1.1) * ($1.0 - $1.1) }
            spread = embeddingVariance.map { $0.squareRoot() }
            self.average = mean
        case .sma:
            let count = Double(samples + 1)
            let mean = zip(average, x).map { $0 + ($1 - $0) / count }
            for i in x.indices { embeddingM2[i] += (x[i] - average[i]) * (x[i] - mean[i]) }
            spread = embeddingM2.map { ($0 / (count - 1)).squareRoot() }
            self.average = mean
        case .slidingWindow:
            window.append(x)
            if window.count > windowSize { window.removeFirst() }
            var mean = [Double](repeating: 0, count: x.count)
            for row in window { for i in mean.indices { mean[i] += row[i] } }
            mean = mean.map { $0 / Double(window.count) }
            // np.std: the mean of squared deviations (population), then the square root.
            var squares = [Double](repeating: 0, count: x.count)
            for row in window { for i in squares.indices { squares[i] += (row[i] - mean[i]) * (row[i] - mean[i]) } }
            spread = squares.map { ($0 / Double(window.count)).squareRoot() }
            self.average = mean
        }
    }
}
