import Foundation
import SeerTensor

/// What OwlViTForObjectDetection / Owlv2ForObjectDetection return for a batch of images and a
/// set of queries (modeling_owlvit.py `forward`, `image_guided_detection`).
public struct OWLOutput: Sendable {
    /// [batch, patches, queries]: logits per box and query.
    public let logits: Tensor
    /// [batch, patches, 4]: (centre x, centre y, width, height), relative to the model's input square.
    public let predBoxes: Tensor
    /// [batch, patches]: OWLv2's objectness logits; nil for OWL-ViT.
    public let objectness: Tensor?
}

/// transformers' OwlViTForObjectDetection and Owlv2ForObjectDetection: CLIP's towers
/// (`owlvit.*` / `owlv2.*`), the patch-token head input (post_layernorm on every token, patch
/// tokens × class token, `layer_norm`), the box head with its grid bias, the class head, and
/// OWLv2's objectness head.
public final class OWLModel: Sendable {
    public let config: OWLConfig
    let vision: CLIPVisionTransformer
    let text: CLIPTextTransformer
    let textProjection: Linear
    let layerNorm: LayerNorm
    let classHead: OWLClassHead
    let boxHead: OWLMLPHead
    let objectnessHead: OWLMLPHead?
    let boxBias: [Float]

    public init(config: OWLConfig, weights: Weights) throws {
        self.config = config
        let towers = weights.scoped(config.version.towerPrefix)
        vision = try CLIPVisionTransformer(towers.scoped("vision_model"), config: config.vision, preLayerNormName: "pre_layernorm")
        text = try CLIPTextTransformer(towers.scoped("text_model"), config: config.text, pooling: .argmax)
        textProjection = try Linear(towers.scoped("text_projection"), inFeatures: config.text.hiddenSize,
                                    outFeatures: config.projectionDim, bias: false)
        let width = config.vision.hiddenSize
        layerNorm = try LayerNorm(weights.scoped("layer_norm"), dimension: width, eps: config.vision.layerNormEps)
        classHead = try OWLClassHead(weights.scoped("class_head"), visionWidth: width, textWidth: config.text.hiddenSize)
        boxHead = try OWLMLPHead(weights.scoped("box_head"), width: width, outputs: 4)
        objectnessHead = config.version == .v2 ? try OWLMLPHead(weights.scoped("objectness_head"), width: width, outputs: 1) : nil
        boxBias = owlBoxBias(rows: config.patchesPerSide, columns: config.patchesPerSide)
    }

    /// Loads `config.json` and `model.safetensors` (or its shards) from a checkpoint folder.
    public convenience init(directory: URL, version: OWLVersion) throws {
        let config = try OWLConfig(contentsOf: directory.appendingPathComponent("config.json"), version: version)
        try self.init(config: config, weights: Weights(store: WeightStore(directory: directory)))
    }

    public var imageSize: Int { config.vision.imageSize }
    public var patchCount: Int { config.patchesPerSide * config.patchesPerSide }
    public var queryDimension: Int { config.projectionDim }

