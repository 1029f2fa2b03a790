import Foundation
import SeerImage
import SeerModels

/// Roboflow Inference's `SamEmbeddingRequest` and `SamSegmentationRequest`
/// (inference/core/entities/requests/sam.py), parsed and checked. Fields Seer cannot honour get a
/// 400 that says so rather than being ignored.
struct SAMEmbedRequest {
    var image: ImageInput?
    var imageID: String?

    init(_ json: [String: Any]) throws {
        try checkJSONFormat(json, field: "format")
        image = try optionalImage(json)
        imageID = try optionalString(json, "image_id")
        if image == nil && imageID == nil { throw APIError.badRequest("give \"image\" (and optionally \"image_id\" to cache its embedding)") }
    }
}

struct SAMSegmentRequest {
    var image: ImageInput?
    var imageID: String?
    var prompt: SAMPrompt
    /// Seer's extension (Roboflow's SAM 2 field): all three candidate masks instead of one.
    var multimaskOutput: Bool
    /// `has_mask_input`: refine an earlier mask, by default the last one predicted for
    /// `image_id`, else the one drawn by `mask_input`.
    var hasMaskInput: Bool
    var useMaskInputCache: Bool
    /// `mask_input` (JSON format): polygons [[x, y], …] on the 256 × 256 low-resolution grid,
    /// rasterized as Roboflow does (1 inside, 0 outside) into the decoder's mask prompt.
    var maskInput: [Float]?
    /// Seer's extension: also answer each mask as a COCO annotation (all parts, area, bbox).
    var coco: Bool

    init(_ json: [String: Any]) throws {
        try checkJSONFormat(json, field: "format")
        if let raw = json["embeddings"], !(raw is NSNull) {
            throw APIError.badRequest("\"embeddings\" in the request are not supported by Seer: send \"image\" (with \"image_id\") or an \"image_id\" embedded before")
        }
        image = try optionalImage(json)
        imageID = try optionalString(json, "image_id")
        if image == nil && imageID == nil { throw APIError.badRequest("give \"image\" or the \"image_id\" of an image embedded before") }
        multimaskOutput = try optionalBool(json, "multimask_output") ?? false
        hasMaskInput = try optionalBool(json, "has_mask_input") ?? false
        useMaskInputCache = try optionalBool(json, "use_mask_input_cache") ?? true
        coco = try optionalBool(json, "coco") ?? false
        try checkJSONFormat(json, field: "mask_input_format")
        maskInput = try parseMaskInput(json["mask_input"])
        if hasMaskInput && imageID == nil && maskInput == nil {
            throw APIError.badRequest("\"has_mask_input\" needs \"mask_input\" or the \"image_id\" of an earlier /sam/segment_image")
        }
        prompt = try parsePrompt(json)
        if prompt.points.isEmpty && prompt.box == nil && !hasMaskInput {
            throw APIError.badRequest("no prompt: give \"point_coords\" [[x, y], …] with \"point_labels\" (1 foreground, 0 background)")
        }
    }
}

let maxPromptPoints = 256

/// Roboflow's JSON `mask_input`: a list of polygons, each a list of [x, y] points on the
/// low-resolution grid. Like rasterio's `rasterize` there, a pixel is inside when its centre
/// is; the raster's 0 and 1 become the logits.
private func parseMaskInput(_ raw: Any?) throws -> [Float]? {
    guard let raw, !(raw is NSNull) else { return nil }
    guard let list = raw as? [Any], !list.isEmpty else { throw APIError.badRequest("mask_input must be a non-empty list of polygons [[x, y], …]") }
    let polygons: [[Double]] = try list.enumerated().map { i, polygon in
        guard let points = polygon as? [Any], points.count >= 3, points.count <= 4 * 256 * 256 else {
            throw APIError.badRequest("mask_input[\(i)] must be a polygon: a list of at least 3 [x, y] points")
        }
        return try points.flatMap { point -> [Double] in
            guard let pair = point as? [Any], pair.count == 2, let x = number(pair[0]), let y = number(pair[1]), x.isFinite, y.isFinite else {
                throw APIError.badRequest("mask_input[\(i)] has a point that is not an [x, y] pair of numbers")
            }
            return [x, y]
        }
    }
    let size = SAMPrediction.lowResSize
    return BinaryMask(width: size, height: size, polygons: polygons).bits.map { $0 ? 1 : 0 }
}

