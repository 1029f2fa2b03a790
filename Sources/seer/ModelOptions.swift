import ArgumentParser
import Foundation

/// Options every model command takes.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A CLIP checkpoint folder in Hugging Face layout (config.json, model.safetensors, preprocessor_config.json, vocab.json, merges.txt), or a Hub id ORG/NAME[@REVISION] (fetched into the Hub cache unless already there).")
    var model: String

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 32

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    /// Applies --threads (before any kernel reads the thread count) and loads the model.
    func loadCLIP() throws -> CLIPSession {
        if let threads { setenv("SEER_NUM_THREADS", String(threads), 1) }
        return try CLIPSession(modelPath: resolveModelFolder(model).path)
    }
}
