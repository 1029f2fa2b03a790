import Foundation
import Testing
import SeerImage
import SeerModels
@testable import SeerServer

/// Starts a server whose SAM is `sam` (the CLIP routes keep the tiny CLIP).
func withSAMServer<T>(_ sam: any SegmentAnything, _ configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (SeerServer, Client) async throws -> T) async throws -> T {
    try await withServer({ configuration in
        configuration.sam = SAMServerConfiguration(model: sam)
        configure(&configuration)
    }, body)
}

func decodedImage(_ name: String) throws -> RGBImage { try ImageLoader.decode(imageBytes(name)) }

/// A response polygon [[x, y], …] back to a flat [x1, y1, …] list.
func flatPolygon(_ any: Any?) -> [Double]? {
    guard let points = any as? [[NSNumber]], points.allSatisfy({ $0.count == 2 }) else { return nil }
    return points.flatMap { [$0[0].doubleValue, $0[1].doubleValue] }
}

/// What the server must answer for a mask: its largest part as one polygon.
func largestPart(_ mask: BinaryMask) -> [Double] {
    mask.polygons.max { shoelaceArea($0) < shoelaceArea($1) } ?? []
}

@Suite("SAM routes (scripted model)")
struct SAMRoutesTests {
    @Test("embed_image answers the encoder's embedding as 1 × C × G × G nested lists")
    func embedShape() async throws {
        let sam = ScriptedSAM()
        try await withSAMServer(sam) { _, client async throws in
            let result = try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "cat"])
            #expect(result.status == 200, "\(result.text.prefix(300))")
            let nested = try #require(result.object["embeddings"] as? [[[[NSNumber]]]])
            #expect(nested.count == 1)
            #expect(nested[0].count == ScriptedSAM.channels)
            #expect(nested[0].allSatisfy { $0.count == ScriptedSAM.grid && $0.allSatisfy { $0.count == ScriptedSAM.grid } })
            let flat = nested[0].flatMap { $0.flatMap { $0.map(\.floatValue) } }
            #expect(flat == ScriptedSAM.embedding(of: try decodedImage("chelsea.jpg")).values)
            #expect(result.object["time"] is NSNumber)
        }
    }

    @Test("an image_id is encoded once: later embeds and segments reuse the cached embedding")
    func cacheHit() async throws {
        let sam = ScriptedSAM()
        try await withSAMServer(sam) { _, client async throws in
            let image = try base64Image("chelsea.jpg")
            #expect(try await client.post("/sam/embed_image", json: ["image": image, "image_id": "cat"]).status == 200)
            #expect(sam.embedCalls == 1)
            #expect(try await client.post("/sam/embed_image", json: ["image": image, "image_id": "cat"]).status == 200)
            let byID = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[200, 150]], "point_labels": [1]])
            #expect(byID.status == 200, "\(byID.text.prefix(300))")
            let withImage = try await client.post("/sam/segment_image", json: ["image": image, "image_id": "cat", "point_coords": [[100, 100]], "point_labels": [1]])
            #expect(withImage.status == 200)
            #expect(sam.embedCalls == 1)
            // Without an image_id nothing is cached, as in Roboflow Inference.
            #expect(try await client.post("/sam/segment_image", json: ["image": image, "point_coords": [[100, 100]], "point_labels": [1]]).status == 200)
            #expect(try await client.post("/sam/segment_image", json: ["image": image, "point_coords": [[100, 100]], "point_labels": [1]]).status == 200)
            #expect(sam.embedCalls == 3)
        }
    }

    @Test("concurrent first requests for one image_id run the encoder once")
    func concurrentFirstRequests() async throws {
        let sam = ScriptedSAM(gated: true)
        defer { sam.openGate() }  // a failed wait must not leave requests held
        try await withSAMServer(sam) { server, client async throws in
            let image = try base64Image("coffee.png")
            let bodies = try (0..<6).map { i in
                try JSONSerialization.data(withJSONObject: ["image": image, "image_id": "coffee", "point_coords": [[50 + i * 10, 60]], "point_labels": [1]] as [String: Any])
            }
            async let statuses = withThrowingTaskGroup(of: Int.self) { group in
                for body in bodies {
                    group.addTask { try await client.post("/sam/segment_image", raw: body).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // The encoder is held until the five other requests wait on its encoding in the cache.
            try await waitUntil("five requests to join the encoding in flight") { await server.samCache.stats.hits >= 5 }
            sam.openGate()
            #expect(try await statuses == Array(repeating: 200, count: 6))
            #expect(sam.embedCalls == 1)
            #expect(await server.samCache.stats.misses == 1)
        }
    }

    @Test("segment_image answers Roboflow's shapes, with the mask Roboflow's single-mask decoder picks")
    func segmentShapes() async throws {
        let sam = ScriptedSAM()
        try await withSAMServer(sam) { _, client async throws in
            let image = try decodedImage("chelsea.jpg")
            let embedding = ScriptedSAM.embedding(of: image)
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "cat"]).status == 200)

            // One click is ambiguous: all three candidates are computed and the best-scoring one answered.
            let one = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[200.0, 150.0]], "point_labels": [1.0], "coco": true])
            #expect(one.status == 200, "\(one.text.prefix(300))")
            #expect(sam.predictions.last?.multimask == true)
            #expect(sam.predictions.last?.prompt.points == [SAMPoint(x: 200, y: 150, isForeground: true)])
            let expected = ScriptedSAM.prediction(embedding, SAMPrompt(points: [SAMPoint(x: 200, y: 150)]), multimask: true)
            let best = expected.mask(1)
            let masks = try #require(one.object["masks"] as? [Any])
            #expect(masks.count == 1)
            #expect(flatPolygon(masks[0]) == largestPart(best))
            let lowRes = try #require(one.object["low_res_masks"] as? [Any])
            #expect(lowRes.count == 1)
            #expect(flatPolygon(lowRes[0]) == largestPart(BinaryMask(width: 256, height: 256, logits: expected.lowResLogits[1])))
            #expect(floats(one.object["scores"]) == [0.9])
            let coco = try #require((one.object["coco"] as? [[String: Any]])?.first)
            #expect((coco["area"] as? Int) == best.area)
            #expect((coco["bbox"] as? [Int]) == best.cocoBoundingBox)
            #expect((coco["segmentation"] as? [[Double]]) == best.polygons)
            #expect(one.object["time"] is NSNumber)

            // A foreground and a background click: the single-mask output (index 0).
            let two = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[200, 150], [210, 150]], "point_labels": [1, 0]])
            #expect(two.status == 200)
            #expect(sam.predictions.last?.multimask == false)
            #expect(sam.predictions.last?.prompt.points == [SAMPoint(x: 200, y: 150, isForeground: true), SAMPoint(x: 210, y: 150, isForeground: false)])
            let twoExpected = ScriptedSAM.prediction(embedding, sam.predictions.last!.prompt, multimask: false).mask(0)
            #expect(flatPolygon((two.object["masks"] as? [Any])?.first) == largestPart(twoExpected))
            #expect(two.object["coco"] == nil)

            // Padding points are dropped; labels 2 and 3 are a box.
            let box = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[0, 0], [10, 20], [100, 120], [50, 60]], "point_labels": [-1, 2, 3, 1]])
            #expect(box.status == 200)
            #expect(sam.predictions.last?.prompt.box == SAMBox(x0: 10, y0: 20, x1: 100, y1: 120))
            #expect(sam.predictions.last?.prompt.points == [SAMPoint(x: 50, y: 60)])

            // multimask_output (Seer's extension) answers all three.
            let all = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[200, 150]], "point_labels": [1], "multimask_output": true])
            #expect((all.object["masks"] as? [Any])?.count == 3)
            #expect(floats(all.object["scores"]) == ScriptedSAM.scores)
        }
    }

    @Test("has_mask_input feeds the last mask's low-resolution logits, or mask_input's polygons, back to the decoder")
    func maskInput() async throws {
        let sam = ScriptedSAM()
        try await withSAMServer(sam) { _, client async throws in
            let image = try base64Image("chelsea.jpg")
            let first = try await client.post("/sam/segment_image", json: ["image": image, "image_id": "cat", "point_coords": [[200, 150], [220, 160]], "point_labels": [1, 1]])
            #expect(first.status == 200)
            let embedding = ScriptedSAM.embedding(of: try decodedImage("chelsea.jpg"))
            let previous = ScriptedSAM.prediction(embedding, sam.predictions.last!.prompt, multimask: false).lowResLogits[0]
            let refined = try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[200, 150], [220, 160]], "point_labels": [1, 1], "has_mask_input": true])
            #expect(refined.status == 200, "\(refined.text.prefix(300))")
            #expect(sam.predictions.last?.prompt.previousLowResLogits == previous)
            // No earlier mask of "dog" (a state of the cache, like an unknown image_id): 404; not using the cache and no mask_input: 400.
            #expect(try await client.post("/sam/segment_image", json: ["image_id": "dog", "image": image, "point_coords": [[1, 1]], "point_labels": [1], "has_mask_input": true]).status == 404)
            #expect(try await client.post("/sam/segment_image", json: ["image_id": "cat", "point_coords": [[1, 1]], "point_labels": [1], "has_mask_input": true, "use_mask_input_cache": false]).status == 400)

            // mask_input polygons on the 256 × 256 grid, rasterized 1 inside, 0 outside, when
            // there is no remembered mask or the cache is not to be used.
            let square: [[Int]] = [[2, 3], [12, 3], [12, 8], [2, 8]]
            var drawn = [Float](repeating: 0, count: 256 * 256)
            for y in 3..<8 { for x in 2..<12 { drawn[y * 256 + x] = 1 } }
            for body: [String: Any] in [["image": image], ["image_id": "cat", "use_mask_input_cache": false]] {
                let result = try await client.post("/sam/segment_image", json: body.merging(["point_coords": [[5, 5]], "point_labels": [1], "has_mask_input": true, "mask_input": [square]]) { a, _ in a })
                #expect(result.status == 200, "\(result.text.prefix(300))")
                #expect(sam.predictions.last?.prompt.previousLowResLogits == drawn)
            }
            let badPolygon = try await client.post("/sam/segment_image", json: ["image": image, "point_coords": [[5, 5]], "point_labels": [1], "has_mask_input": true, "mask_input": [[[1, 2], [3]]]])
            #expect(badPolygon.status == 400)
            let binary = try await client.post("/sam/segment_image", json: ["image": image, "point_coords": [[5, 5]], "point_labels": [1], "has_mask_input": true, "mask_input": "AAAA", "mask_input_format": "binary"])
            #expect(binary.status == 400)
        }
    }

    @Test("the cache is bounded: least recently used image_ids go first, by count and by bytes")
    func eviction() async throws {
        let sam = ScriptedSAM()
        let click: [String: Any] = ["point_coords": [[10, 10]], "point_labels": [1]]
        try await withSAMServer(sam, { $0.sam.cacheMaxEntries = 2 }) { _, client async throws in
            for (id, name) in [("a", "chelsea.jpg"), ("b", "coffee.png")] {
                #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image(name), "image_id": id]).status == 200)
            }
            // Touch a, so b is the least recently used when c arrives.
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "a"]) { a, _ in a }).status == 200)
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("astronaut.webp"), "image_id": "c"]).status == 200)
            let gone = try await client.post("/sam/segment_image", json: click.merging(["image_id": "b"]) { a, _ in a })
            #expect(gone.status == 404)
            #expect(gone.object["error_type"] as? String == "EmbeddingNotFound")
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "a"]) { a, _ in a }).status == 200)
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "c"]) { a, _ in a }).status == 200)
            #expect(sam.embedCalls == 3)
        }
        // Room for one embedding (and its remembered logits) only.
        let oneEntry = (ScriptedSAM.channels * ScriptedSAM.grid * ScriptedSAM.grid + 256 * 256) * 4
        try await withSAMServer(sam, { $0.sam.cacheMaxBytes = oneEntry }) { _, client async throws in
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "a"]).status == 200)
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "a"]) { a, _ in a }).status == 200)
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("coffee.png"), "image_id": "b"]).status == 200)
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "a"]) { a, _ in a }).status == 404)
            #expect(try await client.post("/sam/segment_image", json: click.merging(["image_id": "b"]) { a, _ in a }).status == 200)
        }
    }

    @Test("bad SAM requests get 4xx JSON errors and the server stays healthy")
    func badRequests() async throws {
        let sam = ScriptedSAM()
        try await withSAMServer(sam, { $0.sam.versionIDs = ["vit_b"] }) { _, client async throws in
            let image = try base64Image("chelsea.jpg")
            let chelsea = try imageBytes("chelsea.jpg")
            let truncated: [String: Any] = ["type": "base64", "value": Data(chelsea.prefix(chelsea.count / 3)).base64EncodedString()]
            let cases: [(String, String, [String: Any], Int)] = [
                ("bad base64", "/sam/embed_image", ["image": ["type": "base64", "value": "!!!not base64***"], "image_id": "x"], 400),
                ("truncated JPEG", "/sam/segment_image", ["image": truncated, "image_id": "t", "point_coords": [[1, 1]], "point_labels": [1]], 400),
                ("no image, no id", "/sam/embed_image", ["format": "json"], 400),
                ("unknown image_id without image", "/sam/segment_image", ["image_id": "never-seen", "point_coords": [[1, 1]], "point_labels": [1]], 404),
                ("point is not a pair", "/sam/segment_image", ["image": image, "point_coords": [[1, 2, 3]], "point_labels": [1]], 400),
                ("points are flat", "/sam/segment_image", ["image": image, "point_coords": [1, 2], "point_labels": [1]], 400),
                ("coordinate is a string", "/sam/segment_image", ["image": image, "point_coords": [["1", 2]], "point_labels": [1]], 400),
                ("labels/points mismatch", "/sam/segment_image", ["image": image, "point_coords": [[1, 2], [3, 4]], "point_labels": [1]], 400),
                ("labels without points", "/sam/segment_image", ["image": image, "point_labels": [1]], 400),
                ("too many points", "/sam/segment_image", ["image": image, "point_coords": Array(repeating: [1, 2], count: 257), "point_labels": Array(repeating: 1, count: 257)], 400),
                ("label 5", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [5]], 400),
                ("label 0.5", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [0.5]], 400),
                ("label true", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [true]], 400),
                ("half a box", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [2]], 400),
                ("only padding", "/sam/segment_image", ["image": image, "point_coords": [[0, 0]], "point_labels": [-1]], 400),
                ("format binary", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [1], "format": "binary"], 400),
                ("embed format binary", "/sam/embed_image", ["image": image, "format": "binary"], 400),
                ("embeddings given", "/sam/segment_image", ["embeddings": [[[[0.0]]]], "orig_im_size": [10, 10], "point_coords": [[1, 2]], "point_labels": [1]], 400),
                ("multimask_output is a string", "/sam/segment_image", ["image": image, "point_coords": [[1, 2]], "point_labels": [1], "multimask_output": "yes"], 400),
                ("image_id is a number", "/sam/embed_image", ["image": image, "image_id": 7], 400),
                ("unknown sam_version_id", "/sam/embed_image", ["image": image, "sam_version_id": "vit_h"], 404),
            ]
            for (name, path, body, status) in cases {
                let result = try await client.post(path, json: body)
                #expect(result.status == status, "\(name): \(result.status) \(result.text.prefix(200))")
                #expect(result.object["message"] is String, "\(name): \(result.text.prefix(200))")
            }
            #expect(try await client.post("/sam/embed_image", raw: Data("{\"image\": ".utf8)).status == 400)
            #expect(sam.embedCalls == 0)

            #expect(try await client.get("/healthz").status == 200)
            let fine = try await client.post("/sam/segment_image", json: ["image": image, "image_id": "ok", "sam_version_id": "vit_b", "point_coords": [[200, 150]], "point_labels": [1]])
            #expect(fine.status == 200, "\(fine.text.prefix(300))")
            #expect((fine.object["masks"] as? [Any])?.count == 1)
        }
    }

    @Test("without --sam-model the SAM routes answer 404 ModelNotFound; the API key guards them")
    func noModelAndAPIKey() async throws {
        try await withServer { _, client async throws in
            let result = try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg")])
            #expect(result.status == 404)
            #expect(result.object["error_type"] as? String == "ModelNotFound")
            #expect((result.object["message"] as? String)?.contains("--sam-model") == true)
        }
        let sam = ScriptedSAM()
        try await withSAMServer(sam, { $0.apiKey = "secret" }) { _, client async throws in
            let body: [String: Any] = ["image": try base64Image("chelsea.jpg"), "image_id": "x"]
            #expect(try await client.post("/sam/embed_image", json: body).status == 401)
            #expect(sam.embedCalls == 0)
            #expect(try await client.post("/sam/embed_image", json: body, headers: ["Authorization": "Bearer secret"]).status == 200)
        }
    }
}

