import Foundation
import Testing
import SeerImage
import SeerModels
@testable import SeerServer

/// The tiny OWLv2 of Tests/Fixtures, loaded once.
let sharedOWL: OWL = try! OWL(directory: fixtures.appendingPathComponent("owlv2-tiny"), version: .v2)

/// The prompts and threshold make_owl_fixtures.py uses: the tiny model finds boxes at it.
private let prompts = ["a photo of a cat", "a cup of coffee", "an astronaut"]
private let threshold = 0.2936

private func withDetectionServer<T>(_ body: (SeerServer, Client) async throws -> T) async throws -> T {
    try await withServer(embedder: nil, { $0.detection = DetectionServerConfiguration(model: sharedOWL) }, body)
}

private func decode(_ name: String) throws -> RGBImage { try ImageLoader.decode(imageBytes(name)) }

/// A response's predictions as (class, centre x, centre y, width, height, confidence).
private func predictions(_ response: [String: Any]) -> [(String, [Float])] {
    ((response["predictions"] as? [[String: Any]]) ?? []).map { p in
        (p["class"] as? String ?? "?", ["x", "y", "width", "height", "confidence"].map { (p[$0] as? NSNumber)?.floatValue ?? .nan })
    }
}

/// The library's detections in the same form, best first.
private func expected(_ detections: [Detection], _ classNames: [String]) -> [(String, [Float])] {
    detections.sorted { $0.score > $1.score }.map { d in
        (classNames[d.label], [(d.box.x0 + d.box.x1) / 2, (d.box.y0 + d.box.y1) / 2, d.box.width, d.box.height, d.score])
    }
}

private func expectSame(_ got: [(String, [Float])], _ want: [(String, [Float])], _ what: String) {
    #expect(got.count == want.count, "\(what): \(got.count) predictions, the library finds \(want.count)")
    for (g, w) in zip(got, want) {
        #expect(g.0 == w.0, "\(what): class \(g.0) vs \(w.0)")
        #expect(zip(g.1, w.1).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) }, "\(what): \(g.1) vs \(w.1)")
    }
}

@Suite("Detection routes (/yolo_world/infer, /owlv2/infer)")
struct DetectionRoutesTests {
    static let sdkScript = """
        import json, sys
        from inference_sdk import InferenceHTTPClient
        url, d, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
        c = InferenceHTTPClient(api_url=url, api_key="unused")
        names = ["a photo of a cat", "a cup of coffee", "an astronaut"]
        out = c.infer_from_yolo_world(inference_input=[f"{d}/chelsea.jpg", f"{d}/astronaut.webp"], class_names=names, confidence=threshold)
        print(json.dumps(out))
        """

    @Test("inference-sdk's infer_from_yolo_world gets the library's detections (Roboflow's NMS defaults)")
    func inferenceSDKTextPrompts() async throws {
        try await withDetectionServer { _, client in
            let output = try await runPython(inferenceSDKPython(), Self.sdkScript, [client.base, fixtures.appendingPathComponent("clip-inputs").path, "\(threshold)"])
            let responses = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
            try #require(responses.count == 2)
            let options = DetectionOptions(threshold: Float(threshold), nmsIoU: 0.3, agnostic: false, maxDetections: 300)
            for (response, name) in zip(responses, ["chelsea.jpg", "astronaut.webp"]) {
                let image = try decode(name)
                let want = try sharedOWL.detect([image], prompts: prompts, options: options)[0]
                #expect(!want.isEmpty, "the fixture's threshold finds boxes in \(name)")
                expectSame(predictions(response), expected(want, prompts), name)
                let size = try #require(response["image"] as? [String: Any])
                #expect(size["width"] as? Int == image.width && size["height"] as? Int == image.height)
                let first = try #require((response["predictions"] as? [[String: Any]])?.first)
                #expect(first["class_id"] as? Int == prompts.firstIndex(of: first["class"] as? String ?? ""))
                #expect((first["detection_id"] as? String)?.count == 36)
            }
        }
    }

