import Foundation

/// `roboflow_core/rate_limiter@v1`: lets `next_steps` run at most once per `cooldown_seconds`.
/// Time is the video's (frame_number / fps of `video_reference_image`'s metadata) when given,
/// else the wall clock, as in Roboflow's block.
public final class RateLimiterBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/rate_limiter@v1"], title: "Rate Limiter",
        summary: "Limits the rate at which a branch of the Workflow will run.",
        fields: [
            .init("cooldown_seconds", .value(.number), default: .double(1.0), "Seconds to wait after a run before the next."),
            .init("depends_on", .selector(kinds: [Kind.wildcard]), "The step this one runs after."),
            .init("next_steps", .nextSteps, "Steps that run when not throttled."),
            .init("video_reference_image", .selector(kinds: [Kind.image]), default: .null, "A video frame whose time is used."),
        ],
        outputs: [])

    let nextSteps: [String]
    /// Microseconds, as Python's datetime keeps them.
    private var lastRun: Int64?

    public init(step: StepConfiguration) throws {
        guard case .array(let items)? = step.fields["next_steps"] else { throw step.refuse("next_steps", "must be a list") }
        nextSteps = items.compactMap { if case .string(let s) = $0, case .step(let name)? = WorkflowSelector(s) { name } else { nil } }
        if let cooldown = step.fields["cooldown_seconds"]?.number, cooldown < 0 {
            throw step.refuse("cooldown_seconds", "must be 0 or more")
        }
    }

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let cooldown = try inputs.number("cooldown_seconds")
        var seconds = Date().timeIntervalSince1970
        if case .object(let image) = inputs["video_reference_image"], case .object(let metadata)? = image["video_metadata"],
           let fps = metadata["fps"]?.number, fps != 0, let frame = metadata["frame_number"]?.number {
            seconds = 1 / fps * frame
        }
        let now = Int64((seconds * 1_000_000).rounded(.toNearestOrEven))
        if let lastRun, Double(now - lastRun) / 1_000_000 < cooldown { return .terminate }
        lastRun = now
        return .select(nextSteps)
    }
}
