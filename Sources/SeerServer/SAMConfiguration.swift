import SeerModels

/// What `seer serve --sam-model` adds: the model behind `/sam/embed_image` and
/// `/sam/segment_image`, the `sam_version_id` values it answers to, and the bounds of the
/// embedding cache (the encoder is the expensive half of SAM: it runs once per `image_id`).
public struct SAMServerConfiguration: Sendable {
    /// nil: the SAM routes answer 404 ModelNotFound, naming `--sam-model`.
    public var model: (any SegmentAnything)?
    /// Always accepted as `sam_version_id` (besides `versionIDs`); shown in errors.
    public var modelName = "sam"
    /// Extra `sam_version_id` values (Roboflow's are vit_h, vit_l, vit_b) that map to the model.
    /// A request without one uses the model too.
    public var versionIDs: Set<String> = []
    /// Most image embeddings kept (Roboflow's SAM_MAX_EMBEDDING_CACHE_SIZE).
    public var cacheMaxEntries = 64
    /// Most bytes of embeddings (and remembered low-resolution logits) kept.
    public var cacheMaxBytes = 512 * 1024 * 1024

    public init(model: (any SegmentAnything)? = nil) {
        self.model = model
    }
}
