import Foundation
import Testing
@testable import SeerHub

/// Python's huggingface_hub and Seer share one cache, in both directions.
@Suite struct InteropTests {
    let id = try! HubModelID(parsing: "acme/tiny-clip")

    @Test func seerUsesACacheWrittenByHuggingFaceHubWithoutDownloading() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let python = try runPython("""
            import sys
            from huggingface_hub import snapshot_download
            print(snapshot_download("acme/tiny-clip", cache_dir=sys.argv[1], endpoint=sys.argv[2]))
            """, [hub.cache.path, server.endpoint.absoluteString])
        let pythonFolder = URL(fileURLWithPath: python.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try server.downloads(of: "model.safetensors", sha256: try sha256Hex(files["model.safetensors"]!)).count == 1,
                "huggingface_hub really downloaded through the test server")
        let before = try server.requests().count

        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)

        #expect(folder.resolvingSymlinksInPath() == pythonFolder.resolvingSymlinksInPath())
        let after = try server.requests().dropFirst(before)
        #expect(after.allSatisfy { $0.path.hasPrefix("/api/") }, "no file requests: \(after.map(\.path))")
        let offline = try await HubClient(configuration: hub.configuration(server, offline: true)).snapshot(id)
        #expect(offline == folder)
    }

    @Test func huggingFaceHubReadsSeersCacheOffline() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        let before = try server.requests().count

        let python = try runPython("""
            import hashlib, sys
            from huggingface_hub import hf_hub_download, snapshot_download
            folder = snapshot_download("acme/tiny-clip", cache_dir=sys.argv[1], local_files_only=True)
            weights = hf_hub_download("acme/tiny-clip", "model.safetensors", cache_dir=sys.argv[1])
            print(folder)
            print(hashlib.sha256(open(weights, "rb").read()).hexdigest())
            """, [hub.cache.path], environment: ["HF_HUB_OFFLINE": "1"])

        let lines = python.split(separator: "\n").map(String.init)
        #expect(lines.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() } == folder.resolvingSymlinksInPath())
        #expect(lines.last == (try sha256Hex(files["model.safetensors"]!)))
        #expect(try server.requests().count == before)
    }
}

/// Runs a Python script and returns its stdout; a failure raises with its stderr.
func runPython(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    var env = ProcessInfo.processInfo.environment
    for name in ["HF_HUB_OFFLINE", "HF_TOKEN", "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE"] { env[name] = nil }
    env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    env["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    process.environment = env.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var errData = Data()
    // The reader signals when stderr reached its end: waited on below, not polled.
    let errRead = DispatchSemaphore(value: 0)
    let errReader = Thread {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        errRead.signal()
    }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errRead.wait()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python failed: \(String(decoding: errData, as: UTF8.self))"])
    }
    return String(decoding: outData, as: UTF8.self)
}
