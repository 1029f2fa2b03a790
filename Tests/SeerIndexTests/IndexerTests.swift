import Foundation
import Testing
@testable import SeerIndex

/// Indexing logic with a stand-in embedder: a file's "embedding" comes from its bytes, and
/// files whose first byte is 0 fail, so the tests see exactly which files were embedded.
@Suite struct IndexerTests {
    final class CountingEmbedder: @unchecked Sendable {
        var embedded: [String] = []
        func embed(_ urls: [URL]) throws -> [Result<EmbeddedImage, Error>] {
            urls.map { url in
                embedded.append(url.lastPathComponent)
                let bytes = (try? Data(contentsOf: url)) ?? Data()
                guard let first = bytes.first, first != 0 else { return .failure(IndexError.invalid("\(url.lastPathComponent): bad image")) }
                return .success(EmbeddedImage(vector: (0..<8).map { Float(bytes[$0 % bytes.count]) + Float($0) }))
            }
        }
    }

    let info = StoreInfo(model: "stand-in", dimension: 8)

    func write(_ text: String, _ name: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func reindexTouchesOnlyNewAndChangedFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        for i in 0..<10 { try write("image \(i)", "a/\(i).jpg", in: photos) }
        try write("png", "b/UPPER.PNG", in: photos)
        try write("webp", "b/c/deep.WebP", in: photos)
        try write("not an image", "notes.txt", in: photos)
        try write("\u{0}broken", "b/broken.jpeg", in: photos)
        let store = try SQLiteCatalog(path: folder.appendingPathComponent("index.sqlite").path)
        let embedder = CountingEmbedder()
        let indexer = Indexer(store: store, info: info, batchSize: 4, embed: embedder.embed)

        let first = try indexer.index(photos)
        #expect(first.found == 13)
        #expect(first.embedded == 12)
        #expect(first.failed.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["broken.jpeg"])
        #expect(embedder.embedded.count == 13)
        #expect(try store.count() == 12)

        // Nothing changed: nothing is read, the bad file is not retried but still reported.
        embedder.embedded = []
        let second = try indexer.index(photos)
        #expect(second.unchanged == 12 && second.embedded == 0 && second.failed.count == 1)
        #expect(embedder.embedded.isEmpty)

        // One file edited, one added, one deleted, one copied, one touched without changes.
        try write("image 3, edited", "a/3.jpg", in: photos)
        try write("new", "a/new.jpg", in: photos)
        try FileManager.default.removeItem(at: photos.appendingPathComponent("a/5.jpg"))
        try FileManager.default.copyItem(at: photos.appendingPathComponent("a/7.jpg"), to: photos.appendingPathComponent("a/7 copy.jpg"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: photos.appendingPathComponent("a/8.jpg").path)
        embedder.embedded = []
        let third = try indexer.index(photos)
        #expect(Set(embedder.embedded) == ["3.jpg", "new.jpg"])
        #expect(third.embedded == 2)
        #expect(third.reused == 2)  // the copy and the touched file
        #expect(third.removed == 1)
        #expect(third.unchanged == 9)
        #expect(try store.count() == 13)
        let entries = try store.entries(where: nil)
        #expect(!entries.contains { $0.path.hasSuffix("/5.jpg") })
        let copy = entries.first { $0.path.hasSuffix("/7 copy.jpg") }!
        let original = entries.first { $0.path.hasSuffix("/7.jpg") }!
        #expect(copy.vector == original.vector && copy.hash == original.hash)

        // A fixed bad file is retried once it changes.
        try write("fixed", "b/broken.jpeg", in: photos)
        embedder.embedded = []
        let fourth = try indexer.index(photos)
        #expect(embedder.embedded == ["broken.jpeg"])
        #expect(fourth.failed.isEmpty)
        #expect(try store.count() == 14)
    }

    @Test func aFailingBatchCommitsNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for i in 0..<6 { try write("image \(i)", "\(i).png", in: folder.appendingPathComponent("p")) }
        let store = try SQLiteCatalog(path: folder.appendingPathComponent("index.sqlite").path)
        var calls = 0
        // The embedder dies on its second batch: the first batch stays, the second leaves no trace.
        let indexer = Indexer(store: store, info: info, batchSize: 4) { urls in
            calls += 1
            if calls == 2 { throw IndexError.invalid("model crashed") }
            return urls.map { _ in .success(EmbeddedImage(vector: [1, 0, 0, 0, 0, 0, 0, 0])) }
        }
        #expect(throws: IndexError.self) { try indexer.index(folder.appendingPathComponent("p")) }
        #expect(try store.count() == 4)
    }

    @Test func storeRefusesAnotherModelOrDimension() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try write("x", "p/x.jpg", in: folder)
        let path = folder.appendingPathComponent("index.sqlite").path
        let store = try SQLiteCatalog(path: path)
        _ = try Indexer(store: store, info: info, batchSize: 2, embed: CountingEmbedder().embed).index(folder.appendingPathComponent("p"))
        let other = Indexer(store: store, info: StoreInfo(model: "other", dimension: 8), batchSize: 2, embed: CountingEmbedder().embed)
        #expect(throws: IndexError.self) { try other.index(folder.appendingPathComponent("p")) }
        #expect(throws: IndexError.self) { try SQLiteCatalog(path: folder.appendingPathComponent("missing.sqlite").path, readOnly: true) }
        #expect(throws: IndexError.self) { try store.entries(where: "no_such_column = 1") }
        #expect(try store.entries(where: "path LIKE '%x.jpg'").count == 1)
    }

    @Test func imageIndexSavesAndUsesAGraphAboveTheThreshold() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteCatalog(path: folder.appendingPathComponent("index.sqlite").path)
        let rows = randomUnitRows(300, 8, seed: 20)
        var batch = CatalogBatch(info: info)
        for i in 0..<200 { batch.upserts.append(CatalogEntry(path: "/p/\(i).jpg", hash: "h\(i)", size: 1, mtime: 0, vector: Array(rows.row(i)))) }
        try store.commit(batch)
        let index = ImageIndex(store: store, approximateThreshold: 100)
        #expect(try index.refreshGraph())
        #expect(try !index.refreshGraph())  // already current
        #expect(try index.load().search.isApproximate)
        #expect(try !index.load(where: "path LIKE '/p/1%'").search.isApproximate)
        // New rows make the saved graph stale: exact until refreshed, then extended.
        var more = CatalogBatch(info: info)
        for i in 200..<300 { more.upserts.append(CatalogEntry(path: "/p/\(i).jpg", hash: "h\(i)", size: 1, mtime: 0, vector: Array(rows.row(i)))) }
        try store.commit(more)
        #expect(try !index.load().search.isApproximate)
        #expect(try index.refreshGraph())
        let collection = try index.load()
        #expect(collection.search.isApproximate)
        let hit = collection.search.search(Array(rows.row(250)), queryCount: 1, k: 1)[0][0]
        #expect(collection.entries[hit.index].path == "/p/250.jpg")
    }
}
