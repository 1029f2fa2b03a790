import Foundation

/// A model in the cache, as `seer models list` shows it.
public struct CachedModel: Sendable {
    public struct Revision: Sendable {
        public let commit: String
        /// Branches and tags in `refs/` that point at this commit.
        public let refs: [String]
        public let files: [String]
    }

    public let repo: String
    public let folder: URL
    /// Bytes of all complete blobs (a blob shared by revisions counts once).
    public let sizeOnDisk: Int64
    public let revisions: [Revision]
}

extension HubCache {
    /// Every model in the cache, sorted by id. Datasets and spaces are not listed.
    public func models() -> [CachedModel] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasPrefix("models--") }.sorted().compactMap { name in
            let parts = name.dropFirst("models--".count).components(separatedBy: "--")
            guard parts.count == 2 else { return nil }
            return model(parts.joined(separator: "/"))
        }
    }

    /// The cached model `repo`, or nil if it has no folder in the cache.
    public func model(_ repo: String) -> CachedModel? {
        let folder = repoFolder(repo)
        guard FileManager.default.fileExists(atPath: folder.path) else { return nil }
        let refs = readRefs(folder.appendingPathComponent("refs"))
        let snapshots = folder.appendingPathComponent("snapshots")
        let commits = ((try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []).sorted()
        let revisions = commits.map { commit in
            CachedModel.Revision(commit: commit, refs: refs.filter { $0.value == commit }.map(\.key).sorted(),
                                 files: filesBelow(snapshots.appendingPathComponent(commit)))
        }
        return CachedModel(repo: repo, folder: folder, sizeOnDisk: blobBytes(folder.appendingPathComponent("blobs")),
                           revisions: revisions)
    }

    /// Deletes the model's whole folder (every revision and blob). Returns false if it was not cached.
    @discardableResult
    public func remove(_ repo: String) throws -> Bool {
        let folder = repoFolder(repo)
        guard FileManager.default.fileExists(atPath: folder.path) else { return false }
        do {
            try FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: root.appendingPathComponent(".locks").appendingPathComponent(folder.lastPathComponent))
        } catch {
            throw HubError(.cache, "cannot remove \(folder.path): \(error.localizedDescription)")
        }
        return true
    }

    private func readRefs(_ folder: URL) -> [String: String] {
        var refs: [String: String] = [:]
        for name in filesBelow(folder) {
            if let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) {
                refs[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return refs
    }

    /// Relative paths of the files (and links) under `folder`, sorted.
    private func filesBelow(_ folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            if enumerator.fileAttributes?[.type] as? FileAttributeType != .typeDirectory { files.append(path) }
        }
        return files.sorted()
    }

    private func blobBytes(_ folder: URL) -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasSuffix(".incomplete") }.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}
