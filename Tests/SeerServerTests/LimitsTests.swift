import Foundation
import Testing
import SeerImage
import SeerModels
@testable import SeerServer

@Suite("Bad requests and limits")
struct LimitsTests {
    @Test("malformed bodies get structured 4xx errors and the server stays healthy")
    func malformedBodies() async throws {
        try await withServer({ $0.maxBodyBytes = 4 * 1024 * 1024 }) { _, client async throws in
            let chelsea = try imageBytes("chelsea.jpg")
            let b64 = { (bytes: [UInt8]) in Data(bytes).base64EncodedString() }
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let cases: [(String, String, Data)] = [
                ("truncated JSON", "/clip/embed_image", Data(#"{"image": {"type": "base64", "value": "abc"#.utf8)),
                ("not JSON", "/clip/embed_text", Data("hello".utf8)),
                ("empty body", "/clip/embed_text", Data()),
                ("top-level array", "/clip/embed_text", Data(#"["a cat"]"#.utf8)),
                ("deeply nested", "/clip/embed_text", Data(#"{"text": \#(deep)}"#.utf8)),
                ("image is a number", "/clip/embed_image", Data(#"{"image": 5}"#.utf8)),
                ("value is a number", "/clip/embed_image", Data(#"{"image": {"type": "base64", "value": 7}}"#.utf8)),
                ("unknown image type", "/clip/embed_image", Data(#"{"image": {"type": "numpy", "value": "x"}}"#.utf8)),
                ("bad base64", "/clip/embed_image", Data(#"{"image": {"type": "base64", "value": "!!!not base64***"}}"#.utf8)),
                ("not an image", "/clip/embed_image", Data(#"{"image": {"type": "base64", "value": "\#(b64(Array("hello world".utf8)))"}}"#.utf8)),
                ("truncated JPEG", "/clip/embed_image", Data(#"{"image": {"type": "base64", "value": "\#(b64(Array(chelsea.prefix(chelsea.count / 3))))"}}"#.utf8)),
                ("empty image list", "/clip/embed_image", Data(#"{"image": []}"#.utf8)),
                ("missing image", "/clip/embed_image", Data(#"{"images": []}"#.utf8)),
                ("texts are numbers", "/clip/embed_text", Data(#"{"text": [1, 2, 3]}"#.utf8)),
                ("huge text array", "/clip/embed_text", Data(("{\"text\": [" + Array(repeating: "\"a\"", count: 100_000).joined(separator: ",") + "]}").utf8)),
                ("too many images", "/clip/embed_image", Data(("{\"image\": [" + Array(repeating: #"{"type": "base64", "value": "AAAA"}"#, count: 33).joined(separator: ",") + "]}").utf8)),
                ("bad subject_type", "/clip/compare", Data(#"{"subject": "x", "subject_type": "video", "prompt": "y"}"#.utf8)),
                ("text subject is an object", "/clip/compare", Data(#"{"subject": {"a": 1}, "subject_type": "text", "prompt": "y"}"#.utf8)),
                ("prompt dict of numbers", "/clip/compare", Data(#"{"subject": "x", "subject_type": "text", "prompt": {"a": 1}}"#.utf8)),
                ("clip_version_id is a number", "/clip/embed_text", Data(#"{"text": "x", "clip_version_id": 5}"#.utf8)),
            ]
            for (name, path, body) in cases {
                let result = try await client.post(path, raw: body)
                #expect((400..<500).contains(result.status), "\(name): \(result.status) \(result.text.prefix(200))")
                #expect(result.object["message"] is String, "\(name): \(result.text.prefix(200))")
            }
            let tooBig = try await client.post("/clip/embed_text", raw: Data(repeating: UInt8(ascii: " "), count: 5 * 1024 * 1024))
            #expect(tooBig.status == 413, "\(tooBig.text.prefix(200))")
            #expect(try await client.get("/no/such/route").status == 404)

            #expect(try await client.get("/healthz").status == 200)
            let after = try await client.post("/clip/embed_image", json: ["image": try base64Image("coffee.png")])
            #expect(rows(after.object["embeddings"]) == [try libraryImageEmbedding("coffee.png")])
        }
    }

    @Test("images above the pixel limit are refused")
    func pixelLimit() async throws {
        try await withServer({ $0.imageLimits = ImageLimits(maxPixels: 10_000) }) { _, client async throws in
            let result = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
            #expect(result.status == 400)
            #expect((result.object["message"] as? String)?.contains("pixel") == true, "\(result.text)")
        }
    }

    @Test("an API key is required on /clip/* when configured: query, body, bearer or X-Api-Key")
    func apiKey() async throws {
        try await withServer({ $0.apiKey = "s3cret" }) { _, client async throws in
            let body: [String: Any] = ["text": "a cat"]
            #expect(try await client.post("/clip/embed_text", json: body).status == 401)
            #expect(try await client.post("/clip/embed_text?api_key=wrong", json: body).status == 401)
            #expect(try await client.post("/clip/embed_text?api_key=s3cret", json: body).status == 200)
            #expect(try await client.post("/clip/embed_text", json: ["text": "a cat", "api_key": "s3cret"]).status == 200)
            #expect(try await client.post("/clip/embed_text", json: body, headers: ["Authorization": "Bearer s3cret"]).status == 200)
            #expect(try await client.post("/clip/embed_text", json: body, headers: ["X-Api-Key": "s3cret"]).status == 200)
            #expect(try await client.get("/healthz").status == 200)
        }
    }

    @Test("clip_version_id maps to the served model; unknown ids are refused")
    func clipVersion() async throws {
        try await withServer({ $0.clipVersionIDs = ["ViT-B-16"]; $0.modelName = "tiny" }) { _, client async throws in
            #expect(try await client.post("/clip/embed_text", json: ["text": "x", "clip_version_id": "ViT-B-16"]).status == 200)
            #expect(try await client.post("/clip/embed_text", json: ["text": "x", "clip_version_id": "tiny"]).status == 200)
            let unknown = try await client.post("/clip/embed_text", json: ["text": "x", "clip_version_id": "RN50"])
            #expect(unknown.status == 404)
            #expect((unknown.object["message"] as? String)?.contains("RN50") == true)
        }
    }

    @Test("URL images are off by default")
    func urlImagesOff() async throws {
        try await withServer { _, client async throws in
            let result = try await client.post("/clip/embed_image", json: ["image": ["type": "url", "value": "https://example.com/cat.jpg"]])
            #expect(result.status == 400)
            #expect((result.object["message"] as? String)?.contains("disabled") == true)
        }
    }

    @Test("URL images: only http(s), only allowed hosts, no private addresses unless allowed")
    func urlImagePolicy() async throws {
        try await withServer({ $0.urlImages = URLImagePolicy(enabled: true) }) { _, client async throws in
            for (url, status) in [
                ("file:///etc/passwd", 400), ("ftp://example.com/a.jpg", 400),
                ("http://127.0.0.1:1/a.jpg", 403), ("http://[::1]/a.jpg", 403), ("http://169.254.169.254/latest", 403),
                ("http://10.1.2.3/a.jpg", 403), ("http://192.168.0.1/a.jpg", 403), ("http://localhost/a.jpg", 403),
            ] {
                let result = try await client.post("/clip/embed_image", json: ["image": ["type": "url", "value": url]])
                #expect(result.status == status, "\(url): \(result.text)")
            }
        }
        try await withServer({ $0.urlImages = URLImagePolicy(enabled: true, allowedHosts: ["images.example.com"], allowPrivateAddresses: true) }) { _, client async throws in
            let result = try await client.post("/clip/embed_image", json: ["image": ["type": "url", "value": "http://127.0.0.1:1/a.jpg"]])
            #expect(result.status == 403, "\(result.text)")
        }
    }

    @Test("URL images are fetched from an allowed loopback server and embed like base64")
    func urlImageFetch() async throws {
        let python = try await PythonHTTPServer.start(directory: fixtures.appendingPathComponent("clip-inputs"))
        defer { python.stop() }
        try await withServer({ $0.urlImages = URLImagePolicy(enabled: true, allowedHosts: ["127.0.0.1"], allowPrivateAddresses: true) }) { _, client async throws in
            let result = try await client.post("/clip/embed_image", json: ["image": ["type": "url", "value": "http://127.0.0.1:\(python.port)/coffee.png"]])
            #expect(result.status == 200, "\(result.text)")
            #expect(rows(result.object["embeddings"]) == [try libraryImageEmbedding("coffee.png")])
            let missing = try await client.post("/clip/embed_image", json: ["image": ["type": "url", "value": "http://127.0.0.1:\(python.port)/missing.png"]])
            #expect(missing.status == 400, "\(missing.text)")
        }
    }

    @Test("a request over the time limit gets a 503, and the server goes on")
    func timeout() async throws {
        try await withServer({
            $0.requestTimeout = .milliseconds(200)
            $0.batching = BatchingConfiguration(maxBatch: 8, maxWait: .seconds(3))
        }) { server, client async throws in
            let slow = try await client.post("/clip/embed_image", json: ["image": try base64Image("chelsea.jpg")])
            #expect(slow.status == 503, "\(slow.text)")
            #expect(slow.object["error_type"] as? String == "Timeout")
            // The server goes on: the abandoned forward pass still runs to its end (the batcher is
            // not wedged by the request that left), and the server keeps answering. A model
            // request afterwards would itself be bound by the 200 ms limit, which a loaded
            // machine can miss, so the check waits on the batcher instead of on the clock.
            try await waitUntil("the abandoned batch to finish") { await server.batcher!.stats.images == 1 }
            #expect(try await client.get("/healthz").status == 200)
            #expect(await server.batcher!.pendingRequests == 0)
        }
    }

    @Test("public and non-public addresses")
    func addresses() {
        for a in ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1"] {
            #expect(!isPublic(a), "\(a)")
        }
        for a in ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700::1111", "93.184.216.34"] {
            #expect(isPublic(a), "\(a)")
        }
    }
}

/// Python's http.server on a free loopback port, which it prints once it listens: the start
/// waits for that line (and gives up after a minute).
final class PythonHTTPServer: @unchecked Sendable {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    static func start(directory: URL) async throws -> PythonHTTPServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import http.server, functools, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, directory.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let (port, said) = await firstLine(of: out.fileHandleForReading, from: process, within: 60) { Int($0) }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw APIError.badRequest("python http.server did not start: \(said)")
        }
        return PythonHTTPServer(process: process, port: port)
    }

    /// SIGKILL (the child may inherit an ignored SIGTERM from the test process); not waited
    /// for (Process.waitUntilExit can stall inside an async test).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
    }
}
