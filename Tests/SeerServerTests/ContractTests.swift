import Foundation
import Testing
@testable import SeerServer

/// The Python with schemathesis (scripts/setup.sh installs the pinned version): $SEER_SCHEMATHESIS_PYTHON, else python3.
func schemathesisPython() -> String {
    ProcessInfo.processInfo.environment["SEER_SCHEMATHESIS_PYTHON"] ?? "python3"
}

@Suite("The OpenAPI document is the server's contract")
struct ContractTests {
    /// Examples per operation and the seed: the same requests on every run (about 700), in under a minute.
    static let maxExamples = 30
    static let seed = 20_240_512

    @Test("schemathesis (all checks) finds nothing the real `seer serve` (CLIP, SAM, an index) and its /openapi.json disagree on")
    func schemathesis() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("seer-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Every route on: an index of the CLIP fixture photos built by `seer index`, and SAM.
        let db = scratch.appendingPathComponent("index.sqlite").path
        try await runSeer(["index", fixtures.appendingPathComponent("clip-inputs").path, "--model", modelDirectory.path, "--db", db])
        let server = try await ServeProcess(arguments: ["--sam-model", fixtures.appendingPathComponent("sam-tiny").path, "--index", db])
        defer { server.stop() }

        let output = scratch.appendingPathComponent("schemathesis.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [schemathesisPython(), "-m", "schemathesis.cli", "run", "http://127.0.0.1:\(server.port)/openapi.json", "--checks", "all",
                             "--max-examples", String(Self.maxExamples), "--seed", String(Self.seed), "--generation-database", "none",
                             // One worker: schemathesis 4.32.5 trips over itself generating /clip/compare's cases with two.
                             "--workers", "1", "--request-timeout", "60", "--no-color"]
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMATHESIS_HOOKS"] = "schemathesis_hooks"  // scripts/schemathesis_hooks.py: real images, SAM prompt counts
        environment["PYTHONPATH"] = packageRoot.appendingPathComponent("scripts").path
        process.environment = environment
        process.currentDirectoryURL = scratch  // its report folder goes away with the scratch folder
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let log = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        #expect(status == 0, "schemathesis found failures (exit \(status)):\n\(log.suffix(12_000))")
        // It tested every operation: the CLIP, SAM and search routes and the GET ones (a document it
        // could not read, or an operation it skipped, would pass vacuously).
        #expect(log.contains("Tested: 11"), "\(log.suffix(3000))")
    }
}
