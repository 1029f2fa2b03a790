import ArgumentParser
import Foundation
import SeerRuntime
import SeerModels

/// Options every model command takes.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A checkpoint folder in Hugging Face layout (config.json, model.safetensors, preprocessor_config.json, and the tokenizer files of models with text), or a Hub id ORG/NAME[@REVISION] (fetched into the Hub cache unless already there). The family comes from config.json's model_type; `seer models list --available` lists them.")
    var model: String

    @Option(help: "How an embedding pools the image's tokens, for families that offer a choice (DINOv2): cls (default, transformers' pooler_output), mean (patch tokens), cls+mean.")
    var pooling: EmbeddingPooling?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 32

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    /// Applies --threads and loads the model, whatever its family.
    func load() throws -> ModelSession {
        SeerThreads.set(threads)
        return try ModelSession(modelPath: resolveModelFolder(model).path, options: LoadOptions(pooling: pooling))
    }

    /// What an index records as its model: the id or folder as given, and the pooling when it
    /// is not the family's default, so queries are embedded the same way.
    var reference: ModelReference { ModelReference(model: model, pooling: pooling) }
}

extension EmbeddingPooling: ExpressibleByArgument {}

/// A model as an index stores it: "ORG/NAME" or a folder, with "#pooling=mean" appended when
/// the embeddings were pooled other than by default.
struct ModelReference: Equatable {
    var model: String
    var pooling: EmbeddingPooling?

    init(model: String, pooling: EmbeddingPooling?) {
        self.model = model
        self.pooling = pooling
    }

    init(parsing stored: String) {
        if let mark = stored.range(of: "#pooling="), let pooling = EmbeddingPooling(rawValue: String(stored[mark.upperBound...])) {
            self.init(model: String(stored[..<mark.lowerBound]), pooling: pooling)
        } else {
            self.init(model: stored, pooling: nil)
        }
    }

    var stored: String { pooling.map { "\(model)#pooling=\($0.rawValue)" } ?? model }
}
