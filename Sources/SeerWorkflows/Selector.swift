/// A reference inside a definition: `$inputs.name`, `$steps.step.output` or `$steps.step.*`.
public enum WorkflowSelector: Sendable, Hashable, CustomStringConvertible {
    case input(String)
    case stepOutput(step: String, output: String)
    case allOutputs(step: String)
    /// `$steps.step` alone: a step as a flow-control target (`next_steps`).
    case step(String)

    /// nil when the text is not a selector (a literal string).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("$inputs", 2) where !parts[1].isEmpty: self = .input(parts[1])
        case ("$steps", 2) where !parts[1].isEmpty: self = .step(parts[1])
        case ("$steps", 3) where !parts[1].isEmpty && parts[2] == "*": self = .allOutputs(step: parts[1])
        case ("$steps", 3) where !parts[1].isEmpty && !parts[2].isEmpty: self = .stepOutput(step: parts[1], output: parts[2])
        default: return nil
        }
    }

    public var stepName: String? {
        switch self {
        case .input: nil
        case .stepOutput(let step, _), .allOutputs(let step), .step(let step): step
        }
    }

    public var description: String {
        switch self {
        case .input(let name): "$inputs.\(name)"
        case .stepOutput(let step, let output): "$steps.\(step).\(output)"
        case .allOutputs(let step): "$steps.\(step).*"
        case .step(let step): "$steps.\(step)"
        }
    }
}
