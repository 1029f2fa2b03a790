import Foundation
import Testing
import SeerImage
import SeerModels
import SeerTensor

/// `seer segment` run as a process on the tiny SAM fixture, checked against the library's own
/// answers (and transformers' IoU scores from Tests/Fixtures/sam-tiny/expected).
@Suite(.serialized) struct SegmentCLITests {
    static let samModel = fixtures.appendingPathComponent("sam-tiny")
    static let sam = try! SAM(directory: samModel)
    static let photo = try! ImageLoader.load(contentsOf: URL(fileURLWithPath: chelsea))
    static let embedding = try! sam.embed(photo)

    func document(_ result: RunResult) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        #expect(lines.count == 1)
        return try #require(lines.first)
    }

    func masks(_ document: [String: Any]) -> [[String: Any]] { document["masks"] as? [[String: Any]] ?? [] }

    func rleMask(_ record: [String: Any]) throws -> BinaryMask {
        let segmentation = try #require(record["segmentation"] as? [String: Any])
        let size = try #require(segmentation["size"] as? [Int])
        return try MaskRLE(width: size[1], height: size[0], compressed: try #require(segmentation["counts"] as? String)).decoded()
    }

    @Test func pointPromptPrintsTheLibrarysMaskAsCOCORLE() throws {
        let doc = try document(try seer(["segment", chelsea, "--model", Self.samModel.path, "--point", "203,165"]))
        #expect(doc["image"] as? String == chelsea)
        #expect(doc["width"] as? Int == 451 && doc["height"] as? Int == 300)
        let records = masks(doc)
        #expect(records.count == 1)
        let prediction = try Self.sam.predict(Self.embedding, prompts: [SAMPrompt(points: [SAMPoint(x: 203, y: 165)])], multimask: false)[0]
        let record = try #require(records.first)
        let iou = (record["predicted_iou"] as! NSNumber).floatValue
        #expect(iou == prediction.iouScores[0])
        // transformers' score for the same prompt.
        let reference = try NPY.decode(Data(contentsOf: Self.samModel.appendingPathComponent("expected/iou_0_0_0.npy"))).scalars
        #expect(abs(iou - reference[0]) < 1e-4)
        let mask = prediction.mask(0)
        #expect(try rleMask(record) == mask)
        #expect(record["area"] as? Int == mask.area)
        #expect(record["bbox"] as? [Int] == mask.cocoBoundingBox)
        #expect(record["stability_score"] == nil)
    }

    @Test func pointsAndBoxWithMultimaskGiveThreeMasks() throws {
        let doc = try document(try seer(["segment", chelsea, "--model", Self.samModel.path, "--point", "203,165,1", "--point", "360.8, 60, 0",
                                          "--box", "90.2,75,315.7,270", "--multimask"]))
        let records = masks(doc)
        #expect(records.count == 3)
        let prompt = SAMPrompt(points: [SAMPoint(x: 203, y: 165), SAMPoint(x: 360.8, y: 60, isForeground: false)],
                               box: SAMBox(x0: 90.2, y0: 75, x1: 315.7, y1: 270))
        let prediction = try Self.sam.predict(Self.embedding, prompts: [prompt], multimask: true)[0]
        for (i, record) in records.enumerated() {
            #expect((record["predicted_iou"] as! NSNumber).floatValue == prediction.iouScores[i])
            #expect(try rleMask(record) == prediction.mask(i))
        }
    }

    @Test func polygonsPNGAndRLEFormatsDescribeTheSameMask() throws {
        let base = ["segment", chelsea, "--model", Self.samModel.path, "--point", "100,80"]
        let reference = try rleMask(try #require(masks(try document(try seer(base))).first))
        #expect(reference.area > 0)

        let polygonRecord = try #require(masks(try document(try seer(base + ["--format", "polygons"]))).first)
        let polygons = try #require(polygonRecord["segmentation"] as? [[Double]])
        #expect(BinaryMask(width: 451, height: 300, polygons: polygons) == reference)

        let rle = try seer(base + ["--format", "rle"])
        #expect(rle.status == 0, "\(rle.stderr)")
        let line = try #require(try jsonLines(rle.stdout).first)
        #expect(line["size"] as? [Int] == [300, 451])
        #expect(try MaskRLE(width: 451, height: 300, compressed: line["counts"] as! String).decoded() == reference)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seer-segment-\(UUID().uuidString)/masks")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let png = try document(try seer(base + ["--multimask", "--format", "png", "--out", folder.path]))
        let files = masks(png).compactMap { $0["file"] as? String }
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["mask-000.png", "mask-001.png", "mask-002.png"])
        let prediction = try Self.sam.predict(Self.embedding, prompts: [SAMPrompt(points: [SAMPoint(x: 100, y: 80)])], multimask: true)[0]
        for (i, file) in files.enumerated() {
            let image = try ImageLoader.load(contentsOf: URL(fileURLWithPath: file))
            let decoded = BinaryMask(width: image.width, height: image.height, bits: stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] == 255 })
            #expect(decoded == prediction.mask(i))
        }
        // Nothing but the masks (no temporary files) is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["mask-000.png", "mask-001.png", "mask-002.png"])
    }

    /// The CLI decodes 7 prompts at a time, the library 64: the masks must not depend on it.
    @Test func autoMatchesTheLibrarysGenerator() throws {
        let doc = try document(try seer(["segment", chelsea, "--model", Self.samModel.path, "--auto", "--points-per-side", "5",
                                         "--points-per-batch", "7", "--pred-iou-thresh", "0.3", "--stability-score-thresh", "0"]))
        var options = AutomaticMaskGenerator.Options()
        options.pointsPerSide = 5
        options.predIoUThreshold = 0.3
        options.stabilityScoreThreshold = 0
        let expected = try AutomaticMaskGenerator(model: Self.sam, options: options).generate(Self.embedding)
        let records = masks(doc)
        #expect(!expected.isEmpty)
        #expect(records.count == expected.count)
        for (record, mask) in zip(records, expected) {
            #expect((record["predicted_iou"] as! NSNumber).floatValue == mask.predictedIoU)
            #expect((record["stability_score"] as! NSNumber).floatValue == mask.stabilityScore)
            // Foundation's JSON parser can be off in the last digit, hence the tolerance.
            let point = try #require((record["point_coords"] as? [[Double]])?.first)
            #expect(abs(point[0] - mask.point.x) < 1e-9 && abs(point[1] - mask.point.y) < 1e-9)
            #expect(record["crop_box"] as? [Int] == [0, 0, 451, 300])
            #expect(try rleMask(record) == mask.mask)
        }
    }

    @Test(arguments: [
        (["--point", "10,nan"], "finite"),
        (["--point", "10"], "x,y"),
        (["--point", "10,20,2"], "label"),
        (["--point", "ten,20"], "not a number"),
        (["--box", "50,50,10,10"], "corner"),
        (["--box", "1,2,3"], "x0,y0,x1,y1"),
        ([String](), "--point"),
        (["--auto", "--point", "1,2"], "--auto"),
        (["--point", "1,2", "--format", "png"], "--out"),
        (["--auto", "--points-per-side", "0"], "--points-per-side"),
        (["--auto", "--points-per-side", "5000"], "--points-per-side"),
        (["--auto", "--pred-iou-thresh", "nan"], "--pred-iou-thresh"),
        (["--auto", "--points-per-batch", "0"], "--points-per-batch"),
    ])
    func rejectsBadPrompts(_ arguments: [String], _ message: String) throws {
        let result = try seer(["segment", chelsea, "--model", Self.samModel.path] + arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func reportsUnreadableImagesAndMissingModels() throws {
        let notAnImage = FileManager.default.temporaryDirectory.appendingPathComponent("seer-\(UUID().uuidString).jpg")
        try Data("not a picture".utf8).write(to: notAnImage)
        defer { try? FileManager.default.removeItem(at: notAnImage) }
        let bad = try seer(["segment", notAnImage.path, "--model", Self.samModel.path, "--point", "1,1"])
        #expect(bad.status == 1 && bad.stdout.isEmpty)
        #expect(bad.stderr.contains(notAnImage.path) && bad.stderr.contains("not a JPEG, PNG or WebP"), "\(bad.stderr)")

        let missing = try seer(["segment", chelsea, "--model", "/nonexistent/sam-folder", "--point", "1,1"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("/nonexistent/sam-folder"), "\(missing.stderr)")

        // A CLIP checkpoint is not a SAM one.
        let wrong = try seer(["segment", chelsea, "--model", tinyModel.path, "--point", "1,1"])
        #expect(wrong.status == 1 && wrong.stdout.isEmpty && !wrong.stderr.isEmpty)
    }
}
