import ArgumentParser
import Foundation

@main
struct Seer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seer",
        abstract: "Vision foundation models, natively: CLIP embeddings, zero-shot classification, similarity.",
        version: "0.1.0",
        subcommands: [Embed.self, Classify.self, Compare.self]
    )
}

/// Options every model command takes.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A CLIP checkpoint folder in Hugging Face layout (config.json, model.safetensors, preprocessor_config.json, vocab.json, merges.txt).")
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
        return try CLIPSession(modelPath: model)
    }
}

/// Runs a command body, turning any error into one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("seer: error: \(error)")
        throw ExitCode.failure
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
