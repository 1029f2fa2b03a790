import Foundation
import SeerAnalytics
import Testing

/// Tests/Fixtures/video/roboflow_changes_block.json: what Roboflow's IdentifyChangesBlockV1
/// (inference-core 1.8.3) itself answered, frame by frame (scripts/fixtures/make_roboflow_block_fixtures.py).
struct RoboflowChangesBlockTrace: Decodable {
    struct Row: Decodable {
        let is_outlier: Bool
        let percentile: Double
        let z_score: Double
        let warming_up: Bool
    }

    struct Config: Decodable, CustomTestStringConvertible {
        let stream: String
        let strategy: String
        let threshold: Double
        let warmup: Int
        let smoothing: Double
        let window: Int
        let trace: [Row]
        var testDescription: String { "\(stream) \(strategy) t=\(threshold) warmup=\(warmup) window=\(window)" }
    }

    let configs: [Config]

    static let shared: RoboflowChangesBlockTrace = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/video/roboflow_changes_block.json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try! decoder.decode(RoboflowChangesBlockTrace.self, from: Data(contentsOf: url))
    }()
}

@Suite struct RoboflowChangesBlockTests {
    @Test(arguments: RoboflowChangesBlockTrace.shared.configs)
    func reproducesTheBlock(_ config: RoboflowChangesBlockTrace.Config) throws {
        let embeddings = try #require(RoboflowOutliersBlockTrace.shared.streams[config.stream])
        #expect(embeddings.count == config.trace.count)
        let strategy = try #require(RoboflowIdentifyChanges.Strategy(rawValue: config.strategy))
        var detector = RoboflowIdentifyChanges(strategy: strategy, thresholdPercentile: config.threshold, warmup: config.warmup,
                                               smoothingFactor: config.smoothing, windowSize: config.window)
        var mismatches: [String] = []
        for (n, (embedding, expected)) in zip(embeddings, config.trace).enumerated() {
            let got = detector.update(embedding)
            if got.isOutlier != expected.is_outlier || got.warmingUp != expected.warming_up
                || !close(got.percentile, expected.percentile) || !close(got.score ?? .nan, expected.z_score) {
                mismatches.append("frame \(n): got \(got.percentile) z \(got.score ?? .nan), block \(expected.percentile) z \(expected.z_score)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) frames differ, first: \(mismatches.first ?? "")")
    }

    @Test func aCosineWithoutSpreadIsNeutral() {
        // The second embedding seeds the cosine statistics (std 0): the block answers 0.5 and z 0, not NaN.
        var detector = RoboflowIdentifyChanges()
        _ = detector.update([1, 0, 0] as [Float])
        let second = detector.update([0.6, 0.8, 0] as [Float])
        #expect(second.percentile == 0.5 && second.score == 0)
    }
}
