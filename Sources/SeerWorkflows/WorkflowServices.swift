/// What blocks that run a model call: given by the caller (the CLI or server, which load the
/// model through SeerModels), so this library holds no model code and tests can pass fakes.
public struct WorkflowServices: Sendable {
    /// An image input's element (a file path today) → its embedding.
    public var embedImage: (@Sendable (JSONValue) throws -> [Float])?
    /// A text → its embedding.
    public var embedText: (@Sendable (String) throws -> [Float])?

    public init(embedImage: (@Sendable (JSONValue) throws -> [Float])? = nil, embedText: (@Sendable (String) throws -> [Float])? = nil) {
        self.embedImage = embedImage
        self.embedText = embedText
    }
}
