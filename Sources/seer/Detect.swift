import ArgumentParser
import Foundation
import SeerDrawing
import SeerImage
import SeerIndex
import SeerModels
import SeerVideo

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zero-shot object detection (OWL-ViT, OWLv2): boxes for text prompts, or for things like an example image.",
        discussion: """
        Prints one JSON object per image: its size and each detection's box as pixel corners ("box":
        [x0, y0, x1, y1]) and COCO's [x, y, width, height] ("bbox"), score and label, best first.
        --format roboflow prints Roboflow Inference's object-detection response instead (x, y centre,
        width, height, confidence, class, class_id, detection_id). Scores and boxes are transformers'
        post_process_object_detection (a box's score is the sigmoid of its best prompt's logit, kept
        above --threshold); --nms and --max-detections are applied after it. With --query-image the
        query is the example image's embedding as transformers' image_guided_detection picks it (OWLv2:
        its most object-like box), post-processed as post_process_image_guided_detection (NMS 0.3
        unless --nms, scores rescaled so each image's best is 1). With --query-box on a --query-from image
        the query is the model's candidate box that overlaps the drawn one most, as Roboflow's OWLv2
        few-shot route picks it; a box scores (cosine + 1) / 2 against it (default --threshold 0.99),
        with NMS 0.3 unless --nms. A video file or stream URL is read
        frame by frame (--fps, --every, --start): one line per sampled frame, with its "frame" number
        and "time" in seconds. --segment with --sam-model adds each box's SAM mask (the box as SAM's
        prompt, the image encoded once: Grounded SAM) as COCO "segmentation" (--mask-format rle or
        polygons) and "area"; Roboflow's format gets the mask's outline as "points". --draw DIR also writes each image (or frame) as a PNG with its boxes
        outlined and labelled ("label score"), one colour per label; with --segment each mask is tinted in it.
        """
    )

    @OptionGroup var options: ModelOptions

    @Option(help: "Comma-separated prompts, e.g. \"a forklift,a person\".")
    var prompts: String?

    @Option(help: "A file with one prompt per line.")
    var promptsFile: String?

    @Option(help: "Prompt template with {} for the prompt, e.g. \"a photo of a {}\" (default: the prompt as written).")
    var template: String = "{}"

    @Option(help: "Find things like this example image instead of prompts (image-guided detection).")
    var queryImage: String?

    @Option(help: "Find things like the object in this box of --query-from: x0,y0,x1,y1 in its pixels.")
    var queryBox: String?

    @Option(help: "The image --query-box is drawn on.")
    var queryFrom: String?

    @Option(help: "Keep boxes whose score is above this (default 0.1, transformers'; 0.99 with --query-box, Roboflow's).")
    var threshold: Float?

    @Option(help: "Non-maximum suppression: drop boxes overlapping a better one by more than this IoU (0…1).")
    var nms: Float?

    @Flag(help: "With --nms: suppress across prompts (default: only between boxes of the same prompt).")
    var agnostic = false

    @Option(help: "Keep at most this many boxes per image, best first.")
    var maxDetections: Int?

    @Option(help: "Output format: json (Seer's lines) or roboflow (Roboflow Inference's object-detection response, one per line).")
    var format: OutputFormat = .json

    @Flag(help: "Add each box's SAM mask (needs --sam-model): Grounded SAM.")
    var segment = false

    @Option(help: "The SAM checkpoint (folder or Hub id) --segment runs.")
    var samModel: String?

    @Option(help: "With --segment: the mask as COCO's compressed RLE (rle) or polygons.")
    var maskFormat: MaskFormat = .rle

    @Option(help: "Also write each image with its boxes and labels drawn, as DIR/NAME.png (frames as NAME-frame000042.png).")
    var draw: String?

    @Option(help: "The .ttf/.otf font --draw labels with (default: DejaVu Sans from fonts-dejavu-core, or the system's).")
    var font: String?

    @OptionGroup(title: "Video") var frames: FrameOptions

    @Argument(help: "Image files (JPEG, PNG, WebP), folders of them, video files or stream URLs.")
    var images: [String]

    enum OutputFormat: String, ExpressibleByArgument { case json, roboflow }
    enum MaskFormat: String, ExpressibleByArgument { case rle, polygons }

    func validate() throws {
        let queries = [prompts != nil || promptsFile != nil, queryImage != nil, queryBox != nil].filter { $0 }.count
        if queries == 0 { throw ValidationError("give --prompts, --prompts-file, --query-image, or --query-box with --query-from") }
        if queries > 1 { throw ValidationError("give one kind of query: prompts, --query-image or --query-box") }
        if (queryBox == nil) != (queryFrom == nil) { throw ValidationError("--query-box and --query-from go together: the box is drawn on that image") }
        if queryBox != nil { _ = try queryCorners() }
        if !template.contains("{}") { throw ValidationError("--template needs {} where the prompt goes") }
        if let threshold, !(threshold >= 0 && threshold <= 1) { throw ValidationError("--threshold must be a score, 0…1") }
        if let nms, !(nms >= 0 && nms <= 1) { throw ValidationError("--nms must be an IoU, 0…1") }
        if agnostic && nms == nil { throw ValidationError("--agnostic applies to --nms: give --nms IOU") }
        if let maxDetections, maxDetections < 1 { throw ValidationError("--max-detections must be at least 1") }
        if images.isEmpty { throw ValidationError("give at least one image or folder") }
        if segment != (samModel != nil) { throw ValidationError("--segment and --sam-model go together: the masks come from that SAM") }
        if font != nil && draw == nil { throw ValidationError("--font applies to --draw: give --draw DIR") }
    }

    /// --query-box as corners, checked.
    func queryCorners() throws -> BoxCorners {
        let parts = (queryBox ?? "").split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x0 = parts[0], let y0 = parts[1], let x1 = parts[2], let y1 = parts[3], [x0, y0, x1, y1].allSatisfy(\.isFinite) else {
            throw ValidationError("--query-box must be x0,y0,x1,y1: four numbers, pixels of --query-from")
        }
        guard x1 > x0, y1 > y0 else { throw ValidationError("--query-box needs x1 > x0 and y1 > y0") }
        return BoxCorners(x0: x0, y0: y0, x1: x1, y1: y1)
    }

    func promptList() throws -> [String] {
        var list: [String] = []
        if let prompts { list += prompts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let promptsFile {
            guard let text = try? String(contentsOfFile: promptsFile, encoding: .utf8) else { throw CLIError("cannot read prompts file \(promptsFile)") }
            list += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        list = list.filter { !$0.isEmpty }
        guard !list.isEmpty else { throw CLIError("no prompts given") }
        return list
    }

    /// The files to run on: files as given, folders expanded to their images (sorted).
    func imagePaths() throws -> [String] {
        try images.filter { !isVideo($0) }.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                return try FileScanner.images(under: URL(fileURLWithPath: path)).map(\.path)
            }
            return [path]
        }
    }

    func run() throws {
        try reportingErrors {
            let session = try options.load()
            let detector = try session.model.requireDetector()
            let drawing = try draw.map { try DrawingOutput(directory: $0, fontPath: font) }
            let segmenter = try samModel.map { try ModelRegistry.shared.load(directory: resolveModelFolder($0)).requireSegmenter() }
            let masks: (RGBImage, [Detection]) throws -> [BinaryMask]? = { image, found in
                try segmenter?.masks(forBoxes: found.map(\.box), in: image)
            }
            let detectionOptions = DetectionOptions(threshold: threshold ?? 0.1, nmsIoU: nms, agnostic: agnostic, maxDetections: maxDetections)
            let labels: [String]
            let find: (RGBImage) throws -> [Detection]
            if let queryFrom {
                guard let fewShot = detector as? any ExampleBoxDetector else {
                    throw CLIError("this detector (\(detector.modelType)) cannot search by an example box; OWL-ViT and OWLv2 can")
                }
                let reference = try loadImage(queryFrom), box = try queryCorners()
                guard box.overlapsImage(width: reference.width, height: reference.height) else {
                    throw CLIError("--query-box lies outside \(queryFrom) (\(reference.width)×\(reference.height))")
                }
                let options = ExampleDetectionOptions(confidence: threshold ?? 0.99, iouThreshold: nms ?? 0.3, maxDetections: maxDetections ?? 300)
                let example = ExampleBox(centreX: (box.x0 + box.x1) / 2, centreY: (box.y0 + box.y1) / 2, width: box.width, height: box.height,
                                         className: "like box in \(URL(fileURLWithPath: queryFrom).lastPathComponent)")
                let queries = try fewShot.exampleQueries([ExampleImage(image: reference, boxes: [example])], options: options)
                guard !queries.classNames.isEmpty else {
                    throw CLIError("--query-box overlaps none of the model's candidate boxes by more than IoU \(options.iouThreshold): draw it around an object")
                }
                labels = queries.classNames
                find = { try fewShot.detect([$0], exampleQueries: queries, options: options)[0] }
            } else if let queryImage {
                let example = try loadImage(queryImage)
                labels = ["like \(URL(fileURLWithPath: queryImage).lastPathComponent)"]
                find = { try detector.detect([$0], like: example, options: detectionOptions)[0] }
            } else {
                labels = try promptList()
                let queries = labels.map { template.replacingOccurrences(of: "{}", with: $0) }
                find = { try detector.detect([$0], prompts: queries, options: detectionOptions)[0] }
            }
            let paths = try imagePaths()
            let progress = Progress(total: paths.count, unit: "images")
            var failed = 0
            for path in paths {
                let image: RGBImage
                do { image = try loadImage(path) } catch {
                    failed += 1
                    progress.interrupt { printError("seer: skipped \(error)") }
                    progress.advance(by: 1)
                    continue
                }
                let found = try find(image)
                let foundMasks = try masks(image, found)
                try emit(path, image, frame: nil, found, masks: foundMasks, labels: labels)
                try drawing?.write(image, found, masks: foundMasks, labels: labels, source: path, frame: nil)
                progress.advance(by: 1)
            }
            progress.finish()
            for video in images.filter(isVideo) {
                let source = try frames.openSource(video)
                var sampled = 0, reported = 0
                while let frame = try source.nextFrame() {
                    let found = try find(frame.image)
                    let foundMasks = try masks(frame.image, found)
                    try emit(video, frame.image, frame: (sampled, frame.time), found, masks: foundMasks, labels: labels)
                    try drawing?.write(frame.image, found, masks: foundMasks, labels: labels, source: video, frame: sampled)
                    sampled += 1
                    for line in source.warnings.dropFirst(reported) { printError("seer: warning: \(line)") }
                    reported = source.warnings.count
                }
                guard sampled > 0 else { throw CLIError("\(video): no frames were sampled") }
            }
            if failed > 0 { throw CLIError("\(failed) of \(paths.count) images could not be read") }
        }
    }

    /// One line: the image's (or frame's) detections, best first, in the chosen format.
    /// `masks`, when given, line up with `detections`.
    func emit(_ path: String, _ image: RGBImage, frame: (index: Int, time: Double)?, _ detections: [Detection], masks: [BinaryMask]?,
              labels: [String]) throws {
        let order = detections.indices.sorted { detections[$0].score > detections[$1].score }
        let size = ImageSize(width: image.width, height: image.height)
        switch format {
        case .json:
            try printJSONLine(DetectionLine(path: path, frame: frame?.index, time: frame?.time, image: size, detections: order.map { i in
                var line = DetectionJSON(detections[i], labels: labels)
                if let mask = masks?[i] {
                    line.area = mask.area
                    line.segmentation = maskFormat == .rle ? .rle(MaskRLE(mask)) : .polygons(mask.polygons)
                }
                return line
            }))
        case .roboflow:
            try printJSONLine(RoboflowDetectionResponse(path: path, frame: frame?.index, time: frame?.time, image: size, predictions: order.map { i in
                var prediction = RoboflowPrediction(detections[i], labels: labels)
                if let mask = masks?[i] { prediction.points = RoboflowPrediction.outline(mask) }
                return prediction
            }))
        }
    }

    func loadImage(_ path: String) throws -> RGBImage {
        do { return try ImageLoader.load(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError("\(path): \(error)") }
    }
}

