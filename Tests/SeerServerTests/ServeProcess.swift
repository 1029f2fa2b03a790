import Foundation
import Testing
@testable import SeerServer

/// The `seer` executable SwiftPM built beside this test bundle (`swift build --build-tests`
/// builds every product).
let seerExecutable: URL? = {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL,
                      Bundle.main.bundleURL.deletingLastPathComponent()]
    return candidates.map { $0.appendingPathComponent("seer") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// A `seer serve` child process on a loopback port it picks itself (`--port 0`). Starting waits
/// for the line the server prints once it listens, "seer: serving … on http://127.0.0.1:PORT",
/// and reads the port from it: an event, not a poll. A server that neither says it listens nor
/// exits within two minutes is killed and the start fails.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int

    init(arguments: [String]) async throws {
        let executable = try #require(seerExecutable, "build the seer executable first (swift build --build-tests)")
        process.executableURL = executable
        process.arguments = ["serve", "--model", modelDirectory.path, "--host", "127.0.0.1", "--port", "0"] + arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let (port, said) = await firstLine(of: err.fileHandleForReading, from: process, within: 120) { line in
            line.hasPrefix("seer: serving ") ? line.split(separator: ":").last.flatMap { Int($0) } : nil
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw APIError.badRequest("seer serve did not start listening: \(said)")
        }
        self.port = port
    }

    /// SIGKILL, not waited for (Process.waitUntilExit can stall inside an async test).
    func stop() { kill(process.processIdentifier, SIGKILL) }
}

/// Runs the `seer` executable to its end; throws with its stderr when it fails.
func runSeer(_ arguments: [String]) async throws {
    let executable = try #require(seerExecutable, "build the seer executable first (swift build --build-tests)")
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("seer-run-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: log)
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    guard status == 0 else {
        throw APIError.badRequest("seer \(arguments.first ?? "") failed (\(status)): \(String(decoding: try Data(contentsOf: log), as: UTF8.self).suffix(2000))")
    }
}
