import Foundation
import Testing
import SeerImage
import SeerTensor
@testable import SeerModels

/// From image files and raw strings to embeddings: decoding, preprocessing, tokenizing and
/// the model together, against transformers (CLIPImageProcessorPil + CLIPTokenizer + CLIPModel).
@Suite struct CLIPPipelineTests {
    @Test(arguments: CLIPFixture.all)
    func imageFilesEmbedLikeTransformers(_ fixture: CLIPFixture) throws {
        let clip = try CLIP(directory: fixture.directory)
        let inputs = try fixture.inputs()
        let expected = try fixture.expected("image_embeds")
        let results = try clip.embed(imagesAt: inputs.images.map { fixtures.appendingPathComponent($0) })
        var worstCosine = 1.0, worstDiff: Float = 0
        for (i, result) in results.enumerated() {
            let (cosine, diff) = agreement(try result.get(), expected.row(i))
            worstCosine = min(worstCosine, cosine)
            worstDiff = max(worstDiff, diff)
        }
        print("\(fixture) images end to end: min cosine \(worstCosine), max abs diff \(worstDiff)")
        #expect(worstCosine >= 0.9999)
        #expect(worstDiff <= 1e-4)
    }

    @Test(arguments: CLIPFixture.all)
    func textsTokenizeAndEmbedLikeTransformers(_ fixture: CLIPFixture) throws {
        let clip = try CLIP(directory: fixture.directory)
        let inputs = try fixture.inputs()
        for (text, ids) in zip(inputs.texts, inputs.input_ids) {
            #expect(clip.tokenizer.encode(text) == ids, "token ids for '\(text)'")
        }
        let expected = try fixture.expected("text_embeds")
        var worstCosine = 1.0, worstDiff: Float = 0
        for (i, embedding) in try clip.embed(texts: inputs.texts).enumerated() {
            let (cosine, diff) = agreement(embedding, expected.row(i))
            worstCosine = min(worstCosine, cosine)
            worstDiff = max(worstDiff, diff)
        }
        print("\(fixture) texts end to end: min cosine \(worstCosine), max abs diff \(worstDiff)")
        #expect(worstCosine >= 0.9999)
        #expect(worstDiff <= 1e-4)
    }

    /// Probabilities are softmax(logit_scale · cos) over the labels, computed here from the
    /// reference embeddings alone.
    @Test func zeroShotProbabilitiesFollowTheReferenceLogits() throws {
        let fixture = CLIPFixture.all[1]
        let clip = try CLIP(directory: fixture.directory)
        let inputs = try fixture.inputs()
        let imageEmbeds = try fixture.expected("image_embeds"), textEmbeds = try fixture.expected("text_embeds")
        // texts[0...2] are "a photo of a {cat,dog,car}".
        let classifier = try clip.classifier(labels: ["cat", "dog", "car"], templates: ["a photo of a {}"])
        for image in 0..<imageEmbeds.shape[0] {
            let logits = (0..<3).map { Double(inputs.logit_scale) * Double(cosineSimilarity(imageEmbeds.row(image), textEmbeds.row($0))) }
            let exps = logits.map { Foundation.exp($0 - logits.max()!) }
            let expected = Dictionary(uniqueKeysWithValues: zip(["cat", "dog", "car"], exps.map { $0 / exps.reduce(0, +) }))
            let predictions = classifier.predict(imageEmbeds.row(image))
            #expect(predictions.map(\.probability) == predictions.map(\.probability).sorted(by: >))
            for p in predictions {
                #expect(abs(Double(p.probability) - expected[p.label]!) < 1e-4, "image \(image) \(p.label)")
            }
        }
    }

    @Test func templatesAreValidated() throws {
        let clip = try CLIP(directory: CLIPFixture.all[0].directory)
        #expect(throws: ModelError.self) { try clip.classifier(labels: ["cat"], templates: ["no placeholder"]) }
        #expect(throws: ModelError.self) { try clip.classifier(labels: [], templates: ["{}"]) }
        // An ensemble's class vector is the normalized mean of its prompts' unit vectors.
        let ensemble = try clip.classifier(labels: ["cat"], templates: ["a photo of a {}", "a drawing of a {}"])
        let prompts = try clip.embed(texts: ["a photo of a cat", "a drawing of a cat"]).map(normalized)
        let mean = normalized(zip(prompts[0], prompts[1]).map { $0 + $1 })
        #expect(zip(ensemble.classEmbeddings[0], mean).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func unreadableFilesFailAloneInABatch() throws {
        let clip = try CLIP(directory: CLIPFixture.all[0].directory)
        let inputs = try CLIPFixture.all[0].inputs()
        let good = fixtures.appendingPathComponent(inputs.images[0])
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("seer-empty-\(UUID().uuidString).jpg")
        try Data().write(to: empty)
        let results = try clip.embed(imagesAt: [empty, good, URL(fileURLWithPath: "/no/such/file.png")])
        #expect(results.count == 3)
        #expect((try? results[0].get()) == nil && (try? results[2].get()) == nil)
        let alone = try clip.embed(imagesAt: [good])[0].get()
        #expect(try results[1].get() == alone)
    }

    @Test func incompleteModelFoldersAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = CLIPFixture.all[0].directory
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        #expect(throws: ModelError.missingFile(dir.appendingPathComponent("preprocessor_config.json").path)) { try CLIP(directory: dir) }
        try FileManager.default.copyItem(at: source.appendingPathComponent("preprocessor_config.json"), to: dir.appendingPathComponent("preprocessor_config.json"))
        do {
            _ = try CLIP(directory: dir)
            Issue.record("loaded without a tokenizer")
        } catch {
            #expect("\(error)".contains("vocab.json") || "\(error)".contains("tokenizer"), "\(error)")
        }
    }
}

/// One CLIP shared by many tasks at once (as the server will): every result equals the
/// sequential one.
@Suite struct CLIPConcurrencyTests {
    @Test func concurrentEmbeddingsEqualSequentialOnes() async throws {
        let fixture = CLIPFixture.all[1]
        let inputs = try fixture.inputs()
        let urls = inputs.images.map { fixtures.appendingPathComponent($0) }
        let sequential = try CLIP(directory: fixture.directory)
        let imageReference = try sequential.embed(imagesAt: urls).map { try $0.get() }
        let textReference = try sequential.embed(texts: inputs.texts)
        // A fresh model: its weights are packed on first use, here by racing tasks.
        let clip = try CLIP(directory: fixture.directory)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    if task % 2 == 0 {
                        return try clip.embed(imagesAt: urls).map { try $0.get() } == imageReference
                    }
                    return try clip.embed(texts: inputs.texts) == textReference
                }
            }
            for try await same in group { #expect(same) }
        }
    }
}
