/// `roboflow_core/property_definition@v1`: `output` = `operations` applied to `data`.
public final class PropertyDefinitionBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/property_definition@v1", "PropertyDefinition", "PropertyExtraction"], title: "Property Definition",
        summary: "Define a variable from another step's output through a chain of operations.",
        fields: [
            .init("data", .selector(kinds: [Kind.wildcard]), "The value to transform."),
            .init("operations", .structure, "List of operations."),
        ],
        outputs: [.init("output", [Kind.wildcard])])

    let operations: [QueryOperation]

    public init(step: StepConfiguration) throws {
        do { operations = try QueryOperation.parseChain(step.fields["operations"], at: "operations") } catch let error as QueryError {
            throw step.refuse("operations", error.description)
        }
    }

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        do { return .outputs(["output": try QueryOperation.apply(operations, to: inputs["data"])]) } catch let error as QueryError {
            throw inputs.failure(error.description)
        }
    }
}
