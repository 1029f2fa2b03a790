/// One step's block. A class: stateful blocks (Identify Outliers, Buffer, Rate Limiter) keep
/// their state from one run to the next, as Roboflow's do within one execution engine.
public protocol WorkflowBlock: AnyObject {
    static var manifest: BlockManifest { get }
    /// Built once per step when the definition compiles; parses and checks the step's structure
    /// fields (statements, operations), throwing a definition error that names the field.
    init(step: StepConfiguration) throws
    /// One batch element.
    func run(_ inputs: BlockInputs) throws -> BlockResult
}

/// The step a block is built for: its name and its fields as written (defaults filled in).
public struct StepConfiguration: Sendable {
    public var name: String
    public var fields: [String: JSONValue]
    /// Model calls the caller provides (CLIP).
    public var services: WorkflowServices

    /// A definition error about one of this step's fields.
    public func refuse(_ field: String, _ message: String) -> WorkflowError {
        WorkflowError(.syntax, "step `\(name)`, field `\(field)`: \(message)", step: name, property: field)
    }
}

/// A block's resolved inputs for one batch element.
public struct BlockInputs {
    public var values: [String: JSONValue]
    public var step: String

    public subscript(_ name: String) -> JSONValue { values[name] ?? .null }

    public func number(_ name: String) throws -> Double {
        guard let v = self[name].number, self[name].isNumber else { throw failure("`\(name)` must be a number, got \(self[name].typeName)") }
        return v
    }

    public func integer(_ name: String) throws -> Int {
        guard case .int(let v) = self[name] else { throw failure("`\(name)` must be an integer, got \(self[name].typeName)") }
        return v
    }

    public func vector(_ name: String) throws -> [Double] {
        guard case .array(let items) = self[name], let v = Optional(items.compactMap(\.number)), v.count == items.count else {
            throw failure("`\(name)` must be a list of numbers (an embedding), got \(self[name].typeName)")
        }
        return v
    }

    public func failure(_ message: String) -> WorkflowError {
        WorkflowError(.stepExecution, "step `\(step)`: \(message)", context: "workflow_execution | step_execution", step: step)
    }
}

public enum BlockResult {
    case outputs([String: JSONValue])
    /// Flow control: these steps (a subset of `next_steps`) may run.
    case select([String])
    /// Flow control: none of `next_steps` runs.
    case terminate
}
