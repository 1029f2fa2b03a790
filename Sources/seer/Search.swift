import ArgumentParser
import Foundation
import SeerIndex

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the indexed images most similar to a text or an image.",
        discussion: """
        Scores are cosine similarities between unit embeddings (a text query needs a model with a text tower, such as CLIP). The query is embedded with the model
        that built the index (stored in it) unless --model names another with the same dimension.
        Exact search (BLAS) unless the index holds a current HNSW graph; --where always searches exactly.
        A PostgreSQL index is searched in the server (pgvector), through its HNSW index when it has one.
        """
    )

    @Argument(help: "The text to search for.")
    var text: String?

    @Option(help: "Search with this image instead of a text.")
    var image: String?

    @Option(name: .short, help: "How many results.")
    var k: Int = 20

    @OptionGroup var index: IndexOptions

    @Option(help: "table, json (one object per line) or html (a contact sheet on stdout).")
    var format: OutputFormat = .table

    @Option(help: "Also write an HTML contact sheet of the results to this file.")
    var html: String?

    @Option(name: .shortAndLong, help: "The model to embed the query with (default: the one stored in the index).")
    var model: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if (text == nil) == (image == nil) { throw ValidationError("give either a text or --image") }
        if k < 1 { throw ValidationError("-k must be at least 1") }
    }

    struct Hit: Encodable {
        var rank: Int
        var score: Float
        var path: String
    }

    func run() throws {
        try reportingErrors {
            let store = try index.open()
            guard let info = try store.info() else { throw CLIError("the index \(index.db) is empty") }
            let session = try modelOptions(stored: info.model, override: model, threads: threads).load()
            var query: [Float]
            if let text {
                query = try session.textEmbedder().embed(texts: [text])[0]
            } else {
                query = try session.imageEmbedder().embed(imagesAt: [URL(fileURLWithPath: image!)])[0].get()
            }
            guard query.count == info.dimension else {
                throw CLIError("the model gives \(query.count)-d embeddings, the index holds \(info.dimension)-d")
            }
            query = unitLength(query)
            let found = try ImageIndex(store: store).nearest(to: query, k: k, where: index.condition, exact: index.exact, ef: index.ef)
            let hits = found.enumerated().map { Hit(rank: $0 + 1, score: $1.score, path: $1.path) }
            let title = text.map { "seer search: \($0)" } ?? "seer search: like \(image!)"
            switch format {
            case .table:
                print("rank    score  path")
                for hit in hits { print(String(format: "%4d  %7.4f  ", hit.rank, hit.score) + hit.path) }
            case .json:
                for hit in hits { try printJSONLine(hit) }
            case .html:
                print(sheet(title: title, hits: hits), terminator: "")
            }
            if let html {
                try writeAtomically(Data(sheet(title: title, hits: hits).utf8), to: URL(fileURLWithPath: html))
            }
        }
    }

    func sheet(title: String, hits: [Hit]) -> String {
        contactSheet(title: title, groups: [(nil, hits.map { ($0.path, String(format: "#%d  %.4f  ", $0.rank, $0.score) + URL(fileURLWithPath: $0.path).lastPathComponent) })])
    }
}
