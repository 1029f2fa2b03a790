/// The OpenAPI entries of `POST /search`, merged into `/openapi.json` only when the server has an
/// index (the route exists only then).
enum SearchOpenAPI {
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }

    static func paths(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.searchIndex != nil else { return [:] }
        var responses: [String: Any] = ["200": ["description": "Ranked results", "content": json(ref("SearchResponse"))]]
        for (code, text) in [("400", "Malformed request"), ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                             ("404", "Unknown clip_version_id"), ("413", "Body too large"), ("503", "Request timed out")] {
            responses[code] = ["description": text, "content": json(ref("Error"))]
        }
        return ["/search": ["post": [
            "summary": "The indexed images most similar to a text or an image (cosine similarity of CLIP embeddings)",
            "parameters": [["name": "api_key", "in": "query", "required": false, "schema": ["type": "string"]]],
            "requestBody": ["required": true, "content": json(ref("SearchRequest"))],
            "responses": responses,
        ] as [String: Any]]]
    }

    static func schemas(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.searchIndex != nil else { return [:] }
        let nullableInteger: [String: Any] = ["type": "integer", "nullable": true]
        return [
            "SearchRequest": [
                "type": "object",
                "description": "Exactly one of text and image.",
                "properties": [
                    "text": ["type": "string"],
                    "image": ref("InferenceRequestImage"),
                    "k": ["type": "integer", "minimum": 1, "maximum": SearchIndex.maxResults, "default": SeerServer.defaultSearchResults],
                    "path_prefix": ["type": "string", "description": "Only images whose path starts with this string (plain text, no wildcards)"],
                    "clip_version_id": ["type": "string", "nullable": true],
                    "api_key": ["type": "string", "nullable": true],
                ] as [String: Any],
            ],
            "SearchResponse": [
                "type": "object", "required": ["results"],
                "properties": [
                    "results": ["type": "array", "items": [
                        "type": "object", "required": ["rank", "score", "path"],
                        "properties": [
                            "rank": ["type": "integer"], "score": ["type": "number", "description": "Cosine similarity"],
                            "path": ["type": "string"], "id": nullableInteger, "width": nullableInteger, "height": nullableInteger,
                        ] as [String: Any],
                    ] as [String: Any]],
                    "approximate": ["type": "boolean", "description": "Answered from the index's HNSW graph rather than exactly"],
                    "time": ["type": "number"],
                ] as [String: Any],
            ],
        ]
    }
}
