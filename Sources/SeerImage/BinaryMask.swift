/// A binary mask: one Bool per pixel, rows top to bottom. Masks from segmentation models,
/// and what the encoders (COCO RLE, polygons, PNG) and the automatic mask generator work on.
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values, row-major: pixel (x, y) is `bits[y * width + x]`.
    public var bits: [Bool]

    public init(width: Int, height: Int, bits: [Bool]) {
        precondition(width >= 0 && height >= 0, "negative mask size")
        precondition(bits.count == width * height, "mask has \(bits.count) values, expected \(width)×\(height)")
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// An empty (all false) mask.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, bits: [Bool](repeating: false, count: width * height))
    }

    /// Thresholds row-major logits: a pixel is in the mask where its logit is `> threshold`
    /// (transformers' `post_process_masks(binarize=True)` and SAM's `mask_threshold = 0`).
    public init(width: Int, height: Int, logits: [Float], threshold: Float = 0) {
        precondition(logits.count == width * height, "\(logits.count) logits for a \(width)×\(height) mask")
        self.init(width: width, height: height, bits: logits.map { $0 > threshold })
    }

    public subscript(x: Int, y: Int) -> Bool {
        get { bits[y * width + x] }
        set { bits[y * width + x] = newValue }
    }

    /// The number of pixels in the mask.
    public var area: Int { bits.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
