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
}
