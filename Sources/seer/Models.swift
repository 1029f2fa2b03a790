import ArgumentParser
import Foundation
import SeerHub
import SeerModels

/// `seer models pull|list|rm`: models in the Hugging Face Hub cache, shared with Python's huggingface_hub.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download, list and remove models in the Hugging Face Hub cache.",
        discussion: """
        The cache is the Hub's own (HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub), so models
        that transformers or huggingface_hub downloaded are used as they are. HF_HUB_OFFLINE=1 uses the cache
        only; HF_TOKEN authenticates for gated or private models; HF_ENDPOINT names another Hub.
        """,
        subcommands: [Pull.self, List.self, Remove.self]
    )

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a model's files (config, weights, tokenizer, processor) into the cache; print its folder."
        )

        @Argument(help: "ORG/NAME or ORG/NAME@REVISION (a branch, tag or commit).")
        var id: String

        func run() throws {
            try reportingErrors {
                let folder = try pull(try HubModelID(parsing: id))
                print(folder.path)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cached models: revisions, refs, files, size on disk.")

        @Flag(help: "List the model ids known to work with Seer instead (every registered family), marking those in the cache.")
        var available = false

        func run() throws {
            let cache = HubClient(configuration: .fromEnvironment()).cache
            if available {
                let cached = Set(cache.models().map(\.repo))
                let rows = ModelRegistry.shared.all.flatMap { family in
                    family.knownCheckpoints.map { [$0.id, family.name, cached.contains($0.id) ? "yes" : "", $0.summary] }
                }
                printTable(["MODEL", "ARCHITECTURE", "CACHED", "ABOUT"], rows)
                return
            }
            var rows: [[String]] = []
            for model in cache.models() {
                for (index, revision) in model.revisions.enumerated() {
                    rows.append([model.repo, String(revision.commit.prefix(12)), revision.refs.joined(separator: ","),
                                 String(revision.files.count), index == 0 ? formatBytes(model.sizeOnDisk) : ""])
                }
                if model.revisions.isEmpty { rows.append([model.repo, "-", "", "0", formatBytes(model.sizeOnDisk)]) }
            }
            if rows.isEmpty {
                printError("no models in \(cache.root.path)")
                return
            }
            printTable(["MODEL", "REVISION", "REFS", "FILES", "SIZE"], rows)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a model (every revision) from the cache.")

        @Argument(help: "ORG/NAME")
        var id: String

        func run() throws {
            try reportingErrors {
                let repo = try HubModelID(parsing: id).repo
                let cache = HubClient(configuration: .fromEnvironment()).cache
                let size = cache.model(repo)?.sizeOnDisk ?? 0
                guard try cache.remove(repo) else {
                    throw CLIError("\(repo) is not in the cache at \(cache.root.path)")
                }
                print("removed \(repo) (\(formatBytes(size)))")
            }
        }
    }
}

/// Left-aligned columns separated by two spaces.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}
