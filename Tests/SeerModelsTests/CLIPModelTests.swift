import Foundation
import Testing
import SeerTensor
@testable import SeerModels

/// The Swift CLIP towers against transformers' CLIPModel on the same weights and inputs.
@Suite struct CLIPModelTests {
    @Test(arguments: CLIPFixture.all)
    func imageEmbeddingsMatchTransformers(_ fixture: CLIPFixture) throws {
        let model = try CLIPModel(directory: fixture.directory)
        let pixels = try fixture.expected("pixel_values")
        let expected = try fixture.expected("image_embeds")
        let got = try model.imageEmbeddings(pixelValues: pixels)
        #expect(got.shape == expected.shape)
        for i in 0..<expected.shape[0] {
            let (cosine, diff) = agreement(got.row(i), expected.row(i))
            #expect(cosine >= 0.9999, "\(fixture) image \(i): cosine \(cosine)")
            #expect(diff <= 1e-4, "\(fixture) image \(i): max abs diff \(diff)")
        }
    }

    @Test(arguments: CLIPFixture.all)
    func textEmbeddingsMatchTransformers(_ fixture: CLIPFixture) throws {
        let model = try CLIPModel(directory: fixture.directory)
        let inputs = try fixture.inputs()
        let expected = try fixture.expected("text_embeds")
        // All at once (padded batch) and one at a time must both match.
        let batched = try model.textEmbeddings(tokenIDs: inputs.input_ids)
        for (i, ids) in inputs.input_ids.enumerated() {
            let single = try model.textEmbeddings(tokenIDs: [ids])
            for got in [batched.row(i), single.row(0)] {
                let (cosine, diff) = agreement(got, expected.row(i))
                #expect(cosine >= 0.9999, "\(fixture) text \(i) '\(inputs.texts[i])': cosine \(cosine)")
                #expect(diff <= 1e-4, "\(fixture) text \(i): max abs diff \(diff)")
            }
        }
    }

    @Test(arguments: CLIPFixture.all)
    func logitScaleIsReadFromTheCheckpoint(_ fixture: CLIPFixture) throws {
        let model = try CLIPModel(directory: fixture.directory)
        #expect(abs(model.logitScale - (try fixture.inputs().logit_scale)) < 1e-3)
    }

    /// Legacy configs (eos_token_id = 2) pool at the largest id; new ones at the first EOS.
    @Test func eosPoolingFollowsTheConfig() throws {
        let legacy = try CLIPModel(directory: CLIPFixture.all[0].directory)
        let modern = try CLIPModel(directory: CLIPFixture.all[1].directory)
        #expect(legacy.config.text.eosTokenID == 2 && modern.config.text.eosTokenID == 49407)
        let ids: [Int32] = [49406, 320, 49407, 49407, 500]
        #expect(legacy.text.poolingIndex(ids) == 2)
        #expect(modern.text.poolingIndex(ids) == 2)
        #expect(legacy.text.poolingIndex([320, 49406, 5]) == 1)  // the largest id, wherever it is
    }

    @Test func wrongInputsAreErrorsNotCrashes() throws {
        let model = try CLIPModel(directory: CLIPFixture.all[0].directory)
        #expect(throws: ModelError.self) { try model.imageEmbeddings(pixelValues: Tensor(zeros: [1, 3, 64, 64])) }
        #expect(throws: ModelError.self) { try model.imageEmbeddings(pixelValues: Tensor(zeros: [3, 96, 96])) }
        #expect(throws: ModelError.self) { try model.textEmbeddings(tokenIDs: [[]]) }
        #expect(throws: ModelError.self) { try model.textEmbeddings(tokenIDs: [Array(repeating: 1, count: 78)]) }
        #expect(throws: ModelError.self) { try model.textEmbeddings(tokenIDs: [[49406, 60000, 49407]]) }
    }

    @Test func missingFilesAndTensorsAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-clip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            _ = try CLIPModel(directory: dir)
            Issue.record("loaded a model from an empty folder")
        } catch {
            #expect("\(error)".contains("config.json"), "\(error)")
        }
        // A config that promises more layers than the weights hold names the missing tensor.
        let source = CLIPFixture.all[0].directory
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as! [String: Any]
        var vision = config["vision_config"] as! [String: Any]
        vision["num_hidden_layers"] = 3
        config["vision_config"] = vision
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("model.safetensors"),
                                                   withDestinationURL: source.appendingPathComponent("model.safetensors"))
        do {
            _ = try CLIPModel(directory: dir)
            Issue.record("loaded weights missing a layer")
        } catch {
            #expect("\(error)".contains("vision_model.encoder.layers.2."), "\(error)")
        }
    }
}
