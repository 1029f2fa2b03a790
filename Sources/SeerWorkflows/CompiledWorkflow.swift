/// A checked definition with one block instance per step, in execution order. Run it again and
/// again (frame after frame): the blocks keep their state between runs.
public final class CompiledWorkflow {
    enum Binding {
        case literal(JSONValue)
        case selector(WorkflowSelector)
        /// A selector into a field that also takes literals: the value is checked like one.
        case checkedSelector(WorkflowSelector, BlockManifest.ValueType)
        case selectorMap([String: WorkflowSelector])
    }

    struct Step {
        var name: String
        var block: any WorkflowBlock
        var bindings: [String: Binding]
        /// Steps whose outputs this one reads.
        var reads: Set<String>
        /// For flow-control steps: the steps they let run or stop (`next_steps`).
        var gates: [String]
    }

    public let definition: WorkflowDefinition
    let steps: [Step]
    let outputs: [(name: String, selector: WorkflowSelector)]

    init(definition: WorkflowDefinition, steps: [Step], outputs: [(String, WorkflowSelector)]) {
        self.definition = definition
        self.steps = steps
        self.outputs = outputs.map { (name: $0.0, selector: $0.1) }
    }

    /// Step names in the order they run.
    public var executionOrder: [String] { steps.map(\.name) }
}
