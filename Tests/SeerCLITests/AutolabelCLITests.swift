import Foundation
import Testing
import SeerImage

/// `seer autolabel` on real photos with the tiny OWL-ViT (and SAM): the datasets it writes are
/// read back with the tools its users train from (supervision, as Autodistill writes with it,
/// and pycocotools) and must hold exactly the detections Seer printed; a run killed with
/// SIGKILL and resumed must write the same files as one left alone.
@Suite(.serialized) struct AutolabelCLITests {
    static let detector = fixtures.appendingPathComponent("owlvit-tiny").path
    static let sam = fixtures.appendingPathComponent("sam-tiny").path
    static let ontology = "a photo of a cat:cat, a cup of coffee:cup, an astronaut:person"
    static let classes = ["cat", "cup", "person"]
    // The tiny random detector scores most boxes near 0.86: this keeps a few per photo.
    static let threshold = "0.8609"
    static let python = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".venv-supervision/bin/python").path
    static let reader = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/read_dataset.py").path

    /// A folder of five real photos (one in a subfolder) and a truncated JPEG, in a fresh temporary root.
    static func photoFolder() throws -> (root: URL, photos: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-autolabel-\(UUID().uuidString)")
        let photos = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("more"), withIntermediateDirectories: true)
        for (source, name) in [("clip-inputs/chelsea.jpg", "chelsea.jpg"), ("clip-inputs/coffee.png", "coffee.png"),
                               ("clip-inputs/astronaut.webp", "astronaut.webp"), ("owl-inputs/query.png", "more/query.png"),
                               ("owl-inputs/small.png", "small.png")] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(source), to: photos.appendingPathComponent(name))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: chelsea))
        try bytes.prefix(bytes.count / 3).write(to: photos.appendingPathComponent("broken.jpg"))
        return (root, photos)
    }

    static func autolabel(_ photos: URL, _ out: URL, _ extra: [String] = []) -> [String] {
        ["autolabel", photos.path, "--model", detector, "--ontology", ontology, "--threshold", threshold, "--out", out.path] + extra
    }

    /// Every file under `folder` (the state file aside) with its bytes.
    static func files(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in walker where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
            if relative.hasPrefix(".seer-autolabel.sqlite") { continue }
            result[relative] = try Data(contentsOf: url)
        }
        return result
    }

    /// What the readers see, keyed "READER/SPLIT".
    static func readBack(_ format: String, _ dataset: URL) throws -> [String: [String: Any]] {
        let result = try run(python, [reader, format, dataset.path])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: [String: Any]]
    }

    /// The printed objects of each image, by dataset file name.
    static func printed(_ lines: [[String: Any]]) -> [String: (split: String, objects: [[String: Any]])] {
        var result: [String: (split: String, objects: [[String: Any]])] = [:]
        for line in lines {
            let name = (line["path"] as! String).replacingOccurrences(of: "/", with: "__")
            result[name] = (split: line["split"] as! String, objects: line["detections"] as! [[String: Any]])
        }
        return result
    }

    static func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map(\.floatValue) }

    /// Objects as comparable rows: class id and box corners, sorted.
    static func rows(_ objects: [[String: Any]], box key: String) -> [[Float]] {
        objects.map { [Float($0["class_id"] as! Int)] + floats($0[key]) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func yoloAndCocoReadBackAsSeerPrintedThem() throws {
        let (root, photos) = try Self.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try Self.files(photos)
        let yolo = root.appendingPathComponent("yolo")
        let run = try seer(Self.autolabel(photos, yolo, ["--split", "0.6", "--seed", "3"]))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("seer: skipped \(photos.path)/broken.jpg"), "\(run.stderr)")
        #expect(run.stderr.contains("1 of 6 images could not be read"), "\(run.stderr)")
        #expect(try Self.files(photos) == before, "the input folder is unchanged: nothing moved, nothing written")
        let lines = try jsonLines(run.stdout)
        #expect(lines.count == 5)
        let printed = Self.printed(lines)
        #expect(printed.values.map(\.objects.count).reduce(0, +) >= 8, "the threshold should keep several boxes")
        #expect(Set(printed.values.map(\.split)) == ["train", "valid"], "seed 3 puts photos in both splits")

        // `seer detect` with the same settings prints the same boxes (clipped to the image here).
        let detect = try seer(["detect", "--model", Self.detector, "--prompts", "a photo of a cat,a cup of coffee,an astronaut",
                               "--threshold", Self.threshold, "--format", "json"] + lines.map { photos.appendingPathComponent($0["path"] as! String).path })
        #expect(detect.status == 0, "\(detect.stderr)")
        for (line, detected) in zip(lines, try jsonLines(detect.stdout)) {
            let (w, h) = (Float(line["width"] as! Int), Float(line["height"] as! Int))
            let clipped = (detected["detections"] as! [[String: Any]]).map { d -> [String: Any] in
                let b = Self.floats(d["box"])
                return ["class_id": d["class_id"]!, "box": [min(max(b[0], 0), w), min(max(b[1], 0), h), min(max(b[2], 0), w), min(max(b[3], 0), h)]]
            }
            #expect(Self.rows(clipped, box: "box") == Self.rows(line["detections"] as! [[String: Any]], box: "box"), "\(line["path"]!)")
        }

        // YOLO through supervision: same images in the same splits, same classes and boxes.
        let readYOLO = try Self.readBack("yolo", yolo)
        try Self.expectSame(readYOLO, printed, readers: ["supervision"], tolerance: 0.01)

        // COCO from the same labels: a second output folder resumes from a copy of the state, so
        // nothing is labelled again (and the format is a choice made at writing time).
        let coco = root.appendingPathComponent("coco")
        try FileManager.default.createDirectory(at: coco, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: yolo.appendingPathComponent(".seer-autolabel.sqlite"), to: coco.appendingPathComponent(".seer-autolabel.sqlite"))
        let cocoRun = try seer(Self.autolabel(photos, coco, ["--split", "0.6", "--seed", "3", "--format", "coco"]))
        #expect(cocoRun.status == 0, "\(cocoRun.stderr)")
        #expect(cocoRun.stdout.isEmpty && cocoRun.stderr.contains("resuming: 5 of 6 images already labelled"), "\(cocoRun.stderr)")
        try Self.expectSame(try Self.readBack("coco", coco), printed, readers: ["supervision", "pycocotools"], tolerance: 1e-3)
    }

    /// Each reader's view of each split holds exactly the printed images, classes and boxes.
    static func expectSame(_ read: [String: [String: Any]], _ printed: [String: (split: String, objects: [[String: Any]])],
                           readers: [String], tolerance: Float, masks: Bool = false) throws {
        for reader in readers {
            var seen = Set<String>()
            for split in ["train", "valid"] {
                let view = try #require(read["\(reader)/\(split)"], "\(reader)/\(split) missing")
                #expect(view["classes"] as? [String] == classes, "\(reader)")
                for (name, objects) in view["images"] as! [String: [[String: Any]]] {
                    seen.insert(name)
                    let want = try #require(printed[name], "\(reader) lists \(name), which Seer did not print")
                    #expect(want.split == split, "\(reader): \(name) in \(split)")
                    #expect(objects.map { $0["class"] as! String }.sorted() == want.objects.map { $0["class"] as! String }.sorted())
                    let got = rows(objects, box: "xyxy"), expected = rows(want.objects, box: "box")
                    try #require(got.count == expected.count, "\(reader): \(name) has \(got.count) objects, Seer printed \(expected.count)")
                    for (g, e) in zip(got, expected) {
                        #expect(g[0] == e[0] && maxAbsDiff(Array(g.dropFirst()), Array(e.dropFirst())) <= tolerance, "\(reader) \(name): \(g) vs \(e)")
                    }
                }
            }
            #expect(seen == Set(printed.keys), "\(reader) reads every labelled image, once")
        }
    }

    /// With SAM: COCO polygons come back through pycocotools as exactly SAM's masks; YOLO's one
    /// outline per object fills back (Seer's even-odd fill) to the mask, and supervision takes the
    /// mask's extent as its box.
    @Test func segmentedDatasetsCarrySAMMasks() throws {
        let (root, photos) = try Self.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: photos.appendingPathComponent("broken.jpg"))
        for name in ["coffee.png", "astronaut.webp", "more"] { try FileManager.default.removeItem(at: photos.appendingPathComponent(name)) }
        let yolo = root.appendingPathComponent("yolo")
        let run = try seer(Self.autolabel(photos, yolo, ["--segment", "--sam-model", Self.sam, "--nms", "0.3", "--split", "1"]))
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try jsonLines(run.stdout)
        let printed = Self.printed(lines)
        var masks: [String: [String]] = [:]
        for line in lines {
            let name = (line["path"] as! String).replacingOccurrences(of: "/", with: "__")
            masks[name] = (line["detections"] as! [[String: Any]]).map { ($0["segmentation"] as! [String: Any])["counts"] as! String }
        }
        #expect(masks.values.map(\.count).reduce(0, +) >= 2)

        let coco = root.appendingPathComponent("coco")
        try FileManager.default.createDirectory(at: coco, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: yolo.appendingPathComponent(".seer-autolabel.sqlite"), to: coco.appendingPathComponent(".seer-autolabel.sqlite"))
        let cocoRun = try seer(Self.autolabel(photos, coco, ["--segment", "--sam-model", Self.sam, "--nms", "0.3", "--split", "1", "--format", "coco"]))
        #expect(cocoRun.status == 0, "\(cocoRun.stderr)")
        let readCOCO = try Self.readBack("coco", coco)
        try Self.expectSame(readCOCO, printed, readers: ["pycocotools"], tolerance: 1e-3)
        for (name, objects) in (readCOCO["pycocotools/train"]!["images"] as! [String: [[String: Any]]]) {
            let want = printed[name]!.objects
            for object in objects {
                // Match by box: the printed object with this box has this mask.
                let box = Self.floats(object["xyxy"])
                let index = try #require(want.firstIndex { maxAbsDiff(Self.floats($0["box"]), box) <= 1e-3 })
                let (w, h) = (lines.first { ($0["path"] as! String).replacingOccurrences(of: "/", with: "__") == name }!["width"] as! Int,
                              lines.first { ($0["path"] as! String).replacingOccurrences(of: "/", with: "__") == name }!["height"] as! Int)
                let mask = try MaskRLE(width: w, height: h, compressed: masks[name]![index]).decoded()
                if mask.area == 0 { #expect(object["mask"] is NSNull); continue }
                let read = try MaskRLE(width: w, height: h, compressed: object["mask"] as! String).decoded()
                #expect(read == mask, "pycocotools' mask of \(name) #\(index) is SAM's")
            }
        }

        let readYOLO = try Self.readBack("yolo", yolo)
        for (name, objects) in (readYOLO["supervision/train"]!["images"] as! [String: [[String: Any]]]) {
            let line = lines.first { ($0["path"] as! String).replacingOccurrences(of: "/", with: "__") == name }!
            let (w, h) = (line["width"] as! Int, line["height"] as! Int)
            let label = try String(contentsOf: yolo.appendingPathComponent("train/labels/\(name.split(separator: ".").dropLast().joined(separator: ".")).txt"), encoding: .utf8)
            let rings = label.split(separator: "\n").map { line in
                line.split(separator: " ").dropFirst().enumerated().map { Double($0.element)! * Double($0.offset % 2 == 0 ? w : h) }
            }
            let expected = try masks[name]!.map { try MaskRLE(width: w, height: h, compressed: $0).decoded() }
            #expect(rings.count == expected.count && objects.count == expected.count)
            for (ring, mask) in zip(rings, expected) where mask.area > 0 {
                #expect(BinaryMask(width: w, height: h, polygons: [ring]) == mask, "\(name): the YOLO outline fills back to SAM's mask")
                let extent = mask.extent!
                let box = [Float(extent.minX), Float(extent.minY), Float(extent.maxX + 1), Float(extent.maxY + 1)]
                #expect(objects.contains { maxAbsDiff(Self.floats($0["xyxy"]), box) <= 0.01 }, "\(name): supervision's box is the mask's extent \(box)")
            }
        }
    }

    /// kill -9 after two images, run again: the same dataset, file for file, as a run left alone;
    /// nothing labelled twice.
    @Test func killedRunResumesToTheSameDataset() throws {
        let (root, photos) = try Self.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        // Four more photos (copies under other names): the kill must land while work remains.
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("extra"), withIntermediateDirectories: true)
        for name in ["chelsea.jpg", "coffee.png", "astronaut.webp", "small.png"] {
            try FileManager.default.copyItem(at: photos.appendingPathComponent(name), to: photos.appendingPathComponent("extra/copy-\(name)"))
        }
        let total = 9
        let whole = root.appendingPathComponent("whole"), killed = root.appendingPathComponent("killed")
        let reference = try seer(Self.autolabel(photos, whole))
        #expect(reference.status == 0, "\(reference.stderr)")

        let process = Process()
        process.executableURL = seerExecutable
        process.arguments = Self.autolabel(photos, killed)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = LineReader(out)
        // Each line is printed after its image is committed to the state: wait for two.
        #expect(reader.nextLine() != nil && reader.nextLine() != nil)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let labelledBeforeKill = try jsonLines(reader.readToEnd()).count
        #expect(labelledBeforeKill >= 2 && labelledBeforeKill < total, "killed mid-run after \(labelledBeforeKill) images")

        let resumed = try seer(Self.autolabel(photos, killed))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let message = try #require(resumed.stderr.split(separator: "\n").first { $0.contains("resuming: ") })
        let done = Int(message.split(separator: " ")[2])!
        #expect(done >= labelledBeforeKill)
        #expect(done + (try jsonLines(resumed.stdout)).count == total, "each image labelled once: \(resumed.stderr)")

        let a = try Self.files(whole), b = try Self.files(killed)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, data) in a { #expect(b[name] == data, "\(name) differs") }
        #expect(a.keys.contains("data.yaml") && a.keys.filter { $0.hasSuffix(".txt") }.count == total)

        // A photo deleted from the folder leaves the dataset on the next run; nothing else changes.
        try FileManager.default.removeItem(at: photos.appendingPathComponent("extra/copy-coffee.png"))
        let after = try seer(Self.autolabel(photos, killed))
        #expect(after.status == 0 && after.stdout.isEmpty, "\(after.stderr)")
        #expect(after.stderr.contains("1 labelled images are no longer in"), "\(after.stderr)")
        let c = try Self.files(killed)
        #expect(Set(a.keys).subtracting(c.keys).sorted().map { String($0.split(separator: "/").last!) } == ["extra__copy-coffee.png", "extra__copy-coffee.txt"])
        #expect(c.allSatisfy { a[$0.key] == $0.value })
    }

    /// On a terminal (a pty from util-linux `script`), the run shows done/total, rate and ETA.
    @Test func progressShowsOnATerminal() throws {
        let (root, photos) = try Self.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let command = ([seerExecutable.path] + Self.autolabel(photos, root.appendingPathComponent("out"))).map { "'\($0)'" }.joined(separator: " ")
        let result = try run("/usr/bin/script", ["-qec", "\(command) > /dev/null", "/dev/null"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("6/6 images") && result.stdout.contains("/s  ETA "), "\(result.stdout)")
    }

    @Test func badInputIsOneClearError() throws {
        let (root, photos) = try Self.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let inside = try seer(Self.autolabel(photos, photos.appendingPathComponent("dataset")))
        #expect(inside.status == 1 && inside.stderr.contains("inside the image folder"), "\(inside.stderr)")
        let badOntology = try seer(["autolabel", photos.path, "--model", Self.detector, "--ontology", "a cat:", "--out", root.appendingPathComponent("x").path])
        #expect(badOntology.status != 0 && badOntology.stderr.contains("needs a prompt and a class name"), "\(badOntology.stderr)")
        let noSAM = try seer(Self.autolabel(photos, root.appendingPathComponent("y"), ["--segment"]))
        #expect(noSAM.status != 0 && noSAM.stderr.contains("--sam-model"), "\(noSAM.stderr)")

        // A folder labelled at one threshold is not resumed at another.
        let out = root.appendingPathComponent("out")
        try FileManager.default.removeItem(at: photos.appendingPathComponent("broken.jpg"))
        for name in ["coffee.png", "astronaut.webp", "more", "small.png"] { try FileManager.default.removeItem(at: photos.appendingPathComponent(name)) }
        #expect(try seer(Self.autolabel(photos, out)).status == 0)
        let other = try seer(["autolabel", photos.path, "--model", Self.detector, "--ontology", Self.ontology, "--threshold", "0.5", "--out", out.path])
        #expect(other.status == 1 && other.stderr.contains("was labelled with other settings"), "\(other.stderr)")
    }
}