/// `--draw DIR`: each image with its detections drawn, written as a PNG under a name from its
/// source (made unique when two sources share a name), atomically.
final class DrawingOutput {
    let directory: URL
    let drawer: BoxDrawer
    private var used = Set<String>()

    init(directory: String, fontPath: String?) throws {
        self.directory = URL(fileURLWithPath: directory)
        do { drawer = BoxDrawer(font: try Font(path: fontPath)) } catch { throw CLIError("\(error)") }
        do {
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create --draw folder \(directory): \(error.localizedDescription)")
        }
    }

    /// `masks`, when given, line up with `detections` and are tinted under their boxes.
    func write(_ image: RGBImage, _ detections: [Detection], masks: [BinaryMask]?, labels: [String], source: String, frame: Int?) throws {
        let order = detections.indices.sorted { detections[$0].score < detections[$1].score }   // best drawn last, on top
        let boxes = order.map { i in
            let d = detections[i]
            return DrawnBox(x0: d.box.x0, y0: d.box.y0, x1: d.box.x1, y1: d.box.y1,
                            caption: "\(labels[d.label]) \(String(format: "%.2f", d.score))", classIndex: d.label, mask: masks?[i])
        }
        let drawn = try drawer.draw(boxes, on: image)
        var stem = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        if stem.isEmpty { stem = "image" }
        if let frame { stem += String(format: "-frame%06d", frame) }
        var name = stem, n = 1
        while used.contains(name) { n += 1; name = "\(stem)-\(n)" }
        used.insert(name)
        let url = directory.appendingPathComponent(name + ".png")
        do { try PNGEncoder.encode(drawn).write(to: url, options: .atomic) } catch {
            throw CLIError("cannot write \(url.path): \(error)")
        }
    }
}

