import Dispatch
import Foundation
import Hummingbird
import SeerImage
import SeerModels

/// Roboflow Inference's SAM routes (inference/models/sam/segment_anything.py):
/// `POST /sam/embed_image` runs the encoder (once per `image_id`, then from the cache) and
/// answers the embedding as nested lists; `POST /sam/segment_image` runs the decoder for one
/// prompt and answers each mask as a polygon, its largest outer contour, as Roboflow does.
struct SAMRoutes: Sendable {
    let server: SeerServer
    let configuration: SAMServerConfiguration
    let cache: SAMEmbeddingCache
    /// One encoder pass at a time: it already uses every core. Decoder calls are small and do
    /// not wait behind an encoding: they run on the global queue.
    let encoderQueue = DispatchQueue(label: "seer.server.sam.encoder")

    init(server: SeerServer) {
        self.server = server
        configuration = server.configuration.sam
        cache = server.samCache
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("/sam/embed_image") { request, context in
            await server.handle(request, context) { try await self.embedImage($0) }
        }
        router.post("/sam/segment_image") { request, context in
            await server.handle(request, context) { try await self.segmentImage($0) }
        }
        router.get("/label") { _, _ in LabelingPage.response() }
    }

    // MARK: Handlers

    private func embedImage(_ json: [String: Any]) async throws -> Data {
        let model = try checkModel(json)
        let request = try SAMEmbedRequest(json)
        let embedding = try await embedding(model, image: request.image, imageID: request.imageID)
        // SamEmbeddingResponse: embeddings of shape 1 × channels × grid × grid.
        var writer = JSONWriter()
        writer.raw("{\"embeddings\":[[")
        let grid = embedding.gridSize, plane = grid * grid
        for c in 0..<embedding.channels {
            writer.raw(c == 0 ? "[" : ",[")
            for y in 0..<grid {
                if y > 0 { writer.raw(",") }
                let start = c * plane + y * grid
                writer.floats(Array(embedding.values[start..<start + grid]))
            }
            writer.raw("]")
        }
        writer.raw("]],")
        return Data(writer.text.utf8)
    }

    private func segmentImage(_ json: [String: Any]) async throws -> Data {
        let model = try checkModel(json)
        let request = try SAMSegmentRequest(json)
        let embedding = try await embedding(model, image: request.image, imageID: request.imageID)
        var prompt = request.prompt
        if request.hasMaskInput {
            // Roboflow's order: the remembered logits of image_id first, then mask_input.
            if request.useMaskInputCache, let id = request.imageID, let logits = await cache.lastLowResLogits(id) {
                prompt.previousLowResLogits = logits
            } else if let drawn = request.maskInput {
                prompt.previousLowResLogits = drawn
            } else if request.useMaskInputCache, let id = request.imageID {
                // A well-formed request about an image the cache does not hold (now): like an
                // unknown image_id, a 404.
                throw APIError(.notFound, "MaskNotFound", "has_mask_input: no earlier mask of image_id \"\(id)\" in the cache (never segmented, or evicted) and no mask_input")
            } else {
                throw APIError.badRequest("has_mask_input with use_mask_input_cache false needs mask_input")
            }
        }
        // SAM's ONNX decoder with return_single_mask (which Roboflow serves) answers an ambiguous
        // prompt, one point and no box, with the best of the three candidates; otherwise with
        // the single-mask output.
        let ambiguous = prompt.points.count + (prompt.box == nil ? 0 : 2) <= 1
        let multimask = request.multimaskOutput || ambiguous
        let queued = prompt
        let prediction = try await runModel(.global()) { try model.predict(embedding, prompts: [queued], multimask: multimask)[0] }
        guard !prediction.iouScores.isEmpty else { throw APIError(.internalServerError, "InternalServerError", "the SAM decoder returned no mask") }
        let best = prediction.iouScores.indices.max { prediction.iouScores[$0] < prediction.iouScores[$1] }!
        let chosen = request.multimaskOutput ? Array(prediction.iouScores.indices) : [ambiguous ? best : 0]
        if let id = request.imageID {
            await cache.setLastLowResLogits(id, prediction.lowResLogits[request.multimaskOutput ? best : chosen[0]])
        }

        // Thresholding and tracing outlines is per-pixel work: off the server's threads.
        let answers = try await offload { chosen.map { SAMMaskAnswer(prediction, index: $0) } }
        return SAMMaskAnswer.json(answers, coco: request.coco)
    }

    // MARK: Helpers

    /// Runs a model call on `queue`. An input the model rejects is the caller's error.
    private func runModel<T: Sendable>(_ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await offload(queue, work)
        } catch ModelError.invalidInput(let message) {
            throw APIError.badRequest(message)
        }
    }

    /// The model, after checking `sam_version_id` as `clip_version_id` is checked.
    private func checkModel(_ json: [String: Any]) throws -> any SegmentAnything {
        guard let model = configuration.model else {
            throw APIError(.notFound, "ModelNotFound", "no SAM model is served here (start seer serve with --sam-model)")
        }
        guard let raw = json["sam_version_id"], !(raw is NSNull) else { return model }
        guard let id = raw as? String else { throw APIError.badRequest("sam_version_id must be a string") }
        guard configuration.versionIDs.contains(id) || id == configuration.modelName else {
            let known = ([configuration.modelName] + configuration.versionIDs.sorted()).joined(separator: ", ")
            throw APIError(.notFound, "ModelNotFound", "sam_version_id \"\(id)\" is not served here (served: \(known))")
        }
        return model
    }

    /// The image's embedding: cached under `imageID` when one is given (Roboflow caches only
    /// then), encoded at most once per id.
    private func embedding(_ model: any SegmentAnything, image: ImageInput?, imageID: String?) async throws -> SAMImageEmbedding {
        if let imageID, let hit = await cache.cached(imageID) { return hit }
        guard let image else {
            throw APIError(.notFound, "EmbeddingNotFound", "image_id \"\(imageID ?? "")\" is not in the embedding cache (never embedded, or evicted): send the image again")
        }
        let encode: @Sendable () async throws -> SAMImageEmbedding = {
            let decoded = try await server.decodeImage(image, field: "image")
            return try await runModel(encoderQueue) { try model.embed(decoded) }
        }
        guard let imageID else { return try await encode() }
        return try await cache.embedding(for: imageID, encode: encode)
    }
}

extension SeerServer {
    /// The hook `makeRouter` calls: `/sam/embed_image`, `/sam/segment_image` and the labeling page.
    func addSAMRoutes(to router: Router<BasicRequestContext>) {
        SAMRoutes(server: self).add(to: router)
    }
}
