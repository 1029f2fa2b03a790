import Dispatch
import Foundation
import Hummingbird
import SeerImage
import SeerModels

/// Zero-shot detection over Roboflow Inference's routes, answering its
/// `ObjectDetectionInferenceResponse` (box centre `x`, `y`, `width`, `height` in pixels,
/// `confidence`, `class`, `class_id`, `detection_id`; `image` {width, height}):
/// - `POST /yolo_world/infer`: text prompts (`text`), the request `inference-sdk`'s
///   `infer_from_yolo_world` sends;
/// - `POST /owlv2/infer`: example boxes on training images (`training_data`), as Roboflow's OWLv2
///   few-shot route (`ExampleDetectionOptions` says how boxes become classes).
struct DetectionRoutes: Sendable {
    let server: SeerServer
    let configuration: DetectionServerConfiguration
    /// One forward pass at a time: each already uses every core.
    let modelQueue = DispatchQueue(label: "seer.server.detector")

    init(server: SeerServer) {
        self.server = server
        configuration = server.configuration.detection
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("/yolo_world/infer") { request, context in
            await server.handle(request, context) { try await self.textDetection($0) }
        }
        router.post("/owlv2/infer") { request, context in
            await server.handle(request, context) { try await self.exampleDetection($0) }
        }
    }

    private func textDetection(_ json: [String: Any]) async throws -> ResponseParts {
        let detector = try model()
        let request = try TextDetectionRequest(json, limits: server.configuration)
        let images = try await decode(request.images, field: "image", list: request.imageList)
        let (prompts, options) = (request.prompts, request.options)
        let found = try await runModel { try detector.detect(images, prompts: prompts, options: options) }
        return ResponseParts(objects: zip(images, found).map { Self.response($0, $1, classNames: prompts) }, list: request.imageList)
    }

    private func exampleDetection(_ json: [String: Any]) async throws -> ResponseParts {
        guard let detector = try model() as? any ExampleBoxDetector else {
            throw APIError(.notFound, "ModelNotFound", "the served detector (\(configuration.modelName)) cannot learn from example boxes; serve an OWL-ViT or OWLv2 checkpoint")
        }
        let request = try ExampleDetectionRequest(json, limits: server.configuration)
        let images = try await decode(request.images, field: "image", list: request.imageList)
        var examples = [ExampleImage]()
        for (i, example) in request.examples.enumerated() {
            let field = "training_data[\(i)]"
            let image = try await decode([example.image], field: "\(field).image", list: false)[0]
            for (j, box) in example.boxes.enumerated() {
                // A box must overlap its image; partly outside is fine (drawn boxes often are).
                let corners = BoxCorners(centreX: box.centreX, centreY: box.centreY, width: box.width, height: box.height)
                guard corners.overlapsImage(width: image.width, height: image.height) else {
                    throw APIError.badRequest("\(field).boxes[\(j)] lies outside its \(image.width)×\(image.height) image")
                }
            }
            examples.append(ExampleImage(image: image, boxes: example.boxes))
        }
        let queued = examples, options = request.options
        let found = try await runModel { try detector.detect(images, examples: queued, options: options) }
        return ResponseParts(objects: zip(images, found.detections).map { Self.response($0, $1, classNames: found.classNames) },
                             list: request.imageList)
    }

    // MARK: Helpers

    private func model() throws -> any ObjectDetector {
        guard let model = configuration.model else {
            throw APIError(.notFound, "ModelNotFound", "no detector is served here (start seer serve with --detector-model)")
        }
        return model
    }

    private func decode(_ inputs: [ImageInput], field: String, list: Bool) async throws -> [RGBImage] {
        var images = [RGBImage]()
        for (i, input) in inputs.enumerated() { images.append(try await server.decodeImage(input, field: list ? "\(field)[\(i)]" : field)) }
        return images
    }

    /// Runs a model call on the detector's queue. An input the model rejects is the caller's error.
    private func runModel<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await offload(modelQueue, work)
        } catch ModelError.invalidInput(let message) {
            throw APIError.badRequest(message)
        }
    }

    /// One image's `ObjectDetectionInferenceResponse`, best first, up to its `time`.
    static func response(_ image: RGBImage, _ detections: [Detection], classNames: [String]) -> Data {
        var w = JSONWriter()
        w.raw("{\"predictions\":[")
        for (i, d) in detections.sorted(by: { $0.score > $1.score }).enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"x\":"); w.float((d.box.x0 + d.box.x1) / 2)
            w.raw(",\"y\":"); w.float((d.box.y0 + d.box.y1) / 2)
            w.raw(",\"width\":"); w.float(d.box.width)
            w.raw(",\"height\":"); w.float(d.box.height)
            w.raw(",\"confidence\":"); w.float(d.score)
            w.raw(",\"class\":"); w.string(classNames[d.label])
            w.raw(",\"class_id\":\(d.label),\"detection_id\":"); w.string(UUID().uuidString.lowercased())
            w.raw("}")
        }
        w.raw("],\"image\":{\"width\":\(image.width),\"height\":\(image.height)},")
        return Data(w.text.utf8)
    }
}

extension SeerServer {
    /// Fetches (a URL) and decodes one image under the server's limits, off the server's
    /// threads; an image that cannot be read is a 400 naming `field`.
    func decodeImage(_ input: ImageInput, field: String) async throws -> RGBImage {
        let bytes: [UInt8]
        switch input {
        case .bytes(let b): bytes = b
        case .url(let url): bytes = try await fetcher.fetch(url)
        }
        let limits = configuration.imageLimits
        return try await offload {
            do { return try ImageLoader.decode(bytes, limits: limits) } catch let error as ImageError {
                throw APIError.badRequest("\(field): \(error.message)")
            }
        }
    }

    /// The hook `makeRouter` calls: `/yolo_world/infer` and `/owlv2/infer`, when a detector is served.
    func addDetectionRoutes(to router: Router<BasicRequestContext>) {
        guard configuration.detection.model != nil else { return }
        DetectionRoutes(server: self).add(to: router)
    }
}
