import Foundation
import Testing
import SeerIndex
import SeerModels
@testable import SeerServer

/// A folder of real photos and a `seer index`-style SQLite index of them, built with the tiny
/// CLIP: `a/` holds the three CLIP inputs, `b_x/` three more photos and `bax/` one (so a prefix
/// `b_x/` proves `_` is no wildcard).
struct PhotoIndex {
    let root: URL
    let db: String
    var store: SQLiteCatalog { get throws { try SQLiteCatalog(path: db, readOnly: true) } }
    static let modelName = modelDirectory.standardizedFileURL.path

    static func make() throws -> PhotoIndex {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-search-\(UUID().uuidString)")
        let images = fixtures.appendingPathComponent("images")
        let layout: [(String, URL)] = [
            ("a", fixtures.appendingPathComponent("clip-inputs/chelsea.jpg")),
            ("a", fixtures.appendingPathComponent("clip-inputs/coffee.png")),
            ("a", fixtures.appendingPathComponent("clip-inputs/astronaut.webp")),
            ("b_x", images.appendingPathComponent("portrait_progressive.jpg")),
            ("b_x", images.appendingPathComponent("rocket_exif8.jpg")),
            ("b_x", images.appendingPathComponent("cmyk.jpg")),
            ("bax", images.appendingPathComponent("coffee_lossy.webp")),
        ]
        for (folder, source) in layout {
            let target = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target.appendingPathComponent(source.lastPathComponent))
        }
        let index = PhotoIndex(root: root, db: root.appendingPathComponent("index.sqlite").path)
        try index.update()
        return index
    }

    /// Runs the library's indexer over the folder (as `seer index` does).
    func update() throws {
        let store = try SQLiteCatalog(path: db)
        let info = StoreInfo(model: Self.modelName, dimension: sharedCLIP.embeddingDimension)
        let report = try Indexer(store: store, info: info, batchSize: 4) { urls in
            try sharedCLIP.embed(imagesAt: urls).map { $0.map { EmbeddedImage(vector: $0) } }
        }.index(root)
        precondition(report.failed.isEmpty, "fixture photos failed: \(report.failed)")
    }

    func open() throws -> SearchIndex {
        try SearchIndex(path: db, embedder: sharedCLIP, modelNames: [Self.modelName])
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// `/search` results as (path, score, id).
func searchHits(_ result: HTTPResult) -> [(path: String, score: Float, id: Int64?)] {
    ((result.object["results"] as? [[String: Any]]) ?? []).map {
        (($0["path"] as? String) ?? "", ($0["score"] as? NSNumber)?.floatValue ?? .nan, ($0["id"] as? NSNumber)?.int64Value)
    }
}

/// Same paths in the same order, scores within float rounding (the server and the library
/// may sum the inner products in different orders).
func expectSameRanking(_ got: [(path: String, score: Float, id: Int64?)], _ want: [(path: String, score: Float)], _ note: String) {
    #expect(got.map(\.path) == want.map(\.path), "\(note)")
    for (g, w) in zip(got, want) { #expect(abs(g.score - w.score) < 1e-5, "\(note): \(g.path) \(g.score) vs \(w.score)") }
}

@Suite("Search route")
struct SearchTests {
    /// The library's answer: ImageIndex over the same file, as `seer search` runs it.
    func librarySearch(_ index: PhotoIndex, query: [Float], k: Int, where condition: String? = nil) throws -> [(path: String, score: Float)] {
        let collection = try ImageIndex(store: try index.store).load(where: condition)
        return collection.search.search(unitLength(query), queryCount: 1, k: k)[0].map { (collection.entries[$0.index].path, $0.score) }
    }

    @Test("text and image queries rank the indexed photos as the library's ImageIndex does")
    func matchesLibrary() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        let searchIndex = try index.open()
        try await withServer({ $0.searchIndex = searchIndex }) { _, client async throws in
            for text in ["a cat", "a cup of coffee", "an astronaut in a space suit"] {
                for k in [1, 3, 50] {
                    let result = try await client.post("/search", json: ["text": text, "k": k])
                    #expect(result.status == 200, "\(result.text)")
                    let want = try librarySearch(index, query: libraryTextEmbedding(text), k: k)
                    #expect(want.count == min(k, 7))
                    expectSameRanking(searchHits(result), want, "\(text) k=\(k)")
                    let ranks = ((result.object["results"] as? [[String: Any]]) ?? []).compactMap { $0["rank"] as? Int }
                    #expect(ranks == Array(1...want.count))
                    #expect(result.object["approximate"] as? Bool == false)
                }
            }
            // An image finds itself first (cosine 1) and the rest in the library's order.
            let result = try await client.post("/search", json: ["image": try base64Image("coffee.png"), "k": 7])
            #expect(result.status == 200, "\(result.text)")
            let hits = searchHits(result)
            #expect(hits.first?.path == index.root.appendingPathComponent("a/coffee.png").path)
            #expect(abs((hits.first?.score ?? 0) - 1) < 1e-4)
            expectSameRanking(hits, try librarySearch(index, query: libraryImageEmbedding("coffee.png"), k: 7), "image query")
            // ids are the catalog's row ids.
            let entries = try index.store.entries(where: nil)
            for hit in hits { #expect(entries.first { $0.path == hit.path }?.id == hit.id) }
            // Default k is 10 (more than the 7 photos here: all of them).
            #expect(searchHits(try await client.post("/search", json: ["text": "a cat"])).count == 7)
        }
    }

    @Test("an index with a saved HNSW graph is searched through it, as the library does")
    func approximate() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        #expect(try ImageIndex(store: SQLiteCatalog(path: index.db), approximateThreshold: 1).refreshGraph())
        let searchIndex = try index.open()
        try await withServer({ $0.searchIndex = searchIndex }) { _, client async throws in
            let result = try await client.post("/search", json: ["text": "a cat", "k": 5])
            #expect(result.status == 200, "\(result.text)")
            #expect(result.object["approximate"] as? Bool == true)
            expectSameRanking(searchHits(result), try librarySearch(index, query: libraryTextEmbedding("a cat"), k: 5), "hnsw")
        }
    }

    @Test("path_prefix filters like the library's SQL prefix filter, with no wildcards and no SQL")
    func pathPrefix() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        let searchIndex = try index.open()
        try await withServer({ $0.searchIndex = searchIndex }) { _, client async throws in
            let prefix = index.root.appendingPathComponent("b_x").path + "/"
            let literal = "'" + prefix.replacingOccurrences(of: "'", with: "''") + "'"
            let condition = "substr(path, 1, \(prefix.utf8.count)) = \(literal)"
            let result = try await client.post("/search", json: ["text": "a rocket", "k": 10, "path_prefix": prefix])
            #expect(result.status == 200, "\(result.text)")
            let hits = searchHits(result)
            #expect(hits.count == 3, "only b_x/, not bax/: \(hits.map(\.path))")
            expectSameRanking(hits, try librarySearch(index, query: libraryTextEmbedding("a rocket"), k: 10, where: condition), "prefix")
            // k still applies inside the filter.
            #expect(searchHits(try await client.post("/search", json: ["text": "a rocket", "k": 2, "path_prefix": prefix])).count == 2)
            // SQL-looking and wildcard prefixes are plain text: they match nothing.
            for hostile in ["' OR 1=1 --", "%", "_", "\(index.root.path)/%", "x'); DROP TABLE images; --"] {
                let r = try await client.post("/search", json: ["text": "a cat", "path_prefix": hostile])
                #expect(r.status == 200, "\(hostile): \(r.text)")
                #expect(searchHits(r).isEmpty, "\(hostile)")
            }
            #expect(try index.store.count() == 7)
        }
    }

    @Test("bad search requests get structured 4xx errors and the server stays healthy")
    func badQueries() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        let searchIndex = try index.open()
        try await withServer({ $0.searchIndex = searchIndex; $0.apiKey = "k3y" }) { _, client async throws in
            let cases: [(String, Any)] = [
                ("no query", ["k": 3, "api_key": "k3y"]),
                ("both text and image", ["text": "a cat", "image": try base64Image("coffee.png"), "api_key": "k3y"]),
                ("k is zero", ["text": "a cat", "k": 0, "api_key": "k3y"]),
                ("k is negative", ["text": "a cat", "k": -4, "api_key": "k3y"]),
                ("k is a string", ["text": "a cat", "k": "5", "api_key": "k3y"]),
                ("k is a fraction", ["text": "a cat", "k": 1.5, "api_key": "k3y"]),
                ("k is a boolean", ["text": "a cat", "k": true, "api_key": "k3y"]),
                ("k is huge", ["text": "a cat", "k": 10_000_000, "api_key": "k3y"]),
                ("text is a number", ["text": 5, "api_key": "k3y"]),
                ("text is a list", ["text": ["a", "b"], "api_key": "k3y"]),
                ("path_prefix is a number", ["text": "a cat", "path_prefix": 3, "api_key": "k3y"]),
                ("image is bad base64", ["image": ["type": "base64", "value": "!!!"], "api_key": "k3y"]),
                ("image is not an image", ["image": ["type": "base64", "value": Data("hello".utf8).base64EncodedString()], "api_key": "k3y"]),
                ("image URL while URLs are off", ["image": ["type": "url", "value": "http://example.com/a.jpg"], "api_key": "k3y"]),
                ("unknown clip_version_id", ["text": "a cat", "clip_version_id": "RN50", "api_key": "k3y"]),
                ("no API key", ["text": "a cat"]),
            ]
            for (name, body) in cases {
                let result = try await client.post("/search", json: body)
                #expect((400..<500).contains(result.status), "\(name): \(result.status) \(result.text)")
                #expect(result.object["message"] is String, "\(name): \(result.text)")
            }
            let notJSON = try await client.post("/search?api_key=k3y", raw: Data("{\"text\": ".utf8))
            #expect(notJSON.status == 400)
            #expect(try await client.get("/healthz").status == 200)
            #expect(searchHits(try await client.post("/search", json: ["text": "a cat", "k": 2], headers: ["X-Api-Key": "k3y"])).count == 2)
        }
    }

    @Test("an index of another model, of another dimension, or empty is refused at startup")
    func refusesOtherModels() throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        #expect(throws: IndexError.self) { try SearchIndex(path: index.db, embedder: sharedCLIP, modelNames: ["openai/clip-vit-base-patch32"]) }
        do {
            _ = try SearchIndex(path: index.db, embedder: sharedCLIP, modelNames: ["other"])
            Issue.record("accepted an index of another model")
        } catch {
            #expect("\(error)".contains(PhotoIndex.modelName), "\(error)")
        }

        let other = index.root.appendingPathComponent("other.sqlite").path
        let store = try SQLiteCatalog(path: other)
        var batch = CatalogBatch(info: StoreInfo(model: PhotoIndex.modelName, dimension: 7))
        batch.upserts = [CatalogEntry(path: "/x.jpg", hash: "00", size: 1, mtime: 0, vector: [1, 0, 0, 0, 0, 0, 0])]
        try store.commit(batch)
        do {
            _ = try SearchIndex(path: other, embedder: sharedCLIP, modelNames: [PhotoIndex.modelName])
            Issue.record("accepted a 7-d index")
        } catch {
            #expect("\(error)".contains("7-d"), "\(error)")
        }

        let empty = index.root.appendingPathComponent("empty.sqlite").path
        _ = try SQLiteCatalog(path: empty)
        #expect(throws: IndexError.self) { try SearchIndex(path: empty, embedder: sharedCLIP, modelNames: [PhotoIndex.modelName]) }
        #expect(throws: IndexError.self) { try SearchIndex(path: index.root.appendingPathComponent("missing.sqlite").path, embedder: sharedCLIP, modelNames: [PhotoIndex.modelName]) }
        // A PostgreSQL URL is refused by name, not taken for a file path.
        #expect(throws: IndexError.invalid("seer serve --index takes a SQLite index file; PostgreSQL stores are not served yet")) {
            try SearchIndex(path: "postgres://localhost/photos", embedder: sharedCLIP, modelNames: [PhotoIndex.modelName])
        }
    }

    @Test("photos indexed while the server runs are found without a restart")
    func reloads() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        let searchIndex = try index.open()
        try await withServer({ $0.searchIndex = searchIndex }) { _, client async throws in
            #expect(searchHits(try await client.post("/search", json: ["text": "a cat", "k": 50])).count == 7)
            let added = index.root.appendingPathComponent("c")
            try FileManager.default.createDirectory(at: added, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("images/camera_gray.clip.png"), to: added.appendingPathComponent("camera.png"))
            try index.update()
            let hits = searchHits(try await client.post("/search", json: ["text": "a cat", "k": 50]))
            #expect(hits.count == 8)
            #expect(hits.contains { $0.path.hasSuffix("c/camera.png") })
            expectSameRanking(hits, try librarySearch(index, query: libraryTextEmbedding("a cat"), k: 50), "after reload")
        }
    }

    @Test("openapi.json documents /search exactly when the server has an index")
    func openAPI() async throws {
        let index = try PhotoIndex.make()
        defer { index.remove() }
        let searchIndex = try index.open()
        for configured in [true, false] {
            try await withServer({ if configured { $0.searchIndex = searchIndex } }) { server, client async throws in
                let document = try await client.get("/openapi.json")
                let paths = try #require(document.object["paths"] as? [String: [String: Any]])
                let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
                let routed = Set(server.makeRouter().routes.map { "\($0.method.rawValue) \($0.path.description.hasPrefix("/") ? "" : "/")\($0.path)" })
                #expect(documented == routed)
                #expect(routed.contains("POST /search") == configured)
                let schemas = (document.object["components"] as? [String: Any])?["schemas"] as? [String: Any]
                #expect((schemas?["SearchRequest"] != nil) == configured)
                if !configured { #expect(try await client.post("/search", json: ["text": "a cat"]).status == 404) }
            }
        }
    }
}
