/// `roboflow_core/buffer@v1`: `output` = the last `length` values, newest first (padded with
/// nulls to `length` when `pad`).
public final class BufferBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/buffer@v1", "Buffer"], title: "Buffer",
        summary: "Returns an array of the last `length` values passed to it.",
        fields: [
            .init("data", .selector(kinds: [Kind.wildcard, Kind.listOfValues, Kind.image]), "The value to keep."),
            .init("length", .value(.integer), "How many values to keep."),
            .init("pad", .value(.boolean), default: .bool(false), "Fill with nulls up to `length`."),
        ],
        outputs: [.init("output", [Kind.listOfValues])])

    private var buffer: [JSONValue] = []

    public init(step: StepConfiguration) throws {}

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        let length = try inputs.integer("length")
        buffer.insert(inputs["data"], at: 0)
        if buffer.count > length { buffer = Array(buffer.prefix(max(length, 0))) }
        if inputs["pad"] == .bool(true) {
            while buffer.count < length { buffer.append(.null) }
        }
        return .outputs(["output": .array(buffer)])
    }
}