struct ImageSize: Encodable {
    let width: Int
    let height: Int
}

/// Seer's line: corners and COCO's [x, y, width, height], in pixels of the original image.
struct DetectionJSON: Encodable {
    let label: String
    let class_id: Int
    let score: Float
    let box: [Float]
    let bbox: [Float]
    var segmentation: Segmentation?
    var area: Int?

    init(_ d: Detection, labels: [String]) {
        label = labels[d.label]
        class_id = d.label
        score = d.score
        box = [d.box.x0, d.box.y0, d.box.x1, d.box.y1]
        bbox = [d.box.x0, d.box.y0, d.box.width, d.box.height]
    }
}

struct DetectionLine: Encodable {
    let path: String
    var frame: Int?
    var time: Double?
    let image: ImageSize
    let detections: [DetectionJSON]
}

/// One prediction of Roboflow Inference's object-detection response: the box's centre and size.
struct RoboflowPrediction: Encodable {
    let x: Float
    let y: Float
    let width: Float
    let height: Float
    let confidence: Float
    let `class`: String
    let class_id: Int
    let detection_id: String
    /// Roboflow's instance-segmentation shape: the mask's outline as {x, y} points.
    var points: [Point]?

    struct Point: Encodable { let x: Double, y: Double }

    /// The outline of the mask's largest part by area (Roboflow answers one polygon per object).
    static func outline(_ mask: BinaryMask) -> [Point] {
        func area(_ p: [Double]) -> Double {   // shoelace
            let n = p.count / 2
            var twice = 0.0
            for i in 0..<n {
                let j = (i + 1) % n
                let (xi, yi, xj, yj) = (p[2 * i], p[2 * i + 1], p[2 * j], p[2 * j + 1])
                twice += xi * yj - xj * yi
            }
            return abs(twice) / 2
        }
        let largest = mask.polygons.max { area($0) < area($1) } ?? []
        return stride(from: 0, to: largest.count - 1, by: 2).map { Point(x: largest[$0], y: largest[$0 + 1]) }
    }

    init(_ d: Detection, labels: [String]) {
        x = (d.box.x0 + d.box.x1) / 2
        y = (d.box.y0 + d.box.y1) / 2
        width = d.box.width
        height = d.box.height
        confidence = d.score
        `class` = labels[d.label]
        class_id = d.label
        detection_id = UUID().uuidString.lowercased()
    }
}

struct RoboflowDetectionResponse: Encodable {
    let path: String
    var frame: Int?
    var time: Double?
    let image: ImageSize
    let predictions: [RoboflowPrediction]
}
