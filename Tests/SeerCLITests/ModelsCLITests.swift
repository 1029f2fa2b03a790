import Foundation
import Testing

/// `seer models …` and `--model ORG/NAME` against `scripts/hub_test_server.py` serving the tiny
/// fixture checkpoint as the Hub repo acme/clip-tiny.
@Suite(.serialized) struct ModelsCLITests {
    @Test func pullListEmbedOfflineAndRemove() throws {
        let hub = try TinyHub()
        defer { hub.stop() }

        let pulled = try hub.seer(["models", "pull", "acme/clip-tiny"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stderr.isEmpty, "quiet in a pipe: \(pulled.stderr)")
        let folder = pulled.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(folder.hasPrefix(hub.cache.path + "/models--acme--clip-tiny/snapshots/"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/model.safetensors"))
                == Data(contentsOf: tinyModel.appendingPathComponent("model.safetensors")))

        // --model takes the Hub id; offline, it comes from the cache with no request at all.
        let requestsBefore = hub.requestCount()
        let fromHub = try hub.seer(["embed", "--model", "acme/clip-tiny", "--text", "a photo of a cat"], offline: true)
        let fromFolder = try seer(["embed", "--model", tinyModel.path, "--text", "a photo of a cat"])
        #expect(fromHub.status == 0, "\(fromHub.stderr)")
        #expect(fromHub.stdout == fromFolder.stdout)
        #expect(hub.requestCount() == requestsBefore)

        let list = try hub.seer(["models", "list"])
        #expect(list.status == 0)
        let row = list.stdout.split(separator: "\n").first { $0.hasPrefix("acme/clip-tiny ") }
        #expect(row?.contains(" main ") == true, "\(list.stdout)")
        #expect(row?.contains(String(URL(fileURLWithPath: folder).lastPathComponent.prefix(12))) == true)

        let available = try hub.seer(["models", "list", "--available"])
        #expect(available.stdout.contains("openai/clip-vit-base-patch32"))
        #expect(available.stdout.contains("laion/CLIP-ViT-H-14-laion2B-s32B-b79K"))

        let removed = try hub.seer(["models", "rm", "acme/clip-tiny"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder))
        let again = try hub.seer(["models", "rm", "acme/clip-tiny"])
        #expect(again.status == 1)
        #expect(again.stderr == "seer: error: acme/clip-tiny is not in the cache at \(hub.cache.path)\n")
    }

    @Test func hubErrorsAreOneLine() throws {
        let hub = try TinyHub()
        defer { hub.stop() }

        let offline = try hub.seer(["embed", "--model", "acme/clip-tiny", "--text", "x"], offline: true)
        #expect(offline.status == 1)
        #expect(offline.stderr == "seer: error: offline (HF_HUB_OFFLINE=1) and acme/clip-tiny is not in the cache at \(hub.cache.path)/models--acme--clip-tiny\n")

        let missing = try hub.seer(["models", "pull", "acme/nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "seer: error: acme/nope: not found on \(hub.endpoint) (404) — check the id\n")

        // Not an id and not a folder: a missing folder, never a Hub request.
        let requestsBefore = hub.requestCount()
        let notAnID = try hub.seer(["embed", "--model", "no-such-folder", "--text", "x"])
        #expect(notAnID.status == 1)
        #expect(notAnID.stderr.hasPrefix("seer: error: model file not found: ") && notAnID.stderr.contains("no-such-folder"))
        #expect(hub.requestCount() == requestsBefore)
    }
}

/// The test Hub server with the tiny fixture as acme/clip-tiny, and an empty cache.
struct TinyHub {
    let root: URL
    let process = Process()
    let lifeline = Pipe()
    let endpoint: String
    var cache: URL { root.appendingPathComponent("cache") }
    var log: URL { root.appendingPathComponent("requests.jsonl") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-cli-hub-\(UUID().uuidString)")
        let repo = root.appendingPathComponent("server/acme/clip-tiny")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: tinyModel.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: repo.appendingPathComponent(name))
        }
        let script = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/hub_test_server.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, root.appendingPathComponent("server").path,
                             "--log", root.appendingPathComponent("requests.jsonl").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = lifeline
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        endpoint = "http://127.0.0.1:\(String(decoding: line, as: UTF8.self))"
    }

    func requestCount() -> Int {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Runs seer with the Hub variables pointing at this server and cache.
    func seer(_ arguments: [String], offline: Bool = false) throws -> RunResult {
        var environment = ProcessInfo.processInfo.environment
        for name in ["HF_HOME", "HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"] { environment[name] = nil }
        environment["HF_ENDPOINT"] = endpoint
        environment["HF_HUB_CACHE"] = cache.path
        if offline { environment["HF_HUB_OFFLINE"] = "1" }
        let wrapped = ["-i"] + environment.map { "\($0.key)=\($0.value)" } + [seerExecutable.path] + arguments
        return try run("/usr/bin/env", wrapped)
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }
}
