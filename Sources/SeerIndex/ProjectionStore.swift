import Foundation
import GRDB

/// A 2-D map of an index (UMAP or PCA of its embeddings), kept in the index so a page or the
/// server can reuse it and new images can be placed into it without recomputing it.
public struct StoredProjection: Sendable, Equatable {
    /// "umap" or "pca".
    public var method: String
    /// The options it was made with, as JSON (neighbours, min_dist, metric, seed…).
    public var parameters: String
    /// Each mapped image's catalog id and its x, y.
    public var points: [Int64: SIMD2<Float>]
    /// The PCA components and mean (so new rows project the same way), empty for UMAP.
    public var model: [Float]

    public init(method: String, parameters: String, points: [Int64: SIMD2<Float>], model: [Float] = []) {
        self.method = method
        self.parameters = parameters
        self.points = points
        self.model = model
    }
}

/// A store that can keep projections (SQLite indexes).
public protocol ProjectionStoring: VectorStore {
    /// The projection saved under `name`, or nil.
    func loadProjection(name: String) throws -> StoredProjection?
    /// Replaces the projection `name`, all of it at once (one transaction).
    func saveProjection(name: String, _ projection: StoredProjection) throws
}

extension SQLiteCatalog: ProjectionStoring {
    static func createProjectionTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS projections (
                name TEXT PRIMARY KEY NOT NULL, method TEXT NOT NULL, parameters TEXT NOT NULL, model BLOB NOT NULL
            );
            CREATE TABLE IF NOT EXISTS projection_points (
                name TEXT NOT NULL, image_id INTEGER NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
                PRIMARY KEY (name, image_id)
            );
            """)
    }

    public func loadProjection(name: String) throws -> StoredProjection? {
        try readDatabase { db in
            guard try db.tableExists("projections"),
                  let row = try Row.fetchOne(db, sql: "SELECT method, parameters, model FROM projections WHERE name = ?", arguments: [name])
            else { return nil }
            var points: [Int64: SIMD2<Float>] = [:]
            for point in try Row.fetchAll(db, sql: "SELECT image_id, x, y FROM projection_points WHERE name = ?", arguments: [name]) {
                points[point["image_id"]] = SIMD2(Float(point["x"] as Double), Float(point["y"] as Double))
            }
            let blob: Data = row["model"]
            let model = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            return StoredProjection(method: row["method"], parameters: row["parameters"], points: points, model: model)
        }
    }

    public func saveProjection(name: String, _ projection: StoredProjection) throws {
        try writeDatabase { db in
            try Self.createProjectionTables(db)
            try db.execute(sql: "DELETE FROM projection_points WHERE name = ?", arguments: [name])
            let model = projection.model.withUnsafeBufferPointer { Data(buffer: $0) }
            try db.execute(sql: "INSERT OR REPLACE INTO projections (name, method, parameters, model) VALUES (?, ?, ?, ?)",
                           arguments: [name, projection.method, projection.parameters, model])
            let statement = try db.makeStatement(sql: "INSERT INTO projection_points (name, image_id, x, y) VALUES (?, ?, ?, ?)")
            for (id, point) in projection.points.sorted(by: { $0.key < $1.key }) {
                try statement.execute(arguments: [name, id, Double(point.x), Double(point.y)])
            }
        }
    }
}
