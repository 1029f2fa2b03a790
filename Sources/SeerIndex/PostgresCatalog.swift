import Foundation

/// The store for collections that outgrow one machine: PostgreSQL with pgvector, the same tables
/// as `SQLiteCatalog` (so `--where` conditions read the same) with the vectors in a
/// `vector(d)` column. Search runs in the server (`<#>`, inner product), through a pgvector HNSW
/// index once the collection reaches the threshold. Every `commit` is one transaction.
///
/// Vectors are float32 only: pgvector 0.6 has no half or int8 type, and storing them rounded in
/// float32 would cost the space they are meant to save.
public final class PostgresCatalog: SearchingStore {
    let connection: PostgresConnection
    public let url: String

    /// Whether `location` names a PostgreSQL database rather than a file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Connects; `readOnly` makes every transaction of this connection read-only (so a `--where`
    /// condition cannot change anything) and requires an existing index.
    public init(url: String, readOnly: Bool = false) throws {
        self.url = url
        connection = try PostgresConnection(url: url)
        do {
            if readOnly {
                try connection.execute("SET default_transaction_read_only = on")
                guard try connection.query("SELECT to_regclass('images') IS NOT NULL")[0][0] == "t" else {
                    throw IndexError.invalid("no index at \(url) (run `seer index` first)")
                }
            } else {
                try createSchema()
            }
        } catch let error as PostgresError {
            throw IndexError.invalid("\(url): \(error.message)")
        }
    }

