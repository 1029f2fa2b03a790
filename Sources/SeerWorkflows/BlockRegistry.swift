/// The blocks a definition's `type` can name.
public struct BlockRegistry: Sendable {
    public private(set) var blocks: [any WorkflowBlock.Type]

    public init(_ blocks: [any WorkflowBlock.Type]) { self.blocks = blocks }

    /// Every block Seer ships.
    public static let builtIn = BlockRegistry([
        CosineSimilarityBlock.self, ExpressionBlock.self, PropertyDefinitionBlock.self, ContinueIfBlock.self,
        RateLimiterBlock.self, BufferBlock.self, IdentifyOutliersBlock.self, IdentifyChangesBlock.self, ClipBlock.self,
    ])

    public mutating func register(_ block: any WorkflowBlock.Type) { blocks.append(block) }

    public func block(forType type: String) -> (any WorkflowBlock.Type)? {
        blocks.first { $0.manifest.types.contains(type) }
    }
}
