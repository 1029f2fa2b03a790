import SeerAnalytics

/// `roboflow_core/identify_outliers@v1`: SeerAnalytics' Roboflow-exact detector, one state per step.
public final class IdentifyOutliersBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/identify_outliers@v1"], title: "Identify Outliers",
        summary: "Identify outlier embeddings compared to prior data.",
        fields: [
            .init("embedding", .selector(kinds: [Kind.embedding]), "The current embedding."),
            .init("threshold_percentile", .valueOrSelector(.zeroToOne, kinds: [Kind.floatZeroToOne]), default: .double(0.05),
                  "Flagged below this percentile or above 1 − it."),
            .init("warmup", .valueOrSelector(.integer, kinds: [Kind.integer]), default: .int(3), "Embeddings seen before anything is flagged."),
            .init("window_size", .valueOrSelector(.integer, kinds: [Kind.integer]), default: .int(32), "Embeddings kept."),
        ],
        outputs: [.init("is_outlier", [Kind.boolean]), .init("percentile", [Kind.floatZeroToOne]), .init("warming_up", [Kind.boolean])])

    private var detector = RoboflowIdentifyOutliers()

    public init(step: StepConfiguration) throws {}

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let embedding = try inputs.vector("embedding")
        detector.thresholdPercentile = try inputs.number("threshold_percentile")
        detector.warmup = try inputs.integer("warmup")
        detector.windowSize = try inputs.integer("window_size")
        let reading = detector.update(embedding)
        return .outputs(["is_outlier": .bool(reading.isOutlier), "percentile": .double(reading.percentile), "warming_up": .bool(reading.warmingUp)])
    }
}
