/// Roboflow's conditions: `StatementGroup` (and/or over statements), `BinaryStatement`
/// (left comparator right), `UnaryStatement` (operator on one operand); operands are a
/// `StaticOperand` value or a `DynamicOperand` variable, each with an operations chain.
indirect enum Statement {
    case group(operator: GroupOperator, statements: [Statement])
    case binary(left: Operand, comparator: String, right: Operand, negate: Bool)
    case unary(operand: Operand, operator: String, negate: Bool)

    enum GroupOperator: String { case and, or }

    struct Operand {
        enum Source { case value(JSONValue), variable(String) }
        var source: Source
        var operations: [QueryOperation]

        func evaluate(_ variables: [String: JSONValue]) throws -> JSONValue {
            switch source {
            case .value(let v): return try QueryOperation.apply(operations, to: v)
            case .variable(let name):
                guard let v = variables[name] else { throw QueryError.operation("undefined symbol `\(name)`") }
                return try QueryOperation.apply(operations, to: v)
            }
        }
    }

    static let binaryComparators = ["==", "!=", "(Number) ==", "(Number) !=", "(Number) >", "(Number) >=", "(Number) <", "(Number) <=",
                                    "(Number) in range", "(String) startsWith", "(String) endsWith", "(String) contains",
                                    "in (Sequence)", "any in (Sequence)", "all in (Sequence)"]
    static let unaryOperators = ["Exists", "DoesNotExist", "(Boolean) is True", "(Boolean) is False",
                                 "(Sequence) is empty", "(Sequence) is not empty"]

    static func parse(_ value: JSONValue, at place: String) throws -> Statement {
        guard case .object(let fields) = value, case .string(let type)? = fields["type"] else {
            throw QueryError.definition("\(place) must be an object with a `type`")
        }
        let negate = fields["negate"].map { $0 == .bool(true) } ?? false
        switch type {
        case "StatementGroup":
            guard case .array(let items)? = fields["statements"], !items.isEmpty else {
                throw QueryError.definition("\(place) (StatementGroup) needs `statements`, a list of at least one")
            }
            var op = GroupOperator.or
            if let raw = fields["operator"] {
                guard case .string(let text) = raw, let parsed = GroupOperator(rawValue: text) else {
                    throw QueryError.definition("\(place) (StatementGroup): `operator` must be \"and\" or \"or\"")
                }
                op = parsed
            }
            return .group(operator: op, statements: try items.enumerated().map { try parse($1, at: "\(place).statements[\($0)]") })
        case "BinaryStatement":
            let comparator = try kind(fields["comparator"], allowed: binaryComparators, at: "\(place).comparator")
            return .binary(left: try operand(fields["left_operand"], at: "\(place).left_operand"), comparator: comparator,
                           right: try operand(fields["right_operand"], at: "\(place).right_operand"), negate: negate)
        case "UnaryStatement":
            let op = try kind(fields["operator"], allowed: unaryOperators, at: "\(place).operator")
            return .unary(operand: try operand(fields["operand"], at: "\(place).operand"), operator: op, negate: negate)
        default:
            throw QueryError.definition("\(place): unknown statement type `\(type)` (StatementGroup, BinaryStatement or UnaryStatement)")
        }
    }

    private static func kind(_ value: JSONValue?, allowed: [String], at place: String) throws -> String {
        guard case .object(let fields)? = value, case .string(let type)? = fields["type"] else {
            throw QueryError.definition("\(place) must be an object with a `type`")
        }
        guard allowed.contains(type) else { throw QueryError.definition("\(place): unknown `\(type)` (Seer has: \(allowed.joined(separator: ", ")))") }
        return type
    }

    private static func operand(_ value: JSONValue?, at place: String) throws -> Operand {
        guard case .object(let fields)? = value, case .string(let type)? = fields["type"] else {
            throw QueryError.definition("\(place) must be an object with a `type`")
        }
        let operations = try QueryOperation.parseChain(fields["operations"], at: "\(place).operations")
        switch type {
        case "StaticOperand":
            guard let v = fields["value"] else { throw QueryError.definition("\(place) (StaticOperand) needs `value`") }
            return Operand(source: .value(v), operations: operations)
        case "DynamicOperand":
            var name = "_"
            if let raw = fields["operand_name"] {
                guard case .string(let text) = raw else { throw QueryError.definition("\(place): `operand_name` must be a string") }
                name = text
            }
            return Operand(source: .variable(name), operations: operations)
        default:
            throw QueryError.definition("\(place): unknown operand type `\(type)` (StaticOperand or DynamicOperand)")
        }
    }

    func evaluate(_ variables: [String: JSONValue]) throws -> Bool {
        switch self {
        case .group(let op, let statements):
            // Python evaluates every statement in turn (no short-circuit past an error) as Roboflow does: left to right.
            var result = try statements[0].evaluate(variables)
            for statement in statements.dropFirst() {
                let next = try statement.evaluate(variables)
                result = op == .and ? (result && next) : (result || next)
            }
            return result
        case .binary(let left, let comparator, let right, let negate):
            let result = try Statement.compare(try left.evaluate(variables), comparator, try right.evaluate(variables))
            return negate ? !result : result
        case .unary(let operand, let op, let negate):
            let result = try Statement.test(try operand.evaluate(variables), op)
            return negate ? !result : result
        }
    }

    static func compare(_ a: JSONValue, _ comparator: String, _ b: JSONValue) throws -> Bool {
        func numbers() throws -> (Double, Double) {
            guard let x = a.number, let y = b.number else {
                throw QueryError.operation("`\(comparator)` compares numbers, got \(a.typeName) and \(b.typeName)")
            }
            return (x, y)
        }
        func strings() throws -> (String, String) {
            guard case .string(let x) = a, case .string(let y) = b else {
                throw QueryError.operation("`\(comparator)` compares strings, got \(a.typeName) and \(b.typeName)")
            }
            return (x, y)
        }
        func contains(_ container: JSONValue, _ item: JSONValue) throws -> Bool {
            switch container {
            case .array(let items): return items.contains { JSONValue.pythonEqual($0, item) }
            case .string(let s):
                guard case .string(let sub) = item else { throw QueryError.operation("`in` a string needs a string, got \(item.typeName)") }
                return sub.isEmpty || s.contains(sub)
            case .object(let o):
                guard case .string(let key) = item else { return false }
                return o[key] != nil
            default: throw QueryError.operation("`\(comparator)`: a \(container.typeName) is not a sequence")
            }
        }
        switch comparator {
        case "==", "(Number) ==": return JSONValue.pythonEqual(a, b)
        case "!=", "(Number) !=": return !JSONValue.pythonEqual(a, b)
        case "(Number) >": let (x, y) = try numbers(); return x > y
        case "(Number) >=": let (x, y) = try numbers(); return x >= y
        case "(Number) <": let (x, y) = try numbers(); return x < y
        case "(Number) <=": let (x, y) = try numbers(); return x <= y
        case "(Number) in range":
            guard case .array(let bounds) = b, bounds.count >= 2, let low = bounds[0].number, let high = bounds[1].number, let x = a.number else {
                throw QueryError.operation("`(Number) in range` needs a number and a [low, high] pair")
            }
            return low <= x && x <= high
        case "(String) startsWith": let (x, y) = try strings(); return x.hasPrefix(y)
        case "(String) endsWith": let (x, y) = try strings(); return x.hasSuffix(y)
        case "(String) contains": let (x, y) = try strings(); return y.isEmpty || x.contains(y)
        case "in (Sequence)": return try contains(b, a)
        case "any in (Sequence)", "all in (Sequence)":
            guard case .array(let items) = a else { throw QueryError.operation("`\(comparator)`: a \(a.typeName) is not a sequence") }
            let found = try items.map { try contains(b, $0) }
            return comparator.hasPrefix("any") ? found.contains(true) : !found.contains(false)
        default: throw QueryError.operation("unknown comparator `\(comparator)`")
        }
    }

    static func test(_ a: JSONValue, _ op: String) throws -> Bool {
        func length() throws -> Int {
            switch a {
            case .array(let v): return v.count
            case .string(let v): return v.count
            case .object(let v): return v.count
            default: throw QueryError.operation("`\(op)`: a \(a.typeName) has no length")
            }
        }
        switch op {
        case "Exists": return a != .null
        case "DoesNotExist": return a == .null
        case "(Boolean) is True": return a == .bool(true)    // Python's `is True`: only the boolean
        case "(Boolean) is False": return a == .bool(false)
        case "(Sequence) is empty": return try length() == 0
        case "(Sequence) is not empty": return try length() > 0
        default: throw QueryError.operation("unknown operator `\(op)`")
        }
    }
}
