import Foundation
import SeerImage
import SeerTensor

/// A box as corners (x0, y0) top-left and (x1, y1) bottom-right, in whatever unit its owner uses
/// (relative to the model input, or pixels of the original image).
public struct BoxCorners: Sendable, Equatable, Codable {
    public var x0: Float
    public var y0: Float
    public var x1: Float
    public var y1: Float

    public init(x0: Float, y0: Float, x1: Float, y1: Float) {
        (self.x0, self.y0, self.x1, self.y1) = (x0, y0, x1, y1)
    }

    /// transformers' center_to_corners_format, in float32 as torch computes it.
    public init(centreX: Float, centreY: Float, width: Float, height: Float) {
        self.init(x0: centreX - 0.5 * width, y0: centreY - 0.5 * height, x1: centreX + 0.5 * width, y1: centreY + 0.5 * height)
    }

    public var width: Float { x1 - x0 }
    public var height: Float { y1 - y0 }
    public var area: Float { width * height }

    /// Whether some of the box lies on a `width` × `height` image (corners in its pixels): a box
    /// drawn partly outside still counts, one wholly outside does not.
    public func overlapsImage(width: Int, height: Int) -> Bool {
        x1 > 0 && y1 > 0 && x0 < Float(width) && y0 < Float(height)
    }

    /// Every coordinate multiplied: (x by sx, y by sy).
    public func scaled(x sx: Float, y sy: Float) -> BoxCorners { BoxCorners(x0: x0 * sx, y0: y0 * sy, x1: x1 * sx, y1: y1 * sy) }

    /// Intersection over union (transformers' box_iou; 0 for two empty boxes).
    public func iou(_ other: BoxCorners) -> Float {
        let w = max(min(x1, other.x1) - max(x0, other.x0), 0), h = max(min(y1, other.y1) - max(y0, other.y0), 0)
        let inter = w * h
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// Generalized IoU (transformers' generalized_box_iou), for boxes that do not overlap.
    public func generalizedIoU(_ other: BoxCorners) -> Float {
        let w = max(min(x1, other.x1) - max(x0, other.x0), 0), h = max(min(y1, other.y1) - max(y0, other.y0), 0)
        let inter = w * h
        let union = area + other.area - inter
        let hull = max(max(x1, other.x1) - min(x0, other.x0), 0) * max(max(y1, other.y1) - min(y0, other.y0), 0)
        return inter / union - (hull - union) / hull
    }
}

/// One detected object: its box in pixels of the original image, its score (a probability) and
/// the index of the query (prompt) it matched; image-guided detection has one query, label 0.
public struct Detection: Sendable, Equatable {
    public var box: BoxCorners
    public var score: Float
    public var label: Int

    public init(box: BoxCorners, score: Float, label: Int) {
        self.box = box
        self.score = score
        self.label = label
    }
}

/// Options of `post_process_object_detection` and what Seer adds after it.
public struct DetectionOptions: Sendable, Equatable {
    /// Keep boxes whose score is above this (transformers' default 0.1).
    public var threshold: Float = 0.1
    /// Non-maximum suppression: drop a box whose IoU with a higher-scoring kept box is above this;
    /// nil: none (transformers applies none to text queries).
    public var nmsIoU: Float?
    /// NMS across labels (true) or only between boxes of one label (false, class-aware).
    public var agnostic = false
    /// Keep at most this many, best first.
    public var maxDetections: Int?

    public init(threshold: Float = 0.1, nmsIoU: Float? = nil, agnostic: Bool = false, maxDetections: Int? = nil) {
        self.threshold = threshold
        self.nmsIoU = nmsIoU
        self.agnostic = agnostic
        self.maxDetections = maxDetections
    }
}

/// The image-side half of a detector's post-processing: how relative boxes become pixels.
public enum BoxScaling: Sendable, Equatable {
    /// x by the image's width, y by its height (OWL-ViT: the image was stretched to the square).
    case stretched
    /// Both by max(width, height) (OWLv2: the image was padded to a square at the bottom right).
    case paddedSquare