    @Test("/owlv2/infer: an example box finds itself first with confidence 1, and answers as the library")
    func exampleBoxes() async throws {
        let chelsea = try decode("chelsea.jpg"), coffee = try decode("coffee.png")
        // The example: the chelsea photo's most object-like candidate, in pixels (centre, size).
        let side = Float(max(chelsea.width, chelsea.height))
        let candidate = try sharedOWL.candidates(chelsea, limit: 1).boxes[0].scaled(x: side, y: side)
        let example = ExampleBox(centreX: (candidate.x0 + candidate.x1) / 2, centreY: (candidate.y0 + candidate.y1) / 2,
                                 width: candidate.width, height: candidate.height, className: "thing")
        let request: [String: Any] = [
            "image": [try base64Image("chelsea.jpg"), try base64Image("coffee.png")],
            "training_data": [["image": try base64Image("chelsea.jpg"),
                               "boxes": [["x": example.centreX, "y": example.centreY, "w": example.width, "h": example.height, "cls": "thing", "negative": false]]]],
            "confidence": 0.9,
            "owlv2_version_id": "owlv2-large-patch14-ensemble",
        ]
        try await withDetectionServer { _, client in
            let result = try await client.post("/owlv2/infer", json: request)
            #expect(result.status == 200, "\(result.text)")
            let responses = try #require(result.json as? [[String: Any]])
            try #require(responses.count == 2)
            let want = try sharedOWL.detect([chelsea, coffee], examples: [ExampleImage(image: chelsea, boxes: [example])],
                                            options: ExampleDetectionOptions(confidence: 0.9))
            #expect(want.classNames == ["thing"])
            expectSame(predictions(responses[0]), expected(want.detections[0], want.classNames), "chelsea")
            expectSame(predictions(responses[1]), expected(want.detections[1], want.classNames), "coffee")
            let best = try #require(predictions(responses[0]).first)
            #expect(best.1[4] > 0.9999, "the example's own box matches its embedding: cosine 1")
            #expect(abs(best.1[0] - example.centreX) < 0.01 && abs(best.1[2] - example.width) < 0.01, "\(best.1) vs \(example)")
        }
    }

    @Test("bad detection requests get 400s that say what is wrong")
    func badRequests() async throws {
        let chelsea = try base64Image("chelsea.jpg")
        let bytes = try imageBytes("chelsea.jpg")
        let truncated: [String: Any] = ["type": "base64", "value": Data(bytes.prefix(bytes.count / 3)).base64EncodedString()]
        let box: [String: Any] = ["x": 20, "y": 20, "w": 10, "h": 10, "cls": "thing"]
        let cases: [(String, String, [String: Any], String)] = [
            ("no prompts", "/yolo_world/infer", ["image": chelsea, "text": [] as [String]], "text is empty"),
            ("no text field", "/yolo_world/infer", ["image": chelsea], "missing field \"text\""),
            ("10,000 prompts", "/yolo_world/infer", ["image": chelsea, "text": Array(repeating: "a cat", count: 10_000)], "too many prompts"),
            ("blank prompt", "/yolo_world/infer", ["image": chelsea, "text": ["a cat", " "]], "text[1] is empty"),
            ("confidence 2", "/yolo_world/infer", ["image": chelsea, "text": ["a cat"], "confidence": 2], "confidence must be between"),
            ("truncated image", "/yolo_world/infer", ["image": truncated, "text": ["a cat"]], "image"),
            ("box outside the image", "/owlv2/infer", ["image": chelsea, "training_data": [["image": chelsea, "boxes": [["x": 5000, "y": 20, "w": 10, "h": 10, "cls": "thing"]]]]],
             "lies outside"),
            ("box without area", "/owlv2/infer", ["image": chelsea, "training_data": [["image": chelsea, "boxes": [["x": 20, "y": 20, "w": 0, "h": 10, "cls": "thing"]]]]],
             "has no area"),
            ("no boxes", "/owlv2/infer", ["image": chelsea, "training_data": [["image": chelsea, "boxes": [] as [Any]]]], "no boxes"),
            ("no training_data", "/owlv2/infer", ["image": chelsea], "training_data"),
            ("truncated training image", "/owlv2/infer", ["image": chelsea, "training_data": [["image": truncated, "boxes": [box]]]], "training_data[0].image"),
            ("visualize", "/owlv2/infer", ["image": chelsea, "training_data": [["image": chelsea, "boxes": [box]]], "visualize_predictions": true], "visualize_predictions"),
        ]
        try await withDetectionServer { _, client in
            for (what, path, body, message) in cases {
                let result = try await client.post(path, json: body)
                #expect(result.status == 400, "\(what): \(result.status) \(result.text)")
                #expect((result.object["message"] as? String ?? "").contains(message), "\(what): \(result.text)")
            }
        }
    }

    @Test("without --detector-model the routes do not exist, and the document leaves them out")
    func noDetector() async throws {
        try await withServer { server, client in
            let result = try await client.post("/yolo_world/infer", json: ["image": try base64Image("chelsea.jpg"), "text": ["a cat"]])
            #expect(result.status == 404)
            let document = try JSONSerialization.jsonObject(with: OpenAPI.document(for: server.configuration, embeddings: true)) as? [String: Any]
            let paths = try #require(document?["paths"] as? [String: Any])
            #expect(paths["/owlv2/infer"] == nil && paths["/clip/embed_image"] != nil)
        }
        try await withDetectionServer { server, _ in
            let document = try JSONSerialization.jsonObject(with: OpenAPI.document(for: server.configuration, embeddings: false)) as? [String: Any]
            let paths = try #require(document?["paths"] as? [String: Any])
            #expect(paths["/owlv2/infer"] != nil && paths["/yolo_world/infer"] != nil)
        }
    }
}
