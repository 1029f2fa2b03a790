import Foundation

/// The Hub's cache layout, shared with Python's `huggingface_hub`:
///
///     <root>/models--ORG--NAME/
///         blobs/<etag>                  file contents, named by sha256 (LFS) or git blob sha1
///         blobs/<etag>.incomplete       a download in progress (resumable)
///         snapshots/<commit>/<file>     relative symlinks into ../../blobs
///         refs/<branch-or-tag>          the commit the name pointed to when last fetched
public struct HubCache: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func repoFolder(_ repo: String) -> URL {
        root.appendingPathComponent("models--" + repo.replacingOccurrences(of: "/", with: "--"))
    }

    public func snapshotFolder(_ repo: String, commit: String) -> URL {
        repoFolder(repo).appendingPathComponent("snapshots").appendingPathComponent(commit)
    }

    func blob(_ repo: String, etag: String) -> URL {
        repoFolder(repo).appendingPathComponent("blobs").appendingPathComponent(etag)
    }

    func refFile(_ repo: String, revision: String) -> URL {
        repoFolder(repo).appendingPathComponent("refs").appendingPathComponent(revision)
    }

    /// The commit a revision names in the cache: itself if it is a commit hash, else what its ref holds.
    public func commit(for id: HubModelID) -> String? {
        if id.revisionIsCommit { return id.revision }
        guard let text = try? String(contentsOf: refFile(id.repo, revision: id.revision), encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubModelID.isCommitHash(commit) ? commit : nil
    }

    /// Records that `revision` now points at `commit`, atomically (readers never see half a ref).
    func writeRef(_ repo: String, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let file = refFile(repo, revision: revision)
        if (try? String(contentsOf: file, encoding: .utf8)) == commit { return }
        try createFolder(file.deletingLastPathComponent())
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        try Data(commit.utf8).write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw HubError(.cache, "cannot write \(file.path): \(String(cString: strerror(errno)))")
        }
    }

    /// True if the snapshot holds `file` and it resolves to a real file (not a dangling link).
    func hasFile(_ repo: String, commit: String, file: String) -> Bool {
        var isFolder: ObjCBool = false
        let path = snapshotFolder(repo, commit: commit).appendingPathComponent(file).path
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
    }

    func hasBlob(_ repo: String, etag: String) -> Bool {
        FileManager.default.fileExists(atPath: blob(repo, etag: etag).path)
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink, as
    /// huggingface_hub does, so the cache can be moved as a whole.
    func link(_ repo: String, commit: String, file: String, etag: String) throws {
        let pointer = snapshotFolder(repo, commit: commit).appendingPathComponent(file)
        try createFolder(pointer.deletingLastPathComponent())
        let depth = file.split(separator: "/").count + 1   // from the file's folder up to models--ORG--NAME
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        try? FileManager.default.removeItem(at: pointer)
        do {
            try FileManager.default.createSymbolicLink(atPath: pointer.path, withDestinationPath: target)
        } catch {
            throw HubError(.cache, "cannot link \(pointer.path): \(error.localizedDescription)")
        }
    }

    func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw HubError(.cache, "cannot create \(url.path): \(error.localizedDescription)")
        }
    }
}