/// `seer autolabel --task classify` with the tiny CLIP: folders by the label `seer classify`
/// ranks first, and the uncertain images listed instead of filed.
@Suite(.serialized) struct AutolabelClassifyCLITests {
    @Test func classFoldersFollowSeerClassify() throws {
        let (root, photos) = try AutolabelCLITests.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("classes")
        let arguments = ["autolabel", photos.path, "--task", "classify", "--model", tinyModel.path, "--labels", "cat,cup,person",
                         "--split", "0.6", "--seed", "3", "--out"]
        let run = try seer(arguments + [out.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("seer: skipped ") && run.stderr.contains("broken.jpg"), "\(run.stderr)")
        let lines = try jsonLines(run.stdout)
        #expect(lines.count == 5)

        let classify = try seer(["classify", "--model", tinyModel.path, "--labels", "cat,cup,person", "--format", "json", "-k", "1"]
                                + lines.map { photos.appendingPathComponent($0["path"] as! String).path })
        #expect(classify.status == 0, "\(classify.stderr)")
        var scores: [Float] = []
        for (line, classified) in zip(lines, try jsonLines(classify.stdout)) {
            let best = (classified["predictions"] as! [[String: Any]])[0]
            let object = (line["detections"] as! [[String: Any]])[0]
            #expect(object["class"] as? String == best["label"] as? String, "\(line["path"]!)")
            let score = (object["score"] as! NSNumber).floatValue
            #expect(abs(score - (best["probability"] as! NSNumber).floatValue) < 1e-4)
            scores.append(score)
            let file = (line["path"] as! String).replacingOccurrences(of: "/", with: "__")
            let placed = out.appendingPathComponent("\(line["split"] as! String)/\(object["class"] as! String)/\(file)")
            #expect(try Data(contentsOf: placed) == Data(contentsOf: photos.appendingPathComponent(line["path"] as! String)))
        }

        // A confidence bar between the scores: those under it leave the folders for unsure.csv.
        let bar = scores.sorted()[2]
        let strict = root.appendingPathComponent("strict")
        try FileManager.default.createDirectory(at: strict, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: out.appendingPathComponent(".seer-autolabel.sqlite"), to: strict.appendingPathComponent(".seer-autolabel.sqlite"))
        let again = try seer(arguments + [strict.path, "--min-confidence", "\(bar)"])
        #expect(again.status == 0, "\(again.stderr)")
        let unsure = try String(contentsOf: strict.appendingPathComponent("unsure.csv"), encoding: .utf8).split(separator: "\n")
        #expect(unsure.first == "path,best_class,probability")
        let expectedUnsure = zip(lines, scores).filter { $0.1 < bar }.map { $0.0["path"] as! String }
        #expect(unsure.dropFirst().map { String($0.split(separator: ",")[0]) } == expectedUnsure.sorted())
        var filed = 0
        for split in ["train", "valid"] {
            for label in ["cat", "cup", "person"] {
                filed += try FileManager.default.contentsOfDirectory(atPath: strict.appendingPathComponent("\(split)/\(label)").path).count
            }
        }
        #expect(filed == 5 - expectedUnsure.count && !expectedUnsure.isEmpty)
    }

    /// `seer train` fits a probe on the class folders: accuracies and the confusion matrix
    /// printed, a safetensors file with one weight row per class of the embedding's width.
    @Test func trainWritesAProbeForTheClassFolders() throws {
        let (root, photos) = try AutolabelCLITests.photoFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = root.appendingPathComponent("classes")
        let labelled = try seer(["autolabel", photos.path, "--task", "classify", "--model", tinyModel.path, "--labels", "cat,cup,person",
                                 "--split", "0.6", "--seed", "3", "--out", dataset.path])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let head = root.appendingPathComponent("head.safetensors")
        let trained = try seer(["train", dataset.path, "--task", "classify", "--model", tinyModel.path, "--out", head.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let lines = trained.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("C = ") } && lines.contains { $0.hasPrefix("train accuracy ") && $0.hasSuffix("(4 images)") }, "\(trained.stdout)")
        #expect(lines.contains { $0.hasPrefix("validation accuracy ") && $0.hasSuffix("(1 images)") }, "\(trained.stdout)")
        #expect(lines.contains { $0.hasPrefix("confusion") })

        let bytes = try Data(contentsOf: head)
        let length = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + length))) as! [String: Any]
        #expect((header["weight"] as! [String: Any])["shape"] as? [Int] == [3, 24])
        #expect((header["bias"] as! [String: Any])["shape"] as? [Int] == [3])
        #expect(((header["__metadata__"] as! [String: Any])["classes"] as? String) == "[\"cat\",\"cup\",\"person\"]")
        #expect(bytes.count == 8 + length + 4 * (3 * 24 + 3))

        // `seer classify --head` scores with the probe: softmax of W·x + b, x the normalised embedding.
        let floats = bytes.subdata(in: (8 + length)..<bytes.count).withUnsafeBytes { raw in
            (0..<(3 * 24 + 3)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
        }
        let offsets = ((header["weight"] as! [String: Any])["data_offsets"] as! [Int], (header["bias"] as! [String: Any])["data_offsets"] as! [Int])
        let weight = Array(floats[(offsets.0[0] / 4)..<(offsets.0[1] / 4)]), bias = Array(floats[(offsets.1[0] / 4)..<(offsets.1[1] / 4)])
        let photoPaths = [chelsea, coffee]
        let classified = try seer(["classify", "--model", tinyModel.path, "--head", head.path, "--format", "json"] + photoPaths)
        #expect(classified.status == 0, "\(classified.stderr)")
        let embedded = try seer(["embed", "--model", tinyModel.path] + photoPaths)
        for (line, embedding) in zip(try jsonLines(classified.stdout), try jsonLines(embedded.stdout)) {
            #expect(line["scoring"] as? String == "linear-probe")
            let x = (embedding["embedding"] as! [NSNumber]).map(\.floatValue)
            let norm = x.map { $0 * $0 }.reduce(0, +).squareRoot()
            let logits = (0..<3).map { c in (0..<24).map { weight[c * 24 + $0] * x[$0] / norm }.reduce(0, +) + bias[c] }
            let exps = logits.map { exp($0 - logits.max()!) }
            let predictions = line["predictions"] as! [[String: Any]]
            #expect(predictions.count == 3)
            for p in predictions {
                let c = ["cat", "cup", "person"].firstIndex(of: p["label"] as! String)!
                #expect(abs((p["probability"] as! NSNumber).floatValue - exps[c] / exps.reduce(0, +)) < 1e-4, "\(p)")
            }
        }
        let mixed = try seer(["classify", "--model", tinyModel.path, "--head", head.path, "--labels", "a,b", chelsea])
        #expect(mixed.status != 0 && mixed.stderr.contains("--head brings its own classes"), "\(mixed.stderr)")

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("train/only"), withIntermediateDirectories: true)
        let bad = try seer(["train", empty.path, "--model", tinyModel.path, "--out", head.path])
        #expect(bad.status == 1 && bad.stderr.contains("two at least"), "\(bad.stderr)")
    }
}
