/// `roboflow_core/expression@v1`: variables from `data` (each optionally transformed by
/// `data_operations`), then the first case of `switch` whose condition holds gives `output`
/// (a static value, or a variable through operations), else `switch.default`.
public final class ExpressionBlock: WorkflowBlock {
    public static let manifest = BlockManifest(
        types: ["roboflow_core/expression@v1", "Expression"], title: "Expression",
        summary: "Creates a specific output based on defined input variables and configured rules.",
        fields: [
            .init("data", .selectorMap, "Variables: name → selector."),
            .init("data_operations", .structure, default: .object([:]), "Operations applied to variables: name → list of operations."),
            .init("switch", .structure, "CasesDefinition: cases (condition → result) and a default result."),
        ],
        outputs: [.init("output", [Kind.wildcard])])

    struct Case {
        var condition: Statement
        var result: CaseResult
    }

    enum CaseResult {
        case value(JSONValue)
        case variable(String, [QueryOperation])

        static func parse(_ value: JSONValue?, at place: String) throws -> CaseResult {
            guard case .object(let fields)? = value, case .string(let type)? = fields["type"] else {
                throw QueryError.definition("\(place) must be an object with a `type`")
            }
            switch type {
            case "StaticCaseResult":
                guard let v = fields["value"] else { throw QueryError.definition("\(place) (StaticCaseResult) needs `value`") }
                return .value(v)
            case "DynamicCaseResult":
                guard case .string(let name)? = fields["parameter_name"] else { throw QueryError.definition("\(place) (DynamicCaseResult) needs `parameter_name`") }
                return .variable(name, try QueryOperation.parseChain(fields["operations"], at: "\(place).operations"))
            default:
                throw QueryError.definition("\(place): unknown result type `\(type)` (StaticCaseResult or DynamicCaseResult)")
            }
        }
    }

    let dataOperations: [String: [QueryOperation]]
    let cases: [Case]
    let defaultResult: CaseResult

    public init(step: StepConfiguration) throws {
        do {
            guard case .object(let operations) = step.fields["data_operations"] ?? .object([:]) else {
                throw step.refuse("data_operations", "must be an object of variable name → list of operations")
            }
            dataOperations = try operations.mapValues { try QueryOperation.parseChain($0, at: "data_operations") }
            guard case .object(let switchFields)? = step.fields["switch"] else { throw step.refuse("switch", "must be a CasesDefinition object") }
            guard case .array(let items)? = switchFields["cases"] else { throw step.refuse("switch", "needs `cases`, a list") }
            cases = try items.enumerated().map { index, item in
                guard case .object(let fields) = item, let condition = fields["condition"] else {
                    throw QueryError.definition("switch.cases[\(index)] needs a `condition`")
                }
                return Case(condition: try Statement.parse(condition, at: "switch.cases[\(index)].condition"),
                            result: try CaseResult.parse(fields["result"], at: "switch.cases[\(index)].result"))
            }
            defaultResult = try CaseResult.parse(switchFields["default"], at: "switch.default")
        } catch let error as QueryError {
            throw step.refuse("switch", error.description)
        }
    }

    public func run(_ inputs: BlockInputs) throws -> BlockResult {
        guard case .object(var variables) = inputs["data"] else { throw inputs.failure("`data` did not resolve to variables") }
        do {
            for (name, chain) in dataOperations {
                guard let value = variables[name] else { throw QueryError.operation("data_operations names `\(name)`, which is not in data") }
                variables[name] = try QueryOperation.apply(chain, to: value)
            }
            for candidate in cases where try candidate.condition.evaluate(variables) {
                return .outputs(["output": try result(candidate.result, variables)])
            }
            return .outputs(["output": try result(defaultResult, variables)])
        } catch let error as QueryError {
            throw inputs.failure(error.description)
        }
    }

    private func result(_ result: CaseResult, _ variables: [String: JSONValue]) throws -> JSONValue {
        switch result {
        case .value(let v): return v
        case .variable(let name, let chain):
            guard let v = variables[name] else { throw QueryError.operation("result names `\(name)`, which is not in data") }
            return try QueryOperation.apply(chain, to: v)
        }
    }
}
