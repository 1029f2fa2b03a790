import Foundation
import Testing
@testable import SeerDatasets

/// Seer's logistic regression against scikit-learn's LogisticRegression on the same features
/// (scikit-learn's digits, scripts/sklearn_probe_reference.py): test accuracy within half a point.
@Suite(.serialized) struct LinearProbeTests {
    struct Reference: Decodable {
        struct Rows: Decodable {
            let features: [[Float]]
            let labels: [Int]
        }
        let train: Rows
        let test: Rows
        let C: Double
        let accuracy: Double
        let seconds: Double
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/sklearn_probe_reference.py")

    func reference(c: Double) throws -> Reference {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("seer-probe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, out.path, "\(c)"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the scikit-learn reference failed")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: out))
    }

    @Test(arguments: [1.0, 0.01]) func accuracyMatchesScikitLearn(_ c: Double) throws {
        let reference = try reference(c: c)
        let classes = (0..<10).map(String.init)
        let started = Date()
        let probe = LogisticRegression.fit(features: reference.train.features.flatMap { $0 }, labels: reference.train.labels,
                                           classes: classes, options: .init(c: c))
        let seconds = Date().timeIntervalSince(started)
        let accuracy = probe.accuracy(reference.test.features.flatMap { $0 }, labels: reference.test.labels)
        print("linear probe, digits, C=\(c): seer \(accuracy) in \(seconds) s (debug build), scikit-learn \(reference.accuracy) in \(reference.seconds) s")
        #expect(abs(accuracy - reference.accuracy) <= 0.005, "seer \(accuracy), scikit-learn \(reference.accuracy)")
    }

    @Test func strengthIsPickedOnValidationAndTheProbeRoundTrips() throws {
        // Two Gaussian blobs per class in 6 dimensions, seeded: separable enough that any C works,
        // so the check is on the mechanics (grid, refit, file) not on luck.
        var state: UInt64 = 42
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        func rows(_ count: Int) -> (features: [Float], labels: [Int]) {
            var features: [Float] = [], labels: [Int] = []
            for i in 0..<count {
                let label = i % 3
                labels.append(label)
                features += (0..<6).map { Float($0 == label ? 2 : 0) + uniform() - 0.5 }
            }
            return (features, labels)
        }
        let selection = LogisticRegression.fitSelectingStrength(train: rows(60), validation: rows(30), classes: ["a", "b", "c"])
        let probe = selection.probe
        #expect([0.01, 0.1, 1, 10, 100].contains(selection.c) && selection.validationAccuracy == 1)
        #expect(selection.c == 0.01, "every C separates these: the smallest is kept")
        let test = rows(30)
        #expect(probe.accuracy(test.features, labels: test.labels) == 1)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seer-probe-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try probe.save(to: file)
        #expect(try LinearProbe(contentsOf: file) == probe)
        try Data("not a probe".utf8).write(to: file)
        #expect(throws: (any Error).self) { try LinearProbe(contentsOf: file) }
    }
}
