import Foundation
@testable import SeerHub

/// The repo folder `scripts/hub_test_server.py` serves, built per test in a temporary folder.
struct FakeHub {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var serverRoot: URL { root.appendingPathComponent("server") }
    var cache: URL { root.appendingPathComponent("cache") }

    /// Writes `files` (name → contents) as the repo `repo` on the server.
    func addRepo(_ repo: String, _ files: [String: Data]) throws {
        for (name, data) in files {
            let url = serverRoot.appendingPathComponent(repo).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func configuration(_ server: HubTestServer, token: String? = nil, offline: Bool = false) -> HubConfiguration {
        HubConfiguration(endpoint: server.endpoint, cacheDirectory: cache, token: token, offline: offline,
                         retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01))
    }
}

/// A CLIP-like repo: what Seer needs, plus files it must not fetch.
func clipRepo(weightsSize: Int = 300_000) -> [String: Data] {
    [
        "config.json": Data(#"{"model_type": "clip"}"#.utf8),
        "preprocessor_config.json": Data(#"{"crop_size": 224}"#.utf8),
        "vocab.json": Data(#"{"a": 0}"#.utf8),
        "merges.txt": Data("#version: 0.2\n".utf8),
        "tokenizer_config.json": Data("{}".utf8),
        "model.safetensors": randomBytes(weightsSize, seed: 1),
        "README.md": Data("# a model\n".utf8),
        "pytorch_model.bin": randomBytes(1000, seed: 2),
        "open_clip_model.safetensors": randomBytes(1000, seed: 3),
    ]
}

let neededFiles = ["config.json", "merges.txt", "model.safetensors", "preprocessor_config.json", "tokenizer_config.json", "vocab.json"]

/// Deterministic bytes (a xorshift stream), so failures reproduce.
func randomBytes(_ count: Int, seed: UInt64) -> Data {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[i] = UInt8(truncatingIfNeeded: state)
    }
    return Data(bytes)
}

func sha256Hex(_ data: Data) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seer-hash-\(UUID().uuidString)")
    try data.write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try sha256(of: url)
}

/// Files (and links) below `folder`, relative, sorted.
func listing(_ folder: URL) -> [String] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: folder.path)) ?? []).sorted()
}
