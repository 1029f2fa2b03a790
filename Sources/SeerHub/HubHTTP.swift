import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A non-2xx answer from the Hub (or a host it redirected to).
struct HTTPStatusError: Error {
    let status: Int
    let url: URL
    /// The Hub's `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo…).
    let errorCode: String?
    let message: String?

    var isTransient: Bool { status == 429 || status == 408 || status >= 500 }
}

/// HTTP the way the Hub wants it: the token only to the Hub's own host, redirects followed by
/// hand, transient failures retried with exponential backoff.
struct HubHTTP: Sendable {
    let configuration: HubConfiguration

    static let maxRedirects = 10

    func request(_ url: URL, method: String = "GET", range offset: Int64 = 0) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("seer/0.1; hf_hub-compatible", forHTTPHeaderField: "User-Agent")
        // The sizes the Hub announces are of the raw bytes: ask for them uncompressed.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let token = configuration.token, isHub(url) {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        return request
    }

    /// Sends `method` to `url` and follows redirects; with `stayOnHub`, stops at a redirect that
    /// leaves the Hub's host and returns that redirect (it carries the file's metadata).
    /// Throws `HTTPStatusError` for any status >= 400.
    func send(_ url: URL, method: String = "GET", range offset: Int64 = 0, stayOnHub: Bool = false,
              sink: HTTPTransport.Sink? = nil) async throws -> (HTTPURLResponse, Data) {
        var current = url
        for _ in 0...Self.maxRedirects {
            let (response, body) = try await HTTPTransport.send(request(current, method: method, range: offset), sink: sink)
            if response.statusCode >= 400 {
                throw HTTPStatusError(status: response.statusCode, url: current, errorCode: response.header("X-Error-Code"),
                                      message: response.header("X-Error-Message"))
            }
            guard (300..<400).contains(response.statusCode), let location = response.header("Location"),
                  let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                return (response, body)
            }
            if stayOnHub && !isHub(next) { return (response, body) }
            current = next
        }
        throw URLError(.httpTooManyRedirects)
    }

    /// Runs `body` until it succeeds, retrying transient failures with exponential backoff.
    /// `body` gets the attempt number and returns whether it made progress, which resets the count
    /// (a download that keeps advancing is never given up on for being cut several times).
    func retrying<T>(_ body: (_ madeProgress: inout Bool) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            var madeProgress = false
            do {
                return try await body(&madeProgress)
            } catch {
                if madeProgress { attempt = 0 }
                attempt += 1
                guard Self.isTransient(error), attempt < configuration.retry.maxAttempts else { throw error }
                try await Task.sleep(nanoseconds: UInt64(configuration.retry.delay(afterFailure: attempt) * 1e9))
            }
        }
    }

    static func isTransient(_ error: Error) -> Bool {
        if let status = error as? HTTPStatusError { return status.isTransient }
        if let error = error as? URLError {
            // Transport failures are worth another try, except those no retry can fix. (On Linux a
            // connection cut mid-body surfaces as .unknown, so an allow-list would miss it.)
            let permanent: [URLError.Code] = [.cancelled, .badURL, .unsupportedURL, .httpTooManyRedirects,
                                              .userAuthenticationRequired, .userCancelledAuthentication,
                                              .serverCertificateUntrusted, .serverCertificateHasBadDate,
                                              .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid,
                                              .clientCertificateRejected, .clientCertificateRequired, .appTransportSecurityRequiresSecureConnection]
            return !permanent.contains(error.code)
        }
        return false
    }

    /// True for the Hub's own origin (scheme, host and port).
    func isHub(_ url: URL) -> Bool {
        let hub = configuration.endpoint
        return url.scheme == hub.scheme && url.host == hub.host && url.port == hub.port
    }

    // MARK: URLs in the Hub's scheme

    func revisionURL(_ repo: String, revision: String) -> URL {
        URL(string: configuration.endpoint.absoluteString + "/api/models/\(repo)/revision/\(Self.encode(revision))")!
    }

    func resolveURL(_ repo: String, commit: String, file: String) -> URL {
        let path = file.split(separator: "/").map { Self.encode(String($0)) }.joined(separator: "/")
        return URL(string: configuration.endpoint.absoluteString + "/\(repo)/resolve/\(Self.encode(commit))/\(path)")!
    }

    static func encode(_ component: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return component.addingPercentEncoding(withAllowedCharacters: allowed) ?? component
    }
}
