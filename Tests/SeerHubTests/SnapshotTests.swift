import Foundation
import Testing
@testable import SeerHub

/// Pulls against `scripts/hub_test_server.py`: the cache it writes, and the requests it makes.
@Suite struct SnapshotTests {
    let id = try! HubModelID(parsing: "acme/tiny-clip")

    @Test func freshPullFetchesOnlyNeededFilesIntoTheHubLayout() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot, options: ["--token", "s3cret"])
        defer { server.stop() }

        let folder = try await HubClient(configuration: hub.configuration(server, token: "s3cret")).snapshot(id)

        let repoFolder = hub.cache.appendingPathComponent("models--acme--tiny-clip")
        let commit = try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8)
        #expect(commit.count == 40)
        #expect(folder.standardizedFileURL == repoFolder.appendingPathComponent("snapshots/\(commit)").standardizedFileURL)
        #expect(listing(folder) == neededFiles)
        for name in neededFiles {
            #expect(try Data(contentsOf: folder.appendingPathComponent(name)) == files[name])
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent(name).path)
            #expect(target.hasPrefix("../../blobs/"), "\(name) -> \(target)")
        }
        // LFS blobs are named by sha256 (X-Linked-Etag), others by the git ETag.
        let weightsSHA = try sha256Hex(files["model.safetensors"]!)
        let weightsLink = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("model.safetensors").path)
        #expect(weightsLink == "../../blobs/\(weightsSHA)")
        let blobs = listing(repoFolder.appendingPathComponent("blobs"))
        #expect(blobs.count == neededFiles.count)
        #expect(!blobs.contains { $0.hasSuffix(".incomplete") })

        let requests = try server.requests()
        #expect(!requests.contains { $0.path.hasSuffix("README.md") || $0.path.hasSuffix(".bin") || $0.path.contains("open_clip") })
        // The token goes to the Hub, never to the storage host it redirects to.
        #expect(requests.filter { !$0.path.hasPrefix("/lfs/") }.allSatisfy { $0.auth == "Bearer s3cret" })
        let lfs = requests.filter { $0.path.hasPrefix("/lfs/") }
        #expect(lfs.count == 1 && lfs.allSatisfy { $0.auth == nil })
    }

    @Test func cachedPullMakesNoFileRequests() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let client = HubClient(configuration: hub.configuration(server))

        let first = try await client.snapshot(id)
        let before = try server.requests().count
        let second = try await client.snapshot(id)

        #expect(first == second)
        let after = try server.requests().dropFirst(before)
        #expect(after.map(\.path) == ["/api/models/acme/tiny-clip/revision/main"], "only the revision is asked for")
        // Naming the commit skips even that: the snapshot is immutable.
        let commit = first.lastPathComponent
        let third = try await client.snapshot(try HubModelID(parsing: "acme/tiny-clip@\(commit)"))
        #expect(third == first)
        #expect(try server.requests().count == before + 1)
    }

    @Test func resumesAfterTheConnectionIsCutMidFile() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot, options: ["--cut", "model.safetensors:100000"])
        defer { server.stop() }

        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)

        let sha = try sha256Hex(files["model.safetensors"]!)
        let gets = try server.downloads(of: "model.safetensors", sha256: sha)
        #expect(gets.count == 2)
        #expect(gets.first?.range == nil)
        #expect(gets.last?.range == "bytes=100000-")
        #expect(try sha256(of: folder.appendingPathComponent("model.safetensors")) == sha)
    }

    @Test func resumesAnIncompleteFileLeftByAnEarlierRun() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let weights = files["model.safetensors"]!
        let sha = try sha256Hex(weights)
        let blobs = hub.cache.appendingPathComponent("models--acme--tiny-clip/blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try weights.prefix(123_456).write(to: blobs.appendingPathComponent("\(sha).incomplete"))

        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)

        #expect(try server.downloads(of: "model.safetensors", sha256: sha).map(\.range) == ["bytes=123456-"])
        #expect(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")) == weights)
    }

    @Test func corruptDownloadIsRejectedAndLeavesNothingThatLooksComplete() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        let files = clipRepo()
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot, options: ["--corrupt", "model.safetensors"])
        defer { server.stop() }

        let error = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.description.contains("model.safetensors: sha256 mismatch") == true, "\(String(describing: error))")

        let repoFolder = hub.cache.appendingPathComponent("models--acme--tiny-clip")
        let snapshots = listing(repoFolder.appendingPathComponent("snapshots"))
        #expect(!snapshots.contains { $0.hasSuffix("model.safetensors") }, "\(snapshots)")
        let blobs = listing(repoFolder.appendingPathComponent("blobs"))
        let sha = try sha256Hex(files["model.safetensors"]!)
        #expect(!blobs.contains { $0.hasPrefix(sha) }, "\(blobs)")
        #expect(!FileManager.default.fileExists(atPath: repoFolder.appendingPathComponent("refs/main").path))
    }

    @Test func shardedWeightsFetchEveryShardTheIndexNames() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        var files = clipRepo()
        files["model.safetensors"] = nil
        let index = #"{"metadata": {"total_size": 3000}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors", "c.weight": "model-00001-of-00002.safetensors"}}"#
        files["model.safetensors.index.json"] = Data(index.utf8)
        files["model-00001-of-00002.safetensors"] = randomBytes(2000, seed: 10)
        files["model-00002-of-00002.safetensors"] = randomBytes(1000, seed: 11)
        try hub.addRepo("acme/tiny-clip", files)
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }

        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)

        let expected = (neededFiles.filter { $0 != "model.safetensors" } + ["model.safetensors.index.json", "model-00001-of-00002.safetensors",
                                                                            "model-00002-of-00002.safetensors"]).sorted()
        #expect(listing(folder) == expected)
        for name in expected { #expect(try Data(contentsOf: folder.appendingPathComponent(name)) == files[name]) }
    }

    @Test func transientErrorsAreRetried() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot, options: ["--fail", "api:500:1", "--fail", "config.json:503:2",
                                                                        "--fail", "model.safetensors:429:1"])
        defer { server.stop() }

        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)

        #expect(listing(folder) == neededFiles)
        let requests = try server.requests()
        #expect(requests.filter { $0.path.hasPrefix("/api/") }.count == 2)
        #expect(requests.filter { $0.path.hasSuffix("/config.json") }.count == 4, "3 HEADs (2 failed), then the GET")
    }

    @Test func serverErrorsThatPersistGiveUpWithOneLine() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot, options: ["--fail", "api:502:100"])
        defer { server.stop() }

        let error = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        }
        #expect(error?.kind == .network)
        #expect(error?.description.contains("HTTP 502") == true, "\(String(describing: error))")
        #expect(try server.requests().count == 4, "maxAttempts")
    }
}
