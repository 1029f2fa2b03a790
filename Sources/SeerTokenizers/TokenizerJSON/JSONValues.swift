import Foundation

/// Typed access to a parsed tokenizer.json object, with errors that name the JSON path
/// (e.g. `normalizer.normalizers[1].pattern`), so a malformed file says where it is wrong.
struct JSONObject {
    let object: [String: Any]
    /// Where this object sits in the file, e.g. "model" or "pre_tokenizer.pretokenizers[0]".
    let location: String
    let file: String

    func fail(_ message: String) -> TokenizerError {
        TokenizerError(.malformed, path: file, location.isEmpty ? message : "\(location): \(message)")
    }

    private func at(_ key: String) -> String { location.isEmpty ? key : "\(location).\(key)" }

    func has(_ key: String) -> Bool {
        if let v = object[key], !(v is NSNull) { return true }
        return false
    }

    func string(_ key: String) throws -> String {
        guard let s = object[key] as? String else { throw fail("\"\(key)\" is missing or not a string") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard has(key) else { return value }
        guard let b = object[key] as? Bool else { throw fail("\"\(key)\" is not a boolean") }
        return b
    }

    func int(_ key: String) throws -> Int {
        guard let v = object[key], let i = CLIPTokenizer.integer(v) else { throw fail("\"\(key)\" is missing or not an integer") }
        return i
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard has(key) else { return nil }
        return try int(key)
    }

    func child(_ key: String) throws -> JSONObject {
        guard let o = object[key] as? [String: Any] else { throw fail("\"\(key)\" is missing or not an object") }
        return JSONObject(object: o, location: at(key), file: file)
    }

    func optionalChild(_ key: String) throws -> JSONObject? {
        guard has(key) else { return nil }
        return try child(key)
    }

    func array(_ key: String) throws -> [Any] {
        guard let a = object[key] as? [Any] else { throw fail("\"\(key)\" is missing or not an array") }
        return a
    }

    /// The objects of an array field, each with its own location.
    func children(_ key: String) throws -> [JSONObject] {
        try array(key).enumerated().map { index, item in
            guard let o = item as? [String: Any] else { throw fail("\"\(key)\"[\(index)] is not an object") }
            return JSONObject(object: o, location: "\(at(key))[\(index)]", file: file)
        }
    }

    /// A `{"String": "…"}` or `{"Regex": "…"}` pattern.
    func pattern(_ key: String) throws -> SplitPattern {
        let p = try child(key)
        if let s = p.object["String"] as? String { return .string(s) }
        if let r = p.object["Regex"] as? String { return .regex(r) }
        throw p.fail("expected {\"String\": …} or {\"Regex\": …}")
    }
}

enum SplitPattern: Equatable {
    case string(String)
    case regex(String)
}
