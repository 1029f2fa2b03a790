import Foundation

/// Roboflow's query-language operations (`{"type": "ToNumber", …}`), parsed when the definition
/// compiles and applied in a chain. Each behaves as the Python function it mirrors.
indirect enum QueryOperation {
    case toNumber(integer: Bool)
    case toString
    case toBoolean
    case numberRound(digits: Int)
    case multiply(JSONValue)
    case divide(JSONValue)
    case sequenceLength
    case sequenceAggregate(mode: String)
    case lookupTable([String: JSONValue])
    case sequenceMap([String: JSONValue])
    case sequenceApply([QueryOperation])

    static let names = ["ToNumber", "ToString", "ToBoolean", "NumberRound", "Multiply", "Divide", "SequenceLength",
                        "SequenceAggregate", "LookupTable", "SequenceMap", "SequenceApply"]

    /// Parses a list of operations; `place` names where it stands, for errors.
    static func parseChain(_ value: JSONValue?, at place: String) throws -> [QueryOperation] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw QueryError.definition("\(place) must be a list of operations") }
        return try items.enumerated().map { try parse($1, at: "\(place)[\($0)]") }
    }

    static func parse(_ value: JSONValue, at place: String) throws -> QueryOperation {
        guard case .object(let fields) = value, case .string(let type)? = fields["type"] else {
            throw QueryError.definition("\(place) must be an object with a `type`")
        }
        func field(_ name: String) throws -> JSONValue {
            guard let v = fields[name] else { throw QueryError.definition("\(place) (\(type)) needs `\(name)`") }
            return v
        }
        func number(_ name: String) throws -> JSONValue {
            let v = try field(name)
            guard v.isNumber else { throw QueryError.definition("\(place) (\(type)): `\(name)` must be a number") }
            return v
        }
        func table(_ name: String) throws -> [String: JSONValue] {
            guard case .object(let t) = try field(name) else { throw QueryError.definition("\(place) (\(type)): `\(name)` must be an object") }
            return t
        }
        switch type {
        case "ToNumber":
            guard case .string(let mode) = try field("cast_to"), mode == "int" || mode == "float" else {
                throw QueryError.definition("\(place) (ToNumber): `cast_to` must be \"int\" or \"float\"")
            }
            return .toNumber(integer: mode == "int")
        case "ToString": return .toString
        case "ToBoolean": return .toBoolean
        case "NumberRound":
            guard case .int(let digits) = try field("decimal_digits") else { throw QueryError.definition("\(place) (NumberRound): `decimal_digits` must be an integer") }
            return .numberRound(digits: digits)
        case "Multiply": return .multiply(try number("other"))
        case "Divide": return .divide(try number("other"))
        case "SequenceLength": return .sequenceLength
        case "SequenceAggregate":
            let modes = ["first", "last", "most_common", "least_common"]
            guard case .string(let mode) = try field("mode"), modes.contains(mode) else {
                throw QueryError.definition("\(place) (SequenceAggregate): `mode` must be one of \(modes.joined(separator: ", "))")
            }
            return .sequenceAggregate(mode: mode)
        case "LookupTable": return .lookupTable(try table("lookup_table"))
        case "SequenceMap": return .sequenceMap(try table("lookup_table"))
        case "SequenceApply": return .sequenceApply(try parseChain(try field("operations"), at: "\(place).operations"))
        default:
            throw QueryError.definition("\(place): unknown operation `\(type)` (Seer has: \(names.joined(separator: ", ")))")
        }
    }

    static func apply(_ chain: [QueryOperation], to value: JSONValue) throws -> JSONValue {
        try chain.reduce(value) { try $1.apply($0) }
    }

    func apply(_ value: JSONValue) throws -> JSONValue {
        switch self {
        case .toNumber(let integer):
            let number: Double
            switch value {
            case .string(let text):
                guard let parsed = Double(text.trimmingCharacters(in: .whitespaces)) else { throw QueryError.operation("to_number: `\(text)` cannot be cast into a number") }
                number = parsed
            default:
                guard let n = value.number else { throw QueryError.operation("to_number: a \(value.typeName) cannot be cast into a number") }
                number = n
            }
            if !integer { return .double(number) }
            guard number.isFinite else { throw QueryError.operation("to_number: \(number) cannot be cast into int") }
            return .int(Int(number.rounded(.towardZero)))
        case .toString: return .string(value.pythonString)
        case .toBoolean: return .bool(value.isTruthy)
        case .numberRound(let digits):
            switch value {
            case .int, .bool: return value
            case .double(let v): return .double(QueryOperation.pythonRound(v, digits: digits))
            default: throw QueryError.operation("number_round: a \(value.typeName) cannot be rounded")
            }
        case .multiply(let other): return try QueryOperation.arithmetic(value, other, "multiply", *, { a, b in a.multipliedReportingOverflow(by: b) })
        case .divide(let other):
            guard let a = value.number, value.isNumber || value.typeName == "bool", let b = other.number else {
                throw QueryError.operation("divide: a \(value.typeName) cannot be divided")
            }
            guard b != 0 else { throw QueryError.operation("divide: division by zero") }
            return .double(a / b)   // Python's / always gives a float
        case .sequenceLength:
            switch value {
            case .array(let v): return .int(v.count)
            case .string(let v): return .int(v.count)
            case .object(let v): return .int(v.count)
            default: throw QueryError.operation("sequence_length: a \(value.typeName) has no length")
            }
        case .sequenceAggregate(let mode):
            guard case .array(let items) = value else { throw QueryError.operation("aggregate_sequence: a \(value.typeName) is not a sequence") }
            guard !items.isEmpty else { throw QueryError.operation("aggregate_sequence: an empty sequence cannot be aggregated") }
            switch mode {
            case "first": return items[0]
            case "last": return items[items.count - 1]
            default:
                // collections.Counter.most_common: by count, ties in order of first appearance.
                var counted: [(value: JSONValue, count: Int)] = []
                for item in items {
                    if let i = counted.firstIndex(where: { JSONValue.pythonEqual($0.value, item) }) { counted[i].count += 1 } else { counted.append((item, 1)) }
                }
                let ranked = counted.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element.value)
                return mode == "most_common" ? ranked[0] : ranked[ranked.count - 1]
            }
        case .lookupTable(let table):
            guard case .string(let key) = value, let found = table[key] else {
                throw QueryError.operation("apply_lookup: `\(value.pythonString)` is not in the lookup table (keys: \(table.keys.sorted().joined(separator: ", ")))")
            }
            return found
        case .sequenceMap(let table):
            guard case .array(let items) = value else { throw QueryError.operation("sequence_map: a \(value.typeName) is not a sequence") }
            return .array(try items.map { try QueryOperation.lookupTable(table).apply($0) })
        case .sequenceApply(let chain):
            guard case .array(let items) = value else { throw QueryError.operation("sequence_apply: a \(value.typeName) is not a sequence") }
            return .array(try items.map { try QueryOperation.apply(chain, to: $0) })
        }
    }

    /// `a * b` with Python's types: int × int stays int, anything with a float is a float.
    private static func arithmetic(_ a: JSONValue, _ b: JSONValue, _ name: String, _ op: (Double, Double) -> Double,
                                   _ intOp: (Int, Int) -> (partialValue: Int, overflow: Bool)) throws -> JSONValue {
        func asInt(_ v: JSONValue) -> Int? { if case .int(let i) = v { i } else if case .bool(let t) = v { t ? 1 : 0 } else { nil } }
        if let x = asInt(a), let y = asInt(b) {
            let r = intOp(x, y)
            return r.overflow ? .double(op(Double(x), Double(y))) : .int(r.partialValue)
        }
        guard let x = a.number, let y = b.number else { throw QueryError.operation("\(name): a \(a.typeName) cannot take part") }
        return .double(op(x, y))
    }

    /// Python's `round(x, n)`: the correctly rounded decimal (ties to even on the exact binary value).
    static func pythonRound(_ x: Double, digits: Int) -> Double {
        guard x.isFinite else { return x }
        if digits >= 0 {
            return Double(String(format: "%.\(min(digits, 340))f", x)) ?? x
        }
        let scale = pow(10.0, Double(-digits))
        let q = x / scale
        return q.rounded(.toNearestOrEven) * scale
    }
}

enum QueryError: Error, CustomStringConvertible {
    case definition(String)
    case operation(String)

    var description: String {
        switch self {
        case .definition(let m), .operation(let m): m
        }
    }
}
