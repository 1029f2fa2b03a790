import Foundation

/// `roboflow_core/continue_if@v1`: lets `next_steps` run when `condition_statement` holds over
/// `evaluation_parameters`; with `stop_delay` > 0, also for that many seconds after it last held.
public final class ContinueIfBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/continue_if@v1", "ContinueIf"], title: "Continue If",
        summary: "Conditionally stop execution of a branch.",
        fields: [
            .init("condition_statement", .structure, "StatementGroup over the evaluation parameters."),
            .init("evaluation_parameters", .selectorMap, default: .object([:]), "Variables: name → selector."),
            .init("next_steps", .nextSteps, "Steps that run when the condition holds."),
            .init("stop_delay", .valueOrSelector(.number, kinds: [Kind.float]), default: .int(0), "Seconds the branch stays open after the condition last held."),
        ],
        outputs: [])

    let condition: Statement
    let nextSteps: [String]
    private var lastHeld: Date?

    public init(step: StepConfiguration) throws {
        do { condition = try Statement.parse(step.fields["condition_statement"] ?? .null, at: "condition_statement") } catch let error as QueryError {
            throw step.refuse("condition_statement", error.description)
        }
        guard case .array(let items)? = step.fields["next_steps"] else { throw step.refuse("next_steps", "must be a list") }
        nextSteps = items.compactMap { if case .string(let s) = $0, case .step(let name)? = WorkflowSelector(s) { name } else { nil } }
    }

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        guard !nextSteps.isEmpty else { return .terminate }
        guard case .object(let variables) = inputs["evaluation_parameters"] else { throw inputs.failure("`evaluation_parameters` did not resolve") }
        let holds: Bool
        do { holds = try condition.evaluate(variables) } catch let error as QueryError { throw inputs.failure(error.description) }
        let delay = inputs["stop_delay"].number ?? 0
        if holds {
            if delay > 0 { lastHeld = Date() }
            return .select(nextSteps)
        }
        if let lastHeld, Date().timeIntervalSince(lastHeld) <= delay { return .select(nextSteps) }
        return .terminate
    }
}
