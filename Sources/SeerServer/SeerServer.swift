import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SeerImage
import SeerModels
import ServiceLifecycle

/// Seer's HTTP server: Roboflow Inference's CLIP routes (`/clip/embed_image`, `/clip/embed_text`,
/// `/clip/compare`) with its request and response shapes, so `inference-sdk` clients work
/// unchanged, plus `/info`, `/healthz`, `/readiness`, `/metrics` and `/openapi.json`. The
/// `/clip/*` routes answer with whatever image embedder is served (CLIP, DINOv2, …); text needs a
/// model with a text tower. Without an embedder (a SAM-only server) they are left out.
///
/// ```swift
/// let model = try ModelRegistry.shared.load(directory: folder).requireImageEmbedder()
/// let server = SeerServer(embedder: model, configuration: configuration)
/// try await server.run()          // until SIGINT/SIGTERM; in-flight requests finish
/// ```
public final class SeerServer: Sendable {
    public static let version = "0.1.0"

    /// The served image embedder; nil for a server of SAM routes only.
    public let embedder: (any ImageEmbedder)?
    public let configuration: ServerConfiguration
    public let batcher: ImageBatcher?
    public let metrics = Metrics()
    /// SAM image embeddings by image_id: one cache for the server, however many routers it builds.
    let samCache: SAMEmbeddingCache
    let fetcher: ImageFetcher
    let instanceID = UUID().uuidString
    let logger: Logger

    public init(embedder: (any ImageEmbedder)?, configuration: ServerConfiguration, logger: Logger = Logger(label: "seer.server")) {
        self.embedder = embedder
        self.configuration = configuration
        self.batcher = embedder.map { ImageBatcher(pipeline: $0.pipeline, limits: configuration.imageLimits, configuration: configuration.batching) }
        self.samCache = SAMEmbeddingCache(maxEntries: configuration.sam.cacheMaxEntries, maxBytes: configuration.sam.cacheMaxBytes)
        self.fetcher = ImageFetcher(policy: configuration.urlImages, maxBytes: configuration.maxBodyBytes)
        self.logger = logger
    }

    // MARK: Running

