import SeerImage

/// The contract between the SAM model, the automatic mask generator, the CLI and the server.
/// Coordinates are in the original image's pixels (x right, y down), as users click them and
/// as transformers' `SamProcessor` takes `input_points` / `input_boxes`.

/// A click: label 1 = foreground (inside the object), 0 = background (outside).
public struct SAMPoint: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var isForeground: Bool

    public init(x: Double, y: Double, isForeground: Bool = true) {
        self.x = x
        self.y = y
        self.isForeground = isForeground
    }
}

/// A box prompt: top-left (x0, y0) and bottom-right (x1, y1) corners.
public struct SAMBox: Sendable, Equatable, Codable {
    public var x0: Double, y0: Double, x1: Double, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
}

/// One prompt for one object: any number of points, an optional box, and optionally the
/// 256×256 low-resolution logits of an earlier prediction (SAM's `mask_inputs`) to refine.
public struct SAMPrompt: Sendable, Equatable {
    public var points: [SAMPoint]
    public var box: SAMBox?
    public var previousLowResLogits: [Float]?

    public init(points: [SAMPoint] = [], box: SAMBox? = nil, previousLowResLogits: [Float]? = nil) {
        self.points = points
        self.box = box
        self.previousLowResLogits = previousLowResLogits
    }
}

/// What the image encoder makes of one image: computed once, then every prompt only runs the
/// small decoder. The sizes are needed to map prompts in and masks back out.
public struct SAMImageEmbedding: Sendable {
    /// [channels (256), grid (64), grid (64)] for the released checkpoints, row-major.
    public let values: [Float]
    public let channels: Int
    public let gridSize: Int
    /// The image as given.
    public let originalWidth: Int
    public let originalHeight: Int
    /// The image after resizing its longest side to the encoder's input size (before padding).
    public let resizedWidth: Int
    public let resizedHeight: Int

    public init(values: [Float], channels: Int, gridSize: Int, originalWidth: Int, originalHeight: Int, resizedWidth: Int, resizedHeight: Int) {
        precondition(values.count == channels * gridSize * gridSize, "embedding has \(values.count) values, expected \(channels)×\(gridSize)×\(gridSize)")
        self.values = values
        self.channels = channels
        self.gridSize = gridSize
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.resizedWidth = resizedWidth
        self.resizedHeight = resizedHeight
    }
}

/// The decoder's answer to one prompt: 1 mask, or 3 with `multimask`, each with its predicted IoU.
public struct SAMPrediction: Sendable {
    /// The original image's size; `logits[i]` has `width * height` values, row-major.
    public let width: Int
    public let height: Int
    /// Mask logits upscaled to the original image (transformers' `post_process_masks` before
    /// binarizing): a pixel is in mask i where `logits[i][p] > 0`.
    public let logits: [[Float]]
    /// The decoder's predicted IoU per mask (`iou_scores`).
    public let iouScores: [Float]
    /// The raw 256×256 decoder logits per mask (`pred_masks`), to feed back as
    /// `SAMPrompt.previousLowResLogits`.
    public let lowResLogits: [[Float]]
    public static let lowResSize = 256

    public init(width: Int, height: Int, logits: [[Float]], iouScores: [Float], lowResLogits: [[Float]]) {
        precondition(logits.count == iouScores.count && lowResLogits.count == iouScores.count, "one IoU score per mask")
        self.width = width
        self.height = height
        self.logits = logits
        self.iouScores = iouScores
        self.lowResLogits = lowResLogits
    }

    /// Mask i, thresholded at `threshold` (SAM's `mask_threshold`, 0).
    public func mask(_ index: Int, threshold: Float = 0) -> BinaryMask {
        BinaryMask(width: width, height: height, logits: logits[index], threshold: threshold)
    }
}

/// What the automatic mask generator, the CLI and the server need from a SAM model; `SAM`
/// conforms. A protocol so their logic can also be tested against a scripted fake.
public protocol SegmentAnything: Sendable {
    /// Runs the image encoder once; the result is reused by every prompt on that image.
    func embed(_ image: RGBImage) throws -> SAMImageEmbedding
    /// Runs the mask decoder: one prediction per prompt, in order. The answer for a prompt
    /// does not depend on which other prompts share the call.
    func predict(_ embedding: SAMImageEmbedding, prompts: [SAMPrompt], multimask: Bool) throws -> [SAMPrediction]
}

extension SegmentAnything {
    /// Grounded SAM (a detector's boxes to masks, as Autodistill's GroundedSAM does): one mask
    /// per box, the box as SAM's only prompt, the single-mask output; the image is encoded once.
    /// Boxes are corners in pixels of `image`.
    public func masks(forBoxes boxes: [BoxCorners], in image: RGBImage) throws -> [BinaryMask] {
        guard !boxes.isEmpty else { return [] }
        let embedding = try embed(image)
        let prompts = boxes.map { SAMPrompt(box: SAMBox(x0: Double($0.x0), y0: Double($0.y0), x1: Double($0.x1), y1: Double($0.y1))) }
        return try predict(embedding, prompts: prompts, multimask: false).map { $0.mask(0) }
    }
}
