import Foundation
import SeerModels

/// Labels images for a classification dataset with a zero-shot classifier (CLIP, SigLIP): each
/// image gets one object, its most probable label with that probability, boxed as the whole image.
public struct ClassificationLabeler {
    public let pipeline: ImageEmbeddingPipeline
    public let classifier: ZeroShotClassifier

    public init(pipeline: ImageEmbeddingPipeline, classifier: ZeroShotClassifier) {
        (self.pipeline, self.classifier) = (pipeline, classifier)
    }

    /// One result per file, in order: its size and label, or why it could not be read.
    public func label(files: [URL]) throws -> [Result<(width: Int, height: Int, object: LabeledObject), any Error>] {
        try pipeline.embed(files: files).map { result in
            result.map { embedded in
                let best = classifier.predict(embedded.vector).max { $0.probability < $1.probability }!
                let object = LabeledObject(classID: classifier.labels.firstIndex(of: best.label)!, score: best.probability,
                                           box: [0, 0, Float(embedded.width), Float(embedded.height)])
                return (embedded.width, embedded.height, object)
            }
        }
    }
}
