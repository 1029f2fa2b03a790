import Foundation
import Testing
@testable import SeerHub

/// Failures that are the user's to fix: they are not retried and say what to do, on one line.
@Suite struct ErrorTests {
    let id = try! HubModelID(parsing: "acme/tiny-clip")

    @Test func unauthorizedSaysToSetHFToken() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot, options: ["--token", "s3cret"])
        defer { server.stop() }

        let error = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        }
        #expect(error?.kind == .unauthorized)
        #expect(error?.description == "acme/tiny-clip: 401 Unauthorized — set HF_TOKEN for gated or private models")
        #expect(try server.requests().count == 1, "401 is not retried")

        let wrongToken = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server, token: "nope")).snapshot(id)
        }
        #expect(wrongToken?.description.contains("rejected HF_TOKEN") == true)
    }

    @Test func missingRepoRevisionAndWeightsAreNamed() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        try hub.addRepo("acme/torch-only", ["config.json": Data("{}".utf8), "pytorch_model.bin": Data([1, 2, 3])])
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let client = HubClient(configuration: hub.configuration(server))

        let repo = await #expect(throws: HubError.self) { try await client.snapshot(try HubModelID(parsing: "acme/nope")) }
        #expect(repo?.kind == .notFound)
        #expect(repo?.description == "acme/nope: not found on \(server.endpoint.absoluteString) (404) — check the id")
        #expect(try server.requests().count == 1, "404 is not retried")

        let revision = await #expect(throws: HubError.self) { try await client.snapshot(try HubModelID(parsing: "acme/tiny-clip@v9")) }
        #expect(revision?.description == "acme/tiny-clip: revision v9 not found on \(server.endpoint.absoluteString) (404)")

        let weights = await #expect(throws: HubError.self) { try await client.snapshot(try HubModelID(parsing: "acme/torch-only")) }
        #expect(weights?.kind == .missingWeights)
        #expect(weights?.description.contains("has no model.safetensors") == true)
        #expect(weights?.description.contains("pytorch_model.bin") == true)

        let file = await #expect(throws: HubError.self) {
            try await client.snapshot(try HubModelID(parsing: "acme/tiny-clip"), files: .files(["nothing.json"]))
        }
        #expect(file?.description == "acme/tiny-clip: nothing.json: not found in the repo at main (404)")
    }

    @Test func offlineUsesTheCacheWithoutAnyRequest() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let online = try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        let before = try server.requests().count

        let offline = try await HubClient(configuration: hub.configuration(server, offline: true)).snapshot(id)

        #expect(offline == online)
        #expect(try server.requests().count == before)
    }

    @Test func offlineWithoutTheModelSaysWhereItLooked() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }

        let error = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server, offline: true)).snapshot(id)
        }
        #expect(error?.kind == .offlineNotCached)
        let folder = hub.cache.appendingPathComponent("models--acme--tiny-clip").path
        #expect(error?.description == "offline (HF_HUB_OFFLINE=1) and acme/tiny-clip is not in the cache at \(folder)")
        #expect(try server.requests().isEmpty)
    }

    @Test func offlineRejectsASnapshotThatLacksWeights() async throws {
        let hub = try FakeHub()
        defer { hub.remove() }
        try hub.addRepo("acme/tiny-clip", clipRepo())
        let server = try HubTestServer(root: hub.serverRoot)
        defer { server.stop() }
        let folder = try await HubClient(configuration: hub.configuration(server)).snapshot(id)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))

        let error = await #expect(throws: HubError.self) {
            try await HubClient(configuration: hub.configuration(server, offline: true)).snapshot(id)
        }
        #expect(error?.kind == .offlineNotCached)
        #expect(error?.description.contains("model.safetensors") == true, "\(String(describing: error))")
    }
}
