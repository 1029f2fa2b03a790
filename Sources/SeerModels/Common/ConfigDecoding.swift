import Foundation

/// `config.json` fields by their checkpoint names, so a config's decoder reads like the file:
/// `hiddenSize = try c("hidden_size", or: hiddenSize)`.
struct ConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == ConfigKey {
    /// The field, or `fallback` (transformers' default) when it is absent or null. A field of
    /// the wrong type is an error that names it.
    func callAsFunction<T: Decodable>(_ name: String, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: ConfigKey(name)) ?? fallback
    }

    /// A nested config object; absent or null decodes as `{}` (every field at its default).
    func nested<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
        if let value = try decodeIfPresent(T.self, forKey: ConfigKey(name)) { return value }
        return try JSONDecoder().decode(T.self, from: Data("{}".utf8))
    }

    func has(_ name: String) -> Bool { contains(ConfigKey(name)) }
}

/// A size written as an int or as a [height, width] pair that must be square.
struct SquareSize: Decodable {
    let value: Int

    init(_ value: Int) { self.value = value }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let side = try? c.decode(Int.self) {
            value = side
            return
        }
        let pair = try c.decode([Int].self)
        guard pair.count == 2, pair[0] == pair[1] else {
            throw ModelError.invalidConfig("'\(decoder.codingPath.map(\.stringValue).joined(separator: "."))' \(pair) is not square; Seer's vision encoders take square inputs")
        }
        value = pair[0]
    }
}

/// An int, or a list of ints of which the first counts (`eos_token_id` in newer configs).
struct FirstInt: Decodable {
    let value: Int

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(Int.self) {
            value = one
        } else if let first = try c.decode([Int].self).first {
            value = first
        } else {
            throw ModelError.invalidConfig("'\(decoder.codingPath.map(\.stringValue).joined(separator: "."))' is an empty list")
        }
    }
}

enum ModelConfigFile {
    /// Decodes `config.json` at `url`; a missing file, bad JSON or a wrong field becomes a
    /// `ModelError` that names the file and the field.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.missingFile(url.path)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as ModelError {
            throw error
        } catch let error as DecodingError {
            throw ModelError.invalidConfig("\(url.path): \(describe(error))")
        } catch {
            throw ModelError.invalidConfig("\(url.path) is not a JSON object")
        }
    }

    /// For tests and callers that hold the JSON already.
    static func decode<T: Decodable>(_ type: T.Type, json: [String: Any]) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: json))
        } catch let error as DecodingError {
            throw ModelError.invalidConfig(describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context): return "'\(path(context))' should be \(readable(type))"
        case .valueNotFound(let type, let context): return "'\(path(context))' should be \(readable(type)), found null"
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is missing"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "'\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func readable(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
