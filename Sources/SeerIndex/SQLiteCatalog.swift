import Foundation
import GRDB

/// The default store: one SQLite file holding the catalog (path, hash, size, mtime, size in
/// pixels), the vectors as BLOBs, the files that failed, and saved approximate indexes.
/// Every `commit` is one transaction, so a killed process leaves the file as of its last batch.
public final class SQLiteCatalog: VectorStore {
    let database: DatabaseQueue
    public let path: String

    /// Opens (creating when `readOnly` is false) the catalog at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw IndexError.invalid("no index at \(path) (run `seer index` first)")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            if !readOnly { try Self.migrator.migrate(database) }
            try database.read { db in
                guard try db.tableExists("images") else { throw IndexError.invalid("\(path) is not a seer index") }
            }
        } catch let error as IndexError {
            throw error
        } catch {
            throw IndexError.invalid("cannot open index \(path): \(Self.describe(error))")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE images (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL UNIQUE,
                    hash TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    mtime REAL NOT NULL,
                    width INTEGER,
                    height INTEGER,
                    model TEXT NOT NULL,
                    dimension INTEGER NOT NULL,
                    vector BLOB NOT NULL
                );
                CREATE INDEX images_hash ON images(hash);
                CREATE TABLE failures (
                    path TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, message TEXT NOT NULL
                );
                CREATE TABLE ann (name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL);
                """)
        }
        // Maps of the index (`seer map`): created on first use, so read-only opens of older indexes still work.
        migrator.registerMigration("v2-projections") { db in try createProjectionTables(db) }
        return migrator
    }

    public func info() throws -> StoreInfo? {
        try read { db in try Self.info(db) }
    }

    static func info(_ db: Database) throws -> StoreInfo? {
        let meta = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM meta").map {
            ($0["key"] as String, $0["value"] as String)
        })
        guard let model = meta["model"], let dimensionText = meta["dimension"], let dimension = Int(dimensionText),
              let encoding = VectorEncoding(rawValue: meta["encoding"] ?? "") else { return nil }
        return StoreInfo(model: model, dimension: dimension, encoding: encoding)
    }

    public func fileRecords(under root: String?) throws -> [String: FileRecord] {
        try read { db in
            let (condition, arguments) = Self.under(root)
            var records: [String: FileRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, hash, size, mtime FROM images WHERE \(condition)", arguments: arguments) {
                let record = FileRecord(path: row["path"], hash: row["hash"], size: row["size"], mtime: row["mtime"])
                records[record.path] = record
            }
            return records
        }
    }

    public func failures(under root: String?) throws -> [String: FailedFile] {
        try read { db in
            let (condition, arguments) = Self.under(root)
            var failures: [String: FailedFile] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM failures WHERE \(condition)", arguments: arguments) {
                let failure = FailedFile(path: row["path"], size: row["size"], mtime: row["mtime"], message: row["message"])
                failures[failure.path] = failure
            }
            return failures
        }
    }

    /// Paths inside the folder `root` (exact prefix match: LIKE would treat _ and % as wildcards).
    static func under(_ root: String?) -> (String, StatementArguments) {
        guard let root else { return ("1", []) }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return ("substr(path, 1, ?) = ?", [prefix.utf8.count, prefix])
    }

    public func embedded(forHash hash: String) throws -> EmbeddedImage? {
        try read { db in
            guard let info = try Self.info(db),
                  let row = try Row.fetchOne(db, sql: "SELECT vector, width, height FROM images WHERE hash = ? LIMIT 1", arguments: [hash])
            else { return nil }
            return EmbeddedImage(vector: try info.encoding.decode(row["vector"], dimension: info.dimension),
                                 width: row["width"], height: row["height"])
        }
    }

    public func commit(_ batch: CatalogBatch) throws {
        guard !batch.isEmpty else { return }
        try write { db in
            if let existing = try Self.info(db) {
                guard existing == batch.info else {
                    throw IndexError.mismatch("the index holds \(existing.dimension)-d \(existing.encoding.rawValue) vectors of model \(existing.model); this run has \(batch.info.dimension)-d \(batch.info.encoding.rawValue) vectors of \(batch.info.model) (use another --db)")
                }
            } else {
                for (key, value) in [("model", batch.info.model), ("dimension", String(batch.info.dimension)), ("encoding", batch.info.encoding.rawValue)] {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
            }
            for entry in batch.upserts {
                guard entry.vector.count == batch.info.dimension else {
                    throw IndexError.mismatch("\(entry.path): embedding has \(entry.vector.count) dimensions, the index \(batch.info.dimension)")
                }
                try db.execute(sql: """
                    INSERT INTO images (path, hash, size, mtime, width, height, model, dimension, vector)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, size = excluded.size, mtime = excluded.mtime,
                        width = excluded.width, height = excluded.height, model = excluded.model,
                        dimension = excluded.dimension, vector = excluded.vector
                    """, arguments: [entry.path, entry.hash, entry.size, entry.mtime, entry.width, entry.height,
                                     batch.info.model, batch.info.dimension, batch.info.encoding.encode(unitLength(entry.vector))])
                try db.execute(sql: "DELETE FROM failures WHERE path = ?", arguments: [entry.path])
            }
            for record in batch.touched {
                try db.execute(sql: "UPDATE images SET size = ?, mtime = ? WHERE path = ?", arguments: [record.size, record.mtime, record.path])
            }
            for failure in batch.failures {
                try db.execute(sql: "DELETE FROM images WHERE path = ?", arguments: [failure.path])
                try db.execute(sql: "INSERT OR REPLACE INTO failures (path, size, mtime, message) VALUES (?, ?, ?, ?)",
                               arguments: [failure.path, failure.size, failure.mtime, failure.message])
            }
            for path in batch.removals {
                try db.execute(sql: "DELETE FROM images WHERE path = ?", arguments: [path])
                try db.execute(sql: "DELETE FROM failures WHERE path = ?", arguments: [path])
            }
            if !(batch.upserts.isEmpty && batch.removals.isEmpty && batch.failures.isEmpty) {
                try db.execute(sql: """
                    INSERT INTO meta (key, value) VALUES ('version', '1')
                    ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                    """)
            }
        }
    }

    public func entries(where condition: String?) throws -> [CatalogEntry] {
        try read { db in
            guard let info = try Self.info(db) else { return [] }
            let filter = condition.map { "WHERE (\($0))" } ?? ""
            let rows: [Row]
            do {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM images \(filter) ORDER BY id", arguments: [])
            } catch {
                throw IndexError.invalid("bad --where condition \(condition ?? ""): \(Self.describe(error))")
            }
            return try rows.map { row in
                CatalogEntry(id: row["id"], path: row["path"], hash: row["hash"], size: row["size"], mtime: row["mtime"],
                             width: row["width"], height: row["height"],
                             vector: try info.encoding.decode(row["vector"], dimension: info.dimension))
            }
        }
    }

    public func count() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM images") ?? 0 }
    }

    public func version() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'version'") ?? 0 }
    }

    public func loadANN(name: String) throws -> (version: Int64, data: Data)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT version, data FROM ann WHERE name = ?", arguments: [name]) else { return nil }
            return (row["version"], row["data"])
        }
    }

    public func saveANN(name: String, version: Int64, data: Data) throws {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO ann (name, version, data) VALUES (?, ?, ?)", arguments: [name, version, data])
        }
    }

    // GRDB's errors print the SQL and more; keep them to one line.
    func readDatabase<T>(_ body: (Database) throws -> T) throws -> T { try read(body) }
    func writeDatabase<T>(_ body: (Database) throws -> T) throws -> T { try write(body) }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch let error as IndexError { throw error } catch {
            throw IndexError.invalid("\(path): \(Self.describe(error))")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.write(body) } catch let error as IndexError { throw error } catch {
            throw IndexError.invalid("\(path): \(Self.describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

/// `vector` scaled to unit length (unchanged when it is all zeros).
public func unitLength(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? vector.map { $0 / norm } : vector
}
