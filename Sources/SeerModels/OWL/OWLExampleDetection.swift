import Foundation
import SeerImage
import SeerTensor

/// One example box a user drew on a training image: "this is a forklift" (or, `negative`, "this
/// is not one"). Centre and size in pixels of that image, as Roboflow's `TrainBox`.
public struct ExampleBox: Sendable, Equatable {
    public var centreX: Float
    public var centreY: Float
    public var width: Float
    public var height: Float
    public var className: String
    public var negative: Bool

    public init(centreX: Float, centreY: Float, width: Float, height: Float, className: String, negative: Bool = false) {
        (self.centreX, self.centreY, self.width, self.height) = (centreX, centreY, width, height)
        self.className = className
        self.negative = negative
    }
}

/// An image with the example boxes drawn on it (Roboflow's `TrainingImage`).
public struct ExampleImage: Sendable {
    public var image: RGBImage
    public var boxes: [ExampleBox]

    public init(image: RGBImage, boxes: [ExampleBox]) {
        self.image = image
        self.boxes = boxes
    }
}

/// Few-shot detection from example boxes, the way Roboflow Inference's `/owlv2/infer` does it
/// (inference/models/owlv2/owlv2.py), so its users get the answers they know:
/// - each image keeps its `candidates` most object-like boxes (OWLv2's objectness; OWL-ViT has
///   none and keeps every box) with their class embeddings divided by (‖·‖ + 1e-6);
/// - each example box takes the embedding of the candidate that overlaps it most, if that IoU is
///   above `iouThreshold`; a class collects its positive and negative embeddings;
/// - a candidate's score for one side of a class is (best cosine + 1) / 2, kept above
///   `confidence`; NMS over a class's positive and negative boxes at `iouThreshold` and only
///   positives survive (a negative example suppresses what it overlaps); then NMS across classes
///   and the first `maxDetections`.
/// Labels index `classNames`, the example classes sorted (Roboflow's class_id).
///
/// Differences from Roboflow's code, on purpose: pixels go through the checkpoint's own
/// processor (transformers' Owlv2Processor) rather than Roboflow's un-antialiased resize, and an
/// example box that matches no candidate is dropped with its class (Roboflow's zip of matched
/// embeddings with all classes then shifts later classes by one).
public struct ExampleDetectionOptions: Sendable, Equatable {
    /// Roboflow's default 0.99: scores are cosines mapped to 0…1, so useful thresholds are high.
    public var confidence: Float = 0.99
    public var iouThreshold: Float = 0.3
    public var maxDetections = 300
    /// Most object-like boxes kept per image (Roboflow's MAX_DETECTIONS top-k, 300).
    public var candidates = 300

    public init(confidence: Float = 0.99, iouThreshold: Float = 0.3, maxDetections: Int = 300, candidates: Int = 300) {
        self.confidence = confidence
        self.iouThreshold = iouThreshold
        self.maxDetections = maxDetections
        self.candidates = candidates
    }
}

public struct ExampleDetections: Sendable {
    /// The example classes, sorted; a detection's label indexes this.
    public var classNames: [String]
    /// Per image, best first.
    public var detections: [[Detection]]
}

/// One image's candidate boxes, relative to the model input (corners in 0…1), with unit class embeddings.
public struct OWLCandidates: Sendable {
    public var boxes: [BoxCorners]
    public var embeddings: [[Float]]
}

/// What example boxes teach: per class (sorted by name), the unit embeddings of its positive
/// and negative examples. Computed once, then used on any number of images.
public struct ExampleQueries: Sendable {
    public var classNames: [String]
    public var positives: [[[Float]]]
    public var negatives: [[[Float]]]
}

extension OWL {
    /// Detects the example classes in `images` (see `ExampleDetectionOptions` for the rules).
    public func detect(_ images: [RGBImage], examples: [ExampleImage], options: ExampleDetectionOptions) throws -> ExampleDetections {
        let queries = try exampleQueries(examples, options: options)
        return ExampleDetections(classNames: queries.classNames, detections: try detect(images, exampleQueries: queries, options: options))
    }

