import Foundation
import Testing

/// `seer workflow run|validate|blocks` on the cosine + expression definition of
/// Tests/Fixtures/workflows/engine_cases.json, whose expected outputs came from Roboflow's engine.
@Suite struct WorkflowCLITests {
    static func fixture() throws -> [String: Any] {
        let url = fixtures.appendingPathComponent("workflows/engine_cases.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// The first case's definition written to a temporary file.
    func definitionFile(_ mutate: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let cases = try Self.fixture()["cases"] as! [[String: Any]]
        var definition = cases[0]["definition"] as! [String: Any]
        mutate(&definition)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: definition).write(to: path)
        return path.path
    }

    @Test func runPrintsOneObjectPerBatchElement() throws {
        let path = try definitionFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = "[[1, 0, 0], [0, 1, 0]]", b = "[[2, 0.1, 0], [0, 0, 1]]"
        let result = try seer(["workflow", "run", path, "--param", "image_embedding=\(a)", "--param", "text_embedding=\(b)", "--param", "threshold=0.5"])
        #expect(result.status == 0, "\(result.stderr)")
        let outputs = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(outputs.count == 2)
        #expect(outputs.map { $0["verdict"] as? String } == ["match", "no match"])
    }

    @Test func validateNamesTheBrokenStep() throws {
        let good = try definitionFile()
        let bad = try definitionFile { definition in
            var steps = definition["steps"] as! [[String: Any]]
            steps[1]["data"] = ["similarity": "$steps.cosine.nothing"]
            definition["steps"] = steps
        }
        defer { try? FileManager.default.removeItem(atPath: good); try? FileManager.default.removeItem(atPath: bad) }
        let ok = try seer(["workflow", "validate", good])
        #expect(ok.status == 0 && ok.stdout.contains(#""execution_order":["cosine","verdict"]"#))
        let refused = try seer(["workflow", "validate", bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("InvalidReferenceTargetError") && refused.stderr.contains("`verdict`") && refused.stderr.contains("nothing"))
    }

    @Test func blocksListsEveryBlock() throws {
        let result = try seer(["workflow", "blocks"])
        #expect(result.status == 0)
        let blocks = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(Set(blocks.compactMap { $0["type"] as? String }).isSuperset(of: ["roboflow_core/cosine_similarity@v1", "roboflow_core/expression@v1",
                                                                              "roboflow_core/identify_outliers@v1", "roboflow_core/buffer@v1"]))
    }

    @Test func clipStepsEmbedLikeSeerEmbed() throws {
        // CLIP image and text embeddings through the workflow equal `seer embed`'s, and cosine similarity is theirs.
        let definition: [String: Any] = [
            "version": "1.0",
            "inputs": [["type": "WorkflowImage", "name": "image"], ["type": "WorkflowParameter", "name": "prompt", "default_value": "a photo of a cat"]],
            "steps": [["type": "roboflow_core/clip@v1", "name": "image_clip", "data": "$inputs.image"],
                      ["type": "roboflow_core/clip@v1", "name": "text_clip", "data": "$inputs.prompt"],
                      ["type": "roboflow_core/cosine_similarity@v1", "name": "cosine", "embedding_1": "$steps.image_clip.embedding", "embedding_2": "$steps.text_clip.embedding"]],
            "outputs": [["type": "JsonField", "name": "image", "selector": "$steps.image_clip.embedding"],
                        ["type": "JsonField", "name": "text", "selector": "$steps.text_clip.embedding"],
                        ["type": "JsonField", "name": "similarity", "selector": "$steps.cosine.similarity"]],
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-clip-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: definition).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try seer(["workflow", "run", path.path, "--model", tinyModel.path, "--image", chelsea, "--image", coffee])
        #expect(result.status == 0, "\(result.stderr)")
        let outputs = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(outputs.count == 2)
        let embedded = try seer(["embed", "--model", tinyModel.path, chelsea, coffee, "--text", "a photo of a cat"])
        #expect(embedded.status == 0, "\(embedded.stderr)")
        let lines = embedded.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let vectors = lines.compactMap { $0["embedding"] as? [Double] }
        try #require(vectors.count == 3)
        func close(_ a: [Double]?, _ b: [Double]) -> Bool { a.map { $0.count == b.count && zip($0, b).allSatisfy { abs($0 - $1) <= 1e-6 } } ?? false }
        let imageVectors = lines.filter { $0["path"] != nil }.compactMap { $0["embedding"] as? [Double] }
        let textVector = try #require(lines.first { $0["text"] != nil }?["embedding"] as? [Double])
        #expect(close(outputs[0]["image"] as? [Double], imageVectors[0]) && close(outputs[1]["image"] as? [Double], imageVectors[1]))
        #expect(close(outputs[0]["text"] as? [Double], textVector))
        let a = imageVectors[0], b = textVector
        func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let cosine = dot(a, b) / (dot(a, a) * dot(b, b)).squareRoot()
        #expect(abs((outputs[0]["similarity"] as? Double ?? .nan) - cosine) < 1e-5)
    }

    @Test func clipWithoutAModelNamesTheStep() throws {
        let definition: [String: Any] = [
            "inputs": [["type": "WorkflowParameter", "name": "prompt", "default_value": "a cat"]],
            "steps": [["type": "roboflow_core/clip@v1", "name": "text_clip", "data": "$inputs.prompt"]],
            "outputs": [["type": "JsonField", "name": "e", "selector": "$steps.text_clip.embedding"]],
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-clip-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: definition).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try seer(["workflow", "run", path.path])
        #expect(result.status == 1 && result.stderr.contains("`text_clip`") && result.stderr.contains("--model"))
    }
}
