import Foundation
import Testing
import SeerImage
import SeerModels
@testable import SeerServer

/// The tiny random-weight SAM of Tests/Fixtures/sam-tiny (written by transformers), loaded once.
let sharedSAM: SAM = try! SAM(directory: fixtures.appendingPathComponent("sam-tiny"))

@Suite("SAM routes (tiny SAM)")
struct SAMModelRoutesTests {
    @Test("embed_image answers exactly the library's embedding")
    func embedding() async throws {
        try await withSAMServer(sharedSAM) { _, client async throws in
            let result = try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "cat", "sam_version_id": "sam"])
            #expect(result.status == 200, "\(result.text.prefix(300))")
            let expected = try sharedSAM.embed(try decodedImage("chelsea.jpg"))
            let nested = try #require(result.object["embeddings"] as? [[[[NSNumber]]]])
            #expect(nested.count == 1 && nested[0].count == expected.channels && nested[0][0].count == expected.gridSize)
            #expect(nested[0].flatMap { $0.flatMap { $0.map(\.floatValue) } } == expected.values)
        }
    }

    @Test("a server of SAM alone (no --model) answers /sam/* and has no /clip/* routes")
    func samOnly() async throws {
        try await withServer(embedder: nil, { $0.sam = SAMServerConfiguration(model: sharedSAM) }) { server, client async throws in
            #expect(server.embedder == nil && server.batcher == nil)
            let embedded = try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "cat"])
            #expect(embedded.status == 200, "\(embedded.text.prefix(300))")
            let clip = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
            #expect(clip.status == 404, "\(clip.text.prefix(300))")
            let paths = ((try await client.get("/openapi.json")).object["paths"] as? [String: Any]) ?? [:]
            #expect(paths["/sam/embed_image"] != nil && paths["/clip/embed_image"] == nil, "\(paths.keys.sorted())")
        }
    }

    @Test("segment_image answers the library's masks as polygons, for points, boxes and refinement")
    func segmentation() async throws {
        let image = try decodedImage("coffee.png")
        let embedding = try sharedSAM.embed(image)
        try await withSAMServer(sharedSAM) { _, client async throws in
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("coffee.png"), "image_id": "coffee"]).status == 200)
            let prompts: [(String, [[Double]], [Int], SAMPrompt)] = [
                ("one click", [[200, 150]], [1], SAMPrompt(points: [SAMPoint(x: 200, y: 150)])),
                ("click and background", [[200, 150], [60, 40]], [1, 0], SAMPrompt(points: [SAMPoint(x: 200, y: 150), SAMPoint(x: 60, y: 40, isForeground: false)])),
                ("box", [[50, 60], [300, 280]], [2, 3], SAMPrompt(box: SAMBox(x0: 50, y0: 60, x1: 300, y1: 280))),
            ]
            for (name, coords, labels, prompt) in prompts {
                let result = try await client.post("/sam/segment_image", json: ["image_id": "coffee", "point_coords": coords, "point_labels": labels, "coco": true])
                #expect(result.status == 200, "\(name): \(result.text.prefix(300))")
                let ambiguous = prompt.points.count + (prompt.box == nil ? 0 : 2) <= 1
                let prediction = try sharedSAM.predict(embedding, prompts: [prompt], multimask: ambiguous)[0]
                let best = prediction.iouScores.indices.max { prediction.iouScores[$0] < prediction.iouScores[$1] }!
                let index = ambiguous ? best : 0
                let mask = prediction.mask(index)
                #expect(flatPolygon((result.object["masks"] as? [Any])?.first) == largestPart(mask), "\(name)")
                let lowRes = BinaryMask(width: 256, height: 256, logits: prediction.lowResLogits[index])
                #expect(flatPolygon((result.object["low_res_masks"] as? [Any])?.first) == largestPart(lowRes), "\(name)")
                #expect(floats(result.object["scores"]) == [prediction.iouScores[index]], "\(name)")
                let coco = (result.object["coco"] as? [[String: Any]])?.first
                #expect(coco?["area"] as? Int == mask.area, "\(name)")
                #expect(coco?["segmentation"] as? [[Double]] == mask.polygons, "\(name)")
            }

            // Refinement: the last answer's low-resolution logits go back in as the mask prompt.
            let last = try sharedSAM.predict(embedding, prompts: [prompts[2].3], multimask: false)[0]
            let refinedPrompt = SAMPrompt(box: prompts[2].3.box, previousLowResLogits: last.lowResLogits[0])
            let refined = try sharedSAM.predict(embedding, prompts: [refinedPrompt], multimask: false)[0].mask(0)
            let result = try await client.post("/sam/segment_image", json: ["image_id": "coffee", "point_coords": [[50, 60], [300, 280]], "point_labels": [2, 3], "has_mask_input": true, "coco": true])
            #expect(result.status == 200, "\(result.text.prefix(300))")
            #expect((result.object["coco"] as? [[String: Any]])?.first?["segmentation"] as? [[Double]] == refined.polygons)
        }
    }

    @Test("concurrent clicks on one image each get the library's mask")
    func concurrentClicks() async throws {
        let image = try decodedImage("chelsea.jpg")
        let embedding = try sharedSAM.embed(image)
        let points: [SAMPoint] = (0..<8).map { (i: Int) -> SAMPoint in
            SAMPoint(x: Double(40 + 45 * i), y: Double(30 + 30 * i))
        }
        try await withSAMServer(sharedSAM) { _, client async throws in
            #expect(try await client.post("/sam/embed_image", json: ["image": try base64Image("chelsea.jpg"), "image_id": "cat"]).status == 200)
            let bodies: [Data] = try points.map { (p: SAMPoint) -> Data in
                let body: [String: Any] = ["image_id": "cat", "point_coords": [[p.x, p.y]], "point_labels": [1], "coco": true]
                return try JSONSerialization.data(withJSONObject: body)
            }
            let answers = try await withThrowingTaskGroup(of: (Int, HTTPResult).self) { group in
                for (i, body) in bodies.enumerated() {
                    group.addTask { (i, try await client.post("/sam/segment_image", raw: body)) }
                }
                return try await group.reduce(into: [Int: HTTPResult]()) { $0[$1.0] = $1.1 }
            }
            for (i, p) in points.enumerated() {
                let result = try #require(answers[i])
                #expect(result.status == 200, "\(result.text.prefix(200))")
                let prediction = try sharedSAM.predict(embedding, prompts: [SAMPrompt(points: [p])], multimask: true)[0]
                let best = prediction.iouScores.indices.max { prediction.iouScores[$0] < prediction.iouScores[$1] }!
                #expect((result.object["coco"] as? [[String: Any]])?.first?["segmentation"] as? [[Double]] == prediction.mask(best).polygons, "click \(i)")
            }
        }
    }
}