    /// Each example box's embedding: that of the candidate overlapping it most, when the IoU is
    /// above `options.iouThreshold` (else the box teaches nothing).
    public func exampleQueries(_ examples: [ExampleImage], options: ExampleDetectionOptions) throws -> ExampleQueries {
        guard examples.contains(where: { !$0.boxes.isEmpty }) else {
            throw ModelError.invalidInput("few-shot detection needs at least one example box")
        }
        var positives = [String: [[Float]]](), negatives = [String: [[Float]]]()
        for example in examples where !example.boxes.isEmpty {
            let found = try candidates(example.image, limit: options.candidates)
            let (sx, sy) = boxScaling.factors(width: example.image.width, height: example.image.height)
            for box in example.boxes {
                let query = BoxCorners(centreX: box.centreX / sx, centreY: box.centreY / sy, width: box.width / sx, height: box.height / sy)
                var best = -1, bestIoU: Float = -1
                for (i, candidate) in found.boxes.enumerated() {
                    let iou = candidate.iou(query)
                    if iou > bestIoU { (best, bestIoU) = (i, iou) }
                }
                guard best >= 0, bestIoU > options.iouThreshold else { continue }
                if box.negative { negatives[box.className, default: []].append(found.embeddings[best]) }
                else { positives[box.className, default: []].append(found.embeddings[best]) }
            }
        }
        let names = Set(positives.keys).union(negatives.keys).sorted()
        return ExampleQueries(classNames: names, positives: names.map { positives[$0] ?? [] }, negatives: names.map { negatives[$0] ?? [] })
    }

    /// Boxes of the example classes in each image, best first; labels index `queries.classNames`.
    public func detect(_ images: [RGBImage], exampleQueries queries: ExampleQueries, options: ExampleDetectionOptions) throws -> [[Detection]] {
        try images.map { image -> [Detection] in
            let found = try candidates(image, limit: options.candidates)
            let (sx, sy) = boxScaling.factors(width: image.width, height: image.height)
            var all = [Detection]()
            for label in queries.classNames.indices {
                // Positive boxes carry the label, negative ones -1, until the class's own NMS.
                var both = [Detection]()
                for (side, embeddings) in [(label, queries.positives[label]), (-1, queries.negatives[label])] where !embeddings.isEmpty {
                    for (i, candidate) in found.embeddings.enumerated() {
                        var best = -Float.infinity
                        for query in embeddings { best = max(best, dot(candidate, query)) }
                        let score = (best + 1) / 2
                        if score > options.confidence { both.append(Detection(box: found.boxes[i], score: score, label: side)) }
                    }
                }
                all += DetectionPostProcessing.nonMaximumSuppression(both, iou: options.iouThreshold, agnostic: true).filter { $0.label >= 0 }
            }
            let kept = DetectionPostProcessing.nonMaximumSuppression(all, iou: options.iouThreshold, agnostic: true)
            return kept.prefix(max(options.maxDetections, 0)).map { Detection(box: $0.box.scaled(x: sx, y: sy), score: $0.score, label: $0.label) }
        }
    }

    /// The image's `limit` most object-like candidate boxes (all of them without objectness), most
    /// object-like first, with unit class embeddings.
    public func candidates(_ image: RGBImage, limit: Int) throws -> OWLCandidates {
        let features = try model.imageFeatures(pixelValues: pixelValues(image))
        let boxes = model.boxes(features: features)
        let classEmbeds = model.classEmbeddings(features: features)
        let patches = model.patchCount, dim = classEmbeds.shape[2]
        var order = Array(0..<patches)
        if let objectness = model.objectness(features: features) {
            // Sigmoid is monotonic: ranking the logits ranks the probabilities.
            order.sort { (objectness.pointer[$0], -$0) > (objectness.pointer[$1], -$1) }
            order = Array(order.prefix(max(limit, 0)))
            withExtendedLifetime(objectness) {}
        }
        var result = OWLCandidates(boxes: [], embeddings: [])
        for p in order {
            let b = boxes.pointer + p * 4
            result.boxes.append(BoxCorners(centreX: b[0], centreY: b[1], width: b[2], height: b[3]))
            let row = UnsafeBufferPointer(start: classEmbeds.pointer + p * dim, count: dim)
            var sum: Float = 0
            for v in row { sum += v * v }
            let scale = 1 / (sum.squareRoot() + 1e-6)
            result.embeddings.append(row.map { $0 * scale })
        }
        withExtendedLifetime((boxes, classEmbeds)) {}
        return result
    }
}

/// A detector that learns classes from example boxes (Roboflow's `/owlv2/infer`).
public protocol ExampleBoxDetector: ObjectDetector {
    func detect(_ images: [RGBImage], examples: [ExampleImage], options: ExampleDetectionOptions) throws -> ExampleDetections
    func exampleQueries(_ examples: [ExampleImage], options: ExampleDetectionOptions) throws -> ExampleQueries
    func detect(_ images: [RGBImage], exampleQueries: ExampleQueries, options: ExampleDetectionOptions) throws -> [[Detection]]
}

extension OWL: ExampleBoxDetector {}
