import Foundation
import SeerIndex
import SeerModels
import SeerTensor

/// The image index `/search` answers from: a `seer index` SQLite file opened read-only, its
/// vectors held in memory, reloaded when `seer index` changes the file under a running server.
///
/// Callers are untrusted, so there is no SQL filter (the CLI's `--where` is raw SQL): the
/// optional filter is a plain path prefix, compared as a string in memory.
public final class SearchIndex: @unchecked Sendable {
    /// One ranked result.
    public struct Hit: Sendable, Equatable {
        public var score: Float
        public var path: String
        public var id: Int64?
        public var width: Int?
        public var height: Int?
    }

    /// The most results one query may ask for.
    public static let maxResults = 1000

    public let path: String
    /// The model and dimension the index was built with (checked against the served model).
    public let info: StoreInfo
    private let store: SQLiteCatalog
    private let ef: Int

    /// The loaded rows at one store version. A reload builds a new one; searches in flight keep theirs.
    private final class Snapshot: @unchecked Sendable {
        let version: Int64
        let collection: ImageIndex.Collection
        init(version: Int64, collection: ImageIndex.Collection) {
            self.version = version
            self.collection = collection
        }
    }

    private let lock = NSLock()
    private var snapshot: Snapshot
    /// Held while reloading, so concurrent requests that notice a change reload once.
    private let reloadLock = NSLock()

    /// Opens the index at `path` and checks it was built with the served model: the same
    /// embedding dimension, and a stored model name among `modelNames` (the names the served
    /// model goes by: as given, its folder's absolute path). Vectors of another model would
    /// give meaningless scores, so a mismatch is refused here, at startup.
    public init(path: String, embedder: any ImageEmbedder, modelNames: [String], ef: Int = 128) throws {
        if path.hasPrefix("postgres://") || path.hasPrefix("postgresql://") {
            throw IndexError.invalid("seer serve --index takes a SQLite index file; PostgreSQL stores are not served yet")
        }
        let store = try SQLiteCatalog(path: path, readOnly: true)
        guard let info = try store.info() else {
            throw IndexError.invalid("the index \(path) is empty (run `seer index` first)")
        }
        guard info.dimension == embedder.embeddingDimension else {
            throw IndexError.mismatch("the index \(path) holds \(info.dimension)-d vectors of model \(info.model); the served model gives \(embedder.embeddingDimension)-d embeddings")
        }
        guard modelNames.contains(info.model) else {
            throw IndexError.mismatch("the index \(path) was built with model \(info.model), not the served model \(modelNames.first ?? "?") (serve that model, or rebuild the index with this one)")
        }
        self.path = path
        self.info = info
        self.store = store
        self.ef = ef
        snapshot = try Self.load(store, ef: ef)
    }

    private static func load(_ store: SQLiteCatalog, ef: Int) throws -> Snapshot {
        // The version is read first: a commit landing during the load makes the next search reload.
        let version = try store.version()
        return Snapshot(version: version, collection: try ImageIndex(store: store).load(where: nil, exact: false, ef: ef))
    }

    /// The rows as of now, reloaded first when the file changed since the last load.
    private func current() throws -> Snapshot {
        let loaded = lock.withLock { snapshot }
        guard try store.version() != loaded.version else { return loaded }
        return try reloadLock.withLock {
            let latest = lock.withLock { snapshot }
            let version = try store.version()
            guard version != latest.version else { return latest }
            let fresh = try Self.load(store, ef: ef)
            lock.withLock { snapshot = fresh }
            return fresh
        }
    }

    /// The `k` rows most similar to `query` (any length: it is scaled to unit length), best
    /// first, among rows whose path starts with `pathPrefix` when one is given. Unfiltered
    /// queries go through the library's search (HNSW when the index saved a current graph);
    /// filtered ones score every matching row exactly. Blocking: call it off the event loop.
    public func search(_ query: [Float], k: Int, pathPrefix: String? = nil) throws -> (hits: [Hit], approximate: Bool) {
        precondition(query.count == info.dimension, "query has \(query.count) dimensions, index \(info.dimension)")
        let unit = unitLength(query)
        let collection = try current().collection
        let found: [Neighbor]
        let approximate: Bool
        if let pathPrefix {
            found = Self.exactFiltered(unit, collection: collection, k: k) { $0.hasPrefix(pathPrefix) }
            approximate = false
        } else {
            found = collection.search.search(unit, queryCount: 1, k: k)[0]
            approximate = collection.search.isApproximate
        }
        let hits = found.map { neighbor in
            let entry = collection.entries[neighbor.index]
            return Hit(score: neighbor.score, path: entry.path, id: entry.id, width: entry.width, height: entry.height)
        }
        return (hits, approximate)
    }

    /// Inner products with the rows whose path passes `keep`, best `k` first (ties by row order).
    private static func exactFiltered(_ query: [Float], collection: ImageIndex.Collection, k: Int, keep: (String) -> Bool) -> [Neighbor] {
        let matrix = collection.search.matrix
        let d = matrix.dimension
        var scored: [Neighbor] = []
        matrix.values.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                for (i, entry) in collection.entries.enumerated() where keep(entry.path) {
                    scored.append(Neighbor(index: i, score: dotProduct(q.baseAddress!, rows.baseAddress! + i * d, d)))
                }
            }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return Array(scored.prefix(k))
    }
}
