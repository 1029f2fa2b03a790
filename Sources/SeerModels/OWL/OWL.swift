import Foundation
import SeerImage
import SeerTensor
import SeerTokenizers

/// An OWL-ViT or OWLv2 checkpoint ready to detect: the model with its tokenizer (CLIP's BPE,
/// 16 positions) and image processor, loaded from one Hugging Face-layout folder.
///
/// ```swift
/// let owl = try OWL(directory: URL(fileURLWithPath: "owlv2-base-patch16-ensemble"))
/// let boxes = try owl.detect([photo], prompts: ["a forklift", "a person"], options: DetectionOptions(threshold: 0.2))[0]
/// ```
public final class OWL: ObjectDetector {
    public let version: OWLVersion
    public let model: OWLModel
    public let tokenizer: CLIPTokenizer
    public let processor: any ImageProcessing

    public static let requiredFiles = ["config.json", "preprocessor_config.json", "vocab.json", "merges.txt"]

    public init(directory: URL, version: OWLVersion) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.missingFile("\(directory.path) (expected a model folder with config.json, model.safetensors, preprocessor_config.json, vocab.json, merges.txt)")
        }
        for name in Self.requiredFiles where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            throw ModelError.missingFile(directory.appendingPathComponent(name).path)
        }
        self.version = version
        model = try OWLModel(directory: directory, version: version)
        var tokenizer = try CLIPTokenizer(directory: directory)
        // The text tower has 16 positions; longer prompts are cut to BOS + 14 tokens + EOS
        // (transformers would fail on them instead).
        tokenizer.maxLength = min(tokenizer.maxLength, model.config.text.maxPositionEmbeddings)
        self.tokenizer = tokenizer
        let processorURL = directory.appendingPathComponent("preprocessor_config.json")
        switch version {
        case .v1: processor = try ImagePreprocessor(contentsOf: processorURL)
        case .v2: processor = try OWLv2ImageProcessor(contentsOf: processorURL)
        }
        guard processor.inputWidth == model.imageSize, processor.inputHeight == model.imageSize else {
            throw ModelError.invalidConfig("preprocessor_config.json makes \(processor.inputWidth)×\(processor.inputHeight) images but the vision model expects \(model.imageSize)×\(model.imageSize)")
        }
    }

    public var modelType: String { version.rawValue }
    public var imageProcessor: any ImageProcessing { processor }

    /// How relative boxes map back to the original image.
    public var boxScaling: BoxScaling { version == .v2 ? .paddedSquare : .stretched }

    /// Prompts → query embeddings [count, dim] (unit length), computed once for any number of images.
    public func textQueries(_ prompts: [String]) throws -> Tensor {
        guard !prompts.isEmpty else { throw ModelError.invalidInput("detection needs at least one prompt") }
        if let blank = prompts.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw ModelError.invalidInput("prompt \(blank + 1) is empty")
        }
        return try model.textQueries(tokenIDs: prompts.map { tokenizer.encode($0) })
    }

    /// The processed pixels of one image, as a [1, 3, size, size] batch.
    public func pixelValues(_ image: RGBImage) -> Tensor {
        Tensor(shape: [1, 3, processor.inputHeight, processor.inputWidth], values: processor.pixelValues(image))
    }

    public func detect(_ images: [RGBImage], prompts: [String], options: DetectionOptions) throws -> [[Detection]] {
        let queries = try textQueries(prompts)
        return try images.map { image in
            let output = try model.detect(pixelValues: pixelValues(image), queries: queries)
            let found = withExtendedLifetime(output) {
                DetectionPostProcessing.detections(
                    logits: output.logits.pointer, boxes: output.predBoxes.pointer, patches: model.patchCount,
                    queries: prompts.count, threshold: options.threshold, imageWidth: image.width, imageHeight: image.height,
                    scaling: boxScaling)
            }
            return DetectionPostProcessing.finish(found, options: options)
        }
    }

    /// Image-guided detection: the query embedding comes from `query` as transformers'
    /// `image_guided_detection` picks it; boxes are post-processed as its
    /// `post_process_image_guided_detection` does (scores rescaled per image, NMS at
    /// `options.nmsIoU` or its default 0.3), then capped by `maxDetections`.
    public func detect(_ images: [RGBImage], like query: RGBImage, options: DetectionOptions) throws -> [[Detection]] {
        let queryEmbedding = model.imageQuery(features: try model.imageFeatures(pixelValues: pixelValues(query))).embeddings
        return try images.map { image in
            let features = try model.imageFeatures(pixelValues: pixelValues(image))
            let logits = model.logits(features: features, queries: queryEmbedding)
            let boxes = model.boxes(features: features)
            let found = withExtendedLifetime((logits, boxes)) {
                DetectionPostProcessing.imageGuidedDetections(
                    logits: logits.pointer, boxes: boxes.pointer, patches: model.patchCount, queries: 1,
                    threshold: options.threshold, nmsThreshold: options.nmsIoU ?? 0.3,
                    imageWidth: image.width, imageHeight: image.height, scaling: boxScaling)
            }
            var capped = options
            capped.nmsIoU = nil
            return DetectionPostProcessing.finish(found, options: capped)
        }
    }
}

extension OWL {
    /// OWL-ViT and OWLv2: transformers' `OwlViTForObjectDetection` / `Owlv2ForObjectDetection` checkpoints.
    static let family = ModelFamily(
        name: "OWL-ViT / OWLv2", modelTypes: ["owlvit", "owlv2"], capabilities: [.detection],
        knownCheckpoints: [
            KnownCheckpoint(id: "google/owlvit-base-patch32", summary: "OWL-ViT B/32, 768 px, 24×24 boxes"),
            KnownCheckpoint(id: "google/owlvit-base-patch16", summary: "OWL-ViT B/16, 768 px, 48×48 boxes"),
            KnownCheckpoint(id: "google/owlvit-large-patch14", summary: "OWL-ViT L/14, 840 px, 60×60 boxes"),
            KnownCheckpoint(id: "google/owlv2-base-patch16", summary: "OWLv2 B/16, 960 px, 60×60 boxes, objectness"),
            KnownCheckpoint(id: "google/owlv2-base-patch16-ensemble", summary: "OWLv2 B/16 ensemble, 960 px, LVIS AP 43.9"),
            KnownCheckpoint(id: "google/owlv2-large-patch14", summary: "OWLv2 L/14, 1008 px, 72×72 boxes"),
            KnownCheckpoint(id: "google/owlv2-large-patch14-ensemble", summary: "OWLv2 L/14 ensemble, 1008 px, LVIS AP 44.6"),
        ]
    ) { directory, modelType, _ in
        try OWL(directory: directory, version: modelType == "owlv2" ? .v2 : .v1)
    }
}
