import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import SeerModels
@testable import SeerServer

@Suite("Roboflow CLIP routes")
struct RoutesTests {
    @Test("embed_text: one string and a list give the library's embeddings, in Roboflow's shape")
    func embedText() async throws {
        try await withServer { _, client async throws in
            let one = try await client.post("/clip/embed_text", json: ["text": "a photo of a cat"])
            #expect(one.status == 200)
            #expect(rows(one.object["embeddings"]) == [try libraryTextEmbedding("a photo of a cat")])
            #expect(one.object["time"] is NSNumber)
            #expect(one.object.keys.contains("frame_id"))

            let texts = ["a dog", "a car", "an astronaut in space"]
            let many = try await client.post("/clip/embed_text", json: ["text": texts, "clip_version_id": NSNull()])
            #expect(many.status == 200)
            #expect(rows(many.object["embeddings"]) == (try texts.map(libraryTextEmbedding)))
        }
    }

    @Test("embed_image: base64 images, one or a list, give the library's embeddings")
    func embedImage() async throws {
        try await withServer { _, client async throws in
            let one = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
            #expect(one.status == 200, "\(one.text)")
            #expect(rows(one.object["embeddings"]) == [try libraryImageEmbedding("chelsea.jpg")])

            let many = try await client.post("/clip/embed_image", json: ["image": try imageNames.map(base64Image)])
            #expect(many.status == 200, "\(many.text)")
            let got = try #require(rows(many.object["embeddings"]))
            let expected = try imageNames.map(libraryImageEmbedding)
            #expect(got.count == 3)
            for (g, e) in zip(got, expected) { #expect(maxDifference(g, e) < 1e-5) }
        }
    }

    @Test("compare: image subject against a list, a single string and a dict of texts; text subject against images")
    func compare() async throws {
        try await withServer { _, client async throws in
            let image = try libraryImageEmbedding("chelsea.jpg")
            let labels = ["a cat", "a dog", "a cup of coffee"]
            let list = try await client.post("/clip/compare", json: [
                "subject": try base64Image("chelsea.jpg"), "subject_type": "image", "prompt": labels, "prompt_type": "text",
            ])
            #expect(list.status == 200, "\(list.text)")
            #expect(floats(list.object["similarity"]) == (try labels.map { cosineSimilarity(image, try libraryTextEmbedding($0)) }))

            let single = try await client.post("/clip/compare", json: ["subject": try base64Image("chelsea.jpg"), "prompt": "a cat"])
            #expect(floats(single.object["similarity"]) == [cosineSimilarity(image, try libraryTextEmbedding("a cat"))])

            let dict = try await client.post("/clip/compare", json: [
                "subject": try base64Image("chelsea.jpg"), "prompt": ["cat": "a cat", "dog": "a dog"],
            ])
            let similarity = try #require(dict.object["similarity"] as? [String: Any])
            #expect(Set(similarity.keys) == ["cat", "dog"])
            #expect((similarity["cat"] as? NSNumber)?.floatValue == cosineSimilarity(image, try libraryTextEmbedding("a cat")))
            #expect((similarity["dog"] as? NSNumber)?.floatValue == cosineSimilarity(image, try libraryTextEmbedding("a dog")))

            let reverse = try await client.post("/clip/compare", json: [
                "subject": "a cup of coffee", "subject_type": "text", "prompt": try imageNames.map(base64Image), "prompt_type": "image",
            ])
            #expect(reverse.status == 200, "\(reverse.text)")
            let got = try #require(floats(reverse.object["similarity"]))
            let text = try libraryTextEmbedding("a cup of coffee")
            let expected = try imageNames.map { cosineSimilarity(text, try libraryImageEmbedding($0)) }
            #expect(got.count == 3)
            for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-5) }
        }
    }

    @Test("info, healthz, readiness and metrics answer")
    func serviceRoutes() async throws {
        try await withServer { _, client async throws in
            let info = try await client.get("/info")
            #expect(info.status == 200)
            #expect(info.object["version"] as? String == SeerServer.version)
            #expect(info.object["name"] is String && info.object["uuid"] is String)
            #expect(try await client.get("/healthz").object["status"] as? String == "healthy")
            #expect(try await client.get("/readiness").status == 200)
            _ = try await client.post("/clip/embed_text", json: ["text": "x"])
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("seer_http_requests_total{route=\"/clip/embed_text\",method=\"POST\",status=\"200\"} 1"))
        }
    }

    @Test("a known path asked with a method it does not take gets 405 and an Allow header; an unknown path 404")
    func wrongMethod() async throws {
        try await withServer { _, client async throws in
            for (method, path, allowed) in [("GET", "/clip/embed_text", "POST"), ("DELETE", "/info", "GET"),
                                            ("PUT", "/sam/segment_image", "POST"), ("POST", "/label", "GET"), ("PATCH", "/metrics", "GET")] {
                var request = URLRequest(url: URL(string: client.base + path)!)
                request.httpMethod = method
                let (data, response) = try await Client.session.data(for: request)
                let http = try #require(response as? HTTPURLResponse)
                #expect(http.statusCode == 405, "\(method) \(path)")
                #expect(http.value(forHTTPHeaderField: "Allow") == allowed, "\(method) \(path)")
                let error = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                #expect(error?["error_type"] as? String == "MethodNotAllowed", "\(method) \(path)")
            }
            #expect(try await client.get("/clip/nothing").status == 404)
            #expect(try await client.post("/nothing", json: [:]).status == 404)
        }
    }

    @Test("openapi.json lists exactly the router's routes")
    func openAPIMatchesRouter() async throws {
        try await withServer { server, client async throws in
            let document = try await client.get("/openapi.json")
            #expect(document.status == 200)
            #expect(document.object["openapi"] as? String == "3.0.3")
            let paths = try #require(document.object["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
            let routed = Set(server.makeRouter().routes.map { "\($0.method.rawValue) \($0.path.description.hasPrefix("/") ? "" : "/")\($0.path)" })
            #expect(documented == routed)
            // Every route users are promised is there (and so, by the line above, documented); /search
            // appears only with an index (SearchTests).
            let promised: Set = ["POST /clip/embed_image", "POST /clip/embed_text", "POST /clip/compare", "GET /info",
                                 "GET /healthz", "GET /readiness", "GET /metrics", "GET /openapi.json",
                                 "POST /sam/embed_image", "POST /sam/segment_image", "GET /label"]
            #expect(routed == promised)
        }
    }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