    /// The Hummingbird application; `onListening` gets the bound port (useful with port 0).
    public func makeApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGauge(metrics: self.metrics),
                                                                            RequestReadTimeout(limit: self.configuration.requestReadTimeout)],
                                                idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "seer"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting connections and lets in-flight
    /// requests finish (swift-service-lifecycle's graceful shutdown).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onListening: onListening).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Starts serving in the background and returns once the socket is bound (port 0 picks a
    /// free one). `shutdown()` stops it gracefully; signals are not handled (see `run`).
    public func start() async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication(onListening: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw APIError(.internalServerError, "StartupError", "server stopped before it was listening")
        }
        return RunningServer(port: port, group: group, task: task)
    }

    // MARK: Routes

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        if embedder != nil {
            router.post("/clip/embed_image") { request, context in
                await self.handle(request, context) { try await self.embedImage($0) }
            }
            router.post("/clip/embed_text") { request, context in
                await self.handle(request, context) { try await self.embedText($0) }
            }
            router.post("/clip/compare") { request, context in
                await self.handle(request, context) { try await self.compare($0) }
            }
        }
        router.get("/info") { _, _ in
            jsonResponse(["name": "Seer Inference Server", "version": Self.version, "uuid": self.instanceID])
        }
        router.get("/healthz") { _, _ in jsonResponse(["status": "healthy"]) }
        router.get("/readiness") { _, _ in jsonResponse(["status": "ready"]) }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let text = await self.metrics.prometheusText(batcher: self.batcher?.stats ?? BatcherStats(), pendingRequests: self.batcher?.pendingRequests ?? 0)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/openapi.json") { _, _ in rawJSONResponse(OpenAPI.document(for: self.configuration, embeddings: self.embedder != nil)) }
        addSearchRoutes(to: router)
        addSAMRoutes(to: router)
        addDetectionRoutes(to: router)
        // Last: it wraps the not-found responder only, turning a wrong method on a known path into a 405.
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    /// Reads and checks a JSON request under the time limit, runs `body`, and turns every
    /// failure into a JSON error response: a bad request never escapes as a crash or a 500.
    func handle(_ request: Request, _ context: BasicRequestContext, _ body: @escaping @Sendable ([String: Any]) async throws -> Data) async -> Response {
        await handle(request, context) { json in ResponseParts(objects: [try await body(json)], list: false) }
    }

    /// `handle` for routes that answer one object per input image: a list of objects when the
    /// request gave a list (each with its `time`), else the one object.
    func handle(_ request: Request, _ context: BasicRequestContext, _ body: @escaping @Sendable ([String: Any]) async throws -> ResponseParts) async -> Response {
        let started = ContinuousClock.now
        let deadline = RequestDeadline(start: started, limit: configuration.requestTimeout)
        do {
            // The body first, read in this task (RequestDeadline.body says why), then the work.
            let buffer = try await readBody(request, deadline: deadline)
            let data = try await deadline.run {
                let json = try Self.parseJSON(buffer)
                try self.authorize(request, json)
                try self.checkModel(json)
                let parts = try await body(json)
                // Every response object ends with `,"time":…}`: filled in last so it covers the whole request.
                let seconds = (ContinuousClock.now - started).seconds
                var data = Data(parts.list ? "[".utf8 : "".utf8)
                for (i, part) in parts.objects.enumerated() {
                    if i > 0 { data.append(contentsOf: Array(",".utf8)) }
                    data.append(part)
                    data.append(contentsOf: Array("\"time\":\(seconds)}".utf8))
                }
                if parts.list { data.append(contentsOf: Array("]".utf8)) }
                return data
            }
            return rawJSONResponse(data)
        } catch let error as APIError {
            return error.response()
        } catch let error as ImageError {
            return APIError.badRequest(error.description).response()
        } catch {
            context.logger.error("request failed: \(error)")
            return APIError(.internalServerError, "InternalServerError", "\(error)").response()
        }
    }

    private func readBody(_ request: Request, deadline: RequestDeadline) async throws -> ByteBuffer {
        do {
            return try await deadline.body(of: request, upTo: configuration.maxBodyBytes)
        } catch let error as APIError {
            throw error
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "PayloadTooLarge", "request body is larger than \(configuration.maxBodyBytes) bytes")
        } catch {
            // Bad chunked encoding, a body cut short by the client: the request is at fault, not the server.
            throw APIError.badRequest("could not read the request body: \(error)")
        }
    }

    private static func parseJSON(_ buffer: ByteBuffer) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw APIError.badRequest("request body must be a JSON object") }
        return object
    }

    private func authorize(_ request: Request, _ json: [String: Any]) throws {
        guard let expected = configuration.apiKey else { return }
        var offered: [String] = []
        if let key = request.uri.queryParameters["api_key"] { offered.append(String(key)) }
        if let key = json["api_key"] as? String { offered.append(key) }
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") { offered.append(String(auth.dropFirst(7))) }
        if let name = HTTPField.Name("X-Api-Key"), let key = request.headers[name] { offered.append(key) }
        guard offered.contains(where: { constantTimeEqual($0, expected) }) else { throw APIError.unauthorized() }
    }

    private func checkModel(_ json: [String: Any]) throws {
        guard let raw = json["clip_version_id"], !(raw is NSNull) else { return }
        guard let id = raw as? String else { throw APIError.badRequest("clip_version_id must be a string") }
        guard configuration.clipVersionIDs.contains(id) || id == configuration.modelName else {
            let known = ([configuration.modelName] + configuration.clipVersionIDs.sorted()).joined(separator: ", ")
            throw APIError(.notFound, "ModelNotFound", "clip_version_id \"\(id)\" is not served here (served: \(known))")
        }
    }

    // MARK: CLIP

    private func embedImage(_ json: [String: Any]) async throws -> Data {
        guard let raw = json["image"] else { throw APIError.badRequest("missing field \"image\"") }
        let inputs = try parseImages(raw, field: "image")
        let embeddings = try await embed(images: inputs, field: "image")
        return embeddingsResponse(embeddings)
    }

    private func embedText(_ json: [String: Any]) async throws -> Data {
        guard let raw = json["text"] else { throw APIError.badRequest("missing field \"text\"") }
        let texts = try parseTexts(raw, field: "text")
        let embeddings = try await embed(texts: texts)
        return embeddingsResponse(embeddings)
    }

    private func compare(_ json: [String: Any]) async throws -> Data {
        let subjectType = try kind(json["subject_type"], field: "subject_type", default: "image")
        let promptType = try kind(json["prompt_type"], field: "prompt_type", default: "text")
        guard let subject = json["subject"] else { throw APIError.badRequest("missing field \"subject\"") }
        guard let prompt = json["prompt"] else { throw APIError.badRequest("missing field \"prompt\"") }

        // A dict of prompts (that is not itself one image object) answers with a dict.
        var keys: [String]? = nil
        var prompts: [Any]
        if let dict = prompt as? [String: Any], !ImageInput.isImageObject(dict) {
            let sorted = dict.keys.sorted()
            keys = sorted
            prompts = sorted.map { dict[$0]! }
        } else if let list = prompt as? [Any] {
            prompts = list
        } else {
            prompts = [prompt]
        }
        guard !prompts.isEmpty else { throw APIError.badRequest("prompt is empty") }

        let subjectEmbedding: [Float]
        let promptEmbeddings: [[Float]]
        let subjectIsImage = subjectType == "image", promptIsImage = promptType == "image"
        let subjectImage = subjectIsImage ? try ImageInput.parse(subject, field: "subject") : nil
        let subjectText = subjectIsImage ? nil : try text(subject, field: "subject")
        let promptImages = promptIsImage ? try prompts.enumerated().map { try ImageInput.parse($1, field: "prompt[\($0)]") } : []
        let promptTexts = promptIsImage ? [] : try prompts.enumerated().map { try text($1, field: "prompt[\($0)]") }
        if promptIsImage && promptImages.count > configuration.maxImagesPerRequest || !promptIsImage && promptTexts.count > configuration.maxTextsPerRequest {
            throw APIError.badRequest("too many prompts: at most \(promptIsImage ? configuration.maxImagesPerRequest : configuration.maxTextsPerRequest)")
        }
        switch (subjectImage, subjectText) {
        case (let image?, _) where promptIsImage:
            // One batched pass for subject and prompts.
            let all = try await embed(images: [image] + promptImages, field: "subject/prompt")
            subjectEmbedding = all[0]
            promptEmbeddings = Array(all.dropFirst())
        case (let image?, _):
            subjectEmbedding = try await embed(images: [image], field: "subject")[0]
            promptEmbeddings = try await embed(texts: promptTexts)
        case (nil, let text?):
            if promptIsImage {
                subjectEmbedding = try await embed(texts: [text])[0]
                promptEmbeddings = try await embed(images: promptImages, field: "prompt")
            } else {
                let all = try await embed(texts: [text] + promptTexts)
                subjectEmbedding = all[0]
                promptEmbeddings = Array(all.dropFirst())
            }
        default:
            throw APIError.badRequest("subject is missing")
        }
        let similarities = promptEmbeddings.map { cosineSimilarity(subjectEmbedding, $0) }

        var writer = JSONWriter()
        writer.raw("{\"frame_id\":null,\"parent_id\":null,\"similarity\":")
        if let keys {
            writer.raw("{")
            for (i, key) in keys.enumerated() {
                if i > 0 { writer.raw(",") }
                writer.string(key)
                writer.raw(":")
                writer.float(similarities[i])
            }
            writer.raw("}")
        } else {
            writer.floats(similarities)
        }
        writer.raw(",")
        return Data(writer.text.utf8)
    }

    private func embeddingsResponse(_ embeddings: [[Float]]) -> Data {
        var writer = JSONWriter()
        writer.raw("{\"frame_id\":null,\"embeddings\":[")
        for (i, row) in embeddings.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.floats(row)
        }
        writer.raw("],")
        return Data(writer.text.utf8)
    }

    // MARK: Inputs

    private func kind(_ raw: Any?, field: String, default fallback: String) throws -> String {
        guard let raw, !(raw is NSNull) else { return fallback }
        guard let value = raw as? String, value == "image" || value == "text" else {
            throw APIError.badRequest("\(field) must be \"image\" or \"text\"")
        }
        return value
    }

    private func text(_ raw: Any, field: String) throws -> String {
        guard let value = raw as? String else { throw APIError.badRequest("\(field) must be a string") }
        return value
    }

    private func parseTexts(_ raw: Any, field: String) throws -> [String] {
        let texts: [String]
        if let one = raw as? String {
            texts = [one]
        } else if let list = raw as? [Any] {
            texts = try list.enumerated().map { try text($1, field: "\(field)[\($0)]") }
        } else {
            throw APIError.badRequest("\(field) must be a string or a list of strings")
        }
        guard !texts.isEmpty else { throw APIError.badRequest("\(field) is empty") }
        guard texts.count <= configuration.maxTextsPerRequest else {
            throw APIError.badRequest("too many texts: \(texts.count) (at most \(configuration.maxTextsPerRequest) per request)")
        }
        return texts
    }

    private func parseImages(_ raw: Any, field: String) throws -> [ImageInput] {
        let images: [ImageInput]
        if let list = raw as? [Any] {
            guard list.count <= configuration.maxImagesPerRequest else {
                throw APIError.badRequest("too many images: \(list.count) (at most \(configuration.maxImagesPerRequest) per request)")
            }
            images = try list.enumerated().map { try ImageInput.parse($1, field: "\(field)[\($0)]") }
        } else {
            images = [try ImageInput.parse(raw, field: field)]
        }
        guard !images.isEmpty else { throw APIError.badRequest("\(field) is empty") }
        return images
    }

    /// Fetches URLs, then embeds the images through the batcher (which decodes and preprocesses
    /// them on the model's one pipeline). An image that cannot be decoded fails its request
    /// with a 400 that names the field.
    func embed(images: [ImageInput], field: String) async throws -> [[Float]] {
        guard let batcher else { throw APIError(.notFound, "NotFound", "this server has no image embedder (start it with --model)") }
        var bytes: [[UInt8]] = []
        for image in images {
            switch image {
            case .bytes(let b): bytes.append(b)
            case .url(let url): bytes.append(try await fetcher.fetch(url))
            }
        }
        let results = try await batcher.embed(images: bytes)
        return try results.enumerated().map { i, result in
            do { return try result.get() } catch let error as ImageError {
                let name = results.count == 1 ? field : "\(field)[\(i)]"
                throw APIError.badRequest("\(name): \(error.message)")
            }
        }
    }

    func embed(texts: [String]) async throws -> [[Float]] {
        let model: any VisionModel
        guard let embedder else { throw APIError(.notFound, "NotFound", "this server has no embedding model (start it with --model)") }
        model = embedder
        let text: any TextEmbedder
        do { text = try model.requireText() } catch {
            throw APIError.badRequest("\(error)")
        }
        return try await offload { try text.embed(texts: texts) }
    }
}

/// A route's answer before its time is known: each object written up to its last `,` (the
/// handler appends `"time":…}`), and whether they go out as a JSON list.
struct ResponseParts: Sendable {
    var objects: [Data]
    var list: Bool
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A server started with `SeerServer.start()`.
public final class RunningServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops accepting connections, lets in-flight requests finish, and returns when it has stopped.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
