import Foundation
import Testing
@testable import SeerHub

@Suite struct ConfigurationTests {
    @Test func cacheFolderFollowsHuggingFaceHubPrecedence() {
        let home = ["HOME": "/home/u"]
        #expect(HubConfiguration.fromEnvironment(home).cacheDirectory.path == "/home/u/.cache/huggingface/hub")
        #expect(HubConfiguration.fromEnvironment(home.merging(["XDG_CACHE_HOME": "/x"]) { $1 }).cacheDirectory.path == "/x/huggingface/hub")
        #expect(HubConfiguration.fromEnvironment(home.merging(["HF_HOME": "/hf"]) { $1 }).cacheDirectory.path == "/hf/hub")
        #expect(HubConfiguration.fromEnvironment(home.merging(["HF_HOME": "/hf", "HF_HUB_CACHE": "/c"]) { $1 }).cacheDirectory.path == "/c")
        #expect(HubConfiguration.fromEnvironment(home.merging(["HF_HUB_CACHE": "~/c"]) { $1 }).cacheDirectory.path == "/home/u/c")
    }

    @Test func endpointTokenAndOffline() throws {
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("seer-token-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: token)
        defer { try? FileManager.default.removeItem(at: token) }

        let defaults = HubConfiguration.fromEnvironment(["HOME": "/nonexistent"])
        #expect(defaults.endpoint.absoluteString == "https://huggingface.co")
        #expect(defaults.token == nil)
        #expect(!defaults.offline)

        let set = HubConfiguration.fromEnvironment(["HOME": "/h", "HF_ENDPOINT": "http://mirror:8080/", "HF_TOKEN": "t",
                                                    "HF_HUB_OFFLINE": "1"])
        #expect(set.endpoint.absoluteString == "http://mirror:8080")
        #expect(set.token == "t")
        #expect(set.offline)
        #expect(HubConfiguration.fromEnvironment(["HOME": "/h", "HF_TOKEN_PATH": token.path]).token == "from-file")
        for (value, expected) in [("true", true), ("YES", true), ("on", true), ("0", false), ("false", false), ("", false)] {
            #expect(HubConfiguration.fromEnvironment(["HOME": "/h", "HF_HUB_OFFLINE": value]).offline == expected, "\(value)")
        }
    }

    @Test func modelIDs() throws {
        let plain = try HubModelID(parsing: "openai/clip-vit-base-patch32")
        #expect(plain.repo == "openai/clip-vit-base-patch32" && plain.revision == "main")
        let pinned = try HubModelID(parsing: "laion/CLIP-ViT-B-32-laion2B-s34B-b79K@v1.0")
        #expect(pinned.repo == "laion/CLIP-ViT-B-32-laion2B-s34B-b79K" && pinned.revision == "v1.0")
        #expect(!pinned.revisionIsCommit)
        #expect(try HubModelID(parsing: "a/b@" + String(repeating: "0f", count: 20)).revisionIsCommit)
        for bad in ["clip", "a/b/c", "/b", "a/", "a/b@", "a/../b", "a b/c", "a/b@../x"] {
            #expect(throws: HubError.self, "\(bad)") { try HubModelID(parsing: bad) }
        }
    }

    @Test func etagsAreNormalizedLikeHuggingFaceHub() {
        #expect(RemoteFile.normalize(#"W/"abc""#) == "abc")
        #expect(RemoteFile.normalize(#""abc""#) == "abc")
        #expect(RemoteFile.normalize("abc") == "abc")
    }
}
