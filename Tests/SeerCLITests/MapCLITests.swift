import Foundation
import GRDB
import Testing
@testable import SeerIndex

/// `seer map` end to end on an index of synthetic embeddings: five well-separated clusters of
/// unit vectors, one folder per cluster, so the map's structure is known in advance.
@Suite(.serialized) struct MapCLITests {
    static let clusters = 5, perCluster = 60, dimension = 32

    /// Vectors around `clusters` random directions, seeded; paths /data/c<k>/img<i>.jpg.
    static func entries(cluster: Int, count: Int, seed: UInt64, first: Int = 0) -> [CatalogEntry] {
        var state = seed
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 11) / Double(1 << 53))
        }
        var centreState = UInt64(1000 + cluster)
        let centre = (0..<dimension).map { _ -> Float in
            centreState = centreState &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(centreState >> 11) / Double(1 << 53)) * 2 - 1
        }
        return (0..<count).map { i in
            let vector = centre.map { $0 + (uniform() - 0.5) * 0.4 }
            return CatalogEntry(path: "/data/c\(cluster)/img\(first + i).jpg", hash: "h\(cluster)-\(first + i)", size: 1, mtime: 0, vector: vector)
        }
    }

    func makeIndex(_ folder: URL) throws -> String {
        let db = folder.appendingPathComponent("index.sqlite").path
        var batch = CatalogBatch(info: StoreInfo(model: "synthetic", dimension: Self.dimension))
        for c in 0..<Self.clusters { batch.upserts += Self.entries(cluster: c, count: Self.perCluster, seed: UInt64(c + 1)) }
        try SQLiteCatalog(path: db).commit(batch)
        return db
    }

    func storedPoints(_ db: String) throws -> [String: SIMD2<Float>] {
        let catalog = try SQLiteCatalog(path: db, readOnly: true)
        let projection = try #require(try catalog.loadProjection(name: "map"))
        let paths = Dictionary(uniqueKeysWithValues: try catalog.entries(where: nil).map { ($0.id!, $0.path) })
        return Dictionary(uniqueKeysWithValues: projection.points.map { (paths[$0.key]!, $0.value) })
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func mapWritesAPageAndAPictureAndStoresTheProjection() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try makeIndex(folder)
        let page = folder.appendingPathComponent("map.html").path, png = folder.appendingPathComponent("map.png").path
        let result = try seer(["map", "--db", db, "--out", page, "--png", png, "--color-by", "label", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://"), "the page must need no network")
        #expect(html.contains("Float32Array"))
        let pngBytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(pngBytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let points = try storedPoints(db)
        #expect(points.count == Self.clusters * Self.perCluster)
        // Each cluster is a separate island: every point is nearer its own cluster's centre than any other's.
        var centres: [Int: SIMD2<Float>] = [:]
        for c in 0..<Self.clusters {
            let mine = points.filter { $0.key.hasPrefix("/data/c\(c)/") }.map(\.value)
            centres[c] = mine.reduce(.zero, +) / Float(mine.count)
        }
        for (path, point) in points {
            let own = Int(path.dropFirst("/data/c".count).prefix(1))!
            let nearest = centres.min { simd_length(point - $0.value) < simd_length(point - $1.value) }!.key
            #expect(nearest == own, "\(path) lies nearer cluster \(nearest)")
        }
        // The same seed gives the same map.
        let again = try seer(["map", "--db", db, "--out", page, "--seed", "3"])
        #expect(again.status == 0)
        #expect(try storedPoints(db) == points)
    }

    @Test func updatePlacesNewImagesWithoutMovingTheMap() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try makeIndex(folder)
        let page = folder.appendingPathComponent("map.html").path
        #expect(try seer(["map", "--db", db, "--out", page]).status == 0)
        let before = try storedPoints(db)
        var batch = CatalogBatch(info: StoreInfo(model: "synthetic", dimension: Self.dimension))
        batch.upserts = Self.entries(cluster: 2, count: 6, seed: 99, first: 1000)
        try SQLiteCatalog(path: db).commit(batch)
        let update = try seer(["map", "--db", db, "--out", page, "--update"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stderr.contains("placed 6 new"))
        let after = try storedPoints(db)
        #expect(after.count == before.count + 6)
        for (path, point) in before { #expect(after[path] == point, "\(path) moved") }
        let cluster2 = before.filter { $0.key.hasPrefix("/data/c2/") }.map(\.value)
        let centre = cluster2.reduce(.zero, +) / Float(cluster2.count)
        let spread = cluster2.map { simd_length($0 - centre) }.max()!
        for (path, point) in after where before[path] == nil {
            #expect(simd_length(point - centre) <= spread * 1.5, "\(path) placed at \(point), cluster 2 is around \(centre)")
        }
    }

    @Test func badInputIsOneLineAndNoFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("map.html").path
        let missing = try seer(["map", "--db", folder.appendingPathComponent("none.sqlite").path, "--out", page])
        #expect(missing.status != 0 && missing.stderr.contains("no index"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none.sqlite").path))
        let db = try makeIndex(folder)
        let values = folder.appendingPathComponent("scores.csv")
        try "path,score\n/data/c0/img0.jpg,0.5,extra\n".write(to: values, atomically: true, encoding: .utf8)
        let badValues = try seer(["map", "--db", db, "--out", page, "--values", values.path])
        #expect(badValues.status != 0 && badValues.stderr.contains("line 2"))
        #expect(!FileManager.default.fileExists(atPath: page))
        let noOutput = try seer(["map", "--db", db])
        #expect(noOutput.status != 0)
    }

    @Test func valuesColourTheMap() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try makeIndex(folder)
        let values = folder.appendingPathComponent("scores.json")
        try #"{"/data/c0/img0.jpg": 0.25, "/data/c1/img3.jpg": 0.75}"#.write(to: values, atomically: true, encoding: .utf8)
        let page = folder.appendingPathComponent("map.html").path
        let result = try seer(["map", "--db", db, "--out", page, "--method", "pca", "--values", values.path])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains(#""kind":"values""#) && html.contains(#""max":0.75"#))
    }

    /// The page in headless Chromium: it draws, hovering a point shows its path, and a lasso
    /// around one cluster selects exactly that cluster.
    @Test func pageInHeadlessChromium() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = try makeIndex(folder)
        let page = folder.appendingPathComponent("map.html").path
        #expect(try seer(["map", "--db", db, "--out", page, "--color-by", "label"]).status == 0)
        let entries = try SQLiteCatalog(path: db, readOnly: true).entries(where: nil)
        let hover = 77
        let members = entries.indices.filter { entries[$0].path.hasPrefix("/data/c3/") }
        let screenshot = ProcessInfo.processInfo.environment["SEER_MAP_SCREENSHOT"] ?? folder.appendingPathComponent("shot.png").path
        let script = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/map_page_test.py").path
        let result = try run("/usr/bin/env", ["python3", script, "--page", page, "--hover", String(hover),
                                              "--lasso", "[" + members.map(String.init).joined(separator: ",") + "]", "--screenshot", screenshot])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["count"] as? Int == entries.count)
        #expect(report["hover_path"] as? String == entries[hover].path)
        let selected = Set(report["selected"] as? [String] ?? [])
        #expect(selected == Set(members.map { entries[$0].path }), "selected \(selected.count) paths")
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }
}

private func simd_length(_ v: SIMD2<Float>) -> Float { (v * v).sum().squareRoot() }