@Suite("SAM embedding cache")
struct SAMEmbeddingCacheTests {
    static func embedding(_ value: Float) -> SAMImageEmbedding {
        SAMImageEmbedding(values: [Float](repeating: value, count: 4), channels: 1, gridSize: 2, originalWidth: 2, originalHeight: 2, resizedWidth: 2, resizedHeight: 2)
    }

    @Test("counts hits and misses, and evicts the least recently used entry")
    func lru() async throws {
        let cache = SAMEmbeddingCache(maxEntries: 2, maxBytes: 1 << 20)
        for (id, value) in [("a", Float(1)), ("b", 2)] {
            _ = try await cache.embedding(for: id) { Self.embedding(value) }
        }
        #expect(await cache.cached("a")?.values.first == 1)
        _ = try await cache.embedding(for: "c") { Self.embedding(3) }
        #expect(await cache.cached("b") == nil)
        #expect(await cache.cached("a") != nil)
        #expect(await cache.cached("c")?.values.first == 3)
        let stats = await cache.stats
        #expect(stats.misses == 3)
        #expect(stats.evictions == 1)
        #expect(stats.entries == 2)
        #expect(stats.bytes == 2 * 4 * 4)
    }

    @Test("a failed encoding is not cached, and an entry larger than the byte bound is returned but not kept")
    func failuresAndOversize() async throws {
        let cache = SAMEmbeddingCache(maxEntries: 8, maxBytes: 8)
        await #expect(throws: APIError.self) {
            _ = try await cache.embedding(for: "x") { throw APIError.badRequest("corrupt") }
        }
        let big = try await cache.embedding(for: "x") { Self.embedding(5) }
        #expect(big.values == [5, 5, 5, 5])
        #expect(await cache.cached("x") == nil)
    }
}
