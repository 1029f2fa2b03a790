import Foundation

/// What a family can do, for listings and for errors that say which families can.
public enum Capability: String, Sendable, Hashable, CaseIterable {
    case imageEmbedding = "image embeddings"
    case text = "text embeddings"
    case segmentation = "segmentation"
    case detection = "detection"
}

/// How an image embedder reduces its tokens to one vector, where a family offers a choice
/// (DINOv2: `cls` is transformers' `pooler_output`, `mean` the mean of patch tokens, `cls+mean`
/// both concatenated as `Dinov2ForImageClassification` feeds its head).
public enum EmbeddingPooling: String, Sendable, CaseIterable {
    case cls
    case mean
    case clsMean = "cls+mean"
}

/// Choices made when loading, which a family may honour or refuse with a clear error.
public struct LoadOptions: Sendable, Equatable {
    public var pooling: EmbeddingPooling?
    public init(pooling: EmbeddingPooling? = nil) { self.pooling = pooling }
}

/// A Hub id known to load, with a line about it (`seer models list --available`).
public struct KnownCheckpoint: Sendable, Equatable {
    public let id: String
    public let summary: String
    public init(id: String, summary: String) {
        self.id = id
        self.summary = summary
    }
}

/// One model family: the `model_type` values it answers to and how to build a model from a
/// checkpoint folder (model, tokenizer and processor together).
public struct ModelFamily: Sendable {
    public let name: String
    public let modelTypes: [String]
    public let capabilities: Set<Capability>
    public let knownCheckpoints: [KnownCheckpoint]
    /// Whether the loader honours `LoadOptions.pooling`; the registry refuses it for the others.
    public let offersPooling: Bool
    public let load: @Sendable (_ directory: URL, _ modelType: String, _ options: LoadOptions) throws -> any VisionModel

    public init(name: String, modelTypes: [String], capabilities: Set<Capability>, knownCheckpoints: [KnownCheckpoint] = [],
                offersPooling: Bool = false, load: @escaping @Sendable (URL, String, LoadOptions) throws -> any VisionModel) {
        self.name = name
        self.modelTypes = modelTypes
        self.capabilities = capabilities
        self.knownCheckpoints = knownCheckpoints
        self.offersPooling = offersPooling
        self.load = load
    }
}

/// From `config.json`'s `model_type` to the family that loads it. The built-in families are
/// registered in `ModelRegistry+BuiltIn.swift`; a library user (or a test) can add more, and
/// every command and route then takes them.
public final class ModelRegistry: @unchecked Sendable {
    // @unchecked: `families` is only touched under `lock`.
    private let lock = NSLock()
    private var families: [ModelFamily]

    public static let shared = ModelRegistry(families: builtInFamilies)

    public init(families: [ModelFamily]) { self.families = families }

    /// Adds a family. Look-ups take the newest family first, so registering a `model_type`
    /// that is already taken overrides the older loader.
    public func register(_ family: ModelFamily) {
        lock.withLock { families.insert(family, at: 0) }
    }

    public var all: [ModelFamily] { lock.withLock { families } }

    public func family(forModelType type: String) -> ModelFamily? {
        lock.withLock { families.first { $0.modelTypes.contains(type) } }
    }

    /// The `model_type` values of every family with this capability, for error messages.
    public func modelTypes(with capability: Capability) -> [String] {
        all.filter { $0.capabilities.contains(capability) }.flatMap(\.modelTypes).sorted()
    }

    /// Loads a checkpoint folder in the Hub layout: reads `config.json`'s `model_type` and hands
    /// the folder to that family.
    public func load(directory: URL, options: LoadOptions = LoadOptions()) throws -> any VisionModel {
        let type = try Self.modelType(in: directory)
        guard let family = family(forModelType: type) else {
            let known = all.flatMap(\.modelTypes).sorted().joined(separator: ", ")
            throw ModelError.unsupported("\(directory.appendingPathComponent("config.json").path) has model_type \"\(type)\"; Seer loads \(known)")
        }
        if let pooling = options.pooling, !family.offersPooling {
            let offering = all.filter(\.offersPooling).map(\.name).joined(separator: ", ")
            throw ModelError.unsupported("--pooling \(pooling.rawValue): \(family.name) has one way to pool its embedding; the choice applies to \(offering.isEmpty ? "no registered family" : offering)")
        }
        return try family.load(directory, type, options)
    }

    /// `config.json`'s top-level `model_type`.
    public static func modelType(in directory: URL) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.missingFile("\(directory.path) (expected a model folder in the Hub layout: config.json, model.safetensors, preprocessor_config.json, …)")
        }
        let url = directory.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelError.missingFile(url.path) }
        struct Header: Decodable { let model_type: String? }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw ModelError.invalidConfig("\(url.path) is not a JSON object with a model_type")
        }
        guard let type = header.model_type, !type.isEmpty else {
            throw ModelError.invalidConfig("\(url.path) has no model_type, so Seer cannot tell which family it is")
        }
        return type
    }
}
