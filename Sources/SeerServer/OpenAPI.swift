import Foundation

/// The OpenAPI 3 document served at `/openapi.json`, written by hand from what the parsers
/// enforce (OpenAPIParts.swift). Tests check that its paths and methods are exactly the router's
/// and, with schemathesis, that the server accepts what it allows and refuses what it does not.
enum OpenAPI {
    /// `embeddings` false (a SAM-only server) leaves out the `/clip/*` routes, which it does not have.
    static func document(for configuration: ServerConfiguration, embeddings: Bool = true) -> Data {
        typealias P = OpenAPIParts
        let ref = P.ref, json = P.json
        let errors = [("400", "Malformed request"), ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                      ("404", "Unknown clip_version_id"), ("413", "Body too large"), ("503", "Request timed out")]
        func get(_ summary: String, _ content: [String: Any]) -> [String: Any] {
            ["get": ["summary": summary, "responses": ["200": ["description": "OK", "content": content]]]]
        }
        let image = ref("InferenceRequestImage")
        let maxImages = configuration.maxImagesPerRequest, maxTexts = configuration.maxTextsPerRequest
        let common: [String: Any] = ["clip_version_id": P.versionID([configuration.modelName] + configuration.clipVersionIDs), "api_key": P.apiKey]
        // A dict of prompts is keyed by name; one with both "type" and "value" is read as one image instead.
        func promptDict(_ value: [String: Any], max: Int) -> [String: Any] {
            ["type": "object", "additionalProperties": value, "minProperties": 1, "maxProperties": max, "not": ["required": ["type", "value"]]]
        }
        let textPrompts: [String: Any] = ["oneOf": [
            ["type": "string"], ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": maxTexts],
            promptDict(["type": "string"], max: maxTexts),
        ]]
        let imagePrompts: [String: Any] = ["oneOf": [
            image, ["type": "array", "items": image, "minItems": 1, "maxItems": maxImages], promptDict(image, max: maxImages),
        ]]
        let schemas: [String: Any] = [
            "InferenceRequestImage": P.image(configuration),
            "ClipImageEmbeddingRequest": [
                "type": "object", "required": ["image"],
                "properties": common.merging([
                    "image": ["oneOf": [image, ["type": "array", "items": image, "minItems": 1, "maxItems": maxImages]]],
                ]) { a, _ in a },
            ],
            "ClipTextEmbeddingRequest": [
                "type": "object", "required": ["text"],
                "properties": common.merging([
                    "text": ["oneOf": [["type": "string"], ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": maxTexts]]],
                ]) { a, _ in a },
            ],
            "ClipCompareRequest": [
                "type": "object", "required": ["subject", "prompt"],
                "description": "subject is an image unless subject_type is \"text\"; prompt is text unless prompt_type is \"image\": one prompt, a list, or a dict of named prompts (answered as a dict)",
                "properties": common.merging([
                    "subject": ["description": "An image, or a string when subject_type is \"text\""],
                    "prompt": ["description": "Texts, or images when prompt_type is \"image\": one, a list, or a dict of named ones"],
                    "subject_type": P.choice(["image", "text"], "Default image"),
                    "prompt_type": P.choice(["image", "text"], "Default text"),
                ]) { a, _ in a },
                "allOf": [
                    ["oneOf": [
                        ["properties": ["subject_type": P.choice(["image"]), "subject": image]],
                        ["required": ["subject_type"], "properties": ["subject_type": ["type": "string", "enum": ["text"]], "subject": ["type": "string"]]],
                    ]],
                    ["oneOf": [
                        ["properties": ["prompt_type": P.choice(["text"]), "prompt": textPrompts]],
                        ["required": ["prompt_type"], "properties": ["prompt_type": ["type": "string", "enum": ["image"]], "prompt": imagePrompts]],
                    ]],
                ],
            ],
            "ClipEmbeddingResponse": [
                "type": "object", "required": ["embeddings"],
                "properties": [
                    "embeddings": ["type": "array", "items": ["type": "array", "items": ["type": "number"]]],
                    "time": ["type": "number", "description": "Seconds spent on the request"],
                    "frame_id": ["type": "integer", "nullable": true],
                ],
            ],
            "ClipCompareResponse": [
                "type": "object", "required": ["similarity"],
                "properties": [
                    "similarity": ["oneOf": [["type": "array", "items": ["type": "number"]], ["type": "object", "additionalProperties": ["type": "number"]]]],
                    "time": ["type": "number"],
                    "frame_id": ["type": "integer", "nullable": true],
                    "parent_id": ["type": "string", "nullable": true],
                ],
            ],
            "Error": [
                "type": "object", "required": ["message"],
                "properties": ["message": ["type": "string"], "error_type": ["type": "string"], "status": ["type": "integer"]],
            ],
        ]
        let status: [String: Any] = json(["type": "object", "properties": ["status": ["type": "string"]]])
        let paths: [String: Any] = [
            "/clip/embed_image": P.post("CLIP image embeddings", request: "ClipImageEmbeddingRequest", response: "ClipEmbeddingResponse", errors: errors),
            "/clip/embed_text": P.post("CLIP text embeddings", request: "ClipTextEmbeddingRequest", response: "ClipEmbeddingResponse", errors: errors),
            "/clip/compare": P.post("CLIP cosine similarity of a subject with prompts", request: "ClipCompareRequest", response: "ClipCompareResponse", errors: errors),
            "/info": get("Server name, version and instance id", json(["type": "object", "properties": ["name": ["type": "string"], "version": ["type": "string"], "uuid": ["type": "string"]]])),
            "/healthz": get("Liveness", status),
            "/readiness": get("Readiness", status),
            "/metrics": get("Prometheus metrics", ["text/plain": ["schema": ["type": "string"]]]),
            "/openapi.json": get("This document", json(["type": "object"])),
        ]
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": ["title": "Seer Inference Server (Roboflow Inference compatible CLIP API)", "version": SeerServer.version],
            "paths": paths.filter { embeddings || !$0.key.hasPrefix("/clip/") }
                .merging(SearchOpenAPI.paths(for: configuration)) { a, _ in a }.merging(SAMOpenAPI.paths) { a, _ in a }
                .merging(DetectionOpenAPI.paths(for: configuration)) { a, _ in a },
            "components": [
                "schemas": schemas.merging(SearchOpenAPI.schemas(for: configuration)) { a, _ in a }
                    .merging(SAMOpenAPI.schemas(for: configuration)) { a, _ in a }
                    .merging(DetectionOpenAPI.schemas(for: configuration)) { a, _ in a },
                "securitySchemes": [
                    "api_key_query": ["type": "apiKey", "in": "query", "name": "api_key"],
                    "bearer": ["type": "http", "scheme": "bearer"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
