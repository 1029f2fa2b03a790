import Foundation
import Testing
import SeerImage
import SeerTensor
import SeerTokenizers
@testable import SeerModels

/// SigLIP v1 (spiece.model) and SigLIP 2 FixRes (Gemma tokenizer.json) end to end: loaded by
/// the registry from `model_type: "siglip"`, text strings and photo files to embeddings and
/// sigmoid scores, against transformers (make_siglip_fixtures.py).
@Suite struct SigLIPPipelineTests {
    struct Fixture: Sendable, CustomStringConvertible {
        let name: String
        var description: String { name }
        var directory: URL { fixtures.appendingPathComponent(name) }

        func expected(_ file: String) throws -> Tensor {
            try NPY.decode(Data(contentsOf: directory.appendingPathComponent("expected/\(file).npy")))
        }

        struct Inputs: Decodable { let images: [String]; let texts: [String] }
        func inputs() throws -> Inputs {
            try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: directory.appendingPathComponent("expected/inputs.json")))
        }

        /// text_ids.npy (int32 rows of 64).
        func textIDs() throws -> [[Int32]] {
            let data = try Data(contentsOf: directory.appendingPathComponent("expected/text_ids.npy"))
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            let values = data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            return stride(from: 0, to: values.count, by: 64).map { Array(values[$0..<($0 + 64)]) }
        }
    }

    static let all = [Fixture(name: "siglip-tiny"), Fixture(name: "siglip2-tiny")]

    @Test(arguments: all)
    func textsAndFilesEmbedLikeTransformers(_ fixture: Fixture) throws {
        let model = try ModelRegistry.shared.load(directory: fixture.directory)
        let siglip = try #require(model as? SigLIP)
        #expect(model.modelType == "siglip")
        let inputs = try fixture.inputs()

        // Token ids from the folder's own tokenizer, padded to 64 (spiece.model for v1, tokenizer.json for v2).
        let ids = inputs.texts.map { siglip.tokenizer.encode($0, length: 64) }
        #expect(ids == (try fixture.textIDs()))

        let texts = try model.requireText().embed(texts: inputs.texts)
        let (textCosine, textDiff) = worstAgreement(Tensor(shape: [texts.count, texts[0].count], values: texts.flatMap { $0 }), try fixture.expected("text_embeds"))
        print("\(fixture) text from strings: cosine \(textCosine), max abs diff \(textDiff)")
        #expect(textCosine >= 0.9999 && textDiff < 1e-4)

        let files = inputs.images.map { fixtures.appendingPathComponent($0) }
        let images = try siglip.embed(imagesAt: files).map { try $0.get() }
        let (imageCosine, imageDiff) = worstAgreement(Tensor(shape: [images.count, images[0].count], values: images.flatMap { $0 }), try fixture.expected("image_embeds"))
        print("\(fixture) images from files: cosine \(imageCosine), max abs diff \(imageDiff)")
        #expect(imageCosine >= 0.9999 && imageDiff < 1e-4)

        // Zero-shot with the bare texts as labels: sigmoid per label, as the reference.
        #expect(siglip.zeroShotScoring == .sigmoid(scale: siglip.model.logitScale, bias: siglip.model.logitBias))
        let classifier = try siglip.classifier(labels: inputs.texts, templates: ["{}"])
        let probabilities = try fixture.expected("probabilities")
        for (i, image) in images.enumerated() {
            let predictions = classifier.predict(image)
            for (j, label) in inputs.texts.enumerated() {
                let p = try #require(predictions.first { $0.label == label })
                #expect(abs(p.probability - probabilities.row(i)[j]) < 1e-5, "\(fixture) image \(i) label \(j)")
            }
        }
    }

    @Test func aFolderWithoutATokenizerIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-siglip-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("siglip-tiny"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("spiece.model"))
        #expect { try ModelRegistry.shared.load(directory: folder) } throws: { "\($0)".contains("spiece.model or tokenizer.json") }
    }
}
