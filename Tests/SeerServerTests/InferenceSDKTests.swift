import Foundation
import Testing
import SeerModels
@testable import SeerServer

/// The Python interpreter with Roboflow's `inference-sdk`: $SEER_INFERENCE_SDK_PYTHON, else the
/// venv scripts/setup.sh makes (.venv-inference-sdk: the SDK pins numpy and
/// Pillow versions the fixture scripts cannot share), else python3.
func inferenceSDKPython() -> String {
    if let path = ProcessInfo.processInfo.environment["SEER_INFERENCE_SDK_PYTHON"] { return path }
    let venv = packageRoot.appendingPathComponent(".venv-inference-sdk/bin/python").path
    return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
}

/// Runs a Python script with arguments; returns stdout, throws with stderr on failure.
func runPython(_ python: String, _ script: String, _ arguments: [String]) async throws -> Data {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seer-sdk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("out"), err = directory.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python, "-c", script] + arguments
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    guard status == 0 else {
        throw APIError.badRequest("python failed (\(status)): \(String(decoding: try Data(contentsOf: err), as: UTF8.self).suffix(2000))")
    }
    return try Data(contentsOf: out)
}

@Suite("Roboflow's Python client")
struct InferenceSDKTests {
    static let script = """
        import json, sys
        from inference_sdk import InferenceHTTPClient
        url, key, d = sys.argv[1:4]
        c = InferenceHTTPClient(api_url=url, api_key=key)
        out = {}
        out["image"] = c.get_clip_image_embeddings(inference_input=f"{d}/chelsea.jpg")
        out["images"] = c.get_clip_image_embeddings(inference_input=[f"{d}/chelsea.jpg", f"{d}/coffee.png"])
        out["text"] = c.get_clip_text_embeddings(text="a photo of a cat")
        out["texts"] = c.get_clip_text_embeddings(text=["a cat", "a dog"])
        out["compare"] = c.clip_compare(subject=f"{d}/chelsea.jpg", prompt=["a cat", "a dog"])
        out["compare_text"] = c.clip_compare(subject="a cup of coffee", subject_type="text", prompt=f"{d}/coffee.png", prompt_type="image")
        out["info"] = c.get_server_info().to_dict()
        print(json.dumps(out))
        """

    @Test("inference-sdk's clip_compare and CLIP embedding calls get the library's numbers")
    func inferenceSDK() async throws {
        try await withServer({ $0.apiKey = "sdk-key" }) { _, client async throws in
            let output = try await runPython(inferenceSDKPython(), Self.script, [client.base, "sdk-key", fixtures.appendingPathComponent("clip-inputs").path])
            let result = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])

            let chelsea = try libraryImageEmbedding("chelsea.jpg"), coffee = try libraryImageEmbedding("coffee.png")
            let image = try #require(result["image"] as? [String: Any])
            #expect(rows(image["embeddings"]) == [chelsea])
            // A list comes back as one response per image.
            let images = try #require(result["images"] as? [[String: Any]])
            #expect(images.count == 2)
            let imageRows = images.compactMap { rows($0["embeddings"])?.first }
            #expect(imageRows.count == 2)
            for (got, expected) in zip(imageRows, [chelsea, coffee]) { #expect(maxDifference(got, expected) < 1e-5) }

            let text = try #require(result["text"] as? [String: Any])
            #expect(rows(text["embeddings"]) == [try libraryTextEmbedding("a photo of a cat")])
            let texts = try #require(result["texts"] as? [String: Any])
            #expect(rows(texts["embeddings"]) == [try libraryTextEmbedding("a cat"), try libraryTextEmbedding("a dog")])

            let compare = try #require(result["compare"] as? [String: Any])
            #expect(floats(compare["similarity"]) == [cosineSimilarity(chelsea, try libraryTextEmbedding("a cat")), cosineSimilarity(chelsea, try libraryTextEmbedding("a dog"))])
            let compareText = try #require(result["compare_text"] as? [String: Any])
            #expect(floats(compareText["similarity"]) == [cosineSimilarity(try libraryTextEmbedding("a cup of coffee"), coffee)])

            let info = try #require(result["info"] as? [String: Any])
            #expect(info["version"] as? String == SeerServer.version)
        }
    }
}
