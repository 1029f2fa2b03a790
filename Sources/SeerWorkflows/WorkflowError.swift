/// A workflow that cannot be compiled or run, with what Roboflow's server puts in its error JSON
/// (`message`, `error_type`, `context`, `inner_error_type`, `inner_error_message`, `blocks_errors`).
public struct WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Roboflow's error classes: definition errors are the client's (400), step failures the server's (500).
    public enum Kind: String, Sendable {
        case syntax = "WorkflowSyntaxError"
        case duplicatedName = "DuplicatedNameError"
        case invalidReference = "InvalidReferenceTargetError"
        case referenceType = "ReferenceTypeError"
        case graphStructure = "ExecutionGraphStructureError"
        case runtimeInput = "RuntimeInputError"
        case stepExecution = "StepExecutionError"

        /// Definition and input errors are the caller's; only a failing step is the server's.
        public var isClientError: Bool { self != .stepExecution }
    }

    /// One refused field of one step (Roboflow's `blocks_errors` entry).
    public struct BlockError: Sendable, Equatable {
        public var stepName: String
        public var property: String?
        public var message: String
    }

    public var kind: Kind
    public var message: String
    public var context: String
    public var innerErrorType: String?
    public var innerErrorMessage: String?
    public var blocksErrors: [BlockError]

    public init(_ kind: Kind, _ message: String, context: String = "workflow_compilation",
                step: String? = nil, property: String? = nil, inner: (type: String, message: String)? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.innerErrorType = inner?.type
        self.innerErrorMessage = inner?.message
        self.blocksErrors = step.map { [BlockError(stepName: $0, property: property, message: message)] } ?? []
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The body Roboflow's server answers with.
    public var responseBody: JSONValue {
        .object([
            "message": .string(message),
            "error_type": .string(kind.rawValue),
            "context": .string(context),
            "inner_error_type": innerErrorType.map(JSONValue.string) ?? .null,
            "inner_error_message": innerErrorMessage.map(JSONValue.string) ?? .null,
            "blocks_errors": .array(blocksErrors.map {
                .object(["block_id": .string($0.stepName), "property_name": $0.property.map(JSONValue.string) ?? .null,
                         "property_details": .string($0.message)])
            }),
        ])
    }
}
