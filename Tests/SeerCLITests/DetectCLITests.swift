import Foundation
import SeerDrawing
import SeerImage
import SeerModels
import Testing

/// `seer detect` with the tiny OWLv2 and OWL-ViT of Tests/Fixtures: the boxes it prints are
/// transformers' post_process_object_detection on the same photos (make_owl_fixtures.py).
@Suite(.serialized) struct DetectCLITests {
    struct Reference: Decodable {
        struct Detections: Decodable {
            let boxes: [[Float]]
            let scores: [Float]
            let labels: [Int]
        }
        let images: [String]
        let texts: [String]
        let threshold: Float
        let detections: [Detections]
    }

    func reference(_ model: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("\(model)/expected/detections.json")))
    }

    @Test(arguments: ["owlv2-tiny", "owlvit-tiny"]) func jsonLinesMatchTransformers(_ model: String) throws {
        let reference = try reference(model)
        let photos = reference.images.map { fixtures.appendingPathComponent($0).path }
        let result = try seer(["detect", "--model", fixtures.appendingPathComponent(model).path,
                               "--prompts", reference.texts.joined(separator: ","), "--threshold", "\(reference.threshold)"] + photos)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        try #require(lines.count == photos.count)
        for (i, line) in lines.enumerated() {
            #expect(line["path"] as? String == photos[i])
            let detections = line["detections"] as! [[String: Any]]
            let want = reference.detections[i]
            try #require(detections.count == want.scores.count, "\(photos[i]): \(detections.count) boxes, transformers keeps \(want.scores.count)")
            // Printed best first; transformers lists them in box order.
            let order = want.scores.indices.sorted { want.scores[$0] > want.scores[$1] }
            for (d, k) in zip(detections, order) {
                let box = (d["box"] as! [NSNumber]).map(\.floatValue), bbox = (d["bbox"] as! [NSNumber]).map(\.floatValue)
                #expect(maxAbsDiff(box, want.boxes[k]) < 0.01, "\(photos[i]): \(box) vs \(want.boxes[k])")
                #expect(maxAbsDiff(bbox, [box[0], box[1], box[2] - box[0], box[3] - box[1]]) < 1e-3)
                #expect(abs((d["score"] as! NSNumber).floatValue - want.scores[k]) < 1e-4)
                #expect(d["class_id"] as? Int == want.labels[k])
                #expect(d["label"] as? String == reference.texts[want.labels[k]])
            }
        }
    }

    @Test func roboflowFormatAndOptions() throws {
        let reference = try reference("owlv2-tiny")
        let model = fixtures.appendingPathComponent("owlv2-tiny").path
        let result = try seer(["detect", "--model", model, "--prompts", reference.texts.joined(separator: ","), "--threshold", "0",
                               "--nms", "0.3", "--max-detections", "5", "--format", "roboflow", chelsea])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(try jsonLines(result.stdout).first)
        let image = line["image"] as! [String: Any]
        #expect(image["width"] as? Int == 451 && image["height"] as? Int == 300)
        let predictions = line["predictions"] as! [[String: Any]]
        #expect(predictions.count == 5)
        for p in predictions {
            for key in ["x", "y", "width", "height", "confidence"] { #expect(p[key] is NSNumber, "\(key)") }
            #expect(reference.texts.contains(p["class"] as! String))
            #expect((p["class_id"] as? Int).map { (0..<3).contains($0) } == true)
            #expect((p["detection_id"] as? String)?.count == 36)
        }
        let confidences = predictions.map { ($0["confidence"] as! NSNumber).floatValue }
        #expect(confidences == confidences.sorted(by: >))
    }

    /// A video: one line per sampled frame with its number and time, in order.
    @Test func videoFramesGetALineEach() throws {
        let video = fixtures.appendingPathComponent("video/bikes.mp4").path
        let result = try seer(["detect", "--model", fixtures.appendingPathComponent("owlv2-tiny").path, "--prompts", "a bicycle,a person",
                               // 0.25 fps: each 720p frame costs seconds in a debug build (OWLv2's
                               // Gaussian), and this suite holds a test thread while it waits.
                               "--fps", "0.25", "--max-detections", "3", video])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        #expect(lines.count >= 2, "bikes.mp4 is about 10 s long: \(lines.count) frames at 0.25 fps")
        for (i, line) in lines.enumerated() {
            #expect(line["path"] as? String == video)
            #expect(line["frame"] as? Int == i)
            #expect((line["detections"] as! [[String: Any]]).count <= 3)
        }
        let times = lines.compactMap { ($0["time"] as? NSNumber)?.doubleValue }
        #expect(times.count == lines.count && times == times.sorted() && Set(times).count == times.count)
    }

    /// --query-box around one of the model's own candidate boxes: that box is found again first,
    /// with score (cosine 1 + 1) / 2 = 1, and the lines equal the library's few-shot detection.
    @Test func queryBoxFindsItsOwnObjectFirst() throws {
        let model = fixtures.appendingPathComponent("owlv2-tiny")
        let owl = try OWL(directory: model, version: .v2)
        let photo = try ImageLoader.load(contentsOf: URL(fileURLWithPath: chelsea))
        let side = Float(max(photo.width, photo.height))
        let box = try owl.candidates(photo, limit: 1).boxes[0].scaled(x: side, y: side)
        let coffee = fixtures.appendingPathComponent("clip-inputs/coffee.png").path
        let result = try seer(["detect", "--model", model.path, "--query-from", chelsea,
                               "--query-box", "\(box.x0),\(box.y0),\(box.x1),\(box.y1)", "--threshold", "0.9", chelsea, coffee])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        try #require(lines.count == 2)
        let example = ExampleImage(image: photo, boxes: [ExampleBox(centreX: (box.x0 + box.x1) / 2, centreY: (box.y0 + box.y1) / 2,
                                                                      width: box.width, height: box.height, className: "x")])
        let want = try owl.detect([photo, try ImageLoader.load(contentsOf: URL(fileURLWithPath: coffee))], examples: [example],
                                  options: ExampleDetectionOptions(confidence: 0.9))
        for (line, expected) in zip(lines, want.detections) {
            let got = line["detections"] as! [[String: Any]]
            #expect(got.count == expected.count)
            for (d, e) in zip(got, expected) {
                let corners = (d["box"] as! [NSNumber]).map(\.floatValue)
                #expect(maxAbsDiff(corners, [e.box.x0, e.box.y0, e.box.x1, e.box.y1]) < 0.01)
                #expect(d["label"] as? String == "like box in chelsea.jpg")
            }
        }
        let first = try #require((lines[0]["detections"] as! [[String: Any]]).first)
        #expect((first["score"] as! NSNumber).floatValue > 0.9999)
        #expect(maxAbsDiff((first["box"] as! [NSNumber]).map(\.floatValue), [box.x0, box.y0, box.x1, box.y1]) < 0.01)

        let outside = try seer(["detect", "--model", model.path, "--query-from", chelsea, "--query-box", "5000,0,5010,10", chelsea])
        #expect(outside.status == 1 && outside.stderr.contains("lies outside"), "\(outside.stderr)")
        let alone = try seer(["detect", "--model", model.path, "--query-box", "0,0,10,10", chelsea])
        #expect(alone.status != 0 && alone.stderr.contains("--query-from"), "\(alone.stderr)")
    }

    /// --draw writes each photo as a PNG of its size with every printed box outlined in its label's colour.
    @Test func drawWritesTheBoxesOnEachPhoto() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-draw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try seer(["detect", "--model", fixtures.appendingPathComponent("owlv2-tiny").path, "--prompts", "a cat,a cup",
                               "--threshold", "0.3", "--nms", "0.3", "--draw", folder.path, chelsea])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(try jsonLines(result.stdout).first)
        let detections = line["detections"] as! [[String: Any]]
        try #require(!detections.isEmpty)
        let original = try ImageLoader.load(contentsOf: URL(fileURLWithPath: chelsea))
        let drawn = try ImageLoader.load(contentsOf: folder.appendingPathComponent("chelsea.png"))
        #expect(drawn.width == original.width && drawn.height == original.height)
        #expect(drawn.pixels != original.pixels)
        // The best box is drawn last, on top: the middle of its left edge has its label's colour.
        let best = detections[0], box = (best["box"] as! [NSNumber]).map(\.floatValue)
        let colour = Colour.palette[best["class_id"] as! Int]
        let x = Int(box[0].rounded(.down)), y = Int((box[1] + box[3]) / 2)
        if x >= 0 && x < drawn.width && y >= 0 && y < drawn.height {
            let i = (y * drawn.width + x) * 3
            #expect(Array(drawn.pixels[i..<i + 3]) == [colour.r, colour.g, colour.b])
        }
        let badFont = try seer(["detect", "--model", fixtures.appendingPathComponent("owlv2-tiny").path, "--prompts", "a cat",
                                "--draw", folder.appendingPathComponent("other").path, "--font", "/nonexistent.ttf", chelsea])
        #expect(badFont.status == 1 && badFont.stderr.contains("does not exist"), "\(badFont.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other").path))
    }

    /// Grounded SAM: --segment gives each printed box the mask SAM makes from that box, as the
    /// library's masks(forBoxes:) (whose box prompts match transformers' SamModel in the SAM tests).
    @Test func segmentAddsEachBoxesSAMMask() throws {
        let owl = fixtures.appendingPathComponent("owlv2-tiny").path, sam = fixtures.appendingPathComponent("sam-tiny")
        let common = ["detect", "--model", owl, "--prompts", "a cat,a cup", "--threshold", "0.3", "--nms", "0.3", "--segment", "--sam-model", sam.path]
        let result = try seer(common + [chelsea])
        #expect(result.status == 0, "\(result.stderr)")
        let detections = try #require(try jsonLines(result.stdout).first?["detections"] as? [[String: Any]])
        try #require(!detections.isEmpty)
        let photo = try ImageLoader.load(contentsOf: URL(fileURLWithPath: chelsea))
        let boxes = detections.map { d -> BoxCorners in
            let b = (d["box"] as! [NSNumber]).map(\.floatValue)
            return BoxCorners(x0: b[0], y0: b[1], x1: b[2], y1: b[3])
        }
        let segmenter = try ModelRegistry.shared.load(directory: sam).requireSegmenter()
        let want = try segmenter.masks(forBoxes: boxes, in: photo)
        for (d, mask) in zip(detections, want) {
            let rle = try #require(d["segmentation"] as? [String: Any])
            #expect(rle["counts"] as? String == MaskRLE(mask).compressed)
            #expect((rle["size"] as? [Int]) == [photo.height, photo.width])
            #expect(d["area"] as? Int == mask.area)
        }
        let polygons = try seer(common + ["--mask-format", "polygons", "--format", "json", chelsea])
        let first = try #require((try jsonLines(polygons.stdout).first?["detections"] as? [[String: Any]])?.first)
        #expect((first["segmentation"] as? [[Double]])?.isEmpty == false)
        let roboflow = try seer(common + ["--format", "roboflow", chelsea])
        let prediction = try #require((try jsonLines(roboflow.stdout).first?["predictions"] as? [[String: Any]])?.first)
        #expect(((prediction["points"] as? [[String: Double]])?.count ?? 0) >= 3, "an outline of {x, y} points")
        let alone = try seer(["detect", "--model", owl, "--prompts", "a cat", "--segment", chelsea])
        #expect(alone.status != 0 && alone.stderr.contains("--sam-model"), "\(alone.stderr)")
    }

    @Test func badInputIsOneLineOfError() throws {
        let model = fixtures.appendingPathComponent("owlv2-tiny").path
        let noPrompts = try seer(["detect", "--model", model, chelsea])
        #expect(noPrompts.status != 0 && noPrompts.stderr.contains("--prompts"), "\(noPrompts.stderr)")

        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("seer-detect-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: truncated) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: chelsea))
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        let broken = try seer(["detect", "--model", model, "--prompts", "a cat", truncated.path, chelsea])
        #expect(broken.status == 1, "\(broken.stderr)")
        #expect(try jsonLines(broken.stdout).count == 1)  // the good photo still gets its line
        #expect(broken.stderr.contains("1 of 2 images could not be read"), "\(broken.stderr)")

        let clip = try seer(["detect", "--model", fixtures.appendingPathComponent("clip-tiny-gelu-p16").path, "--prompts", "a cat", chelsea])
        #expect(clip.status == 1 && clip.stderr.contains("does not detect objects") && clip.stderr.contains("owlv2"), "\(clip.stderr)")
    }
}
