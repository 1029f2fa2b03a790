import Foundation
import Testing
import SeerImage
import SeerTensor
@testable import SeerModels

/// A tiny random OWL-ViT or OWLv2 detector of Tests/Fixtures against transformers'
/// OwlViTForObjectDetection / Owlv2ForObjectDetection (scripts/fixtures/make_owl_fixtures.py).
struct OWLFixture: Sendable, CustomStringConvertible {
    let name: String
    let version: OWLVersion
    var directory: URL { fixtures.appendingPathComponent(name) }
    var description: String { name }

    static let all = [OWLFixture(name: "owlvit-tiny", version: .v1), OWLFixture(name: "owlv2-tiny", version: .v2)]

    struct Detections: Decodable {
        let boxes: [[Float]]
        let scores: [Float]
        let labels: [Int]?
    }

    struct Reference: Decodable {
        let images: [String]
        let texts: [String]
        let query_image: String
        let small_image: String
        let image_sizes: [[Int]]
        let threshold: Float
        let detections: [Detections]
        let guided_threshold: Float
        let nms_threshold: Float
        let guided_detections: [Detections]
    }

    func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: directory.appendingPathComponent("expected/detections.json")))
    }

    func expected(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: directory.appendingPathComponent("expected/\(name).npy")))
    }

    /// A little-endian int32 .npy (format 1.0), as the flat values.
    func int32NPY(_ name: String) throws -> [Int32] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected/\(name).npy"))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        try #require(header.contains("'<i4'"), "\(name).npy: \(header)")
        let body = data[(10 + headerLength)...]
        return stride(from: body.startIndex, to: body.endIndex, by: 4).map { i -> Int32 in
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(body[i + k]) << UInt32(8 * k) }
            return Int32(bitPattern: bits)
        }
    }

    func image(_ path: String) throws -> RGBImage { try ImageLoader.load(contentsOf: fixtures.appendingPathComponent(path)) }
}

@Suite struct OWLModelTests {
    /// OWL-ViT: PIL bicubic straight to the square; OWLv2: pad, Gaussian, bilinear zoom (scipy),
    /// including an image smaller than the input (upsampled, no Gaussian).
    @Test(arguments: OWLFixture.all) func pixelValuesMatchTheProcessor(_ fixture: OWLFixture) throws {
        let owl = try OWL(directory: fixture.directory, version: fixture.version)
        let reference = try fixture.reference()
        let want = try fixture.expected("pixel_values"), wantSmall = try fixture.expected("pixel_values_small")
        let plane = want.count / want.shape[0]
        var worst: Float = 0
        for (i, path) in reference.images.enumerated() {
            let got = owl.processor.pixelValues(try fixture.image(path))
            worst = max(worst, maxAbsDiff(got, Array(want.scalars[(i * plane)..<((i + 1) * plane)])))
        }
        worst = max(worst, maxAbsDiff(owl.processor.pixelValues(try fixture.image(reference.small_image)), wantSmall.scalars))
        print("\(fixture) pixel values: max abs diff \(worst)")
        #expect(worst == 0)
    }

