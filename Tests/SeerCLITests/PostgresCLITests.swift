import Foundation
import Testing
import SeerIndex

/// The same commands against PostgreSQL with pgvector (`--db postgres://…`) give what the
/// SQLite store gives on the same photos: the same rows and vectors, the same search results
/// (computed in the server with `<#>`), the same duplicate groups, outliers and clusters.
@Suite(.serialized) struct PostgresCLITests {
    let photos: URL
    let sqlite: String
    let postgres: String

    init() throws {
        photos = try IndexCLITests().photoFolder()
        sqlite = photos.appendingPathComponent("index.sqlite").path
        postgres = try PostgresTestServer.shared.get().newDatabase()
    }

    func index(_ db: String, _ extra: [String] = []) throws -> RunResult {
        try seer(["index", photos.path, "--model", tinyModel.path, "--db", db, "--batch-size", "8"] + extra)
    }

    /// Every row keyed by path, ids left out (each store numbers its own rows).
    func rows(_ db: String) throws -> [String: CatalogEntry] {
        let store = try openStore(db, readOnly: true)
        var rows: [String: CatalogEntry] = [:]
        for var entry in try store.entries(where: nil) {
            entry.id = nil
            rows[entry.path] = entry
        }
        return rows
    }

    /// Runs the same command on both stores and returns both JSON outputs.
    func both(_ arguments: [String]) throws -> (sqlite: [[String: Any]], postgres: [[String: Any]]) {
        let a = try seer(arguments + ["--db", sqlite, "--format", "json"])
        let b = try seer(arguments + ["--db", postgres, "--format", "json"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        return (try jsonLines(a.stdout), try jsonLines(b.stdout))
    }

    func expectSameHits(_ a: [[String: Any]], _ b: [[String: Any]], _ label: String) {
        #expect(a.count == b.count, "\(label)")
        #expect(a.map { $0["path"] as! String } == b.map { $0["path"] as! String }, "\(label)")
        for (x, y) in zip(a, b) {
            let sx = (x["score"] as! NSNumber).floatValue, sy = (y["score"] as! NSNumber).floatValue
            #expect(abs(sx - sy) < 1e-5, "\(label): \(sx) vs \(sy)")
        }
    }

    @Test func postgresGivesWhatSQLiteGives() throws {
        defer { try? FileManager.default.removeItem(at: photos) }
        let a = try index(sqlite), b = try index(postgres)
        #expect(a.status == 1 && b.status == 1)  // the bad fixture files, reported by both
        #expect(a.stdout == b.stdout, "\(b.stderr)")
        let skipped = { (r: RunResult) in r.stderr.split(separator: "\n").filter { $0.hasPrefix("seer: skipped ") }.sorted() }
        #expect(skipped(a) == skipped(b))
        let rowsA = try rows(sqlite), rowsB = try rows(postgres)
        #expect(rowsA.count >= 60)
        #expect(rowsA == rowsB)  // paths, hashes, sizes, mtimes, pixel sizes, and every vector bit

        // Search in the server vs in memory: same order, same scores.
        var (x, y) = try both(["search", "--image", chelsea, "-k", "10"])
        #expect(x.count == 10)
        expectSameHits(x, y, "image search")
        (x, y) = try both(["search", "a cat", "-k", "7", "--where", "path LIKE '%/part1/%' AND size > 1000"])
        #expect(x.count == 7 && x.allSatisfy { ($0["path"] as! String).contains("/part1/") })
        expectSameHits(x, y, "filtered text search")

        (x, y) = try both(["duplicates", "--threshold", "0.9999"])
        #expect(!x.isEmpty)
        #expect(x.map { $0["paths"] as! [String] } == y.map { $0["paths"] as! [String] })
        (x, y) = try both(["outliers", "-k", "5"])
        expectSameHits(x, y, "outliers")
        (x, y) = try both(["clusters", "-k", "4"])
        #expect(x.map { $0["paths"] as! [String] } == y.map { $0["paths"] as! [String] })

        // Re-indexing after a change touches only the changed files, in both stores alike.
        let part1 = photos.appendingPathComponent("part1/nested")
        let victim = try FileManager.default.contentsOfDirectory(atPath: part1.path).filter { $0.hasSuffix(".jpg") && rowsA[part1.appendingPathComponent($0).path] != nil }.sorted()[0]
        try FileManager.default.removeItem(at: part1.appendingPathComponent(victim))
        try FileManager.default.copyItem(atPath: coffee, toPath: photos.appendingPathComponent("planted/new.png").path)
        let againA = try index(sqlite), againB = try index(postgres)
        #expect(againB.stdout == againA.stdout)
        #expect(againB.stdout.contains(" 1 embedded, 0 reused, \(rowsA.count - 1) unchanged, 1 removed,"), "\(againB.stdout)")
        let afterB = try rows(postgres)
        #expect(afterB == (try rows(sqlite)))
        for (path, row) in rowsA where !path.hasSuffix("/" + victim) { #expect(afterB[path] == row, "\(path)") }
    }

    @Test func hnswIndexAboveTheThreshold() throws {
        defer { try? FileManager.default.removeItem(at: photos) }
        _ = try index(sqlite)
        let run = try index(postgres, ["--ann-threshold", "20"])
        #expect(run.stderr.contains("saved an HNSW graph"), "\(run.stderr)")
        let indexes = try PostgresTestServer.shared.get().query(postgres, "SELECT indexdef FROM pg_indexes WHERE tablename = 'images'")
        #expect(indexes.contains { $0[0]!.contains("USING hnsw (vector vector_ip_ops)") }, "\(indexes)")
        // The planner uses it for a plain top-k, and the graph finds what exact search finds here.
        let plan = try PostgresTestServer.shared.get().query(postgres, "SET enable_seqscan = off",
            "EXPLAIN SELECT path FROM images ORDER BY vector <#> (SELECT vector FROM images LIMIT 1) LIMIT 5")
        #expect(plan.contains { $0[0]!.contains("images_vector_hnsw") }, "\(plan)")
        let (x, y) = try both(["search", "--image", chelsea, "-k", "5"])
        expectSameHits(x, y, "HNSW search")
    }

    @Test func clearErrors() throws {
        defer { try? FileManager.default.removeItem(at: photos) }
        let unreachable = try seer(["search", "x", "--db", "postgres://seer@127.0.0.1:1/none"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("cannot connect to postgres://seer@127.0.0.1:1/none"), "\(unreachable.stderr)")
        let malformed = try seer(["duplicates", "--db", "postgres://[oops"])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("cannot connect"), "\(malformed.stderr)")
        let empty = try seer(["search", "x", "--db", postgres])
        #expect(empty.stderr.contains("no index at"), "\(empty.stderr)")
        let int8 = try index(postgres, ["--storage", "int8"])
        #expect(int8.status != 0 && int8.stderr.contains("f32 vectors only"), "\(int8.stderr)")

        _ = try index(postgres)
        // A --where condition runs read-only: it cannot change the index.
        let writing = try seer(["search", "x", "--db", postgres, "--where", "nextval('images_id_seq') > 0"])
        #expect(writing.status != 0)
        #expect(writing.stderr.contains("read-only"), "\(writing.stderr)")
        let bad = try seer(["search", "x", "--db", postgres, "--where", "no_such_column = 1"])
        #expect(bad.stderr.contains("bad --where condition"), "\(bad.stderr)")

        // Another dimension (or model) is refused, by the store itself and not only by the CLI.
        let store = try openStore(postgres)
        let info = try #require(try store.info())
        var batch = CatalogBatch(info: StoreInfo(model: info.model, dimension: info.dimension + 1))
        batch.upserts = [CatalogEntry(path: "/x.jpg", hash: "00", size: 1, mtime: 0, vector: [Float](repeating: 0.5, count: info.dimension + 1))]
        #expect(throws: IndexError.self) { try store.commit(batch) }
        var short = CatalogBatch(info: info)
        short.upserts = [CatalogEntry(path: "/y.jpg", hash: "01", size: 1, mtime: 0, vector: [1, 0])]
        #expect(throws: IndexError.self) { try store.commit(short) }
        #expect(try store.count() == (try rows(postgres)).count)
        let query = try ImageIndex(store: store)
        #expect(throws: IndexError.self) { _ = try query.nearest(to: [1, 0, 0], k: 3) }
    }
}