    func factors(width: Int, height: Int) -> (x: Float, y: Float) {
        switch self {
        case .stretched: return (Float(width), Float(height))
        case .paddedSquare: let side = Float(max(width, height)); return (side, side)
        }
    }
}

public enum DetectionPostProcessing {
    /// transformers' post_process_object_detection for one image: per box the best query
    /// (sigmoid of the max logit, first index on ties), kept when the score is above `threshold`,
    /// corners scaled to pixels; in box order. logits [patches, queries], boxes [patches, 4]
    /// (centre, size) given as flat arrays.
    public static func detections(logits: UnsafePointer<Float>, boxes: UnsafePointer<Float>, patches: Int, queries: Int,
                                  threshold: Float, imageWidth: Int, imageHeight: Int, scaling: BoxScaling) -> [Detection] {
        let (sx, sy) = scaling.factors(width: imageWidth, height: imageHeight)
        var out = [Detection]()
        for p in 0..<patches {
            let row = logits + p * queries
            var label = 0
            for q in 1..<max(queries, 1) where row[q] > row[label] { label = q }
            let score = 1 / (1 + exp(-row[label]))
            guard score > threshold else { continue }
            let b = boxes + p * 4
            out.append(Detection(box: BoxCorners(centreX: b[0], centreY: b[1], width: b[2], height: b[3]).scaled(x: sx, y: sy),
                                 score: score, label: label))
        }
        return out
    }

    /// Greedy non-maximum suppression, best score first (ties in input order): a box is dropped
    /// when its IoU with a kept box (of the same label unless `agnostic`) is above `iou`.
    /// Returns the kept detections, best first.
    public static func nonMaximumSuppression(_ detections: [Detection], iou: Float, agnostic: Bool) -> [Detection] {
        let order = detections.indices.sorted { (detections[$0].score, -$0) > (detections[$1].score, -$1) }
        var kept = [Detection]()
        for i in order {
            let d = detections[i]
            if kept.contains(where: { (agnostic || $0.label == d.label) && $0.box.iou(d.box) > iou }) { continue }
            kept.append(d)
        }
        return kept
    }

    /// NMS (if asked) and the cap on the count, after the threshold: the options' whole tail.
    public static func finish(_ detections: [Detection], options: DetectionOptions) -> [Detection] {
        var result = detections
        if let iou = options.nmsIoU {
            result = nonMaximumSuppression(result, iou: iou, agnostic: options.agnostic)
        }
        if let limit = options.maxDetections {
            let order = result.indices.sorted { (result[$0].score, -$0) > (result[$1].score, -$1) }
            result = order.prefix(max(limit, 0)).sorted().map { result[$0] }
        }
        return result
    }

    /// transformers' post_process_image_guided_detection for one image: scores are sigmoid(max
    /// logit); greedy NMS at `nmsThreshold` zeroes overlapping lower scores; scores under
    /// `threshold` become 0; the rest are rescaled so the best is 1 and 10% of it is 0
    /// ((s − 0.1·m) / 0.9·m, m = best + 1e-6, clipped to [0, 1]); boxes with a rescaled score
    /// above 0 are kept, in box order, with that score.
    public static func imageGuidedDetections(logits: UnsafePointer<Float>, boxes: UnsafePointer<Float>, patches: Int, queries: Int,
                                             threshold: Float, nmsThreshold: Float, imageWidth: Int, imageHeight: Int,
                                             scaling: BoxScaling) -> [Detection] {
        var scores = (0..<patches).map { p -> Float in
            var best = logits[p * queries]
            for q in 1..<max(queries, 1) { best = max(best, logits[p * queries + q]) }
            return 1 / (1 + exp(-best))
        }
        let corners = (0..<patches).map { p in BoxCorners(centreX: boxes[p * 4], centreY: boxes[p * 4 + 1], width: boxes[p * 4 + 2], height: boxes[p * 4 + 3]) }
        if nmsThreshold < 1 {
            let order = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
            for i in order where scores[i] != 0 {
                for j in 0..<patches where j != i && corners[i].iou(corners[j]) > nmsThreshold { scores[j] = 0 }
            }
        }
        guard scores.contains(where: { $0 != 0 }) else { return [] }
        for i in scores.indices where scores[i] < threshold { scores[i] = 0 }
        let best = scores.max()! + 1e-6
        let (sx, sy) = scaling.factors(width: imageWidth, height: imageHeight)
        var out = [Detection]()
        for p in 0..<patches {
            let alpha = min(max((scores[p] - best * 0.1) / (best * 0.9), 0), 1)
            guard alpha > 0 else { continue }
            out.append(Detection(box: corners[p].scaled(x: sx, y: sy), score: alpha, label: 0))
        }
        return out
    }
}

/// A model that finds objects named by text prompts (or shown by an example image) and boxes them.
public protocol ObjectDetector: VisionModel {
    var imageProcessor: any ImageProcessing { get }
    /// Boxes in pixels of each original image, for every prompt, after `options`.
    func detect(_ images: [RGBImage], prompts: [String], options: DetectionOptions) throws -> [[Detection]]
    /// Boxes of objects like the one in `query` (image-guided detection), after `options`; each
    /// detection's label is 0.
    func detect(_ images: [RGBImage], like query: RGBImage, options: DetectionOptions) throws -> [[Detection]]
}
