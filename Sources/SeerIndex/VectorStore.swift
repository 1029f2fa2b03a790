import Foundation

/// One indexed image: where it is, what it was when embedded, and its embedding.
public struct CatalogEntry: Sendable, Equatable {
    public var id: Int64?
    public var path: String
    /// Hex SHA-256 of the file's bytes.
    public var hash: String
    public var size: Int64
    /// Modification time, seconds since 1970.
    public var mtime: Double
    public var width: Int?
    public var height: Int?
    /// Unit-length embedding (as decoded from storage, so int8/f16 rows come back rounded).
    public var vector: [Float]

    public init(id: Int64? = nil, path: String, hash: String, size: Int64, mtime: Double,
                width: Int? = nil, height: Int? = nil, vector: [Float]) {
        self.id = id
        self.path = path
        self.hash = hash
        self.size = size
        self.mtime = mtime
        self.width = width
        self.height = height
        self.vector = vector
    }
}

/// What a catalog remembers about a file without its vector: enough to decide whether it changed.
public struct FileRecord: Sendable, Equatable {
    public var path: String
    public var hash: String
    public var size: Int64
    public var mtime: Double
}

/// A file that could not be embedded, remembered so an unchanged bad file is not retried.
public struct FailedFile: Sendable, Equatable {
    public var path: String
    public var size: Int64
    public var mtime: Double
    public var message: String
}

/// The settings a store is created with; fixed for its lifetime.
public struct StoreInfo: Sendable, Equatable {
    /// The model identifier (a path or a Hub id) the vectors come from.
    public var model: String
    public var dimension: Int
    public var encoding: VectorEncoding

    public init(model: String, dimension: Int, encoding: VectorEncoding = .float32) {
        self.model = model
        self.dimension = dimension
        self.encoding = encoding
    }
}

/// The seam between the index logic and the database that holds catalog and vectors.
/// `SQLiteCatalog` (a file) and `PostgresCatalog` (a server) implement it.
public protocol VectorStore: AnyObject {
    /// The store's settings, or nil when nothing was indexed yet.
    func info() throws -> StoreInfo?
    /// Records (without vectors) of every file under `root` (all files when nil), keyed by path.
    func fileRecords(under root: String?) throws -> [String: FileRecord]
    /// Remembered failures under `root`, keyed by path.
    func failures(under root: String?) throws -> [String: FailedFile]
    /// The stored vector and image size of some file with this content hash, if any.
    func embedded(forHash hash: String) throws -> EmbeddedImage?
    /// Applies one batch atomically: all of it is stored, or none of it.
    func commit(_ batch: CatalogBatch) throws
    /// Every entry whose row matches an optional SQL condition on the `images` table, by id.
    func entries(where condition: String?) throws -> [CatalogEntry]
    /// The number of stored vectors.
    func count() throws -> Int
    /// A number that changes whenever vectors are added, changed or removed.
    func version() throws -> Int64
    /// A saved approximate index with the version it was built at.
    func loadANN(name: String) throws -> (version: Int64, data: Data)?
    func saveANN(name: String, version: Int64, data: Data) throws
}

/// One result of a search that runs inside the store.
public struct StoreHit: Sendable, Equatable {
    public var path: String
    /// Cosine similarity (inner product of unit vectors).
    public var score: Float
}

/// A store that searches its own vectors in the database server (PostgreSQL with pgvector), so
/// a query need not load the collection. `PostgresCatalog` is one.
public protocol SearchingStore: VectorStore {
    /// The k rows most similar to the unit `query` among those matching `condition`, best first
    /// (ties by row id, as the in-memory search breaks them). Exact when `exact` or filtered.
    func nearest(to query: [Float], k: Int, where condition: String?, exact: Bool, ef: Int) throws -> [StoreHit]
    /// Creates the store's approximate index once it holds `threshold` rows; whether it did now.
    func refreshANNIndex(threshold: Int, parameters: HNSWParameters) throws -> Bool
}

/// Opens the store at `location`: a PostgreSQL URL (postgres://…) or a SQLite file path.
public func openStore(_ location: String, readOnly: Bool = false) throws -> VectorStore {
    PostgresCatalog.isURL(location) ? try PostgresCatalog(url: location, readOnly: readOnly)
        : try SQLiteCatalog(path: location, readOnly: readOnly)
}

/// Changes that belong together: one batch of embedded files, failures and removals.
public struct CatalogBatch: Sendable {
    public var info: StoreInfo
    public var upserts: [CatalogEntry] = []
    /// Files whose bytes are unchanged but whose modification time moved: only the stat changes.
    public var touched: [FileRecord] = []
    public var failures: [FailedFile] = []
    public var removals: [String] = []

    public init(info: StoreInfo) { self.info = info }

    public var isEmpty: Bool { upserts.isEmpty && touched.isEmpty && failures.isEmpty && removals.isEmpty }
}
