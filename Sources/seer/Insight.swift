import ArgumentParser
import Foundation
import SeerIndex

struct Duplicates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Groups of near-duplicate images in an index.",
        discussion: """
        Two images are near-duplicates when the cosine of their embeddings is at least --threshold; groups
        are closed under that (a≈b and b≈c make one group). Each image is compared with its --neighbors
        nearest images. Largest groups first.
        """
    )

    @OptionGroup var index: IndexOptions

    @Option(help: "Cosine similarity at or above which two images count as duplicates.")
    var threshold: Float = 0.95

    @Option(help: "Nearest images each image is compared with.")
    var neighbors: Int = 16

    @Option(help: "table, json (one group per line) or html (a contact sheet).")
    var format: OutputFormat = .table

    func validate() throws {
        if !(threshold > -1 && threshold <= 1) { throw ValidationError("--threshold must be in (-1, 1]") }
        if neighbors < 1 { throw ValidationError("--neighbors must be at least 1") }
    }

    struct Group: Encodable {
        var group: Int
        var paths: [String]
    }

    func run() throws {
        try reportingErrors {
            let (_, collection) = try index.load()
            let groups = SeerIndex.Duplicates.groups(collection.search, threshold: threshold, neighbors: neighbors)
                .enumerated().map { Group(group: $0 + 1, paths: $1.map { collection.entries[$0].path }) }
            switch format {
            case .table:
                for group in groups {
                    print("group \(group.group) (\(group.paths.count) images)")
                    for path in group.paths { print("  " + path) }
                }
                if groups.isEmpty { printError("seer: no near-duplicates at cosine ≥ \(threshold)") }
            case .json:
                for group in groups { try printJSONLine(group) }
            case .html:
                print(contactSheet(title: "seer duplicates (cosine ≥ \(threshold))", groups: groups.map {
                    ("group \($0.group)", $0.paths.map { ($0, URL(fileURLWithPath: $0).lastPathComponent) })
                }), terminator: "")
            }
        }
    }
}

struct Outliers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The least typical images in an index.",
        discussion: """
        Each image scores the mean cosine similarity to its --neighbors nearest other images (a local
        density); the lowest scores are the least typical, listed first.
        """
    )

    @OptionGroup var index: IndexOptions

    @Option(name: .short, help: "How many outliers to list.")
    var k: Int = 20

    @Option(help: "Nearest images each score averages over.")
    var neighbors: Int = 10

    @Option(help: "table, json (one object per line) or html (a contact sheet).")
    var format: OutputFormat = .table

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if neighbors < 1 { throw ValidationError("--neighbors must be at least 1") }
    }

    struct Outlier: Encodable {
        var rank: Int
        var score: Float
        var path: String
    }

    func run() throws {
        try reportingErrors {
            let (_, collection) = try index.load()
            let ranked = SeerIndex.Outliers.rank(collection.search, neighbors: neighbors).prefix(k)
            let outliers = ranked.enumerated().map { Outlier(rank: $0 + 1, score: $1.score, path: collection.entries[$1.index].path) }
            switch format {
            case .table:
                print("rank  typicality  path")
                for o in outliers { print(String(format: "%4d  %10.4f  ", o.rank, o.score) + o.path) }
            case .json:
                for o in outliers { try printJSONLine(o) }
            case .html:
                print(contactSheet(title: "seer outliers", groups: [(nil, outliers.map {
                    ($0.path, String(format: "#%d  %.4f  ", $0.rank, $0.score) + URL(fileURLWithPath: $0.path).lastPathComponent)
                })]), terminator: "")
            }
        }
    }
}

struct Clusters: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Group the images of an index into k clusters (spherical k-means, k-means++ seeding).",
        discussion: "Each cluster lists its representative first: the member closest to the cluster's centroid."
    )

    @OptionGroup var index: IndexOptions

    @Option(name: .short, help: "The number of clusters.")
    var k: Int

    @Option(help: "Seed of the k-means++ draws.")
    var seed: UInt64 = 1

    @Option(help: "table, json (one cluster per line) or html (a contact sheet).")
    var format: OutputFormat = .table

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
    }

    struct Group: Encodable {
        var cluster: Int
        var representative: String
        var paths: [String]
    }

    func run() throws {
        try reportingErrors {
            let (_, collection) = try index.load()
            let clusters = KMeans.cluster(collection.search.matrix, k: k, seed: seed).enumerated().map { number, cluster in
                Group(cluster: number + 1, representative: collection.entries[cluster.representative].path,
                      paths: cluster.members.map { collection.entries[$0].path })
            }
            switch format {
            case .table:
                for c in clusters {
                    print("cluster \(c.cluster) (\(c.paths.count) images), representative \(c.representative)")
                    for path in c.paths where path != c.representative { print("  " + path) }
                }
            case .json:
                for c in clusters { try printJSONLine(c) }
            case .html:
                print(contactSheet(title: "seer clusters (k = \(k))", groups: clusters.map { c in
                    ("cluster \(c.cluster): \(c.paths.count) images", ([c.representative] + c.paths.filter { $0 != c.representative }).map {
                        ($0, ($0 == c.representative ? "★ " : "") + URL(fileURLWithPath: $0).lastPathComponent)
                    })
                }), terminator: "")
            }
        }
    }
}
