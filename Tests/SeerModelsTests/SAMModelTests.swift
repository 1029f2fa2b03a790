import Foundation
import Testing
import SeerImage
import SeerTensor
@testable import SeerModels

/// Seer's SAM against transformers' SamProcessor (SamImageProcessorPil) + SamModel on the
/// same tiny random checkpoint, two real photos and prompts of every kind.
@Suite(.serialized) struct SAMModelTests {
    static let sam = Result { try SAM(directory: SAMFixture.directory) }

    @Test func pixelValuesMatchTheProcessor() throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        let expected = try SAMFixture.expected("pixel_values_s7")
        let (side, stride) = (sam.config.vision.imageSize, manifest.pixel_stride)
        let sub = expected.shape[2]
        for (i, entry) in manifest.images.enumerated() {
            let (pixels, width, height) = sam.processor.pixelValues(try SAMFixture.image(entry))
            #expect([height, width] == entry.resized_size, "\(entry.path): resized to \(width)×\(height)")
            let got = pixels.scalars
            var diff: Float = 0
            for c in 0..<3 {
                let plane = got[(c * side * side)..<((c + 1) * side * side)]
                let reference = Array(expected.scalars[((i * 3 + c) * sub * sub)..<((i * 3 + c + 1) * sub * sub)])
                diff = max(diff, maxAbsDiff(subsampled(plane, side: side, stride: stride), reference))
            }
            // Same uint8 resize (Pillow's algorithm), same float32 arithmetic: identical.
            #expect(diff == 0, "\(entry.path): pixel values differ by up to \(diff)")
        }
    }

    @Test func imageEmbeddingsMatchTransformers() throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        for (i, entry) in manifest.images.enumerated() {
            let got = try sam.embed(try SAMFixture.image(entry))
            let reference = try SAMFixture.referenceEmbedding(i, entry)
            #expect(got.channels == reference.channels && got.gridSize == reference.gridSize)
            #expect([got.originalHeight, got.originalWidth] == entry.original_size)
            #expect([got.resizedHeight, got.resizedWidth] == entry.resized_size)
            let (cosine, diff) = agreement(got.values, reference.values)
            print("SAM embedding \(entry.path): cosine \(cosine), max abs diff \(diff)")
            #expect(cosine >= 0.9999, "\(entry.path): cosine \(cosine)")
            #expect(diff <= 1e-4, "\(entry.path): max abs diff \(diff)")
        }
        #expect(try sam.imageEmbedding(pixelValues: Tensor(zeros: [3, 1024, 1024])).shape == [32, 64, 64])
        #expect(throws: ModelError.self) { try sam.imageEmbedding(pixelValues: Tensor(zeros: [3, 512, 512])) }
    }

    /// Every prompt of the fixture, from the reference's embedding (so only the prompt encoder,
    /// decoder and post-processing are under test), single and multimask.
    @Test(arguments: [true, false])
    func masksMatchTransformers(multimask: Bool) throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        var worst: (low: Float, post: Float, iou: Float) = (0, 0, 0)
        for (i, entry) in manifest.images.enumerated() {
            let embedding = try SAMFixture.referenceEmbedding(i, entry)
            for (p, fixturePrompt) in entry.prompts.enumerated() {
                let name = "\(i)_\(p)_\(multimask ? 1 : 0)"
                let prediction = try sam.predict(embedding, prompts: [SAMFixture.prompt(fixturePrompt)], multimask: multimask)[0]
                let iou = try SAMFixture.expected("iou_\(name)").scalars
                #expect(prediction.iouScores.count == (multimask ? 3 : 1))
                let iouDiff = maxAbsDiff(prediction.iouScores, iou)
                #expect(iouDiff <= 1e-5, "\(name): IoU \(prediction.iouScores) vs \(iou)")

                let lowRes = try SAMFixture.expected("low_\(name)_s3")
                let side = SAMPrediction.lowResSize
                for m in 0..<iou.count {
                    #expect(prediction.lowResLogits[m].count == side * side)
                    let reference = Array(lowRes.scalars[(m * lowRes.shape[1] * lowRes.shape[2])..<((m + 1) * lowRes.shape[1] * lowRes.shape[2])])
                    let diff = maxAbsDiff(subsampled(prediction.lowResLogits[m][...], side: side, stride: manifest.low_res_stride), reference)
                    #expect(diff <= 1e-4, "\(name) mask \(m): low-res logits differ by \(diff)")
                    worst.low = max(worst.low, diff)
                }
                if !multimask && p == 0 {
                    let full = try SAMFixture.expected("low_\(name)").scalars
                    let diff = maxAbsDiff(prediction.lowResLogits[0], full)
                    #expect(diff <= 1e-4, "\(name): full low-res logits differ by \(diff)")
                }
                if entry.post_processed.contains([p, multimask ? 1 : 0]) {
                    let post = try SAMFixture.expected("post_\(name)")
                    #expect(post.shape == [iou.count] + entry.original_size)
                    #expect(prediction.width == entry.original_size[1] && prediction.height == entry.original_size[0])
                    let plane = post.count / iou.count
                    for m in 0..<iou.count {
                        let reference = Array(post.scalars[(m * plane)..<((m + 1) * plane)])
                        let diff = maxAbsDiff(prediction.logits[m], reference)
                        #expect(diff <= 1e-4, "\(name) mask \(m): post-processed logits differ by \(diff)")
                        worst.post = max(worst.post, diff)
                        // Binarized: identical wherever the logit is not within rounding of 0.
                        let mask = prediction.mask(m)
                        let flips = (0..<plane).filter { mask.bits[$0] != (reference[$0] > 0) }
                        #expect(flips.allSatisfy { abs(reference[$0]) < 1e-4 }, "\(name) mask \(m): \(flips.count) pixels flip")
                        #expect(mask.area > 0 && mask.area < plane, "\(name) mask \(m): a degenerate mask tests nothing")
                    }
                }
                worst.iou = max(worst.iou, iouDiff)
            }
        }
        print("SAM decoder (multimask \(multimask)): max abs diff low-res \(worst.low), post-processed \(worst.post), IoU \(worst.iou)")
    }

    /// The whole pipeline: image file → Seer's embedding → masks, against the reference.
    @Test func endToEndFromImageFiles() throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        var worst: Float = 0
        for (i, entry) in manifest.images.enumerated() {
            let embedding = try sam.embed(try SAMFixture.image(entry))
            let prompts = try entry.prompts.map(SAMFixture.prompt)
            let predictions = try sam.predict(embedding, prompts: prompts, multimask: true)
            for (p, prediction) in predictions.enumerated() {
                let iou = try SAMFixture.expected("iou_\(i)_\(p)_1").scalars
                #expect(maxAbsDiff(prediction.iouScores, iou) <= 1e-4, "image \(i) prompt \(p): IoU \(prediction.iouScores) vs \(iou)")
                let lowRes = try SAMFixture.expected("low_\(i)_\(p)_1_s3")
                let plane = lowRes.shape[1] * lowRes.shape[2]
                for m in 0..<3 {
                    let diff = maxAbsDiff(subsampled(prediction.lowResLogits[m][...], side: SAMPrediction.lowResSize, stride: manifest.low_res_stride),
                                          Array(lowRes.scalars[(m * plane)..<((m + 1) * plane)]))
                    #expect(diff <= 5e-4, "image \(i) prompt \(p) mask \(m): low-res logits differ by \(diff)")
                    worst = max(worst, diff)
                }
            }
        }
        print("SAM end to end (multimask): max abs diff low-res \(worst)")
    }

    /// post_process_masks alone, from the reference's own low-resolution logits.
    @Test func postProcessingMatchesTransformers() throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        for (i, entry) in manifest.images.enumerated() {
            let embedding = try SAMFixture.referenceEmbedding(i, entry)
            let lowRes = try SAMFixture.expected("low_\(i)_0_0").scalars
            let reference = try SAMFixture.expected("post_\(i)_0_0").scalars
            var got = [Float](repeating: .nan, count: reference.count)
            lowRes.withUnsafeBufferPointer { src in
                got.withUnsafeMutableBufferPointer { sam.processor.postProcess(src.baseAddress!, size: 256, embedding: embedding, into: $0.baseAddress!) }
            }
            let diff = maxAbsDiff(got, reference)
            #expect(diff <= 1e-5, "\(entry.path): post-processed logits differ by \(diff)")
        }
    }

    /// A prompt's answer does not depend on the prompts beside it in the call.
    @Test func batchedPredictionsEqualOneByOne() throws {
        let sam = try Self.sam.get()
        let manifest = try SAMFixture.manifest()
        let entry = manifest.images[0]
        let embedding = try SAMFixture.referenceEmbedding(0, entry)
        var prompts = try entry.prompts.map(SAMFixture.prompt)
        // What the automatic mask generator sends: many single points (more than one batch).
        let (w, h) = (Double(embedding.originalWidth), Double(embedding.originalHeight))
        for k in 0..<20 {
            prompts.insert(SAMPrompt(points: [SAMPoint(x: w * Double(k % 5 + 1) / 6, y: h * Double(k / 5 + 1) / 5)]), at: k % prompts.count)
        }
        let together = try sam.predict(embedding, prompts: prompts, multimask: true)
        #expect(together.count == prompts.count)
        for (i, prompt) in prompts.enumerated() {
            let alone = try sam.predict(embedding, prompts: [prompt], multimask: true)[0]
            #expect(alone.iouScores == together[i].iouScores, "prompt \(i)")
            #expect(alone.lowResLogits == together[i].lowResLogits, "prompt \(i)")
            #expect(alone.logits == together[i].logits, "prompt \(i)")
        }
        #expect(try sam.predict(embedding, prompts: [], multimask: true).isEmpty)
    }

    @Test func badPromptsAndEmbeddingsAreErrors() throws {
        let sam = try Self.sam.get()
        let entry = try SAMFixture.manifest().images[0]
        let embedding = try SAMFixture.referenceEmbedding(0, entry)
        let point = SAMPoint(x: 10, y: 10)
        func rejects(_ prompts: [SAMPrompt], _ e: SAMImageEmbedding? = nil, mentioning text: String) {
            let error = #expect(throws: ModelError.self) { _ = try sam.predict(e ?? embedding, prompts: prompts, multimask: true) }
            guard case .invalidInput(let message)? = error else { Issue.record("expected invalidInput, got \(String(describing: error))"); return }
            #expect(message.contains(text), "\(message)")
        }
        rejects([SAMPrompt(points: [point]), SAMPrompt()], mentioning: "prompt 1 has no points, no box and no mask")
        rejects([SAMPrompt(points: [point], previousLowResLogits: [Float](repeating: 0, count: 64 * 64))], mentioning: "previousLowResLogits has 4096 values")
        rejects([SAMPrompt(points: [SAMPoint(x: .nan, y: 3)])], mentioning: "not a finite number")
        let otherModel = SAMImageEmbedding(values: [Float](repeating: 0, count: 16 * 64 * 64), channels: 16, gridSize: 64,
                                           originalWidth: 451, originalHeight: 300, resizedWidth: 1024, resizedHeight: 681)
        rejects([SAMPrompt(points: [point])], otherModel, mentioning: "different model")
        let badSizes = SAMImageEmbedding(values: embedding.values, channels: 32, gridSize: 64,
                                         originalWidth: 0, originalHeight: 300, resizedWidth: 1024, resizedHeight: 681)
        rejects([SAMPrompt(points: [point])], badSizes, mentioning: "sizes")
        // A mask alone is a valid prompt (transformers decodes it with no sparse tokens).
        let maskOnly = try sam.predict(embedding, prompts: [SAMPrompt(previousLowResLogits: try SAMFixture.expected("low_0_0_0").scalars)], multimask: false)
        #expect(maskOnly[0].iouScores.count == 1 && maskOnly[0].iouScores[0].isFinite)
        #expect(throws: ModelError.self) { try sam.embed(RGBImage(width: 0, height: 0)) }
    }

    @Test func badModelFoldersAreErrors() throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("sam-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temp) }
        #expect(throws: ModelError.missingFile(temp.appendingPathComponent("config.json").path)) { try SAM(directory: temp) }

        // A config whose vision tower is wider than the weights: the error names the tensor.
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: SAMFixture.directory.appendingPathComponent("config.json"))) as! [String: Any]
        var vision = config["vision_config"] as! [String: Any]
        vision["hidden_size"] = 64
        config["vision_config"] = vision
        try JSONSerialization.data(withJSONObject: config).write(to: temp.appendingPathComponent("config.json"))
        let missingWeights = #expect(throws: ModelError.self) { try SAM(directory: temp) }
        #expect("\(missingWeights.map { "\($0)" } ?? "")".contains("model.safetensors"))
        try FileManager.default.createSymbolicLink(at: temp.appendingPathComponent("model.safetensors"),
                                                   withDestinationURL: SAMFixture.directory.appendingPathComponent("model.safetensors"))
        let wrongShape = #expect(throws: ModelError.self) { try SAM(directory: temp) }
        #expect("\(wrongShape.map { "\($0)" } ?? "")".contains("vision_encoder.patch_embed.projection.weight"))
    }

    /// Absent keys take transformers' defaults: SamConfig() is ViT-B with the standard decoder.
    @Test func configDefaultsAreTransformers() throws {
        let config = try SAMConfig(json: [:])
        #expect(config.vision.hiddenSize == 768 && config.vision.numHiddenLayers == 12 && config.vision.mlpDim == 3072)
        #expect(config.vision.windowSize == 14 && config.vision.globalAttnIndexes == [2, 5, 8, 11] && config.vision.gridSize == 64)
        #expect(config.promptEncoder.maskInputChannels == 16 && config.maskDecoder.mlpDim == 2048 && config.maskDecoder.numAttentionHeads == 8)
        #expect(throws: ModelError.self) { try SAMConfig(json: ["mask_decoder_config": ["hidden_size": 128]]) }
        let processor = SAMProcessor()
        #expect(processor.resizedSize(width: 451, height: 300) == (1024, 681))
        #expect(processor.resizedSize(width: 140, height: 256) == (560, 1024))
    }
}
