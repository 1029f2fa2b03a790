import SeerModels

/// What `seer serve --detector-model` adds: the zero-shot detector behind `/owlv2/infer`
/// (example boxes) and the text-prompted `/yolo_world/infer`, which answer with whichever
/// detector is served, whatever `owlv2_version_id` or `yolo_world_version_id` a client names
/// (Roboflow's defaults name checkpoints Seer does not ship).
public struct DetectionServerConfiguration: Sendable {
    /// nil: the routes answer 404 ModelNotFound, naming `--detector-model`.
    public var model: (any ObjectDetector)?
    /// Shown in `/info`-style messages and errors.
    public var modelName = "detector"

    public init(model: (any ObjectDetector)? = nil) {
        self.model = model
    }
}
