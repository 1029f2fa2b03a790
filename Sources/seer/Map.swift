import ArgumentParser
import Foundation
import SeerAnalytics
import SeerIndex
import SeerRuntime
import SeerMap
import SeerVideo

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "A 2-D map of an index (UMAP or PCA of its embeddings): an interactive HTML page and/or a PNG.",
        discussion: """
        Projects every indexed embedding and stores the projection in the index; --update places images
        indexed since into the stored map without recomputing it. The page is one self-contained file:
        drag to pan, wheel to zoom, hover for the path and image, shift-drag to lasso a selection and
        export its paths, click a legend entry to hide a class.
        """
    )

    @Option(help: "The index: a SQLite file (PostgreSQL indexes are mapped but the map is not stored).")
    var db: String = "seer-index.sqlite"

    @Option(help: "Write the interactive page here.")
    var out: String?

    @Option(help: "Write a picture of the map here (PNG).")
    var png: String?

    @Option(help: "umap or pca.")
    var method: MapMethodArgument = .umap

    @Option(name: .customLong("color-by"), help: "cluster, outlier, label (the image's folder) or a field of --values.")
    var colorBy: String?

    @Option(help: "A CSV (path,field,…) or JSON (path → value) of per-image values to colour by.")
    var values: String?

    @Option(help: "Clusters for --color-by cluster.")
    var clusters: Int = 10

    @Option(help: "UMAP: neighbours of each image in the graph.")
    var neighbors: Int = 15

    @Option(name: .customLong("min-dist"), help: "UMAP: how tightly neighbours may pack.")
    var minDist: Double = 0.1

    @Option(help: "UMAP: cosine or euclidean.")
    var metric: MetricArgument = .cosine

    @Option(help: "Seed of every random choice (the same seed gives the same map).")
    var seed: UInt64 = 0

    @Flag(help: "Place newly indexed images into the stored map instead of recomputing it.")
    var update = false

    @Option(help: "Worker threads.")
    var threads: Int?

    enum MapMethodArgument: String, ExpressibleByArgument, CaseIterable { case umap, pca }
    enum MetricArgument: String, ExpressibleByArgument, CaseIterable { case cosine, euclidean }

    func validate() throws {
        if out == nil && png == nil { throw ValidationError("give --out map.html and/or --png map.png") }
        if neighbors < 2 { throw ValidationError("--neighbors must be at least 2") }
        if !(minDist >= 0 && minDist <= 1) { throw ValidationError("--min-dist must be in [0, 1]") }
        if clusters < 1 { throw ValidationError("--clusters must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            if let threads { SeerThreads.set(threads) }
            // A read-write open creates a missing SQLite file: refuse first, as read-only commands do.
            if !db.contains("://") && !FileManager.default.fileExists(atPath: db) {
                throw IndexError.invalid("no index at \(db) (run `seer index` first)")
            }
            // Read the values first: a bad file should fail before minutes of projection.
            let table = try values.map { try ValueTable.read(URL(fileURLWithPath: $0)) }
            let store = try openStore(db, readOnly: false)
            var options = MapOptions()
            options.method = method == .pca ? .pca : .umap
            options.neighbors = neighbors
            options.minDist = minDist
            options.metric = metric == .cosine ? .cosine : .euclidean
            options.seed = seed
            options.update = update
            let started = Date()
            let map = try MapBuilder.build(store: store, options: options) { printError("seer: " + $0) }
            let paths = map.collection.entries.map(\.path)
            let coloring: MapColoring
            switch colorBy {
            case "cluster"?: coloring = .clusters(map, k: clusters, seed: seed &+ 1)
            case "outlier"?: coloring = .outliers(map)
            case "label"?: coloring = .folderLabels(map)
            case let field?:
                guard let table else { throw ValidationError("--color-by \(field) needs --values FILE (or use cluster, outlier, label)") }
                coloring = try .field(table, field: field, paths: paths)
            case nil:
                coloring = try table.map { try .field($0, field: nil, paths: paths) } ?? .clusters(map, k: clusters, seed: seed &+ 1)
            }
            let title = "seer map of \(URL(fileURLWithPath: db).lastPathComponent)"
            let subtitle = "\(paths.count) images · \(map.method.rawValue) \(map.parameters)"
            if let out {
                try writeAtomically(Data(MapPage.html(title: title, paths: paths, points: map.points, coloring: coloring, subtitle: subtitle).utf8), to: URL(fileURLWithPath: out))
            }
            if let png {
                try writeAtomically(try PNGEncoder.encode(MapPicture.render(points: map.points, coloring: coloring)), to: URL(fileURLWithPath: png))
            }
            let how = map.placed.map { "placed \($0) new" } ?? "computed"
            printError(String(format: "seer: map of %d images (%@, %@) in %.1f s%@", paths.count, map.method.rawValue, how,
                              Date().timeIntervalSince(started), map.stored ? ", stored in the index" : ""))
        }
    }
}
