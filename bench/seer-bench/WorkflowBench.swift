import Foundation
import SeerAnalytics
import SeerWorkflows

/// `seer-bench workflow FRAMES DIM`: what the workflow engine adds per frame. The same work, Identify
/// Outliers → Continue If → Rate Limiter → Buffer on seeded embeddings, through
/// `CompiledWorkflow.run` and as direct calls to the detector; the difference per frame is the
/// engine's (selector resolution, JSON values, flow control).
func runWorkflowBench(_ args: [String]) throws {
    let frames = args.count > 0 ? Int(args[0]) ?? 2000 : 2000
    let dim = args.count > 1 ? Int(args[1]) ?? 512 : 512
    var state: UInt64 = 0x5EED
    func next() -> Double {   // xorshift64*: seeded, the same stream every run
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return Double((state &* 2685821657736338717) >> 11) / Double(1 << 53) - 0.5
    }
    let embeddings = (0..<frames).map { _ in (0..<dim).map { _ in next() } }
    let definition = #"""
    {"version": "1.0", "inputs": [{"type": "WorkflowImage", "name": "image"}, {"type": "WorkflowBatchInput", "name": "embedding", "kind": ["embedding"]}],
     "steps": [
      {"type": "roboflow_core/identify_outliers@v1", "name": "outliers", "embedding": "$inputs.embedding"},
      {"type": "roboflow_core/continue_if@v1", "name": "gate", "evaluation_parameters": {"flag": "$steps.outliers.is_outlier"}, "next_steps": ["$steps.limit"],
       "condition_statement": {"type": "StatementGroup", "statements": [{"type": "UnaryStatement", "operand": {"type": "DynamicOperand", "operand_name": "flag"}, "operator": {"type": "(Boolean) is True"}}]}},
      {"type": "roboflow_core/rate_limiter@v1", "name": "limit", "cooldown_seconds": 2.0, "depends_on": "$steps.outliers.percentile", "next_steps": ["$steps.keep"], "video_reference_image": "$inputs.image"},
      {"type": "roboflow_core/buffer@v1", "name": "keep", "data": "$steps.outliers.percentile", "length": 3}],
     "outputs": [{"type": "JsonField", "name": "flag", "selector": "$steps.outliers.is_outlier"}, {"type": "JsonField", "name": "kept", "selector": "$steps.keep.output"}]}
    """#
    let workflow = try WorkflowCompiler().compile(WorkflowDefinition(json: JSONValue.parse(Data(definition.utf8))))
    let inputs: [[String: JSONValue]] = embeddings.enumerated().map { n, e in
        ["image": .object(["video_metadata": .object(["frame_number": .int(n), "fps": .double(5)])]), "embedding": .array([.array(e.map(JSONValue.double))])]
    }
    var engineFlags = 0
    let engine = try seconds {
        for frame in inputs where try workflow.run(frame)[0]["flag"] == .bool(true) { engineFlags += 1 }
    }
    var detector = RoboflowIdentifyOutliers()
    var directFlags = 0, kept: [Double] = [], lastKept = -Double.infinity
    let direct = seconds {
        for (n, e) in embeddings.enumerated() {
            let reading = detector.update(e)
            guard reading.isOutlier else { continue }
            directFlags += 1
            let t = Double(n) / 5
            if t - lastKept >= 2 { lastKept = t; kept.insert(reading.percentile, at: 0); kept = Array(kept.prefix(3)) }
        }
    }
    try printJSON(["mode": "workflow", "frames": frames, "dim": dim, "engine_s": engine, "direct_s": direct,
                   "engine_us_per_frame": engine / Double(frames) * 1e6, "direct_us_per_frame": direct / Double(frames) * 1e6,
                   "overhead_us_per_frame": (engine - direct) / Double(frames) * 1e6, "same_flags": engineFlags == directFlags])
}
