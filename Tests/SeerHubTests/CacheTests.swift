import Foundation
import Testing
@testable import SeerHub

@Suite struct CacheTests {
    @Test func listsCachedModelsWithRevisionsAndSizesAndRemovesThem() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo(weightsSize: 50_000))
        try hub.addRepo("other/model", clipRepo(weightsSize: 10_000))
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let client = HubClient(configuration: hub.configuration(server))
        let folder = try await client.snapshot(try HubModelID(parsing: "acme/tiny-clip"))
        _ = try await client.snapshot(try HubModelID(parsing: "other/model"))

        let models = client.cache.models()
        #expect(models.map(\.repo) == ["acme/tiny-clip", "other/model"])
        let tiny = try #require(models.first)
        #expect(tiny.revisions.map(\.commit) == [folder.lastPathComponent])
        #expect(tiny.revisions.first?.refs == ["main"])
        #expect(tiny.revisions.first?.files == neededFiles)
        let smallFiles = clipRepo().filter { neededFiles.contains($0.key) && $0.key != "model.safetensors" }.values.map(\.count).reduce(0, +)
        #expect(tiny.sizeOnDisk == Int64(50_000 + smallFiles))

        #expect(try client.cache.remove("acme/tiny-clip"))
        #expect(client.cache.models().map(\.repo) == ["other/model"])
        #expect(try !client.cache.remove("acme/tiny-clip"))
    }

    @Test func aSecondRevisionSharingBlobsLinksInsteadOfDownloading() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        var files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let first = try HubTestServer(root: hub.serverRoot)
        _ = try await HubClient(configuration: hub.configuration(first)).snapshot(try HubModelID(parsing: "acme/tiny-clip"))
        first.stop()
        // A new commit that only changes config.json.
        files["config.json"] = Data(#"{"model_type": "clip", "v": 2}"#.utf8)
        try hub.addRepo("acme/tiny-clip", files)
        let second = try HubTestServer(root: hub.serverRoot)
        defer { second.stop() }

        let folder = try await HubClient(configuration: hub.configuration(second)).snapshot(try HubModelID(parsing: "acme/tiny-clip"))

        #expect(try Data(contentsOf: folder.appendingPathComponent("config.json")) == files["config.json"])
        let gets = try second.requests().filter { $0.method == "GET" && !$0.path.hasPrefix("/api/") }
        #expect(gets.map(\.path) == ["/acme/tiny-clip/resolve/\(folder.lastPathComponent)/config.json"])
        let model = try #require(HubCache(root: hub.cache).model("acme/tiny-clip"))
        #expect(model.revisions.count == 2)
        #expect(model.revisions.flatMap(\.refs) == ["main"])
    }
}
