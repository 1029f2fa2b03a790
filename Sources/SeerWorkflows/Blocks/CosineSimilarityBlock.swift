import SeerAnalytics

/// `roboflow_core/cosine_similarity@v1`: `similarity` of two embeddings (numpy's rounding).
public final class CosineSimilarityBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/cosine_similarity@v1"], title: "Cosine Similarity",
        summary: "Calculate the cosine similarity between two embeddings.",
        fields: [
            .init("embedding_1", .selector(kinds: [Kind.embedding]), "First embedding."),
            .init("embedding_2", .selector(kinds: [Kind.embedding]), "Second embedding."),
        ],
        outputs: [.init("similarity", [Kind.float])])

    public init(step: StepConfiguration) throws {}

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let a = try inputs.vector("embedding_1"), b = try inputs.vector("embedding_2")
        guard a.count == b.count else {
            throw inputs.failure("embeddings of different lengths: `embedding_1` \(a.count), `embedding_2` \(b.count)")
        }
        return .outputs(["similarity": .double(RoboflowMath.cosineSimilarity(a, b))])
    }
}
