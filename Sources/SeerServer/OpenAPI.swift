import Foundation

/// The OpenAPI 3 document served at `/openapi.json`, written by hand. A test checks that its
/// paths and methods are exactly the router's.
enum OpenAPI {
    /// `embeddings` false (a SAM-only server) leaves out the `/clip/*` routes, which it does not have.
    static func document(for configuration: ServerConfiguration, embeddings: Bool = true) -> Data {
        let ref = { (name: String) -> [String: Any] in ["$ref": "#/components/schemas/\(name)"] }
        let json = { (schema: [String: Any]) -> [String: Any] in ["application/json": ["schema": schema]] }
        let errors: [String: Any] = [
            "400": ["description": "Malformed request", "content": json(ref("Error"))],
            "401": ["description": "Missing or wrong API key", "content": json(ref("Error"))],
            "403": ["description": "Image URL not allowed", "content": json(ref("Error"))],
            "404": ["description": "Unknown clip_version_id", "content": json(ref("Error"))],
            "413": ["description": "Body too large", "content": json(ref("Error"))],
            "503": ["description": "Request timed out", "content": json(ref("Error"))],
        ]
        func post(_ summary: String, request: String, response: String) -> [String: Any] {
            ["post": [
                "summary": summary,
                "parameters": [["name": "api_key", "in": "query", "required": false, "schema": ["type": "string"]]],
                "requestBody": ["required": true, "content": json(ref(request))],
                "responses": errors.merging(["200": ["description": "OK", "content": json(ref(response))]]) { a, _ in a },
            ] as [String: Any]]
        }
        func get(_ summary: String, _ content: [String: Any]) -> [String: Any] {
            ["get": ["summary": summary, "responses": ["200": ["description": "OK", "content": content]]]]
        }
        let image: [String: Any] = [
            "type": "object", "required": ["type", "value"],
            "properties": [
                "type": ["type": "string", "enum": ["base64", "url"]],
                "value": ["type": "string", "description": "base64 image bytes, or an http(s) URL when the server allows URL images"],
            ],
        ]
        let clipVersion: [String: Any] = ["type": "string", "nullable": true, "description": "Maps to the served model"]
        let apiKey: [String: Any] = ["type": "string", "nullable": true]
        let schemas: [String: Any] = [
            "InferenceRequestImage": image,
            "ClipImageEmbeddingRequest": [
                "type": "object", "required": ["image"],
                "properties": [
                    "image": ["oneOf": [ref("InferenceRequestImage"), ["type": "array", "items": ref("InferenceRequestImage"), "maxItems": configuration.maxImagesPerRequest]]],
                    "clip_version_id": clipVersion, "api_key": apiKey,
                ],
            ],
            "ClipTextEmbeddingRequest": [
                "type": "object", "required": ["text"],
                "properties": [
                    "text": ["oneOf": [["type": "string"], ["type": "array", "items": ["type": "string"], "maxItems": configuration.maxTextsPerRequest]]],
                    "clip_version_id": clipVersion, "api_key": apiKey,
                ],
            ],
            "ClipCompareRequest": [
                "type": "object", "required": ["subject", "prompt"],
                "properties": [
                    "subject": ["oneOf": [ref("InferenceRequestImage"), ["type": "string"]]],
                    "subject_type": ["type": "string", "enum": ["image", "text"], "default": "image"],
                    "prompt": ["oneOf": [
                        ref("InferenceRequestImage"), ["type": "string"],
                        ["type": "array", "items": ["oneOf": [ref("InferenceRequestImage"), ["type": "string"]]]],
                        ["type": "object", "additionalProperties": ["oneOf": [ref("InferenceRequestImage"), ["type": "string"]]]],
                    ]],
                    "prompt_type": ["type": "string", "enum": ["image", "text"], "default": "text"],
                    "clip_version_id": clipVersion, "api_key": apiKey,
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
            "/clip/embed_image": post("CLIP image embeddings", request: "ClipImageEmbeddingRequest", response: "ClipEmbeddingResponse"),
            "/clip/embed_text": post("CLIP text embeddings", request: "ClipTextEmbeddingRequest", response: "ClipEmbeddingResponse"),
            "/clip/compare": post("CLIP cosine similarity of a subject with prompts", request: "ClipCompareRequest", response: "ClipCompareResponse"),
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
                .merging(SearchOpenAPI.paths(for: configuration)) { a, _ in a }.merging(SAMOpenAPI.paths) { a, _ in a },
            "components": [
                "schemas": schemas.merging(SearchOpenAPI.schemas(for: configuration)) { a, _ in a }.merging(SAMOpenAPI.schemas) { a, _ in a },
                "securitySchemes": [
                    "api_key_query": ["type": "apiKey", "in": "query", "name": "api_key"],
                    "bearer": ["type": "http", "scheme": "bearer"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
