/// What a block takes and gives: the one description the compiler checks against and
/// `seer workflow blocks` prints (never written twice).
public struct BlockManifest: Sendable {
    /// A literal field's type, checked when the definition is compiled (or when a parameter arrives).
    public enum ValueType: Sendable, Equatable {
        case number, zeroToOne, integer, boolean, string, any
        case oneOf([String])

        func accepts(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.any, _): true
            case (.number, .int), (.number, .double): true
            case (.zeroToOne, _): value.isNumber && (0...1).contains(value.number!)
            case (.integer, .int): true
            case (.boolean, .bool): true
            case (.string, .string): true
            case (.oneOf(let choices), .string(let v)): choices.contains(v)
            default: false
            }
        }

        var name: String {
            switch self {
            case .number: "number"
            case .zeroToOne: "number from 0 to 1"
            case .integer: "integer"
            case .boolean: "boolean"
            case .string: "string"
            case .any: "any value"
            case .oneOf(let choices): "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
            }
        }
    }

    public enum Accepts: Sendable, Equatable {
        /// Only a selector (`$inputs.x` or `$steps.s.out`) whose kinds meet these.
        case selector(kinds: [String])
        /// Only a literal.
        case value(ValueType)
        /// A literal or a selector (a parameter's value is checked as the literal would be).
        case valueOrSelector(ValueType, kinds: [String])
        /// An object of name → selector (Expression's `data`, Continue If's `evaluation_parameters`).
        case selectorMap
        /// A list of `$steps.s`: the steps a flow-control block lets run.
        case nextSteps
        /// A structure the block parses itself (statements, operations).
        case structure
    }

    public struct Field: Sendable {
        public var name: String
        public var accepts: Accepts
        /// nil: required.
        public var defaultValue: JSONValue?
        public var summary: String

        public init(_ name: String, _ accepts: Accepts, default defaultValue: JSONValue? = nil, _ summary: String) {
            self.name = name
            self.accepts = accepts
            self.defaultValue = defaultValue
            self.summary = summary
        }
    }

    public struct Output: Sendable {
        public var name: String
        public var kinds: [String]
        public init(_ name: String, _ kinds: [String]) { self.name = name; self.kinds = kinds }
    }

    /// The `type` literals a definition may use, the current one first.
    public var types: [String]
    public var title: String
    public var summary: String
    public var fields: [Field]
    public var outputs: [Output]

    public init(types: [String], title: String, summary: String, fields: [Field], outputs: [Output]) {
        self.types = types
        self.title = title
        self.summary = summary
        self.fields = fields
        self.outputs = outputs
    }

    /// Whether the block steers which steps run (it has `next_steps`).
    public var isFlowControl: Bool { fields.contains { $0.accepts == .nextSteps } }
}

/// Kinds (Roboflow's names) and the rule that joins them: a selector fits a field when their
/// kinds share one, or either side takes anything (`*`).
public enum Kind {
    public static let wildcard = "*"
    public static let image = "image"
    public static let embedding = "embedding"
    public static let float = "float"
    public static let floatZeroToOne = "float_zero_to_one"
    public static let integer = "integer"
    public static let boolean = "boolean"
    public static let string = "string"
    public static let listOfValues = "list_of_values"
    public static let videoMetadata = "video_metadata"

    static func compatible(produced: [String], accepted: [String]) -> Bool {
        produced.contains(wildcard) || accepted.contains(wildcard) || !Set(produced).isDisjoint(with: accepted)
    }
}
