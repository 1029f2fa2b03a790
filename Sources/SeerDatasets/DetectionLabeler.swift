import SeerImage
import SeerModels

/// Labels one image for a detection dataset: the detector's boxes for the ontology's prompts,
/// each given its prompt's class, and, with a segmenter, SAM's mask for each box (the box as
/// its prompt, one mask per box), as Autodistill's GroundedSAM does.
public struct DetectionLabeler {
    public let detector: any ObjectDetector
    public let segmenter: (any SegmentAnything)?
    public let ontology: CaptionOntology
    public let options: DetectionOptions

    public init(detector: any ObjectDetector, segmenter: (any SegmentAnything)?, ontology: CaptionOntology, options: DetectionOptions) {
        (self.detector, self.segmenter, self.ontology, self.options) = (detector, segmenter, ontology, options)
    }

    /// The objects, best score first (ties in the detector's order). Boxes are clipped to the
    /// image, because trainers reject coordinates outside it; a box with nothing left inside is dropped.
    public func label(_ image: RGBImage) throws -> [LabeledObject] {
        let found = try detector.detect([image], prompts: ontology.prompts, options: options)[0]
        let order = found.indices.sorted { (found[$0].score, -$0) > (found[$1].score, -$1) }
        let w = Float(image.width), h = Float(image.height)
        var objects = order.compactMap { i -> LabeledObject? in
            let d = found[i]
            let box = [min(max(d.box.x0, 0), w), min(max(d.box.y0, 0), h), min(max(d.box.x1, 0), w), min(max(d.box.y1, 0), h)]
            guard box[2] > box[0], box[3] > box[1] else { return nil }
            return LabeledObject(classID: ontology.classOfPrompt[d.label], score: d.score, box: box)
        }
        if let segmenter {
            let masks = try segmenter.masks(forBoxes: objects.map { BoxCorners(x0: $0.box[0], y0: $0.box[1], x1: $0.box[2], y1: $0.box[3]) }, in: image)
            for (i, mask) in masks.enumerated() { objects[i].mask = MaskRLE(mask).compressed }
        }
        return objects
    }
}
