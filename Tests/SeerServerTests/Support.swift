import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SeerImage
import SeerModels
@testable import SeerServer

/// Tests/Fixtures, found from this file's location.
let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let packageRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()
let modelDirectory = fixtures.appendingPathComponent("clip-tiny-gelu-p16")
let imageNames = ["chelsea.jpg", "coffee.png", "astronaut.webp"]

func imageBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("clip-inputs").appendingPathComponent(name)))
}

func base64Image(_ name: String) throws -> [String: Any] {
    ["type": "base64", "value": Data(try imageBytes(name)).base64EncodedString()]
}

/// The tiny CLIP, loaded once.
let sharedCLIP: CLIP = try! CLIP(directory: modelDirectory)

/// The library's own answers, what the server must reproduce.
func libraryImageEmbedding(_ name: String) throws -> [Float] {
    try sharedCLIP.embed(images: [ImageLoader.decode(imageBytes(name))])[0]
}

func libraryTextEmbedding(_ text: String) throws -> [Float] {
    try sharedCLIP.embed(texts: [text])[0]
}

/// Starts a real server on a free loopback port, runs `body` against it, and stops it.
/// `embedder` nil starts a server without `/clip/*` (SAM routes only).
func withServer<T>(embedder: (any ImageEmbedder)? = sharedCLIP, _ configure: (inout ServerConfiguration) -> Void = { _ in },
                   _ body: (SeerServer, Client) async throws -> T) async throws -> T {
    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configure(&configuration)
    let server = SeerServer(embedder: embedder, configuration: configuration)
    let running = try await server.start()
    do {
        let result = try await body(server, Client(port: running.port))
        try await running.shutdown()
        return result
    } catch {
        try? await running.shutdown()
        throw error
    }
}

struct HTTPResult: Sendable {
    let status: Int
    let body: Data
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A plain URLSession client.
struct Client: Sendable {
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// Enough connections per host for the concurrency tests.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    func get(_ path: String) async throws -> HTTPResult {
        try await send(URLRequest(url: URL(string: base + path)!))
    }

    func post(_ path: String, json: Any, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await post(path, raw: try JSONSerialization.data(withJSONObject: json), headers: headers)
    }

    func post(_ path: String, raw: Data, headers: [String: String] = [:]) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.httpBody = raw
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> HTTPResult {
        var request = request
        request.timeoutInterval = 120
        let (data, response) = try await Client.session.data(for: request)
        return HTTPResult(status: (response as! HTTPURLResponse).statusCode, body: data)
    }
}

/// JSON numbers back to Float rows.
func floats(_ any: Any?) -> [Float]? {
    guard let list = any as? [Any] else { return nil }
    let values = list.compactMap { ($0 as? NSNumber)?.floatValue }
    return values.count == list.count ? values : nil
}

func rows(_ any: Any?) -> [[Float]]? {
    guard let list = any as? [Any] else { return nil }
    let values = list.compactMap(floats)
    return values.count == list.count ? values : nil
}
