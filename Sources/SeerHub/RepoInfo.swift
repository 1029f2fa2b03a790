import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A revision of a repo: `GET /api/models/ORG/NAME/revision/REV` → `{"sha": …, "siblings": [{"rfilename": …}]}`.
struct RepoInfo: Sendable {
    let commit: String
    let files: [String]
}

extension HubClient {
    func repoInfo(_ id: HubModelID) async throws -> RepoInfo {
        let url = http.revisionURL(id.repo, revision: id.revision)
        do {
            let (_, body) = try await http.retrying { _ in try await http.send(url) }
            guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                  let sha = json["sha"] as? String, HubModelID.isCommitHash(sha) else {
                throw HubError(.network, "\(id): \(url.absoluteString) did not answer with a revision (no sha)")
            }
            let siblings = (json["siblings"] as? [[String: Any]]) ?? []
            return RepoInfo(commit: sha, files: siblings.compactMap { $0["rfilename"] as? String })
        } catch let error where !HubHTTP.isTransient(error) {
            throw describe(error, id)
        }
    }

    /// Turns transport and status failures into one line that says what to do.
    func describe(_ error: Error, _ id: HubModelID, file: String? = nil) -> Error {
        if error is HubError { return error }
        let what = file.map { "\(id): \($0)" } ?? "\(id)"
        if let status = error as? HTTPStatusError {
            switch status.status {
            case 401:
                return HubError(.unauthorized, configuration.token == nil
                    ? "\(what): 401 Unauthorized — set HF_TOKEN for gated or private models"
                    : "\(what): 401 Unauthorized — the Hub rejected HF_TOKEN (or the repo does not exist)")
            case 403:
                return HubError(.forbidden, "\(what): 403 Forbidden — this token may not read \(id.repo) (for a gated model, accept its terms on the Hub)")
            case 404:
                switch status.errorCode {
                case "RevisionNotFound": return HubError(.notFound, "\(id.repo): revision \(id.revision) not found on \(configuration.endpoint.absoluteString) (404)")
                case "EntryNotFound": return HubError(.notFound, "\(what): not found in the repo at \(id.revision) (404)")
                default:
                    return HubError(.notFound, file == nil
                        ? "\(id.repo): not found on \(configuration.endpoint.absoluteString) (404) — check the id"
                        : "\(what): not found (404)")
                }
            default:
                return HubError(.network, "\(what): HTTP \(status.status) from \(status.url.host ?? status.url.absoluteString)\(status.message.map { " — \($0)" } ?? "") (gave up after \(configuration.retry.maxAttempts) attempts)")
            }
        }
        if let urlError = error as? URLError {
            return HubError(.network, "\(what): cannot reach \(configuration.endpoint.absoluteString) (\(urlError.localizedDescription)); set HF_HUB_OFFLINE=1 to use the cache only")
        }
        return HubError(.network, "\(what): \(error.localizedDescription)")
    }
}
