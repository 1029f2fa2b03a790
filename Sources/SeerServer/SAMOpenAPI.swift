/// The OpenAPI entries of the SAM routes and the labeling page, merged into `/openapi.json`.
/// The routes always exist (without `--sam-model` they answer 404 ModelNotFound).
enum SAMOpenAPI {
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }

    private static func post(_ summary: String, request: String, response: String) -> [String: Any] {
        var responses: [String: Any] = ["200": ["description": "OK", "content": json(ref(response))]]
        for (code, text) in [("400", "Malformed request, or a field Seer does not support (binary formats, embeddings)"),
                             ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                             ("404", "No SAM model, unknown sam_version_id, or image_id not in the embedding cache"),
                             ("413", "Body too large"), ("503", "Request timed out")] {
            responses[code] = ["description": text, "content": json(ref("Error"))]
        }
        return ["post": [
            "summary": summary,
            "parameters": [["name": "api_key", "in": "query", "required": false, "schema": ["type": "string"]]],
            "requestBody": ["required": true, "content": json(ref(request))],
            "responses": responses,
        ] as [String: Any]]
    }

    static var paths: [String: Any] { [
        "/sam/embed_image": post("SAM image embedding (cached per image_id)", request: "SamEmbeddingRequest", response: "SamEmbeddingResponse"),
        "/sam/segment_image": post("SAM masks for point (and box) prompts", request: "SamSegmentationRequest", response: "SamSegmentationResponse"),
        "/label": ["get": ["summary": "Click-to-label page: SAM masks to COCO annotations",
                           "responses": ["200": ["description": "HTML page", "content": ["text/html": ["schema": ["type": "string"]]]]]]],
    ] }

    static var schemas: [String: Any] {
        let nullableString: [String: Any] = ["type": "string", "nullable": true]
        let format: [String: Any] = ["type": "string", "enum": ["json"], "default": "json", "description": "\"binary\" (numpy) is refused with 400"]
        let polygons: [String: Any] = ["type": "array", "items": ["type": "array", "items": ["type": "array", "items": ["type": "integer"], "minItems": 2, "maxItems": 2]]]
        return [
            "SamEmbeddingRequest": [
                "type": "object",
                "description": "image, or the image_id of an image embedded before",
                "properties": [
                    "image": ref("InferenceRequestImage"),
                    "image_id": ["type": "string", "nullable": true, "description": "Caches the embedding under this id"],
                    "format": format, "sam_version_id": nullableString, "api_key": nullableString,
                ] as [String: Any],
            ],
            "SamEmbeddingResponse": [
                "type": "object", "required": ["embeddings"],
                "properties": [
                    "embeddings": ["type": "array", "description": "1 × channels × grid × grid",
                                   "items": ["type": "array", "items": ["type": "array", "items": ["type": "array", "items": ["type": "number"]]]]],
                    "time": ["type": "number"],
                ] as [String: Any],
            ],
            "SamSegmentationRequest": [
                "type": "object",
                "properties": [
                    "image": ref("InferenceRequestImage"),
                    "image_id": ["type": "string", "nullable": true],
                    "point_coords": ["type": "array", "items": ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]],
                    "point_labels": ["type": "array", "items": ["type": "number", "enum": [1, 0, -1, 2, 3]],
                                     "description": "1 foreground, 0 background, -1 padding, 2/3 box top-left/bottom-right"],
                    "has_mask_input": ["type": "boolean", "default": false, "description": "Refine the last mask predicted for image_id (use_mask_input_cache), else mask_input"],
                    "mask_input": ["description": "Polygons [[x, y], …] on the 256 × 256 low-resolution grid"].merging(polygons) { a, _ in a },
                    "mask_input_format": format,
                    "use_mask_input_cache": ["type": "boolean", "default": true],
                    "multimask_output": ["type": "boolean", "default": false, "description": "Seer extension: all three candidate masks"],
                    "coco": ["type": "boolean", "default": false, "description": "Seer extension: add each mask as a COCO annotation"],
                    "format": format, "sam_version_id": nullableString, "api_key": nullableString,
                ] as [String: Any],
            ],
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
