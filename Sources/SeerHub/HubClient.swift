import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches models from the Hub into its cache, the way `transformers` does: files already in the
/// cache are never downloaded again, and in offline mode nothing is requested at all.
///
///     let hub = HubClient(configuration: .fromEnvironment())
///     let folder = try await hub.snapshot(try HubModelID(parsing: "openai/clip-vit-base-patch32"))
public struct HubClient: Sendable {
    public let configuration: HubConfiguration
    public let cache: HubCache
    let http: HubHTTP

    public init(configuration: HubConfiguration) {
        self.configuration = configuration
        cache = HubCache(root: configuration.cacheDirectory)
        http = HubHTTP(configuration: configuration)
    }

    /// Returns the local snapshot folder (`…/snapshots/<commit>`) holding the selected files,
    /// downloading what the cache lacks. With `offline`, resolves from the cache only.
    public func snapshot(_ id: HubModelID, files: FileSelection = .model,
                         progress: (@Sendable (DownloadProgress) -> Void)? = nil) async throws -> URL {
        if configuration.offline {
            return try cachedSnapshot(id, files: files, because: "offline (HF_HUB_OFFLINE=1)")
        }
        // A commit hash names an immutable snapshot: if it is complete, there is nothing to ask.
        if id.revisionIsCommit, let folder = try? cachedSnapshot(id, files: files, because: "") {
            return folder
        }
        let info: RepoInfo
        do {
            info = try await repoInfo(id)
        } catch let error where HubHTTP.isTransient(error) {
            // The Hub is unreachable: what is cached still works, as in huggingface_hub.
            if let folder = try? cachedSnapshot(id, files: files, because: "") { return folder }
            throw describe(error, id)
        }
        let names = try files.select(from: info.files, repo: id.repo)
        for name in names {
            try await fetch(name, id: id, commit: info.commit, progress: progress)
        }
        if case .model = files, names.contains(FileSelection.weightsIndex) {
            let index = cache.snapshotFolder(id.repo, commit: info.commit).appendingPathComponent(FileSelection.weightsIndex)
            for shard in try FileSelection.shards(index: index) {
                try await fetch(shard, id: id, commit: info.commit, progress: progress)
            }
        }
        try cache.writeRef(id.repo, revision: id.revision, commit: info.commit)
        return cache.snapshotFolder(id.repo, commit: info.commit)
    }

    /// The cached snapshot for `id` with every selected file present, or an error that says why not.
    public func cachedSnapshot(_ id: HubModelID, files: FileSelection = .model, because reason: String) throws -> URL {
        let folder = cache.repoFolder(id.repo)
        guard let commit = cache.commit(for: id),
              FileManager.default.fileExists(atPath: cache.snapshotFolder(id.repo, commit: commit).path) else {
            throw HubError(.offlineNotCached, "\(reason) and \(id) is not in the cache at \(folder.path)")
        }
        let snapshot = cache.snapshotFolder(id.repo, commit: commit)
        let present = (try? FileManager.default.subpathsOfDirectory(atPath: snapshot.path)) ?? []
        var needed: [String]
        do {
            needed = try files.select(from: present.filter { cache.hasFile(id.repo, commit: commit, file: $0) }, repo: id.repo)
            if needed.contains(FileSelection.weightsIndex) {
                needed += try FileSelection.shards(index: snapshot.appendingPathComponent(FileSelection.weightsIndex))
            }
        } catch let error as HubError {
            throw HubError(.offlineNotCached, "\(reason) and the cached \(id) at \(snapshot.path) is incomplete: \(error.description)")
        }
        if let missing = needed.first(where: { !cache.hasFile(id.repo, commit: commit, file: $0) }) {
            throw HubError(.offlineNotCached, "\(reason) and the cached \(id) at \(snapshot.path) lacks \(missing)")
        }
        return snapshot
    }

    /// Makes `snapshots/<commit>/<name>` exist: nothing to do if it does, a link if the blob is
    /// cached already (another revision shares it), else a download.
    private func fetch(_ name: String, id: HubModelID, commit: String,
                       progress: (@Sendable (DownloadProgress) -> Void)?) async throws {
        if cache.hasFile(id.repo, commit: commit, file: name) { return }
        let url = http.resolveURL(id.repo, commit: commit, file: name)
        do {
            let file = try await http.retrying { _ in
                let (response, _) = try await http.send(url, method: "HEAD", stayOnHub: true)
                return try RemoteFile(name: name, response: response, requested: url)
            }
            if !cache.hasBlob(id.repo, etag: file.etag) {
                try cache.createFolder(cache.blob(id.repo, etag: file.etag).deletingLastPathComponent())
                try await BlobDownload(http: http, file: file, destination: cache.blob(id.repo, etag: file.etag),
                                       progress: progress).run()
            }
            try cache.link(id.repo, commit: commit, file: name, etag: file.etag)
        } catch {
            throw describe(error, id, file: name)
        }
    }
}
