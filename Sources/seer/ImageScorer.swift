import Foundation
import SeerDatasets
import SeerModels

/// What `seer classify` scores an image embedding with: the zero-shot classifier (text labels)
/// or a linear probe that `seer train` fitted (--head).
struct ImageScorer {
    let labels: [String]
    /// The rule's short name, in JSON output.
    let rule: String
    /// The rule in words, in table output.
    let summary: String
    /// All labels, most probable first.
    let predict: ([Float]) throws -> [ZeroShotClassifier.Prediction]

    init(_ classifier: ZeroShotClassifier) {
        labels = classifier.labels
        rule = classifier.scoring.name
        summary = classifier.scoring.summary
        predict = { classifier.predict($0) }
    }

    /// A probe's softmax over its classes of W·x + b, x the L2-normalised embedding (as `seer
    /// train` fitted it). The prediction's "cosine" carries the class's logit.
    init(_ probe: LinearProbe, file: String) {
        labels = probe.classes
        rule = "linear-probe"
        summary = "softmax of the linear probe \(file)"
        predict = { embedding in
            guard embedding.count == probe.dimension else {
                throw CLIError("\(file) was trained on \(probe.dimension)-dimensional embeddings; this model gives \(embedding.count)")
            }
            let logits = probe.logits(normalized(embedding))
            let top = logits.max() ?? 0
            let exps = logits.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            return probe.classes.indices
                .map { ZeroShotClassifier.Prediction(label: probe.classes[$0], probability: exps[$0] / total, cosine: logits[$0]) }
                .sorted { $0.probability > $1.probability }
        }
    }
}