    /// The vector column starts without a dimension; the first commit fixes it (`vector(d)`),
    /// which the HNSW index needs.
    private func createSchema() throws {
        do {
            try connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        } catch let error as PostgresError {
            throw IndexError.invalid("\(url): the server lacks the pgvector extension (\(error.message))")
        }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE IF NOT EXISTS images (
                id bigserial PRIMARY KEY,
                path text NOT NULL UNIQUE,
                hash text NOT NULL,
                size bigint NOT NULL,
                mtime double precision NOT NULL,
                width integer,
                height integer,
                model text NOT NULL,
                dimension integer NOT NULL,
                vector vector NOT NULL
            );
            CREATE INDEX IF NOT EXISTS images_hash ON images (hash);
            CREATE TABLE IF NOT EXISTS failures (
                path text PRIMARY KEY, size bigint NOT NULL, mtime double precision NOT NULL, message text NOT NULL
            );
            CREATE TABLE IF NOT EXISTS ann (name text PRIMARY KEY, version bigint NOT NULL, data bytea NOT NULL);
            """)
    }

    public func info() throws -> StoreInfo? {
        try run {
            var meta: [String: String] = [:]
            for row in try connection.query("SELECT key, value FROM meta") { meta[row[0]!] = row[1]! }
            guard let model = meta["model"], let dimension = meta["dimension"].flatMap({ Int($0) }),
                  let encoding = VectorEncoding(rawValue: meta["encoding"] ?? "") else { return nil }
            return StoreInfo(model: model, dimension: dimension, encoding: encoding)
        }
    }

    /// Paths inside the folder `root`: an exact prefix test (LIKE would treat _ and % as wildcards).
    private static func under(_ root: String?) -> (String, [String?]) {
        guard let root else { return ("true", []) }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        // left() counts code points, as unicodeScalars does (String.count counts graphemes).
        return ("left(path, $1) = $2", [String(prefix.unicodeScalars.count), prefix])
    }

    public func fileRecords(under root: String?) throws -> [String: FileRecord] {
        let (condition, parameters) = Self.under(root)
        return try run {
            var records: [String: FileRecord] = [:]
            for row in try connection.query("SELECT path, hash, size, mtime FROM images WHERE \(condition)", parameters) {
                let record = FileRecord(path: row[0]!, hash: row[1]!, size: Int64(row[2]!)!, mtime: Double(row[3]!)!)
                records[record.path] = record
            }
            return records
        }
    }

    public func failures(under root: String?) throws -> [String: FailedFile] {
        let (condition, parameters) = Self.under(root)
        return try run {
            var failures: [String: FailedFile] = [:]
            for row in try connection.query("SELECT path, size, mtime, message FROM failures WHERE \(condition)", parameters) {
                failures[row[0]!] = FailedFile(path: row[0]!, size: Int64(row[1]!)!, mtime: Double(row[2]!)!, message: row[3]!)
            }
            return failures
        }
    }

    public func embedded(forHash hash: String) throws -> EmbeddedImage? {
        try run {
            try connection.query("SELECT vector, width, height FROM images WHERE hash = $1 LIMIT 1", [hash]).first.map { row in
                EmbeddedImage(vector: try Self.parse(row[0]!), width: row[1].flatMap { Int($0) }, height: row[2].flatMap { Int($0) })
            }
        }
    }

    public func commit(_ batch: CatalogBatch) throws {
        guard !batch.isEmpty else { return }
        guard batch.info.encoding == .float32 else {
            throw IndexError.invalid("PostgreSQL stores keep float32 vectors only (pgvector has no \(batch.info.encoding.rawValue) type); use --storage f32")
        }
        try run {
            try connection.transaction {
                // Serialises concurrent writers, so the first one alone fixes the dimension.
                try connection.execute("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE")
                try checkOrRecord(batch.info)
                for entry in batch.upserts {
                    guard entry.vector.count == batch.info.dimension else {
                        throw IndexError.mismatch("\(entry.path): embedding has \(entry.vector.count) dimensions, the index \(batch.info.dimension)")
                    }
                    try connection.query("""
                        INSERT INTO images (path, hash, size, mtime, width, height, model, dimension, vector)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, size = excluded.size, mtime = excluded.mtime,
                            width = excluded.width, height = excluded.height, model = excluded.model,
                            dimension = excluded.dimension, vector = excluded.vector
                        """, [entry.path, entry.hash, String(entry.size), Self.text(entry.mtime), entry.width.map(String.init),
                              entry.height.map(String.init), batch.info.model, String(batch.info.dimension),
                              Self.text(unitLength(entry.vector))])
                    try connection.query("DELETE FROM failures WHERE path = $1", [entry.path])
                }
                for record in batch.touched {
                    try connection.query("UPDATE images SET size = $1, mtime = $2 WHERE path = $3",
                                         [String(record.size), Self.text(record.mtime), record.path])
                }
                for failure in batch.failures {
                    try connection.query("DELETE FROM images WHERE path = $1", [failure.path])
                    try connection.query("""
                        INSERT INTO failures (path, size, mtime, message) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, message = excluded.message
                        """, [failure.path, String(failure.size), Self.text(failure.mtime), failure.message])
                }
                for path in batch.removals {
                    try connection.query("DELETE FROM images WHERE path = $1", [path])
                    try connection.query("DELETE FROM failures WHERE path = $1", [path])
                }
                if !(batch.upserts.isEmpty && batch.removals.isEmpty && batch.failures.isEmpty) {
                    try connection.query("""
                        INSERT INTO meta (key, value) VALUES ('version', '1')
                        ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text
                        """)
                }
            }
        }
    }

    /// Inside a commit: refuses a batch whose settings differ from the store's, or records them
    /// (and types the vector column) on the first commit.
    private func checkOrRecord(_ info: StoreInfo) throws {
        if let existing = try self.info() {
            guard existing == info else {
                throw IndexError.mismatch("the index holds \(existing.dimension)-d \(existing.encoding.rawValue) vectors of model \(existing.model); this run has \(info.dimension)-d \(info.encoding.rawValue) vectors of \(info.model) (use another --db)")
            }
            return
        }
        for (key, value) in [("model", info.model), ("dimension", String(info.dimension)), ("encoding", info.encoding.rawValue)] {
            try connection.query("INSERT INTO meta (key, value) VALUES ($1, $2)", [key, value])
        }
        try connection.execute("ALTER TABLE images ALTER COLUMN vector TYPE vector(\(info.dimension))")
    }

    public func entries(where condition: String?) throws -> [CatalogEntry] {
        guard let info = try info() else { return [] }
        let filter = condition.map { "WHERE (\($0))" } ?? ""
        let rows: [[String?]]
        do {
            rows = try connection.query("SELECT id, path, hash, size, mtime, width, height, vector FROM images \(filter) ORDER BY id")
        } catch let error as PostgresError {
            throw IndexError.invalid("bad --where condition \(condition ?? ""): \(error.message)")
        }
        return try rows.map { row in
            let vector = try Self.parse(row[7]!)
            guard vector.count == info.dimension else {
                throw IndexError.corrupt("\(row[1]!): a vector of \(vector.count) dimensions in a \(info.dimension)-d index")
            }
            return CatalogEntry(id: Int64(row[0]!), path: row[1]!, hash: row[2]!, size: Int64(row[3]!)!, mtime: Double(row[4]!)!,
                                width: row[5].flatMap { Int($0) }, height: row[6].flatMap { Int($0) }, vector: vector)
        }
    }

    public func count() throws -> Int {
        try run { Int(try connection.query("SELECT count(*) FROM images")[0][0]!)! }
    }

    public func version() throws -> Int64 {
        try run { try connection.query("SELECT value FROM meta WHERE key = 'version'").first.flatMap { Int64($0[0]!) } ?? 0 }
    }

    public func loadANN(name: String) throws -> (version: Int64, data: Data)? {
        try run {
            guard let row = try connection.query("SELECT version, encode(data, 'base64') FROM ann WHERE name = $1", [name]).first,
                  let data = Data(base64Encoded: row[1]!, options: .ignoreUnknownCharacters) else { return nil }
            return (Int64(row[0]!)!, data)
        }
    }

    public func saveANN(name: String, version: Int64, data: Data) throws {
        try run {
            try connection.query("""
                INSERT INTO ann (name, version, data) VALUES ($1, $2, decode($3, 'base64'))
                ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data
                """, [name, String(version), data.base64EncodedString()])
        }
    }

    // MARK: searching in the server

    public func nearest(to query: [Float], k: Int, where condition: String?, exact: Bool, ef: Int) throws -> [StoreHit] {
        guard let info = try info() else { throw IndexError.invalid("the index is empty (run `seer index` first)") }
        guard query.count == info.dimension else {
            throw IndexError.mismatch("the query has \(query.count) dimensions, the index \(info.dimension)")
        }
        let filter = condition.map { "WHERE (\($0))" } ?? ""
        return try run {
            try connection.transaction {
                // A filtered search is exact, as with SQLite: pgvector filters after the HNSW scan,
                // which can return fewer than k rows.
                if exact || condition != nil { try connection.execute("SET LOCAL enable_indexscan = off") }
                // pgvector's HNSW returns at most ef_search rows (1..1000).
                try connection.execute("SET LOCAL hnsw.ef_search = \(min(1000, max(ef, k)))")
                let rows: [[String?]]
                do {
                    rows = try connection.query("""
                        SELECT path, -(vector <#> $1) FROM images \(filter) ORDER BY vector <#> $1, id LIMIT \(k)
                        """, [Self.text(query)])
                } catch let error as PostgresError where condition != nil {
                    throw IndexError.invalid("bad --where condition \(condition!): \(error.message)")
                }
                return rows.map { StoreHit(path: $0[0]!, score: Float($0[1]!)!) }
            }
        }
    }

    public func refreshANNIndex(threshold: Int, parameters: HNSWParameters) throws -> Bool {
        guard try count() >= threshold else { return false }
        return try run {
            let exists = try connection.query("SELECT to_regclass('images_vector_hnsw') IS NOT NULL")[0][0] == "t"
            if exists { return false }  // pgvector keeps it up to date from here on
            // pgvector requires ef_construction ≥ 2m (its layer 0 holds 2m links, as ours does).
            try connection.execute("""
                CREATE INDEX IF NOT EXISTS images_vector_hnsw ON images USING hnsw (vector vector_ip_ops)
                WITH (m = \(parameters.m), ef_construction = \(max(parameters.efConstruction, 2 * parameters.m)))
                """)
            return true
        }
    }

    // MARK: text forms

    /// pgvector's text form, `[x,y,…]`; Swift prints each float in its shortest exact form.
    static func text(_ vector: [Float]) -> String {
        "[" + vector.map { "\($0)" }.joined(separator: ",") + "]"
    }

    static func text(_ value: Double) -> String { "\(value)" }

    static func parse(_ text: String) throws -> [Float] {
        guard text.hasPrefix("["), text.hasSuffix("]") else { throw IndexError.corrupt("not a pgvector value: \(text.prefix(40))") }
        let body = text.dropFirst().dropLast()
        if body.isEmpty { return [] }
        return try body.split(separator: ",").map {
            guard let value = Float($0) else { throw IndexError.corrupt("not a pgvector value: \(text.prefix(40))") }
            return value
        }
    }

    /// Server errors as `IndexError`s that name the database.
    @discardableResult
    private func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError {
            throw IndexError.invalid("\(url): \(error.message)")
        }
    }
}
