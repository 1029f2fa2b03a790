/// The OpenAPI entries of `POST /search`, merged into `/openapi.json` only when the server has an
/// index (the route exists only then).
enum SearchOpenAPI {
    static func paths(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.searchIndex != nil else { return [:] }
        return ["/search": OpenAPIParts.post(
            "The indexed images most similar to a text or an image (cosine similarity of CLIP embeddings)",
            request: "SearchRequest", response: "SearchResponse",
            errors: [("400", "Malformed request"), ("401", "Missing or wrong API key"), ("403", "Image URL not allowed"),
                     ("404", "Unknown clip_version_id"), ("413", "Body too large"), ("503", "Request timed out")])]
    }

    static func schemas(for configuration: ServerConfiguration) -> [String: Any] {
        guard configuration.searchIndex != nil else { return [:] }
        typealias P = OpenAPIParts
        let nullableInteger: [String: Any] = ["type": "integer", "nullable": true]
        return [
            "SearchRequest": [
                "type": "object",
                "description": "Exactly one of text and image.",
                "properties": [
                    "text": P.orNull(["type": "string"]),
                    "image": P.orNull(P.ref("InferenceRequestImage")),
                    "k": P.orNull(["type": "integer", "minimum": 1, "maximum": SearchIndex.maxResults, "default": SeerServer.defaultSearchResults]),
                    "path_prefix": P.orNull(["type": "string", "description": "Only images whose path starts with this string (plain text, no wildcards)"]),
                    "clip_version_id": P.versionID([configuration.modelName] + configuration.clipVersionIDs),
                    "api_key": P.apiKey,
                ] as [String: Any],
                "oneOf": [
                    ["required": ["text"], "properties": ["text": ["type": "string"]]],
                    ["required": ["image"], "properties": ["image": P.ref("InferenceRequestImage")]],
                ],
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
