import ArgumentParser
import Foundation
import SeerDatasets
import SeerImage
import SeerIndex
import SeerModels
import SeerRuntime

struct Autolabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label a folder of images with a zero-shot detector (and SAM) into a YOLO or COCO training dataset.",
        discussion: """
        --ontology maps each prompt the detector gets to the class the dataset records, as Autodistill's \
        CaptionOntology: "a forklift:forklift, a person:person". Classes get ids in order of first appearance.

        --format yolo (default): Ultralytics' layout, data.yaml (train, val, nc, names), train|valid/images \
        and train|valid/labels, lines "class cx cy w h" normalised to the image, six decimals; with --segment \
        each line is the mask's outline "class x1 y1 x2 y2 …" instead.
        --format coco: train|valid/_annotations.coco.json beside the images (Roboflow's export layout); \
        category ids from 1, bbox [x, y, w, h] in pixels, segmentation polygons with --segment.

        --task classify --labels "cat,dog" with a CLIP or SigLIP model: each image goes to \
        train|valid/CLASS/ by its most probable label (zero-shot, --template); with --min-confidence P \
        images whose best probability is under P are listed in unsure.csv instead.

        An image's split comes from its path and --seed alone. Images are hard-linked into the dataset \
        (copied across file systems, or always with --copy), never moved. Boxes are clipped to the image.

        The run is resumable: each labelled image is recorded in \(LabelingState.fileName) in --out, so \
        after Ctrl-C or a crash the same command skips the images already done; the dataset files are \
        written from that record at the end. Unreadable images are reported and skipped. Prints one JSON \
        line per image labelled in this run; progress (rate, ETA) goes to stderr on a terminal.
        """
    )

    @Argument(help: "The folder of images (JPEG, PNG, WebP; searched recursively).")
    var folder: String

    @Option(help: "detect (boxes, a YOLO or COCO dataset) or classify (one label per image, train|valid/CLASS/ folders).")
    var task: LabelTask = .detect

    @Option(help: "detect: prompt-to-class pairs, \"prompt:class, prompt:class\".")
    var ontology: String?

    @Option(help: "classify: comma-separated class names, e.g. \"cat,dog\" (each put into --template).")
    var labels: String?

    @Option(help: "classify: the prompt template, {} for the label.")
    var template: String = "a photo of a {}."

    @Option(help: "classify: images whose best label's probability is under this go to unsure.csv instead of a folder.")
    var minConfidence: Float = 0

    @Option(name: .shortAndLong, help: "The model: an OWL-ViT or OWLv2 detector (detect) or a CLIP/SigLIP model (classify); a folder in Hugging Face layout or a Hub id.")
    var model: String

    @Option(help: "classify: images per forward pass.")
    var batchSize: Int = 8

    @Option(help: "The dataset folder (created; must not be inside the image folder).")
    var out: String

    @Option(help: "detect: yolo (default) or coco.")
    var format: DatasetFormat?

    @Option(help: "Share of images in train; the rest go to valid.")
    var split: Double = 0.8

    @Option(help: "Seed of the train/valid split.")
    var seed: UInt64 = 0

    @Option(help: "Keep boxes whose score is above this.")
    var threshold: Float = 0.1

    @Option(help: "Non-maximum suppression IoU (0…1) between boxes of one prompt.")
    var nms: Float?

    @Flag(help: "Add a SAM mask for every box (needs --sam-model).")
    var segment = false

    @Option(help: "The SAM checkpoint folder or Hub id for --segment.")
    var samModel: String?

    @Flag(help: "Copy the images into the dataset instead of hard-linking them (a linked image edited in place changes the original too).")
    var copy = false

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    enum DatasetFormat: String, ExpressibleByArgument, CaseIterable { case yolo, coco }
    enum LabelTask: String, ExpressibleByArgument, CaseIterable { case detect, classify }
    /// One image's labelling: its size and objects, or why it could not be read.
    typealias LabelResult = Result<(width: Int, height: Int, objects: [LabeledObject]), any Error>

    func validate() throws {
        switch task {
        case .detect:
            guard let ontology else { throw ValidationError("--task detect needs --ontology \"prompt:class, …\"") }
            if labels != nil { throw ValidationError("--labels is for --task classify; detection takes --ontology") }
            _ = try CaptionOntology(parsing: ontology)
        case .classify:
            guard labels != nil else { throw ValidationError("--task classify needs --labels \"cat,dog\"") }
            if ontology != nil || segment || format != nil { throw ValidationError("--ontology, --segment and --format are for --task detect") }
            if !template.contains("{}") { throw ValidationError("--template needs {} where the label goes") }
            _ = try classLabels()
        }
        if !(minConfidence >= 0 && minConfidence <= 1) { throw ValidationError("--min-confidence must be a probability, 0…1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if !(split >= 0 && split <= 1) { throw ValidationError("--split must be a share, 0…1") }
        if !(threshold >= 0 && threshold <= 1) { throw ValidationError("--threshold must be a score, 0…1") }
        if let nms, !(nms >= 0 && nms <= 1) { throw ValidationError("--nms must be an IoU, 0…1") }
        if segment != (samModel != nil) { throw ValidationError("--segment and --sam-model go together") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// --labels as class names: each once, none empty.
    func classLabels() throws -> [String] {
        let list = (labels ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !list.isEmpty else { throw ValidationError("--labels is empty") }
        guard Set(list).count == list.count else { throw ValidationError("--labels repeats a label") }
        return list
    }

    func run() throws {
        try reportingErrors {
            SeerThreads.set(threads)
            let root = URL(fileURLWithPath: folder).standardizedFileURL
            let outFolder = URL(fileURLWithPath: out).standardizedFileURL
            if outFolder.path == root.path || outFolder.path.hasPrefix(root.path + "/") {
                throw CLIError("--out \(out) is inside the image folder: the dataset's copies would be labelled too; put it elsewhere")
            }
            let images = try InputImages(root: root)
            for clash in images.clashes {
                printError("seer: skipped \(clash.path): its label file would be the same as \(clash.with)'s; rename one")
            }
            let modelFolder = try resolveModelFolder(model)
            let model = try ModelRegistry.shared.load(directory: modelFolder)
            let classes: [String]
            let settings: String
            let labelBatch: ([URL]) throws -> [LabelResult]
            switch task {
            case .detect:
                let ontology = try CaptionOntology(parsing: self.ontology ?? "")
                let samFolder = try samModel.map(resolveModelFolder)
                let options = DetectionOptions(threshold: threshold, nmsIoU: nms)
                let labeler = DetectionLabeler(
                    detector: try model.requireDetector(),
                    segmenter: try samFolder.map { try ModelRegistry.shared.load(directory: $0).requireSegmenter() },
                    ontology: ontology, options: options)
                classes = ontology.classes
                settings = Self.settings(detector: modelFolder, sam: samFolder, ontology: ontology, options: options)
                labelBatch = { urls in
                    // An unreadable image is that image's failure; a model error stops the run.
                    try urls.map { url -> LabelResult in
                        let image: RGBImage
                        do { image = try ImageLoader.load(contentsOf: url) } catch { return .failure(error) }
                        return .success((width: image.width, height: image.height, objects: try labeler.label(image)))
                    }
                }
            case .classify:
                classes = try classLabels()
                let classifier = try model.requireText().classifier(labels: classes, templates: [template])
                let labeler = ClassificationLabeler(pipeline: try model.requireImageEmbedder().pipeline, classifier: classifier)
                settings = "task=classify; model=\(modelFolder.path); labels=\(classes.joined(separator: "|")); template=\(template)"
                labelBatch = { urls in
                    try labeler.label(files: urls).map { result -> LabelResult in
                        result.map { (width: $0.width, height: $0.height, objects: [$0.object]) }
                    }
                }
            }
            try FileManager.default.createDirectory(at: outFolder, withIntermediateDirectories: true)
            let state = try LabelingState(folder: outFolder, settings: settings)
            let forgotten = try state.keepOnly(images.relativePaths)
            if forgotten > 0 { printError("seer: \(forgotten) labelled images are no longer in \(root.path): left out of the dataset") }
            let rule = SplitRule(trainFraction: split, seed: seed)
            let failed = try label(images, root: root, state: state, rule: rule, classes: classes,
                                   batchSize: task == .classify ? batchSize : 1, labelBatch: labelBatch)
            let placement: ImagePlacement = copy ? .copy : .link
            switch (task, format ?? .yolo) {
            case (.classify, _):
                let summary = try ClassificationWriter.write(state: state, classes: classes, rule: rule, minConfidence: minConfidence, to: outFolder, images: placement)
                printError("seer: wrote \(summary.counts[.train, default: 0]) train and \(summary.counts[.valid, default: 0]) valid images to \(outFolder.path); \(summary.unsure) unsure (\(ClassificationWriter.unsureFileName))")
            case (.detect, .yolo):
                let counts = try YOLOWriter.write(state: state, classes: classes, rule: rule, to: outFolder, images: placement)
                printError("seer: wrote \(counts[.train, default: 0]) train and \(counts[.valid, default: 0]) valid images to \(outFolder.path) (yolo)")
            case (.detect, .coco):
                let counts = try COCOWriter.write(state: state, classes: classes, rule: rule, to: outFolder, images: placement)
                printError("seer: wrote \(counts[.train, default: 0]) train and \(counts[.valid, default: 0]) valid images to \(outFolder.path) (coco)")
            }
            if failed > 0 { printError("seer: \(failed) of \(images.relativePaths.count) images could not be read and were left out") }
        }
    }

    /// Labels every image the state does not hold yet, `batchSize` at a time, recording each and
    /// printing its line as it is done. Returns how many could not be read.
    func label(_ images: InputImages, root: URL, state: LabelingState, rule: SplitRule, classes: [String], batchSize: Int,
               labelBatch: ([URL]) throws -> [LabelResult]) throws -> Int {
        let done = try state.count()
        if done > 0 { printError("seer: resuming: \(done) of \(images.relativePaths.count) images already labelled") }
        let progress = Progress(total: max(images.relativePaths.count - done, 0), unit: "images")
        var failed = 0
        var pending: [String] = []
        func flush() throws {
            let results = try labelBatch(pending.map { root.appendingPathComponent($0) })
            for (relative, result) in zip(pending, results) {
                switch result {
                case .success(let labelled):
                    let image = LabeledImage(relativePath: relative, sourcePath: root.appendingPathComponent(relative).path,
                                             width: labelled.width, height: labelled.height, objects: labelled.objects)
                    try state.record(image)
                    try printUnbuffered(AutolabelLine(image, split: rule.split(of: relative), classes: classes))
                case .failure(let error):
                    failed += 1
                    progress.interrupt { printError("seer: skipped \(error)") }
                }
            }
            progress.advance(by: pending.count)
            pending.removeAll()
        }
        for relative in images.relativePaths {
            if try state.isLabelled(relative) { continue }
            pending.append(relative)
            if pending.count == batchSize { try flush() }
        }
        if !pending.isEmpty { try flush() }
        progress.finish()
        return failed
    }

    /// What decides the labels: a state made with other settings is not resumed.
    static func settings(detector: URL, sam: URL?, ontology: CaptionOntology, options: DetectionOptions) -> String {
        var parts = ["detector=\(detector.standardizedFileURL.path)"]
        if let sam { parts.append("sam=\(sam.standardizedFileURL.path)") }
        parts.append("prompts=\(ontology.prompts.joined(separator: "|"))")
        parts.append("classes=\(ontology.classes.joined(separator: "|"))")
        parts.append("threshold=\(options.threshold)")
        parts.append("nms=\(options.nmsIoU.map { "\($0)" } ?? "none")")
        return parts.joined(separator: "; ")
    }
}

/// The images under the input folder, as sorted relative paths, less those whose dataset name would clash.
struct InputImages {
    let relativePaths: [String]
    let clashes: [(path: String, with: String)]

    init(root: URL) throws {
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let all = try FileScanner.images(under: root).map { String($0.path.dropFirst(prefix.count)) }
        guard !all.isEmpty else { throw CLIError("no images (JPEG, PNG, WebP) under \(root.path)") }
        (relativePaths, clashes) = DatasetNaming.withUniqueStems(all)
    }
}

/// One labelled image on stdout: where it goes and what was found, boxes in pixels (corners and COCO's bbox).
struct AutolabelLine: Encodable {
    struct Object: Encodable {
        let `class`: String
        let class_id: Int
        let score: Float
        let box: [Float]
        let bbox: [Float]
        let segmentation: Segmentation?
    }
    struct Segmentation: Encodable {
        let size: [Int]
        let counts: String
    }
    let path: String
    let split: String
    let width: Int
    let height: Int
    let detections: [Object]

    init(_ image: LabeledImage, split: DatasetSplit, classes: [String]) {
        path = image.relativePath
        self.split = split.rawValue
        width = image.width
        height = image.height
        detections = image.objects.map { o in
            Object(class: classes[o.classID], class_id: o.classID, score: o.score, box: o.box,
                   bbox: [o.box[0], o.box[1], o.box[2] - o.box[0], o.box[3] - o.box[1]],
                   segmentation: o.mask.map { Segmentation(size: [image.height, image.width], counts: $0) })
        }
    }
}

/// A JSON line written straight to stdout's file descriptor: a reader (a pipe) sees each line
/// when the image is done, not when a buffer fills.
func printUnbuffered<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(0x0A)
    FileHandle.standardOutput.write(data)
}
