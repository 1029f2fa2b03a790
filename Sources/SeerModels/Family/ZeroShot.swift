import Foundation
import SeerTensor

/// How a family turns image–text cosines into label probabilities.
public enum ZeroShotScoring: Sendable, Equatable {
    /// CLIP: softmax over the labels of `scale × cosine`; probabilities sum to 1.
    case softmax(scale: Float)
    /// SigLIP: `sigmoid(scale × cosine + bias)` per label, independent of the other labels.
    case sigmoid(scale: Float, bias: Float)

    /// The rule's name as the CLI prints it.
    public var name: String {
        switch self {
        case .softmax: return "softmax"
        case .sigmoid: return "sigmoid"
        }
    }

    /// The rule in a few words, for people.
    public var summary: String {
        switch self {
        case .softmax: return "softmax over the labels"
        case .sigmoid: return "sigmoid per label, independent"
        }
    }
}

/// Label probabilities for image embeddings under a family's scoring rule.
public struct ZeroShotClassifier: Sendable {
    public let labels: [String]
    /// One unit vector per label.
    public let classEmbeddings: [[Float]]
    public let scoring: ZeroShotScoring

    public init(labels: [String], classEmbeddings: [[Float]], scoring: ZeroShotScoring) {
        self.labels = labels
        self.classEmbeddings = classEmbeddings
        self.scoring = scoring
    }

    public struct Prediction: Sendable, Equatable {
        public let label: String
        public let probability: Float
        public let cosine: Float

        // Public so that other scorers (a trained linear probe) can answer in the same shape.
        public init(label: String, probability: Float, cosine: Float) {
            (self.label, self.probability, self.cosine) = (label, probability, cosine)
        }
    }

    /// Predictions for one image embedding, all labels, most probable first.
    public func predict(_ imageEmbedding: [Float]) -> [Prediction] {
        let unit = normalized(imageEmbedding)
        let cosines = classEmbeddings.map { dot(unit, $0) }
        let probabilities: [Float]
        switch scoring {
        case .softmax(let scale):
            let logits = cosines.map { $0 * scale }
            let top = logits.max() ?? 0
            let exps = logits.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            probabilities = exps.map { $0 / total }
        case .sigmoid(let scale, let bias):
            probabilities = cosines.map { 1 / (1 + Foundation.exp(-($0 * scale + bias))) }
        }
        return labels.indices
            .map { Prediction(label: labels[$0], probability: probabilities[$0], cosine: cosines[$0]) }
            .sorted { $0.probability > $1.probability }
    }
}

extension TextEmbedder {
    /// A zero-shot classifier over `labels`: each label's text embedding is the normalized mean
    /// of its normalized embeddings under every template ("a photo of a {}."), the prompt
    /// ensembling of the CLIP paper.
    public func classifier(labels: [String], templates: [String] = ["{}"]) throws -> ZeroShotClassifier {
        guard !labels.isEmpty else { throw ModelError.invalidInput("no labels given") }
        guard !templates.isEmpty else { throw ModelError.invalidInput("no prompt templates given") }
        for template in templates where !template.contains("{}") {
            throw ModelError.invalidInput("template \"\(template)\" has no {} where the label goes")
        }
        let prompts = labels.flatMap { label in templates.map { $0.replacingOccurrences(of: "{}", with: label) } }
        let promptEmbeddings = try embed(texts: prompts).map(normalized)
        let classEmbeddings = labels.indices.map { i -> [Float] in
            let rows = promptEmbeddings[(i * templates.count)..<((i + 1) * templates.count)]
            var mean = [Float](repeating: 0, count: embeddingDimension)
            for row in rows { for d in 0..<mean.count { mean[d] += row[d] } }
            return normalized(mean)
        }
        return ZeroShotClassifier(labels: labels, classEmbeddings: classEmbeddings, scoring: zeroShotScoring)
    }
}

/// Built-in prompt templates for `--ensemble`: varied phrasings of "a photo of a {}", which
/// average out the wording sensitivity of zero-shot CLIP.
public let defaultPromptTemplates = [
    "a photo of a {}.",
    "a photo of the {}.",
    "a close-up photo of a {}.",
    "a cropped photo of a {}.",
    "a bright photo of a {}.",
    "a dark photo of a {}.",
    "a blurry photo of a {}.",
    "a low resolution photo of a {}.",
    "a good photo of a {}.",
    "a photo of a large {}.",
    "a photo of a small {}.",
    "a picture of a {}.",
    "an image of a {}.",
    "a rendering of a {}.",
    "a drawing of a {}.",
    "a {} in the wild.",
]

public func dot(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "vectors of different lengths")
    return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in dotProduct(x.baseAddress!, y.baseAddress!, a.count) } }
}

/// `v` scaled to unit length (a zero vector stays zero).
public func normalized(_ v: [Float]) -> [Float] {
    let norm = dot(v, v).squareRoot()
    return norm > 0 ? v.map { $0 / norm } : v
}

public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    dot(normalized(a), normalized(b))
}
