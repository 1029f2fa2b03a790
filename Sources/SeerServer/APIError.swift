import Foundation
import Hummingbird

/// An error answered as JSON, `{"message": …, "error_type": …}`, with a 4xx/5xx status.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let type: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ type: String, _ message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "InvalidInputError", message) }
    static func unauthorized() -> APIError { APIError(.unauthorized, "Unauthorized", "missing or wrong API key") }

    func response() -> Response {
        jsonResponse(["message": message, "error_type": type, "status": Int(status.code)], status: status)
    }
}

/// A JSON response from a JSONSerialization-compatible value.
func jsonResponse(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return rawJSONResponse(data, status: status)
}

func rawJSONResponse(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

/// Writes JSON by hand for the large float arrays: shortest round-trip Float text, non-finite
/// values as null (JSON has no NaN).
struct JSONWriter {
    private(set) var text = ""

    mutating func raw(_ s: String) { text += s }

    mutating func float(_ v: Float) {
        text += v.isFinite ? v.description : "null"
    }

    mutating func double(_ v: Double) {
        text += v.isFinite ? v.description : "null"
    }

    mutating func floats(_ values: [Float]) {
        text += "["
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            float(v)
        }
        text += "]"
    }

    mutating func string(_ s: String) {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        let encoded = String(decoding: data, as: UTF8.self)
        text += encoded.dropFirst().dropLast()
    }
}
