import SeerAnalytics
import Testing
@testable import SeerWorkflows

@Suite struct EngineFixtureTests {
    @Test(arguments: EngineFixture.cases)
    func sameOutputsAsRoboflowsEngine(_ fixture: EngineFixture.Case) throws {
        let workflow = try WorkflowCompiler().compile(WorkflowDefinition(json: fixture.definition))
        var mismatches: [String] = []
        for (index, run) in fixture.runs.enumerated() {
            let got = JSONValue.array(try workflow.run(run.inputs).map(JSONValue.object))
            if !matches(got, run.outputs) { mismatches.append("run \(index): got \(got.jsonText), Roboflow \(run.outputs.jsonText)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(fixture.runs.count) runs differ, first: \(mismatches.first ?? "")")
    }

    @Test func videoCaseFlagsAndThrottles() throws {
        // The frame-by-frame case must exercise every gate: flagged frames, frames the rate
        // limiter drops after a flag, and frames where the buffer grew.
        let video = try #require(EngineFixture.cases.first { $0.name == "outliers video" })
        let rows = video.runs.compactMap { run -> [String: JSONValue]? in
            if case .array(let out) = run.outputs, case .object(let row)? = out.first { row } else { nil }
        }
        let flagged = rows.filter { $0["flag"] == .bool(true) }
        let kept = rows.filter { $0["kept"] != .null }
        #expect(flagged.count > kept.count, "the rate limiter dropped some flagged frames")
        #expect(kept.count >= 3)
    }

    @Test func videoCaseFlagsWhatWatchCompatRoboflowFlags() throws {
        // `seer watch --compat roboflow --detector outliers --window 16` runs RoboflowIdentifyOutliers
        // directly; Roboflow's engine running the workflow flagged the same frames.
        let video = try #require(EngineFixture.cases.first { $0.name == "outliers video" })
        var detector = RoboflowIdentifyOutliers(windowSize: 16)
        var differing: [Int] = []
        for (n, run) in video.runs.enumerated() {
            guard case .array(let batch)? = run.inputs["embedding"], case .array(let row)? = batch.first,
                  case .array(let out) = run.outputs, case .object(let expected)? = out.first else { Issue.record("bad run \(n)"); return }
            let reading = detector.update(row.compactMap(\.number))
            if expected["flag"] != .bool(reading.isOutlier) { differing.append(n) }
        }
        #expect(differing.isEmpty, "frames \(differing)")
    }
}
