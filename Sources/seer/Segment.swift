import ArgumentParser
import Foundation
import SeerRuntime
import SeerImage
import SeerModels

struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment an image with SAM: from points and a box, or everything (--auto).",
        discussion: """
        Prints one JSON line: {"image", "width", "height", "masks": [...]}. Each mask has "predicted_iou", \
        "area" (pixels) and "bbox" (COCO's [x, y, width, height] of its pixels); --auto adds "stability_score", \
        "point_coords" (the grid point that found it) and "crop_box", and lists masks best first, as SAM's \
        automatic mask generator does.

        --format json (default): "segmentation" is COCO's compressed RLE {"size": [h, w], "counts": …}.
        --format polygons: "segmentation" is COCO polygons [[x1, y1, x2, y2, …], …], one per 4-connected part, \
        vertices on pixel corners; holes are joined to their outline by a zero-width bridge.
        --format rle: one line per mask, just the RLE {"size", "counts"} (pycocotools' mask.decode reads it).
        --format png: writes mask-000.png, mask-001.png … (8-bit gray, 255 inside) into --out; the JSON names \
        each file in "file".

        Prompts: every --point and the --box describe one object. Coordinates are image pixels (x right, \
        y down) and may lie outside the image, as SAM allows.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, rle, polygons, png
    }

    @Argument(help: "The image (JPEG, PNG, WebP).")
    var image: String

    @Option(name: .shortAndLong, help: "A SAM checkpoint folder in Hugging Face layout (config.json, model.safetensors, preprocessor_config.json), or a Hub id ORG/NAME[@REVISION] (fetched into the Hub cache unless already there).")
    var model: String

    @Option(name: .long, help: ArgumentHelp("A point prompt x,y (foreground) or x,y,LABEL with LABEL 1 (foreground) or 0 (background); repeatable.", valueName: "x,y[,label]"))
    var point: [String] = []

    @Option(help: ArgumentHelp("A box prompt: top-left and bottom-right corners.", valueName: "x0,y0,x1,y1"))
    var box: String?

    @Flag(help: "Return SAM's three candidate masks for the prompt instead of one.")
    var multimask = false

    @Flag(help: "Segment everything: prompt with a grid of points and keep the confident, stable, distinct masks.")
    var auto = false

    @Option(help: "--auto: points along each side of the grid.")
    var pointsPerSide = 32

    @Option(help: "--auto: prompts per decoder pass (default: 64, fewer for large images so that their upscaled masks stay within about 2 GB).")
    var pointsPerBatch: Int?

    @Option(help: "--auto: keep masks whose predicted IoU is above this.")
    var predIouThresh: Float = 0.88

    @Option(help: "--auto: keep masks whose stability score is at least this.")
    var stabilityScoreThresh: Float = 0.95

    @Option(help: "--auto: drop masks whose box overlaps a better mask's by more than this IoU.")
    var boxNmsThresh: Double = 0.7

    @Option(help: "Output: json, rle, polygons or png (see above).")
    var format: Format = .json

    @Option(help: "Folder for --format png masks (created if missing).")
    var out: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if auto {
            if !point.isEmpty || box != nil { throw ValidationError("--auto prompts by itself: leave out --point and --box") }
            if multimask { throw ValidationError("--multimask is for point and box prompts, not --auto") }
            if pointsPerSide < 1 || pointsPerSide > 1024 { throw ValidationError("--points-per-side must be between 1 and 1024") }
            if let pointsPerBatch, pointsPerBatch < 1 { throw ValidationError("--points-per-batch must be at least 1") }
            for (name, value) in [("--pred-iou-thresh", Double(predIouThresh)), ("--stability-score-thresh", Double(stabilityScoreThresh)), ("--box-nms-thresh", boxNmsThresh)]
            where !value.isFinite {
                throw ValidationError("\(name) must be a number")
            }
        } else if point.isEmpty && box == nil {
            throw ValidationError("give a prompt (--point and/or --box) or --auto")
        }
        if format == .png && out == nil { throw ValidationError("--format png writes files: give --out DIR") }
        if format != .png && out != nil { throw ValidationError("--out is for --format png") }
        _ = try prompt()
    }

    /// The --point and --box options as one SAM prompt (nil with --auto).
    func prompt() throws -> SAMPrompt? {
        guard !auto else { return nil }
        let points = try point.map { text -> SAMPoint in
            let values = try Self.numbers(text, option: "--point", count: [2, 3], form: "x,y or x,y,label")
            if values.count == 3 && values[2] != 0 && values[2] != 1 {
                throw ValidationError("--point \(text): the label must be 1 (foreground) or 0 (background)")
            }
            return SAMPoint(x: values[0], y: values[1], isForeground: values.count == 2 || values[2] == 1)
        }
        let box = try box.map { text -> SAMBox in
            let v = try Self.numbers(text, option: "--box", count: [4], form: "x0,y0,x1,y1")
            guard v[2] >= v[0], v[3] >= v[1] else {
                throw ValidationError("--box \(text): the second corner must be right of and below the first (x0,y0,x1,y1)")
            }
            return SAMBox(x0: v[0], y0: v[1], x1: v[2], y1: v[3])
        }
        return SAMPrompt(points: points, box: box)
    }

    static func numbers(_ text: String, option: String, count: Set<Int>, form: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard count.contains(parts.count) else { throw ValidationError("\(option) \(text): expected \(form)") }
        return try parts.map { part in
            guard let value = Double(part) else { throw ValidationError("\(option) \(text): '\(part)' is not a number") }
            guard value.isFinite else { throw ValidationError("\(option) \(text): coordinates must be finite numbers") }
            return value
        }
    }

    func run() throws {
        try reportingErrors {
            SeerThreads.set(threads)
            let picture = try ImageLoader.load(contentsOf: URL(fileURLWithPath: image))
            let sam = try ModelRegistry.shared.load(directory: resolveModelFolder(model)).requireSegmenter()
            let embedding = try sam.embed(picture)
            var records: [SegmentRecord]
            if let prompt = try prompt() {
                let prediction = try sam.predict(embedding, prompts: [prompt], multimask: multimask)[0]
                records = prediction.iouScores.indices.map { i in
                    SegmentRecord(mask: prediction.mask(i), predictedIoU: prediction.iouScores[i])
                }
            } else {
                var options = AutomaticMaskGenerator.Options()
                options.pointsPerSide = pointsPerSide
                // Each prompt brings 3 float logit maps of the whole image: SAM's 64 prompts of
                // a 12-megapixel photo would be 9 GB. Batching does not change the masks.
                let perPrompt = 3 * 4 * picture.width * picture.height
                options.pointsPerBatch = pointsPerBatch ?? max(1, min(64, (2 << 30) / max(perPrompt, 1)))
                options.predIoUThreshold = predIouThresh
                options.stabilityScoreThreshold = stabilityScoreThresh
                options.boxNMSThreshold = boxNmsThresh
                let progress = Progress(total: pointsPerSide * pointsPerSide, unit: "points")
                var done = 0
                let masks = try AutomaticMaskGenerator(model: sam, options: options).generate(embedding) { now, _ in
                    progress.advance(by: now - done)
                    done = now
                }
                progress.finish()
                records = masks.map(SegmentRecord.init)
            }
            try emit(&records, width: picture.width, height: picture.height)
        }
    }

    func emit(_ records: inout [SegmentRecord], width: Int, height: Int) throws {
        switch format {
        case .json:
            for i in records.indices { records[i].segmentation = .rle(MaskRLE(records[i].mask)) }
        case .polygons:
            for i in records.indices { records[i].segmentation = .polygons(records[i].mask.polygons) }
        case .rle:
            for record in records { try printJSONLine(Segmentation.rle(MaskRLE(record.mask))) }
            return
        case .png:
            let folder = URL(fileURLWithPath: out!)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create \(folder.path): \((error as NSError).localizedDescription)")
            }
            // Encode every mask before writing any, so a failure leaves no partial set behind.
            let files = try records.map { try $0.mask.pngData() }
            for (i, data) in files.enumerated() {
                let url = folder.appendingPathComponent(String(format: "mask-%03d.png", i))
                try writeAtomically(data, to: url)
                records[i].file = url.path
            }
        }
        try printJSONLine(SegmentOutput(image: image, width: width, height: height, masks: records))
    }
}

struct SegmentOutput: Encodable {
    var image: String
    var width: Int
    var height: Int
    var masks: [SegmentRecord]
}

/// One mask as `seer segment` prints it (snake_case keys, as SAM's and COCO's JSON).
struct SegmentRecord: Encodable {
    let mask: BinaryMask
    var predictedIoU: Float
    var stabilityScore: Float?
    var pointCoords: [[Double]]?
    var cropBox: [Int]?
    var segmentation: Segmentation?
    var file: String?

    init(mask: BinaryMask, predictedIoU: Float) {
        self.mask = mask
        self.predictedIoU = predictedIoU
    }

    init(_ automatic: AutomaticMaskGenerator.Mask) {
        self.init(mask: automatic.mask, predictedIoU: automatic.predictedIoU)
        stabilityScore = automatic.stabilityScore
        pointCoords = [[automatic.point.x, automatic.point.y]]
        cropBox = automatic.cropBox
    }

    enum CodingKeys: String, CodingKey {
        case predictedIoU = "predicted_iou", stabilityScore = "stability_score", pointCoords = "point_coords"
        case cropBox = "crop_box", segmentation, file, area, bbox
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(predictedIoU, forKey: .predictedIoU)
        try c.encode(mask.area, forKey: .area)
        try c.encode(mask.cocoBoundingBox, forKey: .bbox)
        if let stabilityScore {
            // 0/0 for a mask with no pixel above −offset: SAM reports NaN, JSON has null.
            if stabilityScore.isFinite { try c.encode(stabilityScore, forKey: .stabilityScore) } else { try c.encodeNil(forKey: .stabilityScore) }
        }
        try c.encodeIfPresent(pointCoords, forKey: .pointCoords)
        try c.encodeIfPresent(cropBox, forKey: .cropBox)
        try c.encodeIfPresent(segmentation, forKey: .segmentation)
        try c.encodeIfPresent(file, forKey: .file)
    }
}

/// COCO's `segmentation`: compressed RLE or polygons.
enum Segmentation: Encodable {
    case rle(MaskRLE)
    case polygons([[Double]])

    enum Keys: String, CodingKey { case size, counts }

    func encode(to encoder: Encoder) throws {
        switch self {
        case .rle(let rle):
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode([rle.height, rle.width], forKey: .size)
            try c.encode(rle.compressed, forKey: .counts)
        case .polygons(let polygons):
            var c = encoder.singleValueContainer()
            try c.encode(polygons)
        }
    }
}
