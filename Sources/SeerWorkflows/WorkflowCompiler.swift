/// Turns a definition into a `CompiledWorkflow`: every block known, every field of the right
/// type, every selector pointing at something that exists and fits, steps in an order where each
/// runs after what it reads, no cycles. Nothing runs here.
public struct WorkflowCompiler {
    public var registry: BlockRegistry
    public var services: WorkflowServices

    public init(registry: BlockRegistry = .builtIn, services: WorkflowServices = WorkflowServices()) {
        self.registry = registry
        self.services = services
    }

    public func compile(_ definition: WorkflowDefinition) throws -> CompiledWorkflow {
        let inputs = Dictionary(uniqueKeysWithValues: definition.inputs.map { ($0.name, $0) })
        var manifests: [String: BlockManifest] = [:]
        var types: [String: any WorkflowBlock.Type] = [:]
        for step in definition.steps {
            guard let block = registry.block(forType: step.type) else {
                throw WorkflowError(.syntax, "step `\(step.name)` has unknown block type `\(step.type)`", step: step.name, property: "type")
            }
            types[step.name] = block
            manifests[step.name] = block.manifest
        }

        /// The kinds a selector yields; throws when it points at nothing.
        func kinds(of selector: WorkflowSelector, step: String, field: String) throws -> [String] {
            func missing(_ what: String) -> WorkflowError {
                WorkflowError(.invalidReference, "step `\(step)`, field `\(field)`: `\(selector)` points at \(what)", step: step, property: field)
            }
            switch selector {
            case .input(let name):
                guard let input = inputs[name] else { throw missing("no input named `\(name)`") }
                return input.kinds
            case .stepOutput(let target, let output):
                guard let manifest = manifests[target] else { throw missing("no step named `\(target)`") }
                guard let out = manifest.outputs.first(where: { $0.name == output }) else {
                    throw missing("no output `\(output)` of step `\(target)` (it has: \(manifest.outputs.map(\.name).joined(separator: ", ")))")
                }
                return out.kinds
            case .allOutputs(let target):
                guard manifests[target] != nil else { throw missing("no step named `\(target)`") }
                return [Kind.wildcard]
            case .step(let target):
                throw missing("step `\(target)` itself; name one of its outputs (`$steps.\(target).NAME`)")
            }
        }

        var steps: [CompiledWorkflow.Step] = []
        for step in definition.steps {
            let manifest = manifests[step.name]!
            var bindings: [String: CompiledWorkflow.Binding] = [:]
            var reads: Set<String> = []
            var gates: [String] = []
            var fields = step.fields
            for field in manifest.fields {
                let refuse = { (message: String) in
                    WorkflowError(.syntax, "step `\(step.name)`, field `\(field.name)`: \(message)", step: step.name, property: field.name)
                }
                guard let value = step.fields[field.name] ?? field.defaultValue else { throw refuse("required, missing") }
                fields[field.name] = value
                let selector: WorkflowSelector? = if case .string(let text) = value { WorkflowSelector(text) } else { nil }
                switch field.accepts {
                case .selector(let accepted):
                    guard let selector else { throw refuse("must be a selector (`$inputs.…` or `$steps.….…`), got \(value.jsonText)") }
                    try check(selector, accepted: accepted)
                    bindings[field.name] = .selector(selector)
                case .value(let type):
                    guard type.accepts(value) else { throw refuse("must be a \(type.name), got \(value.jsonText)") }
                    bindings[field.name] = .literal(value)
                case .valueOrSelector(let type, let accepted):
                    if let selector {
                        try check(selector, accepted: accepted)
                        bindings[field.name] = .checkedSelector(selector, type)
                    } else {
                        guard type.accepts(value) else { throw refuse("must be a \(type.name) or a selector, got \(value.jsonText)") }
                        bindings[field.name] = .literal(value)
                    }
                case .selectorMap:
                    guard case .object(let entries) = value else { throw refuse("must be an object of names to selectors") }
                    var map: [String: WorkflowSelector] = [:]
                    for (name, entry) in entries {
                        guard case .string(let text) = entry, let entrySelector = WorkflowSelector(text) else {
                            throw refuse("`\(name)` must be a selector, got \(entry.jsonText)")
                        }
                        _ = try kinds(of: entrySelector, step: step.name, field: "\(field.name).\(name)")
                        map[name] = entrySelector
                    }
                    bindings[field.name] = .selectorMap(map)
                    reads.formUnion(map.values.compactMap(\.stepName))
                case .nextSteps:
                    guard case .array(let items) = value else { throw refuse("must be a list of `$steps.NAME`") }
                    for item in items {
                        guard case .string(let text) = item, case .step(let target)? = WorkflowSelector(text) else {
                            throw refuse("must list steps as `$steps.NAME`, got \(item.jsonText)")
                        }
                        guard manifests[target] != nil else {
                            throw WorkflowError(.invalidReference, "step `\(step.name)`, field `\(field.name)`: `\(text)` points at no step named `\(target)`",
                                                step: step.name, property: field.name)
                        }
                        gates.append(target)
                    }
                    bindings[field.name] = .literal(value)
                case .structure:
                    bindings[field.name] = .literal(value)
                }

                func check(_ selector: WorkflowSelector, accepted: [String]) throws {
                    let produced = try kinds(of: selector, step: step.name, field: field.name)
                    guard Kind.compatible(produced: produced, accepted: accepted) else {
                        throw WorkflowError(.referenceType, "step `\(step.name)`, field `\(field.name)`: `\(selector)` gives \(produced.joined(separator: "/")), the field takes \(accepted.joined(separator: "/"))",
                                            step: step.name, property: field.name)
                    }
                    if let target = selector.stepName { reads.insert(target) }
                }
            }
            let block = try types[step.name]!.init(step: StepConfiguration(name: step.name, fields: fields, services: services))
            steps.append(CompiledWorkflow.Step(name: step.name, block: block, bindings: bindings, reads: reads, gates: gates))
        }

        var outputs: [(String, WorkflowSelector)] = []
        for output in definition.outputs {
            guard let selector = WorkflowSelector(output.selector) else {
                throw WorkflowError(.syntax, "output `\(output.name)`: `\(output.selector)` is not a selector")
            }
            _ = try kinds(of: selector, step: "(output \(output.name))", field: "selector")
            outputs.append((output.name, selector))
        }
        return CompiledWorkflow(definition: definition, steps: try order(steps), outputs: outputs)
    }

    /// Kahn's algorithm in definition order; what is left when nothing is ready lies on a cycle.
    private func order(_ steps: [CompiledWorkflow.Step]) throws -> [CompiledWorkflow.Step] {
        var before: [String: Set<String>] = [:]   // step → steps that must run first
        for step in steps {
            before[step.name, default: []].formUnion(step.reads.subtracting([step.name]))
            if step.reads.contains(step.name) {
                throw WorkflowError(.graphStructure, "step `\(step.name)` reads its own output: the graph has a cycle", step: step.name)
            }
            for target in step.gates { before[target, default: []].insert(step.name) }
        }
        var done: Set<String> = []
        var ordered: [CompiledWorkflow.Step] = []
        var pending = steps
        while !pending.isEmpty {
            guard let next = pending.firstIndex(where: { before[$0.name, default: []].isSubset(of: done) }) else {
                let names = pending.map { "`\($0.name)`" }.joined(separator: ", ")
                throw WorkflowError(.graphStructure, "the steps \(names) depend on each other in a cycle", step: pending[0].name)
            }
            let step = pending.remove(at: next)
            done.insert(step.name)
            ordered.append(step)
        }
        return ordered
    }
}
