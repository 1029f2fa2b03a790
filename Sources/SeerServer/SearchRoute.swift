import Foundation
import Hummingbird

/// `POST /search`: the indexed images most similar to a text or an image, over the index the
/// server was started with (`seer serve --index DB`). The route exists only then.
///
/// ```json
/// {"text": "a cat on a sofa", "k": 5, "path_prefix": "/photos/2024/"}
/// {"image": {"type": "base64", "value": "…"}, "k": 5}
/// ```
/// answers `{"results": [{"rank": 1, "score": 0.31, "path": "…", "id": 7, "width": 640, "height": 480}, …],
/// "approximate": false, "time": …}`. Scores are cosine similarities, as `seer search` prints them.
extension SeerServer {
    static let defaultSearchResults = 10

    /// Adds `/search` when an index is configured (called from `makeRouter`).
    func addSearchRoutes(to router: Router<BasicRequestContext>) {
        guard let index = configuration.searchIndex else { return }
        router.post("/search") { request, context in
            await self.handle(request, context) { try await self.search($0, in: index) }
        }
    }

    private func search(_ json: [String: Any], in index: SearchIndex) async throws -> Data {
        let k = try Self.searchCount(json["k"])
        let prefix = try Self.optionalString(json["path_prefix"], field: "path_prefix")
        let text = try Self.optionalString(json["text"], field: "text")
        let image = json["image"].flatMap { $0 is NSNull ? nil : $0 }
        let query: [Float]
        switch (text, image) {
        case (let text?, nil):
            query = try await embed(texts: [text])[0]
        case (nil, let image?):
            query = try await embed(images: [try ImageInput.parse(image, field: "image")], field: "image")[0]
        case (nil, nil):
            throw APIError.badRequest("give a \"text\" or an \"image\" to search with")
        default:
            throw APIError.badRequest("give either \"text\" or \"image\", not both")
        }
        let (hits, approximate) = try await offload { try index.search(query, k: k, pathPrefix: prefix) }

        var writer = JSONWriter()
        writer.raw("{\"results\":[")
        for (i, hit) in hits.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.raw("{\"rank\":\(i + 1),\"score\":")
            writer.float(hit.score)
            writer.raw(",\"path\":" + Self.jsonString(hit.path))
            writer.raw(",\"id\":\(hit.id.map(String.init) ?? "null"),\"width\":\(hit.width.map(String.init) ?? "null"),\"height\":\(hit.height.map(String.init) ?? "null")}")
        }
        writer.raw("],\"approximate\":\(approximate),")
        return Data(writer.text.utf8)
    }

    /// `k`: a whole number from 1 to `SearchIndex.maxResults`, 10 when absent.
    static func searchCount(_ raw: Any?) throws -> Int {
        guard let raw, !(raw is NSNull) else { return defaultSearchResults }
        // JSONSerialization reads true and false as NSNumbers too: they are not counts.
        guard !(raw is String), let number = raw as? NSNumber, String(cString: number.objCType) != "c", let k = Int(exactly: number.doubleValue),
              (1...SearchIndex.maxResults).contains(k) else {
            throw APIError.badRequest("k must be a whole number from 1 to \(SearchIndex.maxResults)")
        }
        return k
    }

    /// A JSON string literal; slashes left as they are, so paths read as paths.
    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func optionalString(_ raw: Any?, field: String) throws -> String? {
        guard let raw, !(raw is NSNull) else { return nil }
        guard let value = raw as? String else { throw APIError.badRequest("\(field) must be a string") }
        return value
    }
}
