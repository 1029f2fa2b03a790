import Foundation
import SeerAnalytics
import Testing

/// Tests/Fixtures/video/roboflow_outliers_block.json: what Roboflow's IdentifyOutliersBlockV1
/// (inference-core 1.8.3) itself answered, frame by frame (scripts/fixtures/make_roboflow_block_fixtures.py).
struct RoboflowOutliersBlockTrace: Decodable {
    struct Row: Decodable {
        let is_outlier: Bool
        let percentile: Double
        let warming_up: Bool
    }

    struct Config: Decodable, CustomTestStringConvertible {
        let stream: String
        let threshold: Double
        let warmup: Int
        let window: Int
        let trace: [Row]
        var testDescription: String { "\(stream) t=\(threshold) warmup=\(warmup) window=\(window)" }
    }

    let streams: [String: [[Float]]]
    let configs: [Config]

    static let shared: RoboflowOutliersBlockTrace = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/video/roboflow_outliers_block.json")
        return try! JSONDecoder().decode(RoboflowOutliersBlockTrace.self, from: Data(contentsOf: url))
    }()
}

@Suite struct RoboflowOutliersBlockTests {
    @Test(arguments: RoboflowOutliersBlockTrace.shared.configs)
    func reproducesTheBlock(_ config: RoboflowOutliersBlockTrace.Config) throws {
        let embeddings = try #require(RoboflowOutliersBlockTrace.shared.streams[config.stream])
        #expect(embeddings.count == config.trace.count)
        var detector = RoboflowIdentifyOutliers(thresholdPercentile: config.threshold, warmup: config.warmup, windowSize: config.window)
        var mismatches: [String] = []
        for (n, (embedding, expected)) in zip(embeddings, config.trace).enumerated() {
            let got = detector.update(embedding)
            // Percentiles are rank / count: 1e-9 tells every rank apart (the fixture has 12 digits).
            if got.isOutlier != expected.is_outlier || got.warmingUp != expected.warming_up
                || abs(got.percentile - expected.percentile) > 1e-9 {
                mismatches.append("frame \(n): got \(got.percentile) \(got.isOutlier), block \(expected.percentile) \(expected.is_outlier)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) frames differ, first: \(mismatches.first ?? "")")
    }

    @Test func theBlockCountsTheCurrentRowBelowItselfOnSomeFrames() {
        // The quirk this detector reproduces: a percentile of n/n is only reachable when the
        // current row counts as below itself. Without it the fixture would not test the fix.
        let full = RoboflowOutliersBlockTrace.shared.configs.flatMap(\.trace).filter { !$0.warming_up && $0.percentile == 1 }
        #expect(!full.isEmpty)
    }
}