    /// Token id sequences (BOS … EOS, unpadded) → query embeddings [count, projectionDim], unit
    /// length as OwlViTModel returns `text_embeds`.
    public func textQueries(tokenIDs: [[Int32]]) throws -> Tensor {
        let projected = textProjection(try text.pooledOutput(tokenIDs: tokenIDs))
        let dim = projected.shape[1]
        for r in 0..<projected.shape[0] {
            let row = projected.pointer + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += row[i] * row[i] }
            let norm = sum.squareRoot()
            for i in 0..<dim { row[i] /= norm }
        }
        return projected
    }

    /// pixelValues [batch, 3, size, size] → the heads' input [batch, patches, width]
    /// (OwlViTForObjectDetection.image_embedder).
    public func imageFeatures(pixelValues: Tensor) throws -> Tensor {
        let c = config.vision
        guard pixelValues.rank == 4, pixelValues.shape[1] == c.numChannels, pixelValues.shape[2] == c.imageSize,
              pixelValues.shape[3] == c.imageSize else {
            throw ModelError.invalidInput("pixel values of shape \(pixelValues.shape) do not match the model's [batch, \(c.numChannels), \(c.imageSize), \(c.imageSize)]")
        }
        // post_layernorm on every token (CLIP applies it to the class token alone).
        let hidden = vision.postLayerNorm(vision.lastHiddenState(pixelValues: pixelValues))
        let (batch, tokens, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        let patches = Tensor(uninitialized: [batch, tokens - 1, width])
        for b in 0..<batch {
            let cls = hidden.pointer + b * tokens * width
            for t in 1..<tokens {
                let src = cls + t * width, dst = patches.pointer + (b * (tokens - 1) + t - 1) * width
                for i in 0..<width { dst[i] = src[i] * cls[i] }
            }
        }
        withExtendedLifetime(hidden) {}
        return layerNorm(patches)
    }

    /// features [batch, patches, width] → boxes [batch, patches, 4], sigmoid(box_head + box_bias).
    public func boxes(features: Tensor) -> Tensor {
        let out = boxHead(features)
        let period = boxBias.count
        for i in 0..<out.count {
            let v = out.pointer[i] + boxBias[i % period]
            out.pointer[i] = 1 / (1 + exp(-v))
        }
        return out
    }

    /// features → OWLv2's objectness logits [batch, patches]; nil for OWL-ViT.
    public func objectness(features: Tensor) -> Tensor? {
        guard let head = objectnessHead else { return nil }
        let out = head(features)
        return out.reshaped([features.shape[0], features.shape[1]])
    }

    /// features → unnormalized class embeddings [batch, patches, projectionDim].
    public func classEmbeddings(features: Tensor) -> Tensor { classHead.classEmbeddings(features) }

    /// features, queries [count, dim] (shared by every image) or [batch, count, dim] → logits
    /// [batch, patches, count].
    public func logits(features: Tensor, queries: Tensor) -> Tensor {
        let q = queries.rank == 2 ? queries.reshaped([1, queries.shape[0], queries.shape[1]]) : queries
        return classHead.logits(features, queries: q)
    }

    /// The whole forward pass for text (or any precomputed) queries.
    public func detect(pixelValues: Tensor, queries: Tensor) throws -> OWLOutput {
        let features = try imageFeatures(pixelValues: pixelValues)
        return OWLOutput(logits: logits(features: features, queries: queries), predBoxes: boxes(features: features),
                         objectness: objectness(features: features))
    }

    /// The query embedding image-guided detection takes from each query image's features
    /// [batch, patches, width] (`embed_image_query`): OWLv2's most object-like box; OWL-ViT's box,
    /// among those whose IoU with the whole image is within 80% of the best, least similar to the
    /// image's mean class embedding. → [batch, projectionDim] and the chosen box indices.
    public func imageQuery(features: Tensor) -> (embeddings: Tensor, boxIndices: [Int]) {
        let (batch, patches) = (features.shape[0], features.shape[1])
        let classEmbeds = classEmbeddings(features: features)
        let dim = classEmbeds.shape[2]
        var indices = [Int]()
        if let objectness = objectness(features: features) {
            for b in 0..<batch {
                var best = 0
                for p in 0..<patches where objectness.pointer[b * patches + p] > objectness.pointer[b * patches + best] { best = p }
                indices.append(best)
            }
        } else {
            let predBoxes = boxes(features: features)
            for b in 0..<batch {
                let corners = (0..<patches).map { p -> BoxCorners in
                    let v = predBoxes.pointer + (b * patches + p) * 4
                    return BoxCorners(centreX: v[0], centreY: v[1], width: v[2], height: v[3])
                }
                let whole = BoxCorners(x0: 0, y0: 0, x1: 1, y1: 1)
                var ious = corners.map { whole.iou($0) }
                if ious.allSatisfy({ $0 == 0 }) { ious = corners.map { whole.generalizedIoU($0) } }
                let threshold = ious.max()! * 0.8
                let selected = (0..<patches).filter { ious[$0] >= threshold }
                let base = classEmbeds.pointer + b * patches * dim
                var mean = [Float](repeating: 0, count: dim)
                for p in 0..<patches { for i in 0..<dim { mean[i] += base[p * dim + i] } }
                for i in 0..<dim { mean[i] /= Float(patches) }
                var best = selected[0], bestSimilarity = Float.infinity
                for p in selected {
                    var s: Float = 0
                    for i in 0..<dim { s += mean[i] * base[p * dim + i] }
                    if s < bestSimilarity { (best, bestSimilarity) = (p, s) }
                }
                indices.append(best)
            }
        }
        let out = Tensor(uninitialized: [batch, dim])
        for (b, p) in indices.enumerated() {
            (out.pointer + b * dim).update(from: classEmbeds.pointer + (b * patches + p) * dim, count: dim)
        }
        withExtendedLifetime(classEmbeds) {}
        return (out, indices)
    }
}
