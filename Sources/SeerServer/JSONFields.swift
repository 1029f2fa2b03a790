import Foundation

// Readers of optional JSON request fields, shared by every route: a wrong type is a 400 that
// names the field, never a silent default.

func optionalImage(_ json: [String: Any]) throws -> ImageInput? {
    guard let raw = json["image"], !(raw is NSNull) else { return nil }
    return try ImageInput.parse(raw, field: "image")
}

func optionalString(_ json: [String: Any], _ field: String) throws -> String? {
    guard let raw = json[field], !(raw is NSNull) else { return nil }
    guard let value = raw as? String else { throw APIError.badRequest("\(field) must be a string") }
    guard !value.isEmpty else { throw APIError.badRequest("\(field) is empty") }
    return value
}

func optionalBool(_ json: [String: Any], _ field: String) throws -> Bool? {
    guard let raw = json[field], !(raw is NSNull) else { return nil }
    guard let number = raw as? NSNumber, isBoolean(number) else {
        throw APIError.badRequest("\(field) must be true or false")
    }
    return number.boolValue
}

/// A JSON number (not a boolean) as a Double.
func number(_ raw: Any) -> Double? {
    guard let n = raw as? NSNumber, !isBoolean(n) else { return nil }
    return n.doubleValue
}

/// JSONSerialization gives NSNumber for both booleans and numbers; booleans (on Linux and on
/// Apple platforms) are the ones of Objective-C type `c`.
func isBoolean(_ n: NSNumber) -> Bool {
    String(cString: n.objCType) == "c"
}

/// An optional JSON number in `range` (a boolean is not a number here).
func optionalNumber(_ json: [String: Any], _ field: String, in range: ClosedRange<Double>) throws -> Double? {
    guard let raw = json[field], !(raw is NSNull) else { return nil }
    guard let value = number(raw), value.isFinite else { throw APIError.badRequest("\(field) must be a number") }
    guard range.contains(value) else { throw APIError.badRequest("\(field) must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
    return value
}

/// An optional whole JSON number in `range`.
func optionalInt(_ json: [String: Any], _ field: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let value = try optionalNumber(json, field, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
    guard let whole = Int(exactly: value) else { throw APIError.badRequest("\(field) must be a whole number") }
    return whole
}