    /// transformers passes OWLv2's `resample` on as `anti_aliasing`: 0 means no Gaussian.
    @Test func owlv2ResampleZeroSkipsTheGaussian() throws {
        let fixture = OWLFixture.all[1]
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.directory.appendingPathComponent("preprocessor_config.json"))) as! [String: Any]
        json["resample"] = 0
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("owlv2-resample0-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        let processor = try OWLv2ImageProcessor(contentsOf: file)
        #expect(!processor.antiAlias)
        let got = processor.pixelValues(try fixture.image(fixture.reference().images[0]))
        #expect(maxAbsDiff(got, try fixture.expected("pixel_values_resample0").scalars) == 0)
        let smoothed = try fixture.expected("pixel_values")
        #expect(maxAbsDiff(got, Array(smoothed.scalars.prefix(got.count))) > 0.1)
    }

    /// logits, pred_boxes and objectness from the reference's pixel values and token ids.
    @Test(arguments: OWLFixture.all) func headsMatchTransformers(_ fixture: OWLFixture) throws {
        let owl = try OWL(directory: fixture.directory, version: fixture.version)
        let reference = try fixture.reference()
        // The processor's ids are the tokenizer's, padded with "!" (id 0) to 16.
        let ids = try fixture.int32NPY("input_ids")
        for (r, text) in reference.texts.enumerated() {
            let encoded = owl.tokenizer.encode(text)
            #expect(encoded + [Int32](repeating: 0, count: 16 - encoded.count) == Array(ids[(r * 16)..<((r + 1) * 16)]))
        }
        let output = try owl.model.detect(pixelValues: fixture.expected("pixel_values"), queries: owl.textQueries(reference.texts))
        let logitsDiff = maxAbsDiff(output.logits.scalars, try fixture.expected("logits").scalars)
        let boxesDiff = maxAbsDiff(output.predBoxes.scalars, try fixture.expected("pred_boxes").scalars)
        print("\(fixture): logits max abs diff \(logitsDiff), pred_boxes \(boxesDiff)")
        #expect(logitsDiff <= 1e-4)
        #expect(boxesDiff <= 1e-4)
        if fixture.version == .v2 {
            let objectnessDiff = maxAbsDiff(try #require(output.objectness).scalars, try fixture.expected("objectness").scalars)
            print("\(fixture): objectness max abs diff \(objectnessDiff)")
            #expect(objectnessDiff <= 1e-4)
        } else {
            #expect(output.objectness == nil)
        }
    }

    /// post_process_object_detection on the photos, end to end from the image files: the same
    /// boxes kept, labels equal, scores and corners within 1e-4 (relative to pixel size for corners).
    @Test(arguments: OWLFixture.all) func textDetectionsMatchPostProcessing(_ fixture: OWLFixture) throws {
        let owl = try OWL(directory: fixture.directory, version: fixture.version)
        let reference = try fixture.reference()
        let images = try reference.images.map { try fixture.image($0) }
        let found = try owl.detect(images, prompts: reference.texts, options: DetectionOptions(threshold: reference.threshold))
        for (i, (got, want)) in zip(found, reference.detections).enumerated() {
            try expectSameDetections(got, want, imageSize: reference.image_sizes[i], context: "\(fixture) image \(i)")
        }
    }

    /// image_guided_detection with owl-inputs/query.png, and post_process_image_guided_detection.
    @Test(arguments: OWLFixture.all) func imageGuidedDetectionMatchesTransformers(_ fixture: OWLFixture) throws {
        let owl = try OWL(directory: fixture.directory, version: fixture.version)
        let reference = try fixture.reference()
        let queryFeatures = try owl.model.imageFeatures(pixelValues: owl.pixelValues(fixture.image(reference.query_image)))
        let query = owl.model.imageQuery(features: queryFeatures).embeddings
        let features = try owl.model.imageFeatures(pixelValues: fixture.expected("pixel_values"))
        let logitsDiff = maxAbsDiff(owl.model.logits(features: features, queries: query).scalars, try fixture.expected("guided_logits").scalars)
        let boxesDiff = maxAbsDiff(owl.model.boxes(features: features).scalars, try fixture.expected("guided_boxes").scalars)
        print("\(fixture) image-guided: logits max abs diff \(logitsDiff), boxes \(boxesDiff)")
        #expect(logitsDiff <= 1e-4)
        #expect(boxesDiff <= 1e-4)

        let images = try reference.images.map { try fixture.image($0) }
        let found = try owl.detect(images, like: fixture.image(reference.query_image),
                                   options: DetectionOptions(threshold: reference.guided_threshold, nmsIoU: reference.nms_threshold))
        for (i, (got, want)) in zip(found, reference.guided_detections).enumerated() {
            try expectSameDetections(got, want, imageSize: reference.image_sizes[i], context: "\(fixture) guided image \(i)")
        }
    }

    @Test func badInputsAreErrors() throws {
        let owl = try OWL(directory: OWLFixture.all[1].directory, version: .v2)
        #expect(throws: ModelError.self) { try owl.detect([RGBImage(width: 4, height: 4)], prompts: [], options: DetectionOptions()) }
        #expect(throws: ModelError.self) { try owl.detect([RGBImage(width: 4, height: 4)], prompts: ["cat", " "], options: DetectionOptions()) }
        // A prompt longer than 16 tokens is truncated, not an error.
        let long = String(repeating: "a very long prompt ", count: 10)
        #expect(try owl.detect([RGBImage(width: 4, height: 4)], prompts: [long], options: DetectionOptions()).count == 1)
    }

    @Test func registryLoadsBothVersions() throws {
        for fixture in OWLFixture.all {
            let model = try ModelRegistry.shared.load(directory: fixture.directory)
            #expect(model.modelType == fixture.version.rawValue)
            _ = try model.requireDetector()
            #expect(throws: CapabilityError.self) { try model.requireText() }
        }
    }
}

/// The same boxes in the same order, scores within 1e-4, corners within 1e-4 of the image's size.
func expectSameDetections(_ got: [Detection], _ want: OWLFixture.Detections, imageSize: [Int], context: String) throws {
    try #require(got.count == want.scores.count, "\(context): \(got.count) boxes kept, transformers keeps \(want.scores.count)")
    let scale = Float(max(imageSize[0], imageSize[1]))
    var scoreDiff: Float = 0, boxDiff: Float = 0
    for (k, d) in got.enumerated() {
        scoreDiff = max(scoreDiff, abs(d.score - want.scores[k]))
        let w = want.boxes[k]
        boxDiff = max(boxDiff, [d.box.x0 - w[0], d.box.y0 - w[1], d.box.x1 - w[2], d.box.y1 - w[3]].map { abs($0) / scale }.max()!)
        if let labels = want.labels { #expect(d.label == labels[k], "\(context): box \(k) label") }
    }
    print("\(context): \(got.count) boxes, score max abs diff \(scoreDiff), corner max abs diff / side \(boxDiff)")
    #expect(scoreDiff <= 1e-4, "\(context)")
    #expect(boxDiff <= 1e-4, "\(context)")
}
