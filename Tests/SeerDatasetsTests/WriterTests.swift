import Foundation
import Testing
import SeerImage
@testable import SeerDatasets

/// The writers and the state on hand-made labels (the CLI tests run them on a real detector).
@Suite struct WriterTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-datasets-\(UUID().uuidString)")
    var input: URL { root.appendingPathComponent("input") }
    var out: URL { root.appendingPathComponent("out") }

    /// Three "images" (any bytes: writers never decode them) and their labels.
    func labelled() throws -> [LabeledImage] {
        try FileManager.default.createDirectory(at: input.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var mask = BinaryMask(width: 10, height: 8)
        for y in 2..<5 { for x in 1..<4 { mask.bits[y * 10 + x] = true } }   // 3×3 square at (1, 2)
        mask.bits[7 * 10 + 9] = true                                          // and a lone pixel: two parts
        let images = [
            LabeledImage(relativePath: "a.jpg", sourcePath: input.appendingPathComponent("a.jpg").path, width: 10, height: 8,
                         objects: [LabeledObject(classID: 1, score: 0.9, box: [1, 2, 4, 5]),
                                   LabeledObject(classID: 0, score: 0.5, box: [0, 0, 10, 8], mask: MaskRLE(mask).compressed)]),
            LabeledImage(relativePath: "sub/b.png", sourcePath: input.appendingPathComponent("sub/b.png").path, width: 20, height: 10, objects: []),
            LabeledImage(relativePath: "c.webp", sourcePath: input.appendingPathComponent("c.webp").path, width: 4, height: 4,
                         objects: [LabeledObject(classID: 0, score: 0.25, box: [0.5, 1, 3.5, 4])]),
        ]
        for image in images { try Data(image.relativePath.utf8).write(to: URL(fileURLWithPath: image.sourcePath)) }
        return images
    }

    func state(_ images: [LabeledImage]) throws -> LabelingState {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let state = try LabelingState(folder: out, settings: "test")
        for image in images { try state.record(image) }
        return state
    }

    @Test func yoloLinesAreNormalisedWithSixDecimals() throws {
        let box = LabeledObject(classID: 2, score: 1, box: [1, 2, 4, 5])
        #expect(try YOLOWriter.line(box, width: 10, height: 8) == "2 0.250000 0.437500 0.300000 0.375000")
        var mask = BinaryMask(width: 10, height: 8)
        mask.bits[3 * 10 + 5] = true
        let masked = LabeledObject(classID: 0, score: 1, box: [0, 0, 1, 1], mask: MaskRLE(mask).compressed)
        // The pixel (5, 3) is the unit square between corners (5, 3) and (6, 4).
        let line = try YOLOWriter.line(masked, width: 10, height: 8)
        let numbers = line.split(separator: " ").dropFirst().map { Double($0)! }
        let xs = stride(from: 0, to: numbers.count, by: 2).map { numbers[$0] * 10 }, ys = stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] * 8 }
        #expect(line.hasPrefix("0 ") && Set(xs) == [5, 6] && Set(ys) == [3, 4], "\(line)")
    }

    @Test func multiPartMaskIsOneRingThatFillsBackToTheMask() throws {
        let images = try labelled()
        let object = images[0].objects[1]
        let ring = try #require(try YOLOWriter.outline(rle: object.mask!, width: 10, height: 8))
        #expect(BinaryMask(width: 10, height: 8, polygons: [ring]) == (try MaskRLE(width: 10, height: 8, compressed: object.mask!).decoded()))
        try? FileManager.default.removeItem(at: root)
    }

    @Test func yoloDatasetFromTheState() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let images = try labelled()
        let state = try state(images)
        let rule = SplitRule(trainFraction: 0.5, seed: 7)
        let counts = try YOLOWriter.write(state: state, classes: ["forklift", "per\"son"], rule: rule, to: out)
        #expect(counts.values.reduce(0, +) == 3)
        let yaml = try String(contentsOf: out.appendingPathComponent("data.yaml"), encoding: .utf8)
        #expect(yaml == "train: train/images\nval: valid/images\nnc: 2\nnames: [\"forklift\", \"per\\\"son\"]\n")
        for image in images {
            let split = rule.split(of: image.relativePath).rawValue
            let copy = out.appendingPathComponent("\(split)/images/\(image.datasetFileName)")
            #expect(try Data(contentsOf: copy) == Data(image.relativePath.utf8))
            #expect(FileManager.default.fileExists(atPath: image.sourcePath), "the input stays where it was")
            let label = try String(contentsOf: out.appendingPathComponent("\(split)/labels/\(DatasetNaming.stem(image.datasetFileName)).txt"), encoding: .utf8)
            #expect(label.split(separator: "\n").count == image.objects.count)
        }
        // Linked by default; --copy's placement makes independent files.
        let someImage = images[0], someCopy = out.appendingPathComponent("\(rule.split(of: someImage.relativePath).rawValue)/images/\(someImage.datasetFileName)")
        func inode(_ path: String) throws -> UInt64 { try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as! UInt64 }
        #expect(try inode(someCopy.path) == inode(someImage.sourcePath))
        _ = try YOLOWriter.write(state: state, classes: ["forklift", "per\"son"], rule: rule, to: out, images: .copy)
        #expect(try inode(someCopy.path) != inode(someImage.sourcePath))
        #expect(try Data(contentsOf: someCopy) == Data(someImage.relativePath.utf8))
        // Another seed moves images between splits: nothing stale stays behind.
        let other = SplitRule(trainFraction: 0.5, seed: 8)
        _ = try YOLOWriter.write(state: state, classes: ["forklift", "person"], rule: other, to: out)
        for split in DatasetSplit.allCases {
            let names = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("\(split.rawValue)/images").path)
            #expect(Set(names) == Set(images.filter { other.split(of: $0.relativePath) == split }.map(\.datasetFileName)))
            let labels = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("\(split.rawValue)/labels").path)
            #expect(labels.count == names.count)
        }
    }

    @Test func cocoDatasetFromTheState() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let images = try labelled()
        let state = try state(images)
        let rule = SplitRule(trainFraction: 1, seed: 0)
        _ = try COCOWriter.write(state: state, classes: ["forklift", "person"], rule: rule, to: out)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("train/_annotations.coco.json"))) as! [String: Any]
        let categories = json["categories"] as! [[String: Any]]
        #expect(categories.map { $0["id"] as! Int } == [1, 2] && categories.map { $0["name"] as! String } == ["forklift", "person"])
        let files = (json["images"] as! [[String: Any]]).map { $0["file_name"] as! String }
        #expect(files == ["a.jpg", "c.webp", "sub__b.png"])  // path order
        let annotations = json["annotations"] as! [[String: Any]]
        #expect(annotations.map { $0["id"] as! Int } == [1, 2, 3])
        #expect(annotations[0]["category_id"] as? Int == 2 && annotations[0]["bbox"] as? [Double] == [1, 2, 3, 3] && annotations[0]["area"] as? Double == 9)
        #expect(annotations[1]["area"] as? Double == 10, "a mask's area is its pixel count")
        #expect((annotations[1]["segmentation"] as! [[Double]]).count == 2)
        #expect(annotations[2]["image_id"] as? Int == 2 && annotations[2]["bbox"] as? [Double] == [0.5, 1, 3, 3])
        let valid = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("valid/_annotations.coco.json"))) as! [String: Any]
        #expect((valid["images"] as! [Any]).isEmpty && (valid["annotations"] as! [Any]).isEmpty)
    }

    @Test func stateResumesAndRefusesOtherSettings() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let images = try labelled()
        _ = try state(Array(images.prefix(2)))
        let reopened = try LabelingState(folder: out, settings: "test")
        #expect(try reopened.isLabelled("a.jpg") && reopened.isLabelled("sub/b.png") && !reopened.isLabelled("c.webp"))
        #expect(try reopened.count() == 2)
        var seen: [LabeledImage] = []
        try reopened.forEachImage { seen.append($0) }
        #expect(seen == Array(images.prefix(2)))
        #expect(throws: DatasetError.self) { try LabelingState(folder: out, settings: "another threshold") }
        // An image gone from the folder is forgotten; the others stay.
        #expect(try reopened.keepOnly(["sub/b.png", "c.webp"]) == 1)
        #expect(try !reopened.isLabelled("a.jpg") && reopened.isLabelled("sub/b.png") && reopened.count() == 1)
    }
}
