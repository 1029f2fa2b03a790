import Foundation

/// The pieces the `/openapi.json` schemas are built from, each saying exactly what the request
/// parsers enforce: a value the server refuses is outside its schema, and a value inside it is
/// accepted (a test runs schemathesis against the real server to keep the two together).
/// OpenAPI 3.0.3: null is `nullable: true` (with `null` in any `enum`), and a `$ref` takes no
/// siblings, so a nullable reference is wrapped in `allOf`.
enum OpenAPIParts {
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }

    /// `schema`, or null (which the parsers treat as an absent field).
    static func orNull(_ schema: [String: Any]) -> [String: Any] {
        if schema["$ref"] != nil { return ["allOf": [schema], "nullable": true] }
        var nullable = schema
        nullable["nullable"] = true
        if let values = schema["enum"] as? [Any] { nullable["enum"] = values + [NSNull()] }
        return nullable
    }

    /// One of `values`, null or absent.
    static func choice(_ values: [String], _ description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "string", "enum": values]
        if let description { schema["description"] = description }
        return orNull(schema)
    }

    /// A `clip_version_id`/`sam_version_id`: absent, null, or a name the model answers to (any
    /// other string is a 404 ModelNotFound).
    static func versionID(_ names: [String]) -> [String: Any] {
        choice(Array(Set(names)).sorted(), "Names the served model; another name is answered 404")
    }

    /// `api_key` in a JSON body: a string is checked against the server's key (when it has
    /// one); the parsers ignore anything else, so the schema leaves its type open.
    static var apiKey: [String: Any] { ["description": "The API key, when the server requires one (a string; other values are ignored)"] }

    /// The `?api_key=` query parameter every JSON route takes.
    static var apiKeyParameter: [String: Any] { ["name": "api_key", "in": "query", "required": false, "schema": ["type": "string"]] }

    /// A JSON POST operation: `request` and `response` are schema names, `errors` the error
    /// statuses with what they mean.
    static func post(_ summary: String, request: String, response: String, errors: [(String, String)]) -> [String: Any] {
        var responses: [String: Any] = ["200": ["description": "OK", "content": json(ref(response))]]
        for (code, text) in errors { responses[code] = ["description": text, "content": json(ref("Error"))] }
        return ["post": [
            "summary": summary,
            "parameters": [apiKeyParameter],
            "requestBody": ["required": true, "content": json(ref(request))],
            "responses": responses,
        ] as [String: Any]]
    }

    /// Roboflow's `InferenceRequestImage`, as `ImageInput.parse` and the decoder take it: base64
    /// (standard alphabet, padding optional, a `data:…;base64,` prefix allowed) of a JPEG, PNG
    /// or WebP file within the pixel limit, and http(s) URLs only when the server fetches them.
    static func image(_ configuration: ServerConfiguration) -> [String: Any] {
        let pixels = configuration.imageLimits.maxPixels
        let base64: [String: Any] = [
            "type": "object", "required": ["type", "value"],
            "properties": [
                "type": ["type": "string", "enum": ["base64"]],
                "value": ["type": "string", "format": "base64-image", "minLength": 1,
                          "description": "A JPEG, PNG or WebP file of at most \(pixels) pixels, base64-encoded"],
            ] as [String: Any],
        ]
        guard configuration.urlImages.enabled else { return base64 }
        let url: [String: Any] = [
            "type": "object", "required": ["type", "value"],
            "properties": [
                "type": ["type": "string", "enum": ["url"]],
                "value": ["type": "string", "format": "uri", "description": "An http(s) URL of a public host the server is allowed to fetch from"],
            ] as [String: Any],
        ]
        return ["oneOf": [base64, url]]
    }
}
