import ArgumentParser
import Foundation
import SeerModels
import SeerRuntime
import SeerWorkflows

/// `seer workflow run|validate|blocks`: Roboflow-compatible workflow definitions (SeerWorkflows).
struct Workflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Roboflow-compatible workflow definitions (JSON pipelines of blocks).",
        subcommands: [WorkflowRun.self, WorkflowValidate.self, WorkflowBlocks.self]
    )
}

/// Reads and compiles a definition file; both commands below start here.
private func compileDefinition(_ path: String, services: WorkflowServices = WorkflowServices()) throws -> CompiledWorkflow {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    let json: JSONValue
    do { json = try JSONValue.parse(data) } catch { throw CLIError("\(path) is not valid JSON: \(error)") }
    return try WorkflowCompiler(services: services).compile(WorkflowDefinition(json: json))
}

/// The model behind `roboflow_core/clip@v1`, through the family seam: any image embedder, and its text tower if it has one.
private func modelServices(_ model: String?) throws -> WorkflowServices {
    guard let model else { return WorkflowServices() }
    let session = try ModelSession(modelPath: resolveModelFolder(model).path)
    let images = try session.imageEmbedder()
    let embedImage: @Sendable (JSONValue) throws -> [Float] = { image in
        guard case .object(let fields) = image, case .string(let path)? = fields["value"] else {
            throw CLIError("an image input must come from --image PATH")
        }
        return try images.embed(imagesAt: [URL(fileURLWithPath: path)])[0].get()
    }
    var embedText: (@Sendable (String) throws -> [Float])?
    if let tower = try? session.textEmbedder() {
        embedText = { text in try tower.embed(texts: [text])[0] }
    }
    return WorkflowServices(embedImage: embedImage, embedText: embedText)
}

struct WorkflowRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a definition once and print its outputs: a JSON list, one object per batch element.",
        discussion: """
        --image PATH (repeatable: a batch) feeds the definition's image input; --image NAME=PATH names one.
        --param NAME=VALUE sets an input: VALUE is read as JSON when it parses (numbers, lists, objects),
        else as a string. A WorkflowBatchInput takes a JSON list with one element per batch element,
        e.g. --param embedding='[[0.1, 0.2, …]]'.
        """
    )

    @Argument(help: "The workflow definition (JSON; {\"specification\": …} is accepted too).")
    var definition: String

    @Option(name: .customLong("image"), help: "An image file for the image input (repeatable), or NAME=PATH.")
    var images: [String] = []

    @Option(name: .customLong("param"), help: "An input value, NAME=VALUE (repeatable).")
    var params: [String] = []

    @Option(name: .shortAndLong, help: "The model roboflow_core/clip@v1 steps use: a folder or Hub id (any image embedder; text needs a text tower).")
    var model: String?

    @Option(help: "Worker threads for the model (default: all cores).")
    var threads: Int?

    func run() throws {
        try reportingErrors {
            SeerThreads.set(threads)
            let workflow = try compileDefinition(definition, services: try modelServices(model))
            var inputs: [String: JSONValue] = [:]
            for param in params {
                guard let eq = param.firstIndex(of: "="), eq != param.startIndex else { throw CLIError("--param takes NAME=VALUE, got \(param)") }
                let value = String(param[param.index(after: eq)...])
                inputs[String(param[..<eq])] = (try? JSONValue.parse(Data(value.utf8))) ?? .string(value)
            }
            let imageInputs = workflow.definition.inputs.filter { $0.role == .image }.map(\.name)
            var batches: [String: [JSONValue]] = [:]
            for image in images {
                var name = imageInputs.first, path = image
                if let eq = image.firstIndex(of: "="), imageInputs.contains(String(image[..<eq])) {
                    name = String(image[..<eq]); path = String(image[image.index(after: eq)...])
                }
                guard let name else { throw CLIError("the definition has no image input for --image \(image)") }
                guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("cannot read image \(path)") }
                batches[name, default: []].append(.object(["type": .string("file"), "value": .string(path)]))
            }
            for (name, items) in batches { inputs[name] = .array(items) }
            print(JSONValue.array(try workflow.run(inputs).map(JSONValue.object)).jsonText)
        }
    }
}

struct WorkflowValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a definition (blocks, fields, selectors, kinds, cycles) without running it.")

    @Argument(help: "The workflow definition (JSON).")
    var definition: String

    func run() throws {
        try reportingErrors {
            let workflow = try compileDefinition(definition)
            print(JSONValue.object(["status": .string("ok"), "execution_order": .array(workflow.executionOrder.map(JSONValue.string))]).jsonText)
        }
    }
}

struct WorkflowBlocks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks",
        abstract: "List the blocks: type, inputs (kinds, defaults) and outputs, as JSON.")

    func run() throws {
        print(BlockRegistry.builtIn.descriptionJSON.jsonText)
    }
}
