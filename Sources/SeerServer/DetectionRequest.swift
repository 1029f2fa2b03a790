import Foundation
import SeerModels

/// Roboflow's text-prompted detection request, the shape of `/yolo_world/infer`
/// (`YOLOWorldInferenceRequest`: `image`, `text`, `confidence`, and the NMS fields every
/// object-detection request has), with Roboflow's defaults: confidence 0.4, class-aware NMS at
/// IoU 0.3, at most 300 boxes.
struct TextDetectionRequest {
    var images: [ImageInput]
    /// The request gave a list of images: the answer is a list too.
    var imageList: Bool
    var prompts: [String]
    var options: DetectionOptions

    init(_ json: [String: Any], limits: ServerConfiguration) throws {
        (images, imageList) = try parseDetectionImages(json, limits: limits)
        guard let raw = json["text"], !(raw is NSNull) else {
            throw APIError.badRequest("missing field \"text\": the list of things to find, e.g. [\"forklift\", \"person\"]")
        }
        guard let list = raw as? [Any] else { throw APIError.badRequest("text must be a list of strings") }
        prompts = try list.enumerated().map { i, item in
            guard let s = item as? String else { throw APIError.badRequest("text[\(i)] must be a string") }
            guard !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError.badRequest("text[\(i)] is empty") }
            return s
        }
        guard !prompts.isEmpty else { throw APIError.badRequest("text is empty: give at least one thing to find") }
        // Each prompt is a pass of the text tower and a column of every image's logits.
        guard prompts.count <= limits.maxTextsPerRequest else {
            throw APIError.badRequest("too many prompts in text: \(prompts.count) (at most \(limits.maxTextsPerRequest) per request)")
        }
        let confidence = try optionalNumber(json, "confidence", in: 0...1) ?? 0.4
        let iou = try optionalNumber(json, "iou_threshold", in: 0...1) ?? 0.3
        let agnostic = try optionalBool(json, "class_agnostic_nms") ?? false
        let maxDetections = try optionalInt(json, "max_detections", in: 1...100_000) ?? 300
        options = DetectionOptions(threshold: Float(confidence), nmsIoU: Float(iou), agnostic: agnostic, maxDetections: maxDetections)
    }
}

/// Roboflow's `/owlv2/infer` request (`OwlV2InferenceRequest`): images to search, and
/// `training_data`, images with example boxes (centre x, y, w, h in pixels, `cls`, `negative`).
struct ExampleDetectionRequest {
    var images: [ImageInput]
    var imageList: Bool
    var examples: [(image: ImageInput, boxes: [ExampleBox])]
    var options: ExampleDetectionOptions

    init(_ json: [String: Any], limits: ServerConfiguration) throws {
        (images, imageList) = try parseDetectionImages(json, limits: limits)
        guard let raw = json["training_data"], !(raw is NSNull) else {
            throw APIError.badRequest("missing field \"training_data\": a list of {\"image\", \"boxes\": [{\"x\", \"y\", \"w\", \"h\", \"cls\", \"negative\"}]}")
        }
        guard let list = raw as? [Any], !list.isEmpty else { throw APIError.badRequest("training_data must be a non-empty list of training images") }
        guard list.count <= limits.maxImagesPerRequest else {
            throw APIError.badRequest("too many training images: \(list.count) (at most \(limits.maxImagesPerRequest) per request)")
        }
        examples = try list.enumerated().map { i, item in
            let field = "training_data[\(i)]"
            guard let object = item as? [String: Any] else { throw APIError.badRequest("\(field) must be an object {\"image\", \"boxes\"}") }
            guard let image = object["image"], !(image is NSNull) else { throw APIError.badRequest("\(field).image is missing") }
            guard let boxes = object["boxes"] as? [Any] else { throw APIError.badRequest("\(field).boxes must be a list of boxes") }
            guard boxes.count <= maxExampleBoxes else {
                throw APIError.badRequest("\(field).boxes has \(boxes.count) boxes (at most \(maxExampleBoxes) per image)")
            }
            return (try ImageInput.parse(image, field: "\(field).image"),
                    try boxes.enumerated().map { try exampleBox($1, field: "\(field).boxes[\($0)]") })
        }
        guard examples.contains(where: { !$0.boxes.isEmpty }) else { throw APIError.badRequest("training_data has no boxes: draw at least one example box") }
        options = ExampleDetectionOptions()
        if let confidence = try optionalNumber(json, "confidence", in: 0...1) { options.confidence = Float(confidence) }
        if let iou = try optionalNumber(json, "iou_threshold", in: 0...1) { options.iouThreshold = Float(iou) }
        if let most = try optionalInt(json, "max_detections", in: 1...100_000) { options.maxDetections = most }
        if try optionalBool(json, "visualize_predictions") == true {
            throw APIError.badRequest("visualize_predictions is not supported by Seer: draw the returned boxes on the client")
        }
    }
}

let maxExampleBoxes = 256

/// Roboflow's `TrainBox`: integers in its schema; Seer takes any finite number. A box must have
/// a size; it may lie partly outside the image (drawn boxes often do) but not wholly.
private func exampleBox(_ raw: Any, field: String) throws -> ExampleBox {
    guard let object = raw as? [String: Any] else { throw APIError.badRequest("\(field) must be an object {\"x\", \"y\", \"w\", \"h\", \"cls\"}") }
    func value(_ key: String) throws -> Float {
        guard let v = object[key].flatMap({ number($0) }), v.isFinite else { throw APIError.badRequest("\(field).\(key) must be a number") }
        return Float(v)
    }
    let (x, y, w, h) = (try value("x"), try value("y"), try value("w"), try value("h"))
    guard w > 0, h > 0 else { throw APIError.badRequest("\(field) has no area: w and h must be above 0") }
    guard let cls = object["cls"] as? String, !cls.isEmpty else { throw APIError.badRequest("\(field).cls must be a class name") }
    let negative = try optionalBool(object, "negative") ?? false
    return ExampleBox(centreX: x, centreY: y, width: w, height: h, className: cls, negative: negative)
}

/// `image`: one image object or a list of them (then the answer is a list).
private func parseDetectionImages(_ json: [String: Any], limits: ServerConfiguration) throws -> ([ImageInput], Bool) {
    guard let raw = json["image"], !(raw is NSNull) else { throw APIError.badRequest("missing field \"image\"") }
    if let list = raw as? [Any] {
        guard !list.isEmpty else { throw APIError.badRequest("image is an empty list") }
        guard list.count <= limits.maxImagesPerRequest else {
            throw APIError.badRequest("too many images: \(list.count) (at most \(limits.maxImagesPerRequest) per request)")
        }
        return (try list.enumerated().map { try ImageInput.parse($1, field: "image[\($0)]") }, true)
    }
    return ([try ImageInput.parse(raw, field: "image")], false)
}
