import ArgumentParser
import Foundation

@main
struct Seer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seer",
        abstract: "Vision foundation models, natively: CLIP embeddings, zero-shot classification, similarity.",
        version: "0.1.0",
        subcommands: [Embed.self, Classify.self, Compare.self, Scenes.self, Watch.self, Index.self, Search.self, Duplicates.self, Outliers.self, Clusters.self, MapCommand.self, Segment.self, Detect.self, Autolabel.self, Train.self, Models.self, Serve.self, Workflow.self]
    )
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
