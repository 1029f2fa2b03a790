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

/// A mask's extent: the smallest pixel rectangle holding every set pixel.
public struct MaskExtent: Sendable, Equatable {
    /// Inclusive pixel coordinates of the first and last set column and row.
    public let minX: Int, minY: Int, maxX: Int, maxY: Int

    /// COCO's `bbox` (pycocotools `toBbox`): [x, y, width, height] in pixels, a single pixel
    /// being 1×1.
    public var cocoBox: [Int] { [minX, minY, maxX - minX + 1, maxY - minY + 1] }
}

extension BinaryMask {
    /// The extent of the set pixels, or nil for an empty mask.
    public var extent: MaskExtent? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        bits.withUnsafeBufferPointer { bits in
            for y in 0..<height {
                let row = y * width
                guard let first = (0..<width).first(where: { bits[row + $0] }) else { continue }
                let last = (0..<width).last(where: { bits[row + $0] })!
                minX = Swift.min(minX, first)
                maxX = Swift.max(maxX, last)
                if minY == height { minY = y }
                maxY = y
            }
        }
        return maxX < 0 ? nil : MaskExtent(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    /// COCO's `bbox` [x, y, width, height] (pycocotools `toBbox`): [0, 0, 0, 0] when empty.
    public var cocoBoundingBox: [Int] { extent?.cocoBox ?? [0, 0, 0, 0] }

    /// The intersection over union with another mask of the same size (0 when both are empty).
    public func iou(_ other: BinaryMask) -> Double {
        precondition(width == other.width && height == other.height, "masks of different sizes")
        var intersection = 0, union = 0
        for (a, b) in zip(bits, other.bits) {
            if a && b { intersection += 1 }
            if a || b { union += 1 }
        }
        return union == 0 ? 0 : Double(intersection) / Double(union)
    }
}
