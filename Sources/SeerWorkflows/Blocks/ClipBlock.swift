/// `roboflow_core/clip@v1`: `embedding` of an image or a text, from the model the caller serves
/// (`WorkflowServices`); `version` names Roboflow's checkpoint and is recorded, not used to load.
public final class ClipBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/clip@v1"], title: "CLIP Embedding Model",
        summary: "Generate an embedding of an image or string.",
        fields: [
            .init("data", .valueOrSelector(.string, kinds: [Kind.image, Kind.string]), "An image, or a text to embed."),
            .init("version", .valueOrSelector(.string, kinds: [Kind.string]), default: .string("ViT-B-16"), "Roboflow's CLIP variant."),
        ],
        outputs: [.init("embedding", [Kind.embedding])])

    let services: WorkflowServices

    public init(step: StepConfiguration) throws { services = step.services }

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let embedding: [Float]
        switch inputs["data"] {
        case .string(let text):
            guard let embedText = services.embedText else { throw inputs.failure("embedding a text needs a model with a text tower (seer workflow run --model …)") }
            embedding = try embedText(text)
        case .null:
            throw inputs.failure("`data` is empty")
        case let image:
            guard let embedImage = services.embedImage else { throw inputs.failure("embedding an image needs a model (seer workflow run --model …)") }
            embedding = try embedImage(image)
        }
        return .outputs(["embedding": .array(embedding.map { .double(Double($0)) })])
    }
}
