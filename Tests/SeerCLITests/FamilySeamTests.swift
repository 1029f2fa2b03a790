import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SeerImage
import SeerIndex
import SeerModels
import SeerServer
import SeerTensor
import Testing
@testable import seer

/// A family that exists only in this test target: its embedding is an image's mean colour
/// (and a constant, so no vector is zero). Registering it is all it takes for `seer index`
/// and `seer serve` to work with it: nothing outside SeerModels' registry knows it.
final class MeanColourEmbedder: ImageEmbedder {
    struct Processor: ImageProcessing {
        var inputWidth: Int { 4 }
        var inputHeight: Int { 4 }
        func pixelValues(_ image: RGBImage) -> [Float] {
            let small = image.resized(width: 4, height: 4, filter: .box)
            var out = [Float](repeating: 0, count: 48)
            for i in 0..<16 { for c in 0..<3 { out[c * 16 + i] = Float(small.pixels[i * 3 + c]) / 255 } }
            return out
        }
    }

    static let modelType = "seer_test_mean_colour"
    var modelType: String { Self.modelType }
    var embeddingDimension: Int { 4 }
    var imageProcessor: any ImageProcessing { Processor() }

    func imageEmbeddings(pixelValues: Tensor) throws -> Tensor {
        let batch = pixelValues.shape[0]
        let out = Tensor(zeros: [batch, 4])
        for b in 0..<batch {
            for c in 0..<3 {
                var sum: Float = 0
                for i in 0..<16 { sum += pixelValues.pointer[b * 48 + c * 16 + i] }
                out.pointer[b * 4 + c] = sum / 16
            }
            out.pointer[b * 4 + 3] = 0.25
        }
        return out
    }

    /// What the family must embed an image file as, computed without the pipeline.
    static func expected(_ url: URL) throws -> [Float] {
        let values = Processor().pixelValues(try ImageLoader.load(contentsOf: url))
        return (0..<3).map { c in values[(c * 16)..<(c * 16 + 16)].reduce(0, +) / 16 } + [0.25]
    }

    static let family = ModelFamily(name: "Mean colour (test)", modelTypes: [modelType], capabilities: [.imageEmbedding]) { _, _, _ in
        MeanColourEmbedder()
    }
}

@Suite("A family registered from outside works in every command", .serialized)
struct FamilySeamTests {
    let folder: URL

    init() throws {
        ModelRegistry.shared.register(MeanColourEmbedder.family)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-family-\(UUID().uuidString)")
        let model = folder.appendingPathComponent("model"), photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try Data(#"{"model_type": "seer_test_mean_colour"}"#.utf8).write(to: model.appendingPathComponent("config.json"))
        for name in ["chelsea.jpg", "coffee.png", "astronaut.webp"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("clip-inputs/\(name)"), to: photos.appendingPathComponent(name))
        }
    }

    var model: URL { folder.appendingPathComponent("model") }
    var photos: URL { folder.appendingPathComponent("photos") }

    @Test func indexAndServeTakeTheNewFamily() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("index.sqlite").path
        // `seer index`, the command itself, in this process (where the family is registered).
        var index = try Index.parse([photos.path, "--model", model.path, "--db", db])
        try index.run()

        let store = try SQLiteCatalog(path: db, readOnly: true)
        #expect(try store.info()?.dimension == 4)
        let entries = try store.entries(where: nil)
        #expect(entries.count == 3)
        for entry in entries {
            let want = unitLength(try MeanColourEmbedder.expected(URL(fileURLWithPath: entry.path)))
            let got = entry.vector
            #expect(zip(want, got).allSatisfy { abs($0 - $1) < 1e-5 }, "\(entry.path): \(got) vs \(want)")
        }

        // `seer serve`'s server, with the model loaded through the registry as the command does.
        let embedder = try ModelRegistry.shared.load(directory: model).requireImageEmbedder()
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.searchIndex = try SearchIndex(path: db, embedder: embedder, modelNames: [model.standardizedFileURL.path])
        let running = try await SeerServer(embedder: embedder, configuration: configuration).start()
        do {
            try await checkServer(port: running.port)
            try await running.shutdown()
        } catch {
            try? await running.shutdown()
            throw error
        }
    }

    func checkServer(port: Int) async throws {
        let coffee = try Data(contentsOf: photos.appendingPathComponent("coffee.png")).base64EncodedString()

        let embedded = try await post(port, "/clip/embed_image", ["image": ["type": "base64", "value": coffee]])
        #expect(embedded.status == 200)
        let vector = ((embedded.json["embeddings"] as? [[Double]])?.first ?? []).map(Float.init)
        let want = try MeanColourEmbedder.expected(photos.appendingPathComponent("coffee.png"))
        #expect(vector.count == 4 && zip(vector, want).allSatisfy { abs($0 - $1) < 1e-5 }, "\(vector) vs \(want)")

        let search = try await post(port, "/search", ["image": ["type": "base64", "value": coffee], "k": 3])
        let results = search.json["results"] as? [[String: Any]] ?? []
        #expect(search.status == 200 && results.count == 3)
        #expect((results.first?["path"] as? String)?.hasSuffix("coffee.png") == true)
        #expect(abs(((results.first?["score"] as? Double) ?? 0) - 1) < 1e-5)

        // No text tower: a clear 400 that says so, not a crash.
        let text = try await post(port, "/clip/embed_text", ["text": "a cup of coffee"])
        #expect(text.status == 400)
        #expect(String(describing: text.json).contains("no text tower"))
    }

    @Test func modelsListShowsRegisteredFamilies() throws {
        #expect(ModelRegistry.shared.all.contains { $0.name == "Mean colour (test)" })
        #expect(ModelRegistry.shared.modelTypes(with: .imageEmbedding).contains(MeanColourEmbedder.modelType))
        #expect(!ModelRegistry.shared.modelTypes(with: .text).contains(MeanColourEmbedder.modelType))
    }

    func post(_ port: Int, _ path: String, _ body: [String: Any]) async throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }
}
