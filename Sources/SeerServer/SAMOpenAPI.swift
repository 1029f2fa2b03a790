import Foundation

/// The OpenAPI entries of the SAM routes and the labeling page, merged into `/openapi.json`.
/// The routes always exist (without `--sam-model` they answer 404 ModelNotFound).
enum SAMOpenAPI {
    private typealias P = OpenAPIParts

    static var paths: [String: Any] {
        let errors = [("400", "Malformed request, or a field Seer does not support (binary formats, embeddings)"),
                      ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                      ("404", "No SAM model, unknown sam_version_id, or image_id not in the embedding cache (or no earlier mask of it for has_mask_input)"),
                      ("413", "Body too large"), ("503", "Request timed out")]
        return [
            "/sam/embed_image": P.post("SAM image embedding (cached per image_id)", request: "SamEmbeddingRequest", response: "SamEmbeddingResponse", errors: errors),
            "/sam/segment_image": P.post("SAM masks for point (and box) prompts", request: "SamSegmentationRequest", response: "SamSegmentationResponse", errors: errors),
            "/label": ["get": ["summary": "Click-to-label page: SAM masks to COCO annotations",
                               "responses": ["200": ["description": "HTML page", "content": ["text/html": ["schema": ["type": "string"]]]]]]],
        ]
    }

    static func schemas(for configuration: ServerConfiguration) -> [String: Any] {
        let image = P.ref("InferenceRequestImage")
        let format = P.choice(["json"], "\"binary\" (numpy) is refused with 400")
        let flag = { (description: String) -> [String: Any] in P.orNull(["type": "boolean", "description": description]) }
        let point: [String: Any] = ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]
        let polygons: [String: Any] = ["type": "array", "items": ["type": "array", "items": ["type": "array", "items": ["type": "integer"], "minItems": 2, "maxItems": 2]]]
        // Fields of both requests: the CLIP route checks (clip_version_id, api_key) apply to these routes too.
        let common: [String: Any] = [
            "image": P.orNull(image),
            "image_id": P.orNull(["type": "string", "minLength": 1, "description": "Caches the embedding under this id"]),
            "format": format,
            "sam_version_id": P.versionID([configuration.sam.modelName] + configuration.sam.versionIDs),
            "clip_version_id": P.versionID([configuration.modelName] + configuration.clipVersionIDs),
            "api_key": P.apiKey,
        ]
        // The image itself, or the id of one embedded before.
        let imageOrID: [String: Any] = ["anyOf": [
            ["required": ["image"], "properties": ["image": image]],
            ["required": ["image_id"], "properties": ["image_id": ["type": "string"]]],
        ]]
        let absent: [String: Any] = P.orNull(["enum": [] as [Any]])
        let embedRequest: [String: Any] = [
            "type": "object",
            "description": "image, or the image_id of an image embedded before (both: the embedding is cached under image_id)",
            "properties": common,
            "allOf": [imageOrID],
        ]
        let embedResponse: [String: Any] = [
            "type": "object", "required": ["embeddings"],
            "properties": [
                "embeddings": ["type": "array", "description": "1 × channels × grid × grid",
                               "items": ["type": "array", "items": ["type": "array", "items": ["type": "array", "items": ["type": "number"]]]]] as [String: Any],
                "time": ["type": "number"],
            ] as [String: Any],
        ]
        let segmentFields: [String: Any] = [
            "embeddings": absent.merging(["description": "Not supported: send image or image_id"]) { a, _ in a },
            "point_coords": P.orNull(["type": "array", "items": point, "maxItems": maxPromptPoints]),
            "point_labels": P.orNull(["type": "array", "maxItems": maxPromptPoints, "items": ["type": "number", "enum": [1, 0, -1, 2, 3]] as [String: Any],
                                      "description": "1 foreground, 0 background, -1 padding, 2/3 box top-left/bottom-right"]),
            "has_mask_input": flag("Refine the last mask predicted for image_id (use_mask_input_cache), else mask_input"),
            "mask_input": P.orNull(["type": "array", "minItems": 1, "description": "Polygons [[x, y], …] on the 256 × 256 low-resolution grid",
                                    "items": ["type": "array", "items": point, "minItems": 3, "maxItems": 4 * 256 * 256] as [String: Any]]),
            "mask_input_format": format,
            "use_mask_input_cache": flag("Default true"),
            "multimask_output": flag("Seer extension: all three candidate masks"),
            "coco": flag("Seer extension: add each mask as a COCO annotation"),
        ]
        // point_coords and point_labels come together.
        let pointsWithLabels: [String: Any] = ["anyOf": [
            ["required": ["point_coords", "point_labels"], "properties": ["point_coords": ["type": "array"], "point_labels": ["type": "array"]]] as [String: Any],
            ["properties": ["point_coords": absent, "point_labels": absent]] as [String: Any],
        ]]
        // Some prompt: points, or a mask to refine.
        let somePrompt: [String: Any] = ["anyOf": [
            ["required": ["point_coords"], "properties": ["point_coords": ["type": "array", "minItems": 1] as [String: Any]]] as [String: Any],
            ["required": ["has_mask_input"], "properties": ["has_mask_input": ["type": "boolean", "enum": [true]] as [String: Any]]] as [String: Any],
        ]]
        // The mask to refine: mask_input, or image_id's last one through the cache.
        let maskToRefine: [String: Any] = ["anyOf": [
            ["properties": ["has_mask_input": P.orNull(["type": "boolean", "enum": [false]])]] as [String: Any],
            ["required": ["mask_input"], "properties": ["mask_input": ["type": "array"]]] as [String: Any],
            ["required": ["image_id"], "properties": ["image_id": ["type": "string"], "use_mask_input_cache": P.orNull(["type": "boolean", "enum": [true]])] as [String: Any]] as [String: Any],
        ]]
        let segmentRequest: [String: Any] = [
            "type": "object",
            "description": """
                A prompt of points (point_coords with as many point_labels), at most one box (one point labelled 2, \
                its top-left, and one labelled 3, its bottom-right), and at least one point labelled 0 or 1 or a box \
                unless has_mask_input refines an earlier mask. JSON Schema cannot state the counts; the server answers 400 when they are off.
                """,
            "properties": common.merging(segmentFields) { a, _ in a },
            "allOf": [imageOrID, pointsWithLabels, somePrompt, maskToRefine],
        ]
        return [
            "SamEmbeddingRequest": embedRequest,
            "SamEmbeddingResponse": embedResponse,
            "SamSegmentationRequest": segmentRequest,
            "SamSegmentationResponse": [
                "type": "object", "required": ["masks", "low_res_masks"],
                "properties": [
                    "masks": ["description": "Per mask, its largest part as [[x, y], …] (pixel corners)"].merging(polygons) { a, _ in a },
                    "low_res_masks": ["description": "The same for the 256 × 256 low-resolution masks"].merging(polygons) { a, _ in a },
                    "scores": ["type": "array", "items": ["type": "number"], "description": "Seer extension: predicted IoU per mask"],
                    "coco": ["type": "array", "description": "With coco: true",
                             "items": ["type": "object", "properties": [
                                 "segmentation": ["type": "array", "items": ["type": "array", "items": ["type": "integer"]]],
                                 "area": ["type": "integer"],
                                 "bbox": ["type": "array", "items": ["type": "integer"], "minItems": 4, "maxItems": 4],
                             ] as [String: Any]] as [String: Any]],
                    "time": ["type": "number"],
                ] as [String: Any],
            ],
        ]
    }
}
