/// A workflow definition as Roboflow writes it: `version`, `inputs`, `steps`, `outputs`.
public struct WorkflowDefinition: Sendable {
    public struct Input: Sendable {
        public enum Role: Sendable { case image, batch, parameter, videoMetadata }
        public var type: String
        public var name: String
        public var role: Role
        public var kinds: [String]
        public var defaultValue: JSONValue?
    }

    public struct Step: Sendable {
        public var type: String
        public var name: String
        /// Every field but `type` and `name`, as written.
        public var fields: [String: JSONValue]
    }

    public struct Output: Sendable {
        public var name: String
        public var selector: String
    }

    public var version: String?
    public var inputs: [Input]
    public var steps: [Step]
    public var outputs: [Output]

    /// Input types and what they declare (Roboflow's `WorkflowImage`, `WorkflowParameter`, … and their old names).
    static let inputRoles: [String: (Input.Role, [String])] = [
        "WorkflowImage": (.image, ["image"]), "InferenceImage": (.image, ["image"]),
        "WorkflowParameter": (.parameter, ["*"]), "InferenceParameter": (.parameter, ["*"]),
        "WorkflowBatchInput": (.batch, ["*"]),
        "WorkflowVideoMetadata": (.videoMetadata, ["video_metadata"]),
    ]

    /// Parses the definition's JSON; the wrapper `{"specification": …}` the server receives is accepted too.
    public init(json: JSONValue) throws {
        guard case .object(var root) = json else { throw WorkflowError(.syntax, "a workflow definition must be a JSON object") }
        if case .object(let inner)? = root["specification"] { root = inner }
        if case .string(let v)? = root["version"] { version = v } else { version = nil }
        func list(_ key: String) throws -> [[String: JSONValue]] {
            guard case .array(let items)? = root[key] else { throw WorkflowError(.syntax, "the definition needs `\(key)`, a list") }
            return try items.enumerated().map { index, item in
                guard case .object(let fields) = item else { throw WorkflowError(.syntax, "`\(key)[\(index)]` must be an object") }
                return fields
            }
        }
        func text(_ fields: [String: JSONValue], _ key: String, _ place: String) throws -> String {
            guard case .string(let v)? = fields[key], !v.isEmpty else { throw WorkflowError(.syntax, "\(place) needs `\(key)`, a string") }
            return v
        }
        inputs = try list("inputs").enumerated().map { index, fields in
            let type = try text(fields, "type", "inputs[\(index)]")
            let name = try text(fields, "name", "inputs[\(index)]")
            guard let (role, kinds) = WorkflowDefinition.inputRoles[type] else {
                throw WorkflowError(.syntax, "input `\(name)` has unknown type `\(type)` (known: \(WorkflowDefinition.inputRoles.keys.sorted().joined(separator: ", ")))")
            }
            var declared = kinds
            if case .array(let items)? = fields["kind"] {
                declared = items.compactMap { if case .string(let k) = $0 { k } else if case .object(let o) = $0, case .string(let k)? = o["name"] { k } else { nil } }
            }
            return Input(type: type, name: name, role: role, kinds: declared, defaultValue: fields["default_value"])
        }
        steps = try list("steps").enumerated().map { index, fields in
            let name = try text(fields, "name", "steps[\(index)]")
            let type = try text(fields, "type", "step `\(name)`")
            return Step(type: type, name: name, fields: fields.filter { $0.key != "type" && $0.key != "name" })
        }
        outputs = try list("outputs").enumerated().map { index, fields in
            let name = try text(fields, "name", "outputs[\(index)]")
            return Output(name: name, selector: try text(fields, "selector", "output `\(name)`"))
        }
        try checkUniqueNames()
    }

    private func checkUniqueNames() throws {
        for (what, names) in [("input", inputs.map(\.name)), ("step", steps.map(\.name)), ("output", outputs.map(\.name))] {
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                throw WorkflowError(.duplicatedName, "two \(what)s are named `\(name)`")
            }
        }
    }
}
