import Foundation
import SeerAnalytics
import Testing

/// Tests/Fixtures/video/roboflow_trace.json, written by scripts/fixtures/make_video_fixtures.py:
/// an independent numpy implementation of Roboflow's Identify Changes block run over a synthetic stream
/// (Identify Outliers is checked against the block itself: RoboflowOutliersBlockTests).
struct RoboflowTrace: Decodable {
    struct Row: Decodable {
        let is_outlier: Bool
        let percentile: Double
        let z_score: Double?
        let warming_up: Bool
    }

    struct Config: Decodable, CustomTestStringConvertible {
        let detector: String
        let strategy: String?
        let threshold: Double
        let warmup: Int
        let smoothing: Double?
        let window: Int
        let trace: [Row]
        var testDescription: String { "\(detector) \(strategy ?? "") t=\(threshold) warmup=\(warmup) window=\(window)" }
    }

    let embeddings: [[Float]]
    let configs: [Config]

    static let shared: RoboflowTrace = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/video/roboflow_trace.json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try! decoder.decode(RoboflowTrace.self, from: Data(contentsOf: url))
    }()
}

/// Equal, treating NaN as equal to NaN, within a relative 1e-9 (summation order differs).
func close(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
}

@Suite struct RoboflowReferenceTests {
    @Test(arguments: RoboflowTrace.shared.configs)
    func reproducesReferenceTrace(_ config: RoboflowTrace.Config) throws {
        #expect(config.detector == "changes")
        let strategy = try #require(RoboflowIdentifyChanges.Strategy(rawValue: config.strategy ?? ""))
        var detector = RoboflowIdentifyChanges(strategy: strategy, thresholdPercentile: config.threshold, warmup: config.warmup,
                                               smoothingFactor: config.smoothing ?? 0.1, windowSize: config.window)
        let embeddings = RoboflowTrace.shared.embeddings
        #expect(embeddings.count == config.trace.count)
        #expect(config.trace.contains { $0.is_outlier }, "the reference flags something")
        var mismatches: [String] = []
        for (n, (embedding, expected)) in zip(embeddings, config.trace).enumerated() {
            let got = detector.update(embedding)
            var ok = got.isOutlier == expected.is_outlier && got.warmingUp == expected.warming_up
                && close(got.percentile, expected.percentile)
            if let z = expected.z_score { ok = ok && got.score.map { close($0, z) } == true }
            if !ok { mismatches.append("frame \(n): got \(got), expected \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) frames differ, first: \(mismatches.first ?? "")")
    }

    @Test func stationaryFlagRatesMatchDesign() {
        // Roboflow's blocks by construction: Identify Changes flags ~20% of a stationary stream, Identify Outliers ~9%.
        var stream = StationaryStream(dimension: 32, noise: 0.3, seed: 7)
        var changes = RoboflowIdentifyChanges()
        var outliers = RoboflowIdentifyOutliers()
        var flaggedChanges = 0, flaggedOutliers = 0
        let frames = 5000
        for _ in 0..<frames {
            let x = stream.next()
            if changes.update(x).isOutlier { flaggedChanges += 1 }
            if outliers.update(x).isOutlier { flaggedOutliers += 1 }
        }
        let changesRate = Double(flaggedChanges) / Double(frames)
        let outliersRate = Double(flaggedOutliers) / Double(frames)
        #expect(changesRate > 0.15 && changesRate < 0.27, "changes flagged \(changesRate)")
        #expect(abs(outliersRate - 3.0 / 32) < 0.015, "outliers flagged \(outliersRate)")
    }
}
