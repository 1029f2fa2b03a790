import Foundation
import GRDB

/// The labeling run's memory, a SQLite file in the output folder: the settings it ran with and
/// every labelled image with its objects. Each image is one transaction, so after Ctrl-C or
/// kill -9 the file holds exactly the images finished; a re-run skips them, labels nothing twice
/// and loses nothing. The dataset files are written from it at the end, streaming, so memory
/// does not grow with the number of images.
public final class LabelingState {
    public static let fileName = ".seer-autolabel.sqlite"
    let database: DatabaseQueue
    public let path: String

    /// Opens or creates the state in `folder`. `settings` describes everything that decides the
    /// labels (models, ontology, thresholds): a folder labelled with other settings is refused,
    /// rather than mixing two runs' labels in one dataset.
    public init(folder: URL, settings: String) throws {
        path = folder.appendingPathComponent(Self.fileName).path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
            let stored = try database.write { db -> String? in
                if let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'settings'") { return value }
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('settings', ?)", arguments: [settings])
                return nil
            }
            if let stored, stored != settings {
                throw DatasetError("\(folder.path) was labelled with other settings (\(stored)); give another --out, or delete the folder to start again")
            }
        } catch let error as DatasetError {
            throw error
        } catch {
            throw DatasetError("cannot open the labeling state \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE images (
                    relative_path TEXT PRIMARY KEY NOT NULL,
                    file_name TEXT NOT NULL UNIQUE,
                    stem TEXT NOT NULL UNIQUE,
                    record TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    public func isLabelled(_ relativePath: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM images WHERE relative_path = ?", arguments: [relativePath]) ?? false
        }
    }

    /// Records one finished image (replacing an earlier record of the same path).
    public func record(_ image: LabeledImage) throws {
        let json = String(decoding: try Self.encoder.encode(image), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO images (relative_path, file_name, stem, record) VALUES (?, ?, ?, ?)",
                           arguments: [image.relativePath, image.datasetFileName, DatasetNaming.stem(image.datasetFileName), json])
        }
    }

    /// Forgets images that are no longer in the input folder (deleted or renamed since they were
    /// labelled), so the dataset mirrors the folder as it is. Returns how many were forgotten.
    @discardableResult
    public func keepOnly(_ relativePaths: [String]) throws -> Int {
        try database.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS present (relative_path TEXT PRIMARY KEY NOT NULL)")
            try db.execute(sql: "DELETE FROM present")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO present (relative_path) VALUES (?)")
            for path in relativePaths { try insert.execute(arguments: [path]) }
            try db.execute(sql: "DELETE FROM images WHERE relative_path NOT IN (SELECT relative_path FROM present)")
            let forgotten = db.changesCount
            try db.execute(sql: "DROP TABLE present")
            return forgotten
        }
    }

    public func count() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM images") ?? 0 }
    }

    /// The image recorded under this dataset file name, if any.
    public func image(named fileName: String) throws -> LabeledImage? {
        try image(where: "file_name", is: fileName)
    }

    /// The image whose dataset file name has this stem (name less extension), if any.
    public func image(stem: String) throws -> LabeledImage? {
        try image(where: "stem", is: stem)
    }

    private func image(where column: String, is value: String) throws -> LabeledImage? {
        let json = try database.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM images WHERE \(column) = ?", arguments: [value])
        }
        return try json.map { try Self.decoder.decode(LabeledImage.self, from: Data($0.utf8)) }
    }

    /// Every recorded image in path order, one at a time (a cursor: nothing is held but the current one).
    public func forEachImage(_ body: (LabeledImage) throws -> Void) throws {
        try database.read { db in
            let rows = try String.fetchCursor(db, sql: "SELECT record FROM images ORDER BY relative_path")
            while let json = try rows.next() {
                try body(try Self.decoder.decode(LabeledImage.self, from: Data(json.utf8)))
            }
        }
    }

    // Made per use: JSONEncoder is a class, and a shared one would not be concurrency-safe.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
    static var decoder: JSONDecoder { JSONDecoder() }
}
