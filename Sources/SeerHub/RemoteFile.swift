import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the Hub says about one file before it is downloaded (from `HEAD …/resolve/COMMIT/FILE`,
/// read as huggingface_hub's `get_hf_file_metadata` reads it).
struct RemoteFile: Sendable {
    let name: String
    /// The blob's name in the cache: the sha256 for LFS files (`X-Linked-Etag`), else the git ETag.
    let etag: String
    let size: Int64?
    /// Where the bytes are: the resolve URL itself, or the storage URL it redirects to.
    let location: URL
    let commit: String?

    /// LFS files are named by their sha256, which the download is checked against.
    var sha256: String? { Self.isSHA256(etag) ? etag : nil }

    init(name: String, response: HTTPURLResponse, requested: URL) throws {
        guard let etag = Self.normalize(response.header("X-Linked-Etag") ?? response.header("ETag")), !etag.isEmpty,
              !etag.contains("/"), !etag.hasPrefix(".") else {
            throw HubError(.network, "\(requested.absoluteString): the server sent no ETag, so the file cannot be cached")
        }
        let isRedirect = (300..<400).contains(response.statusCode)
        self.name = name
        self.etag = etag
        size = (response.header("X-Linked-Size") ?? (isRedirect ? nil : response.header("Content-Length"))).flatMap { Int64($0) }
        location = response.header("Location").flatMap { URL(string: $0, relativeTo: requested)?.absoluteURL } ?? requested
        commit = response.header("X-Repo-Commit")
    }

    /// `W/"abc"` and `"abc"` both name the blob `abc`.
    static func normalize(_ etag: String?) -> String? {
        guard var etag else { return nil }
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        return etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func isSHA256(_ text: String) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit }
    }
}
