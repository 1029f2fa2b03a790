import Foundation

/// The searchable view of a store: loads the catalog's vectors, and picks exact search or the
/// saved HNSW graph (above `approximateThreshold` vectors, when the graph is up to date).
public final class ImageIndex {
    public let store: VectorStore
    /// Collections at least this big get an HNSW graph; smaller ones are searched exactly.
    public var approximateThreshold: Int
    public var parameters: HNSWParameters
    static let graphName = "hnsw"

    public init(store: VectorStore, approximateThreshold: Int = 20_000, parameters: HNSWParameters = HNSWParameters()) {
        self.store = store
        self.approximateThreshold = approximateThreshold
        self.parameters = parameters
    }

    /// A loaded collection: the catalog rows (vectors moved into the search's matrix) and the
    /// search over them; neighbour indices point into `entries`.
    public struct Collection {
        public var entries: [CatalogEntry]
        public var search: NeighborSearch
    }

    /// Loads the rows matching `condition` (SQL on the `images` table). A filtered load is
    /// always searched exactly; a full load uses the saved graph when it is current (one is
    /// saved by `refreshGraph` once the collection reaches the threshold).
    public func load(where condition: String? = nil, exact: Bool = false, ef: Int = 128) throws -> Collection {
        guard let info = try store.info() else { throw IndexError.invalid("the index is empty (run `seer index` first)") }
        var entries = try store.entries(where: condition)
        let matrix = VectorMatrix(entries: entries, dimension: info.dimension)
        for i in entries.indices { entries[i].vector = [] }
        if !exact, condition == nil,
           let saved = try store.loadANN(name: Self.graphName), saved.version == (try store.version()),
           let graph = try? HNSWIndex(serialized: saved.data, matrix: matrix) {
            return Collection(entries: entries, search: .approximate(graph, ef: ef))
        }
        return Collection(entries: entries, search: .exact(ExactSearch(matrix: matrix)))
    }

    /// The k images most similar to the unit `query`: in the database server when the store
    /// searches itself (PostgreSQL), else over the loaded collection (exact or the saved graph).
    public func nearest(to query: [Float], k: Int, where condition: String? = nil, exact: Bool = false, ef: Int = 128) throws -> [StoreHit] {
        if let server = store as? SearchingStore {
            return try server.nearest(to: query, k: k, where: condition, exact: exact, ef: ef)
        }
        let collection = try load(where: condition, exact: exact, ef: ef)
        guard query.count == collection.search.matrix.dimension else {
            throw IndexError.mismatch("the query has \(query.count) dimensions, the index \(collection.search.matrix.dimension)")
        }
        return collection.search.search(query, queryCount: 1, k: k)[0].map { StoreHit(path: collection.entries[$0.index].path, score: $0.score) }
    }

    /// Brings the saved graph up to date after indexing: extends it when rows were only added,
    /// rebuilds it otherwise. Does nothing below the threshold. Returns whether it wrote a graph.
    /// A store that searches itself gets its own index instead (pgvector HNSW), kept up to date by the server.
    @discardableResult
    public func refreshGraph() throws -> Bool {
        if let server = store as? SearchingStore {
            return try server.refreshANNIndex(threshold: approximateThreshold, parameters: parameters)
        }
        guard let info = try store.info(), try store.count() >= approximateThreshold else { return false }
        let version = try store.version()
        if let saved = try store.loadANN(name: Self.graphName), saved.version == version { return false }
        let matrix = VectorMatrix(entries: try store.entries(where: nil), dimension: info.dimension)
        var graph: HNSWIndex?
        if let saved = try store.loadANN(name: Self.graphName), let savedCount = Self.nodeCount(saved.data), savedCount <= matrix.count {
            let prefix = VectorMatrix(dimension: info.dimension, values: Array(matrix.values[..<(savedCount * info.dimension)]),
                                      ids: Array(matrix.ids[..<savedCount]))
            if let old = try? HNSWIndex(serialized: saved.data, matrix: prefix) {
                let rest = VectorMatrix(dimension: info.dimension, values: Array(matrix.values[(savedCount * info.dimension)...]),
                                        ids: Array(matrix.ids[savedCount...]))
                old.add(rest)
                graph = old
            }
        }
        let built = graph ?? HNSWIndex(matrix: matrix, parameters: parameters)
        try store.saveANN(name: Self.graphName, version: version, data: built.serialized())
        return true
    }

    /// The node count in a serialized graph's header, without decoding the rest.
    static func nodeCount(_ data: Data) -> Int? {
        var reader = ByteReader(data: data)
        guard (try? reader.bytes(8)) == HNSWIndex.magic else { return nil }
        for _ in 0..<4 { _ = try? reader.int64() }
        return (try? reader.int64()).map { Int($0) }
    }
}
