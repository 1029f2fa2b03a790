import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `scripts/hub_test_server.py` as a subprocess on a free loopback port, with its request log.
final class HubTestServer {
    struct Request: Decodable {
        let method: String
        let path: String
        let range: String?
        let auth: String?
    }

    let process = Process()
    /// The server's stdin: closing it stops the server even if signals do not reach it.
    private let lifeline = Pipe()
    let endpoint: URL
    let logFile: URL

    /// `options` are the server's flags: --token, --cut, --corrupt, --fail.
    init(root: URL, options: [String] = []) throws {
        logFile = root.deletingLastPathComponent().appendingPathComponent("requests-\(UUID().uuidString).jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/hub_test_server.py").path,
                             root.path, "--log", logFile.path] + options
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = lifeline
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = try output.fileHandleForReading.read(upToCount: 1) ?? Data()
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            try? lifeline.fileHandleForWriting.close()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "hub_test_server.py did not start"])
        }
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
    }

    /// Every request so far, in order.
    func requests() throws -> [Request] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// Requests that fetch or describe a file's bytes (resolve and LFS storage), not the API.
    func fileRequests() throws -> [Request] {
        try requests().filter { !$0.path.hasPrefix("/api/") }
    }

    /// GETs of a file's bytes: `/ORG/NAME/resolve/REV/FILE` for small files, `/lfs/SHA256` for LFS ones.
    func downloads(of file: String, sha256: String? = nil) throws -> [Request] {
        try requests().filter { request in
            request.method == "GET" && (request.path.hasSuffix("/" + file) || request.path == "/lfs/\(sha256 ?? "-")")
        }
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}
