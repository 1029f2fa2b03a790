import Foundation

/// A JSON value as workflow definitions, parameters and block outputs carry it. Integers and
/// floats stay apart (Python's `1` and `1.0` print differently), but compare equal as in Python.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The number as a Double (booleans count as 0 and 1, as in Python); nil for other values.
    public var number: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    public var isNumber: Bool {
        switch self { case .int, .double: true; default: false }
    }

    /// Python's truthiness: None, False, 0, "", [] and {} are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let v): v
        case .int(let v): v != 0
        case .double(let v): v != 0
        case .string(let v): !v.isEmpty
        case .array(let v): !v.isEmpty
        case .object(let v): !v.isEmpty
        }
    }

    /// Python's name for the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "None"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// Python's `==`: numbers compare by value (True == 1), containers element by element.
    public static func pythonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.number, let y = b.number { return x == y }
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { pythonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { pythonEqual(value, $0) } ?? false }
        default: return false
        }
    }

    /// Python's `str(value)` for scalars and containers of them.
    public var pythonString: String {
        switch self {
        case .null: "None"
        case .bool(let v): v ? "True" : "False"
        case .int(let v): String(v)
        case .double(let v): JSONValue.pythonFloat(v)
        case .string(let v): v
        case .array(let v): "[" + v.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let v): "{" + v.keys.sorted().map { "'\($0)': \(v[$0]!.pythonRepr)" }.joined(separator: ", ") + "}"
        }
    }

    var pythonRepr: String {
        if case .string(let v) = self { return "'\(v)'" }
        return pythonString
    }

    /// Python's repr of a float: the shortest round-tripping digits, "1.0" not "1", "inf", "nan".
    static func pythonFloat(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        var text = "\(v)"
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text
    }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let v = try? container.decode(Bool.self) { self = .bool(v); return }
        if let v = try? container.decode(Int.self) { self = .int(v); return }
        if let v = try? container.decode(Double.self) { self = .double(v); return }
        if let v = try? container.decode(String.self) { self = .string(v); return }
        if let v = try? container.decode([JSONValue].self) { self = .array(v); return }
        if let v = try? container.decode([String: JSONValue].self) { self = .object(v); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .int(let v): try container.encode(v)
        case .double(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        }
    }
}

extension JSONValue {
    /// Parses JSON text exactly (see `JSONParser`), keeping `1.0` a float and `1` an integer.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONParser.parse(Array(data))
    }

    /// Compact JSON text with sorted keys; floats as Python's json module writes them (NaN, Infinity).
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let v): v ? "true" : "false"
        case .int(let v): String(v)
        case .double(let v): v.isNaN ? "NaN" : v.isInfinite ? (v > 0 ? "Infinity" : "-Infinity") : JSONValue.pythonFloat(v)
        case .string(let v): JSONValue.quoted(v)
        case .array(let v): "[" + v.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let v): "{" + v.keys.sorted().map { JSONValue.quoted($0) + ":" + v[$0]!.jsonText }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
