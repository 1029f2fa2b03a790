import Foundation
import Testing
import SeerImage
import SeerTensor
@testable import SeerModels

/// The tiny random SigLIP of Tests/Fixtures/siglip-tiny against transformers' SiglipModel
/// (scripts/fixtures/make_siglip_fixtures.py): preprocessing, both towers, the sigmoid scores.
@Suite struct SigLIPModelTests {
    static let directory = fixtures.appendingPathComponent("siglip-tiny")

    func expected(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: Self.directory.appendingPathComponent("expected/\(name).npy")))
    }

    func photos() throws -> [URL] {
        struct Inputs: Decodable { let images: [String] }
        return try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: Self.directory.appendingPathComponent("expected/inputs.json")))
            .images.map { fixtures.appendingPathComponent($0) }
    }

    /// Value for value: resize straight to 32×32 (bicubic, no crop), mean/std 0.5.
    @Test func pixelValuesEqualSiglipImageProcessorPil() throws {
        let preprocessor = try ImagePreprocessor(contentsOf: Self.directory.appendingPathComponent("preprocessor_config.json"))
        let reference = try expected("pixel_values")
        let plane = reference.count / reference.shape[0]
        for (i, url) in try photos().enumerated() {
            let got = preprocessor.pixelValues(try ImageLoader.load(contentsOf: url))
            let want = Array(reference.scalars[(i * plane)..<((i + 1) * plane)])
            #expect(got.count == plane)
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst == 0, "photo \(i): max abs diff \(worst)")
        }
    }

    @Test func towersMatchTransformers() throws {
        let model = try SigLIPModel(directory: Self.directory)
        let images = try model.imageEmbeddings(pixelValues: expected("pixel_values"))
        let (imageCosine, imageDiff) = worstAgreement(images, try expected("image_embeds"))
        print("SigLIP image embeddings: cosine \(imageCosine), max abs diff \(imageDiff)")
        #expect(imageCosine >= 0.9999 && imageDiff < 1e-4)

        let rows = try Self.tokenRows()
        #expect(rows.count == 4 && rows.allSatisfy { $0.count == 64 })
        let texts = try model.textEmbeddings(tokenIDs: rows)
        let (textCosine, textDiff) = worstAgreement(texts, try expected("text_embeds_random_ids"))
        print("SigLIP text embeddings: cosine \(textCosine), max abs diff \(textDiff)")
        #expect(textCosine >= 0.9999 && textDiff < 1e-4)
    }

    @Test func sigmoidScoresMatchLogitsPerImage() throws {
        let model = try SigLIPModel(directory: Self.directory)
        let images = try model.imageEmbeddings(pixelValues: expected("pixel_values"))
        let texts = try model.textEmbeddings(tokenIDs: Self.tokenRows())
        let classifier = ZeroShotClassifier(labels: ["a", "b", "c", "d"], classEmbeddings: (0..<4).map { normalized(texts.row($0)) },
                                            scoring: .sigmoid(scale: model.logitScale, bias: model.logitBias))
        let logits = try expected("logits_per_image_random_ids"), probabilities = try expected("probabilities_random_ids")
        for i in 0..<images.shape[0] {
            let predictions = classifier.predict(images.row(i))
            for (j, label) in ["a", "b", "c", "d"].enumerated() {
                let p = try #require(predictions.first { $0.label == label })
                let logit = Double(p.cosine) * Double(model.logitScale) + Double(model.logitBias)
                #expect(abs(logit - Double(logits.row(i)[j])) < 1e-4, "image \(i) label \(j)")
                #expect(abs(p.probability - probabilities.row(i)[j]) < 1e-5, "image \(i) label \(j): \(p.probability) vs \(probabilities.row(i)[j])")
            }
            // Independent per label: they need not sum to 1 (they do not here).
            #expect(abs(predictions.map(\.probability).reduce(0, +) - 1) > 0.01)
        }
    }

    @Test func badCheckpointsSayWhatIsWrong() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-siglip-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.directory, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as! [String: Any]
        var vision = config["vision_config"] as! [String: Any]
        vision["hidden_size"] = 48
        config["vision_config"] = vision
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        #expect { try SigLIPModel(directory: folder) } throws: { "\($0)".contains("projection_size") }
    }

    /// input_ids.npy (int32) as token rows.
    static func tokenRows() throws -> [[Int32]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected/input_ids.npy"))
        // NPY v1: magic, version, header length (little-endian u16), header, then the values.
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let values = data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        return stride(from: 0, to: values.count, by: 64).map { Array(values[$0..<($0 + 64)]) }
    }
}