/// `point_coords` and `point_labels` with the labels of SAM's ONNX decoder, which Roboflow runs:
/// 1 foreground, 0 background, -1 padding (ignored), 2 and 3 the top-left and bottom-right
/// corners of a box.
private func parsePrompt(_ json: [String: Any]) throws -> SAMPrompt {
    let coordsRaw = json["point_coords"].flatMap { $0 is NSNull ? nil : $0 }
    let labelsRaw = json["point_labels"].flatMap { $0 is NSNull ? nil : $0 }
    guard let coordsRaw else {
        if labelsRaw != nil { throw APIError.badRequest("\"point_labels\" without \"point_coords\"") }
        return SAMPrompt()
    }
    guard let coordList = coordsRaw as? [Any] else { throw APIError.badRequest("point_coords must be a list of [x, y] pairs") }
    // Each point is a token of the decoder's attention: bound the work one request can ask for.
    guard coordList.count <= maxPromptPoints else {
        throw APIError.badRequest("too many points: \(coordList.count) (at most \(maxPromptPoints) per request)")
    }
    let coords: [(Double, Double)] = try coordList.enumerated().map { i, raw in
        guard let pair = raw as? [Any], pair.count == 2, let x = number(pair[0]), let y = number(pair[1]) else {
            throw APIError.badRequest("point_coords[\(i)] must be an [x, y] pair of numbers")
        }
        guard x.isFinite && y.isFinite else { throw APIError.badRequest("point_coords[\(i)] is not finite") }
        return (x, y)
    }
    guard let labelList = labelsRaw as? [Any] else { throw APIError.badRequest("point_labels must be a list of numbers, one per point in point_coords") }
    guard labelList.count == coords.count else {
        throw APIError.badRequest("point_labels has \(labelList.count) labels for \(coords.count) point_coords")
    }
    var prompt = SAMPrompt()
    var topLeft: (Double, Double)?, bottomRight: (Double, Double)?
    for (i, raw) in labelList.enumerated() {
        guard let value = number(raw), let label = Int(exactly: value) else {
            throw APIError.badRequest("point_labels[\(i)] must be 1 (foreground), 0 (background), -1 (padding), 2 or 3 (box corners)")
        }
        let (x, y) = coords[i]
        switch label {
        case 1, 0: prompt.points.append(SAMPoint(x: x, y: y, isForeground: label == 1))
        case -1: break
        case 2 where topLeft == nil: topLeft = (x, y)
        case 3 where bottomRight == nil: bottomRight = (x, y)
        case 2, 3: throw APIError.badRequest("point_labels has more than one box corner \(label)")
        default: throw APIError.badRequest("point_labels[\(i)] is \(label): use 1 (foreground), 0 (background), -1 (padding), 2 or 3 (box corners)")
        }
    }
    switch (topLeft, bottomRight) {
    case let ((x0, y0)?, (x1, y1)?): prompt.box = SAMBox(x0: x0, y0: y0, x1: x1, y1: y1)
    case (nil, nil): break
    default: throw APIError.badRequest("a box needs both corners: label 2 (top-left) and label 3 (bottom-right)")
    }
    return prompt
}

/// Roboflow's `format`: "json" answers with nested lists and polygons; "binary" answers with
/// numpy `.npy`/`.npz` bytes, which Seer does not write.
private func checkJSONFormat(_ json: [String: Any], field: String) throws {
    guard let raw = json[field], !(raw is NSNull) else { return }
    guard let format = raw as? String else { throw APIError.badRequest("\(field) must be \"json\"") }
    switch format {
    case "json": return
    case "binary": throw APIError.badRequest("\(field) \"binary\" (numpy .npy/.npz) is not supported by Seer; use \"json\"")
    default: throw APIError.badRequest("\(field) \"\(format)\" is not supported; use \"json\"")
    }
}
