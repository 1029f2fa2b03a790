import ArgumentParser
import Dispatch
import Foundation
import SeerRuntime
import SeerImage
import SeerModels
import SeerServer

/// `seer serve`: Roboflow Inference's CLIP API over any image embedder (and, with --sam-model,
/// SAM's, and with --detector-model zero-shot detection), Seer's /search over an index, and the /label page.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve Roboflow Inference's CLIP API (/clip/*) with any image embedder over HTTP; with --sam-model also /sam/* and the labeling page /label; with --detector-model also /yolo_world/infer and /owlv2/infer; with --index also /search.",
        discussion: "Ctrl-C or SIGTERM stops accepting connections and lets requests in flight finish."
    )

    @Option(name: .shortAndLong, help: "An image-embedding checkpoint (CLIP, DINOv2, …) for /clip/* and /search: a folder in Hugging Face layout, or a Hub id ORG/NAME[@REVISION]. Optional with --sam-model.")
    var model: String?

    @Option(help: "How an embedding pools the image's tokens, for families that offer a choice (DINOv2): cls, mean, cls+mean.")
    var pooling: EmbeddingPooling?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 9001

    @Option(help: "Most images in one forward pass (1 turns batching off).")
    var maxBatch = 32

    @Option(help: "Milliseconds a forward pass waits for more requests to join it.")
    var maxWaitMs = 5

    @Option(help: "Require this API key on /clip/* (?api_key=, JSON api_key, Authorization: Bearer, or X-Api-Key).")
    var apiKey: String?

    @Flag(name: .customLong("allow-url-images"), help: "Allow {\"type\": \"url\"} images (off by default).")
    var allowURLImages = false

    @Option(help: "Comma-separated hosts URL images may come from (default: any public host).")
    var allowedHosts: String?

    @Flag(name: .customLong("allow-private-urls"), help: "Let URL images come from loopback, link-local and private addresses.")
    var allowPrivateURLs = false

    @Option(help: "Largest request body, in MiB.")
    var maxBodyMb = 32

    @Option(help: "Largest image, in megapixels.")
    var maxMegapixels = 40.0

    @Option(help: "Most images (or compare prompts) per request.")
    var maxImages = 32

    @Option(help: "Seconds before a request is answered 503.")
    var timeout = 60.0

    @Option(help: "clip_version_id values to answer to, comma-separated (e.g. ViT-B-32); the --model name is always accepted.")
    var clipVersionIds: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("index"), help: "Answer POST /search from this index (a `seer index --db` file built with the same --model).")
    var indexPath: String?

    @Option(help: "Seconds a connection may take to send a whole request (headers and body) before it is closed.")
    var readTimeout = 30.0

    @Option(help: "A SAM checkpoint (folder or Hub id) for /sam/embed_image, /sam/segment_image and the labeling page at /label.")
    var samModel: String?

    @Option(help: "sam_version_id values to answer to, comma-separated (e.g. vit_h,vit_b); the --sam-model name is always accepted.")
    var samVersionIds: String?

    @Option(help: "A zero-shot detector (OWL-ViT or OWLv2 folder or Hub id) for /yolo_world/infer (text prompts) and /owlv2/infer (example boxes).")
    var detectorModel: String?

    func validate() throws {
        if port < 0 || port > 65535 { throw ValidationError("--port must be 0...65535") }
        if maxBatch < 1 { throw ValidationError("--max-batch must be at least 1") }
        if maxWaitMs < 0 { throw ValidationError("--max-wait-ms must be at least 0") }
        if maxBodyMb < 1 || maxImages < 1 || maxMegapixels <= 0 || timeout <= 0 { throw ValidationError("limits must be positive") }
        if readTimeout <= 0 { throw ValidationError("--read-timeout must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if model == nil && samModel == nil && detectorModel == nil {
            throw ValidationError("give --model (an image embedder), --sam-model, --detector-model, or several")
        }
        if model == nil && indexPath != nil { throw ValidationError("--index needs the --model it was built with") }
        if allowedHosts != nil && !allowURLImages { throw ValidationError("--allowed-hosts needs --allow-url-images") }
    }

    func run() throws {
        try reportingErrors {
            SeerThreads.set(threads)
            let embedder = try model.map { try ModelRegistry.shared.load(directory: resolveModelFolder($0), options: LoadOptions(pooling: pooling)).requireImageEmbedder() }
            var configuration = ServerConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.maxBodyBytes = maxBodyMb * 1024 * 1024
            configuration.imageLimits = ImageLimits(maxPixels: Int(maxMegapixels * 1_000_000))
            configuration.maxImagesPerRequest = maxImages
            configuration.requestTimeout = .milliseconds(Int(timeout * 1000))
            configuration.apiKey = apiKey
            configuration.modelName = model ?? "clip"
            configuration.clipVersionIDs = Set((clipVersionIds ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            configuration.batching = BatchingConfiguration(maxBatch: maxBatch, maxWait: .milliseconds(maxWaitMs))
            configuration.urlImages = URLImagePolicy(
                enabled: allowURLImages,
                allowedHosts: Set((allowedHosts ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }),
                allowPrivateAddresses: allowPrivateURLs
            )
            configuration.requestReadTimeout = .milliseconds(Int(readTimeout * 1000))
            if let indexPath, let model, let embedder {
                // The names `seer index` stores for this model: a Hub id as given, a folder as its absolute path.
                let names = [model, URL(fileURLWithPath: model).standardizedFileURL.path]
                    .map { ModelReference(model: $0, pooling: pooling).stored }
                configuration.searchIndex = try SearchIndex(path: indexPath, embedder: embedder, modelNames: names)
            }
            if let samModel {
                configuration.sam = SAMServerConfiguration(model: try ModelRegistry.shared.load(directory: resolveModelFolder(samModel)).requireSegmenter())
                configuration.sam.modelName = samModel
                configuration.sam.versionIDs = Set((samVersionIds ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            if let detectorModel {
                configuration.detection = DetectionServerConfiguration(model: try ModelRegistry.shared.load(directory: resolveModelFolder(detectorModel)).requireDetector())
                configuration.detection.modelName = detectorModel
            }
            let server = SeerServer(embedder: embedder, configuration: configuration)
            let host = self.host, name = [model, samModel, detectorModel].compactMap { $0 }.joined(separator: " and ")
            // The root command is synchronous: run the server on the concurrency pool and wait.
            let done = DispatchSemaphore(value: 0)
            let failure = LockedError()
            Task {
                do {
                    try await server.run { port in printError("seer: serving \(name) on http://\(host):\(port)") }
                } catch {
                    failure.set(error)
                }
                done.signal()
            }
            done.wait()
            if let error = failure.get() { throw error }
        }
    }
}

private final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { error = e } }
    func get() -> (any Error)? { lock.withLock { error } }
}
