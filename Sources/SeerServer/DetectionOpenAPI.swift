import Foundation

/// The OpenAPI entries of the detection routes, merged into `/openapi.json` when a detector is
/// served (without one the routes do not exist).
enum DetectionOpenAPI {
    private typealias P = OpenAPIParts

    static func paths(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.detection.model != nil else { return [:] }
        let errors = [("400", "Malformed request: no prompts, too many, a box outside its image, an image that cannot be decoded"),
                      ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                      ("404", "The served detector cannot learn from example boxes (/owlv2/infer)"),
                      ("413", "Body too large"), ("503", "Request timed out")]
        return [
            "/yolo_world/infer": P.post("Zero-shot detection of text prompts (YOLO-World's request shape, any served detector)",
                                        request: "TextDetectionRequest", response: "ObjectDetectionInferenceResponse", errors: errors),
            "/owlv2/infer": P.post("Few-shot detection from example boxes (Roboflow's OWLv2 route)",
                                   request: "OwlV2InferenceRequest", response: "ObjectDetectionInferenceResponse", errors: errors),
        ]
    }

    static func schemas(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.detection.model != nil else { return [:] }
        let image = P.ref("InferenceRequestImage")
        let images: [String: Any] = ["oneOf": [image, ["type": "array", "items": image, "minItems": 1, "maxItems": configuration.maxImagesPerRequest] as [String: Any]],
                                     "description": "One image, or a list (then the answer is a list)"]
        let unit = { (description: String) -> [String: Any] in P.orNull(["type": "number", "minimum": 0, "maximum": 1, "description": description]) }
        let common: [String: Any] = [
            "image": images,
            "iou_threshold": unit("NMS IoU (default 0.3)"),
            "max_detections": P.orNull(["type": "integer", "minimum": 1, "maximum": 100_000, "description": "Default 300"]),
            "api_key": P.apiKey,
        ]
        let box: [String: Any] = [
            "type": "object", "required": ["x", "y", "w", "h", "cls"],
            "properties": [
                "x": ["type": "number", "description": "Centre x in pixels"], "y": ["type": "number", "description": "Centre y in pixels"],
                "w": ["type": "number", "exclusiveMinimum": true, "minimum": 0], "h": ["type": "number", "exclusiveMinimum": true, "minimum": 0],
                "cls": ["type": "string", "minLength": 1], "negative": P.orNull(["type": "boolean"]),
            ] as [String: Any],
        ]
        let prediction: [String: Any] = [
            "type": "object", "required": ["x", "y", "width", "height", "confidence", "class", "class_id", "detection_id"],
            "properties": ["x": ["type": "number"], "y": ["type": "number"], "width": ["type": "number"], "height": ["type": "number"],
                           "confidence": ["type": "number"], "class": ["type": "string"], "class_id": ["type": "integer"],
                           "detection_id": ["type": "string"]] as [String: Any],
        ]
        let response: [String: Any] = [
            "type": "object", "required": ["predictions", "image"],
            "properties": ["predictions": ["type": "array", "items": prediction],
                           "image": ["type": "object", "properties": ["width": ["type": "integer"], "height": ["type": "integer"]]],
                           "time": ["type": "number"]] as [String: Any],
        ]
        return [
            "TextDetectionRequest": [
                "type": "object", "required": ["image", "text"],
                "properties": common.merging([
                    "text": ["type": "array", "items": ["type": "string", "minLength": 1], "minItems": 1, "maxItems": configuration.maxTextsPerRequest] as [String: Any],
                    "confidence": unit("Keep boxes scoring above this (default 0.4)"),
                    "class_agnostic_nms": P.orNull(["type": "boolean"]),
                    "yolo_world_version_id": P.orNull(["type": "string", "description": "Ignored: the served detector answers"]),
                ]) { a, _ in a },
            ] as [String: Any],
            "OwlV2InferenceRequest": [
                "type": "object", "required": ["image", "training_data"],
                "properties": common.merging([
                    "training_data": ["type": "array", "minItems": 1, "maxItems": configuration.maxImagesPerRequest,
                                      "items": ["type": "object", "required": ["image", "boxes"],
                                                "properties": ["image": image, "boxes": ["type": "array", "items": box, "maxItems": maxExampleBoxes]] as [String: Any]] as [String: Any]] as [String: Any],
                    "confidence": unit("Keep boxes whose (cosine + 1) / 2 is above this (default 0.99)"),
                    "owlv2_version_id": P.orNull(["type": "string", "description": "Ignored: the served detector answers"]),
                    "visualize_predictions": P.orNull(["type": "boolean", "enum": [false], "description": "true is refused: Seer does not draw"]),
                ]) { a, _ in a },
            ] as [String: Any],
            "ObjectDetectionInferenceResponse": response,
        ]
    }
}
