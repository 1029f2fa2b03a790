import Foundation
import SeerImage

/// Everything `seer serve` can be told: where to listen, how big a request may be, who may call
/// it, whether images may be fetched from URLs, and how requests are batched.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); `SeerServer.run` reports the bound one through `onListening`.
    public var port = 9001
    /// Largest request body accepted, in bytes (413 above it).
    public var maxBodyBytes = 32 * 1024 * 1024
    /// Largest decoded image accepted, in pixels (400 above it, checked before decoding pixels).
    public var imageLimits = ImageLimits(maxPixels: 40_000_000)
    /// Most images one request may carry (embed_image list, compare prompts).
    public var maxImagesPerRequest = 32
    /// Most texts one request may carry.
    public var maxTextsPerRequest = 256
    /// A request that takes longer than this (body read included) gets a 503.
    public var requestTimeout: Duration = .seconds(60)
    /// When set, `/clip/*` requires it: `?api_key=`, a JSON `"api_key"` field,
    /// `Authorization: Bearer …` or `X-Api-Key`.
    public var apiKey: String?
    public var urlImages = URLImagePolicy()
    /// `clip_version_id` values this server answers to (all map to the one loaded model);
    /// a request without one uses the model too.
    public var clipVersionIDs: Set<String> = []
    /// Name shown in `/info`.
    public var modelName = "clip"
    public var batching = BatchingConfiguration()
    /// The SAM model behind /sam/* and its embedding cache bounds (SAMConfiguration.swift).
    public var sam = SAMServerConfiguration()
    /// The detector behind /yolo_world/infer and /owlv2/infer (DetectionConfiguration.swift).
    public var detection = DetectionServerConfiguration()
    /// The index `POST /search` answers from; nil leaves the route out. `SearchIndex(path:embedder:modelNames:)`
    /// checks that it was built with the served model.
    public var searchIndex: SearchIndex?
    /// A connection must deliver a whole request (headers and body) within this time of opening
    /// or of its previous response, else it is closed: slow clients cannot hold connections open.
    public var requestReadTimeout: Duration = .seconds(30)

    public init() {}
}

/// Dynamic batching of image embeddings: requests that arrive within `maxWait` of each other
/// share one forward pass of at most `maxBatch` images.
public struct BatchingConfiguration: Sendable {
    public var maxBatch = 32
    public var maxWait: Duration = .milliseconds(5)
    public init(maxBatch: Int = 32, maxWait: Duration = .milliseconds(5)) {
        self.maxBatch = maxBatch
        self.maxWait = maxWait
    }
}

/// Which image URLs the server may fetch. Off by default: a server that fetches URLs on a
/// caller's behalf can be pointed at the private network it sits in.
public struct URLImagePolicy: Sendable {
    public var enabled = false
    /// Host names allowed (lower-case, exact match); empty allows any public host.
    public var allowedHosts: Set<String> = []
    /// Allows loopback, link-local, private and other non-public addresses.
    public var allowPrivateAddresses = false
    public var fetchTimeout: Duration = .seconds(10)
    public init(enabled: Bool = false, allowedHosts: Set<String> = [], allowPrivateAddresses: Bool = false) {
        self.enabled = enabled
        self.allowedHosts = allowedHosts
        self.allowPrivateAddresses = allowPrivateAddresses
    }
}
