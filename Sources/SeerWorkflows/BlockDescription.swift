/// `seer workflow blocks` (and later `/workflows/blocks/describe`): generated from the manifests.
extension BlockManifest {
    public var descriptionJSON: JSONValue {
        func accepts(_ a: Accepts) -> JSONValue {
            switch a {
            case .selector(let kinds): .object(["selector_kinds": .array(kinds.map(JSONValue.string))])
            case .value(let type): .object(["value": .string(type.name)])
            case .valueOrSelector(let type, let kinds): .object(["value": .string(type.name), "selector_kinds": .array(kinds.map(JSONValue.string))])
            case .selectorMap: .object(["value": .string("object of name → selector")])
            case .nextSteps: .object(["value": .string("list of $steps.NAME")])
            case .structure: .object(["value": .string("structure")])
            }
        }
        return .object([
            "type": .string(types[0]),
            "aliases": .array(types.dropFirst().map(JSONValue.string)),
            "name": .string(title),
            "summary": .string(summary),
            "inputs": .array(fields.map { field in
                var entry: [String: JSONValue] = ["name": .string(field.name), "accepts": accepts(field.accepts), "summary": .string(field.summary),
                                                  "required": .bool(field.defaultValue == nil)]
                if let d = field.defaultValue { entry["default"] = d }
                return .object(entry)
            }),
            "outputs": .array(outputs.map { .object(["name": .string($0.name), "kinds": .array($0.kinds.map(JSONValue.string))]) }),
        ])
    }
}

extension BlockRegistry {
    /// Every block, sorted by type.
    public var descriptionJSON: JSONValue {
        .array(blocks.map { block in block.manifest }.sorted { $0.types[0] < $1.types[0] }.map(\.descriptionJSON))
    }
}
