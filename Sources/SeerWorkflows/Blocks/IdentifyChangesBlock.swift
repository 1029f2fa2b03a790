import SeerAnalytics

/// `roboflow_core/identify_changes@v1`: SeerAnalytics' Roboflow-exact detector, one state per step.
public final class IdentifyChangesBlock: WorkflowBlock {
    /// The block's `strategy` literals and the detector's strategies.
    static let strategies: [String: RoboflowIdentifyChanges.Strategy] = [
        "Exponential Moving Average (EMA)": .ema, "Simple Moving Average (SMA)": .sma, "Sliding Window": .slidingWindow,
    ]

    public static let manifest = BlockManifest(
        types: ["roboflow_core/identify_changes@v1"], title: "Identify Changes",
        summary: "Identify changes and detect when data patterns change at unusual rates compared to historical norms.",
        fields: [
            .init("strategy", .value(.oneOf(["Exponential Moving Average (EMA)", "Simple Moving Average (SMA)", "Sliding Window"])),
                  default: .string("Exponential Moving Average (EMA)"), "How the running statistics are kept."),
            .init("embedding", .selector(kinds: [Kind.embedding]), "The current embedding."),
            .init("threshold_percentile", .valueOrSelector(.zeroToOne, kinds: [Kind.floatZeroToOne]), default: .double(0.2),
                  "Flagged at or below half of this percentile, or at or above 1 − half."),
            .init("warmup", .valueOrSelector(.integer, kinds: [Kind.integer]), default: .int(3), "Embeddings seen before anything is flagged."),
            .init("smoothing_factor", .valueOrSelector(.zeroToOne, kinds: [Kind.floatZeroToOne]), default: .double(0.1), "EMA α."),
            .init("window_size", .valueOrSelector(.integer, kinds: [Kind.integer]), default: .int(10), "Sliding window length."),
        ],
        outputs: [.init("is_outlier", [Kind.boolean]), .init("percentile", [Kind.floatZeroToOne]), .init("z_score", [Kind.float]),
                  .init("average", [Kind.embedding]), .init("std", [Kind.embedding]), .init("warming_up", [Kind.boolean])])

    private var detector = RoboflowIdentifyChanges()

    public init(step: StepConfiguration) throws {}

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let embedding = try inputs.vector("embedding")
        guard case .string(let name) = inputs["strategy"], let strategy = Self.strategies[name] else {
            throw inputs.failure("unknown strategy \(inputs["strategy"].jsonText)")
        }
        detector.strategy = strategy
        detector.thresholdPercentile = try inputs.number("threshold_percentile")
        detector.warmup = try inputs.integer("warmup")
        detector.smoothingFactor = try inputs.number("smoothing_factor")
        detector.windowSize = try inputs.integer("window_size")
        let reading = detector.update(embedding)
        return .outputs([
            "is_outlier": .bool(reading.isOutlier), "percentile": .double(reading.percentile), "z_score": .double(reading.score ?? 0),
            "average": .array((detector.average ?? []).map(JSONValue.double)), "std": .array(detector.spread.map(JSONValue.double)),
            "warming_up": .bool(reading.warmingUp),
        ])
    }
}
