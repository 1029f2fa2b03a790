/// Runs a compiled workflow on one set of inputs.
///
/// Batch semantics as Roboflow's engine: images and `WorkflowBatchInput`s are batches (all of one
/// length, B); parameters are scalars, broadcast to every element. Each step runs once per
/// element, in element order, and `run` returns one output object per element (B = 1 when the
/// definition has no batch input). A step after a flow-control step that did not select it, or
/// reading a step that did not run, does not run; its outputs are null.
extension CompiledWorkflow {
    /// - Parameter inputs: name → value. A batch input's value is a JSON list of its elements;
    ///   an image's element is any JSON (an object with `video_metadata` for video frames).
    public func run(_ inputs: [String: JSONValue]) throws -> [[String: JSONValue]] {
        let resolved = try resolveInputs(inputs)
        var results: [[String: JSONValue]] = []
        for element in 0..<resolved.batchSize {
            results.append(try runElement(element, resolved))
        }
        return results
    }

    struct ResolvedInputs {
        var batchSize: Int
        var scalars: [String: JSONValue]
        var batches: [String: [JSONValue]]
    }

    func resolveInputs(_ given: [String: JSONValue]) throws -> ResolvedInputs {
        var scalars: [String: JSONValue] = [:]
        var batches: [String: [JSONValue]] = [:]
        let context = "workflow_execution | runtime_input_validation"
        for input in definition.inputs {
            switch input.role {
            case .parameter:
                // As Roboflow: a parameter neither given nor defaulted is null (a step may accept that).
                scalars[input.name] = given[input.name] ?? input.defaultValue ?? .null
            case .image, .batch, .videoMetadata:
                guard let value = given[input.name] else {
                    throw WorkflowError(.runtimeInput, "missing input `\(input.name)` (\(input.type))", context: context)
                }
                if case .array(let items) = value, input.role != .image || !items.isEmpty { batches[input.name] = items } else { batches[input.name] = [value] }
            }
        }
        let sizes = Set(batches.values.map(\.count))
        guard sizes.count <= 1 else {
            let described = batches.keys.sorted().map { "`\($0)`: \(batches[$0]!.count)" }.joined(separator: ", ")
            throw WorkflowError(.runtimeInput, "batch inputs differ in length (\(described))", context: context)
        }
        return ResolvedInputs(batchSize: sizes.first ?? 1, scalars: scalars, batches: batches)
    }

    private func runElement(_ element: Int, _ inputs: ResolvedInputs) throws -> [String: JSONValue] {
        var produced: [String: [String: JSONValue]] = [:]   // step → outputs; absent: did not run
        var blocked: Set<String> = []                          // steps a flow-control step did not select

        func value(of selector: WorkflowSelector) -> JSONValue {
            switch selector {
            case .input(let name): inputs.batches[name].map { $0[element] } ?? inputs.scalars[name] ?? .null
            case .stepOutput(let step, let output): produced[step]?[output] ?? .null
            case .allOutputs(let step): produced[step].map(JSONValue.object) ?? .null
            case .step: .null
            }
        }

        for step in steps {
            if blocked.contains(step.name) || !step.reads.allSatisfy({ produced[$0] != nil }) {
                blocked.formUnion(step.gates)
                continue
            }
            var values: [String: JSONValue] = [:]
            for (field, binding) in step.bindings {
                switch binding {
                case .literal(let v): values[field] = v
                case .selector(let s):
                    if case .input(let name) = s, inputs.scalars[name] != nil {
                        // Roboflow takes parameters only into fields that accept literals.
                        throw WorkflowError(.runtimeInput, "step `\(step.name)`, field `\(field)` takes a step output or a batch input, not the parameter `\(name)`",
                                            context: "workflow_execution | runtime_input_validation", step: step.name, property: field)
                    }
                    values[field] = value(of: s)
                case .checkedSelector(let s, let type):
                    let v = value(of: s)
                    if case .input(let name) = s, inputs.scalars[name] != nil, !type.accepts(v) {
                        throw WorkflowError(.runtimeInput, "step `\(step.name)`, field `\(field)`: input `\(name)` must be a \(type.name), got \(v.jsonText)",
                                            context: "workflow_execution | runtime_input_validation", step: step.name, property: field)
                    }
                    values[field] = v
                case .selectorMap(let map): values[field] = .object(map.mapValues(value(of:)))
                }
            }
            let result: BlockResult
            do {
                result = try step.block.run(BlockInputs(values: values, step: step.name))
            } catch let error as WorkflowError {
                throw error
            } catch {
                throw WorkflowError(.stepExecution, "step `\(step.name)` failed: \(error)", context: "workflow_execution | step_execution",
                                    step: step.name, inner: (String(describing: type(of: error)), "\(error)"))
            }
            switch result {
            case .outputs(let outputs): produced[step.name] = outputs
            case .select(let chosen):
                produced[step.name] = [:]
                blocked.formUnion(step.gates.filter { !chosen.contains($0) })
            case .terminate:
                produced[step.name] = [:]
                blocked.formUnion(step.gates)
            }
        }
        var out: [String: JSONValue] = [:]
        for output in outputs { out[output.name] = value(of: output.selector) }
        return out
    }
}
