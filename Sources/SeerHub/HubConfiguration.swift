import Foundation

/// Where the Hub is, where its cache lives, and how to talk to it. `fromEnvironment()` reads the
/// same variables as Python's `huggingface_hub`, so both share one cache.
public struct HubConfiguration: Sendable {
    /// The Hub, e.g. https://huggingface.co (`HF_ENDPOINT`).
    public var endpoint: URL
    /// The cache root holding `models--ORG--NAME` folders (`HF_HUB_CACHE`, `$HF_HOME/hub`).
    public var cacheDirectory: URL
    /// Sent as `Authorization: Bearer …` to the Hub, never to the hosts it redirects to (`HF_TOKEN`).
    public var token: String?
    /// Resolve from the cache only, with no request at all (`HF_HUB_OFFLINE=1`).
    public var offline: Bool
    public var retry: RetryPolicy

    public static let defaultEndpoint = URL(string: "https://huggingface.co")!

    public init(endpoint: URL = defaultEndpoint, cacheDirectory: URL, token: String? = nil,
                offline: Bool = false, retry: RetryPolicy = RetryPolicy()) {
        self.endpoint = endpoint
        self.cacheDirectory = cacheDirectory
        self.token = token
        self.offline = offline
        self.retry = retry
    }

    /// Reads `HF_ENDPOINT`, `HF_HUB_CACHE` (or the legacy `HUGGINGFACE_HUB_CACHE`), `HF_HOME`,
    /// `XDG_CACHE_HOME`, `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`), `HF_TOKEN`, and the token
    /// file `huggingface-cli login` writes (`HF_TOKEN_PATH`, default `$HF_HOME/token`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HubConfiguration {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let home = value("HOME") ?? NSHomeDirectory()
        func expand(_ path: String) -> URL {
            URL(fileURLWithPath: path.hasPrefix("~") ? home + path.dropFirst() : path)
        }
        let hfHome = value("HF_HOME").map(expand)
            ?? expand(value("XDG_CACHE_HOME") ?? home + "/.cache").appendingPathComponent("huggingface")
        let cache = (value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE")).map(expand)
            ?? hfHome.appendingPathComponent("hub")
        let endpointText = (value("HF_ENDPOINT") ?? defaultEndpoint.absoluteString).trimmingSuffix("/")
        let tokenFile = value("HF_TOKEN_PATH").map(expand) ?? hfHome.appendingPathComponent("token")
        let token = value("HF_TOKEN")
            ?? (try? String(contentsOf: tokenFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubConfiguration(
            endpoint: URL(string: endpointText) ?? defaultEndpoint,
            cacheDirectory: cache,
            token: token?.isEmpty == false ? token : nil,
            offline: isTrue(value("HF_HUB_OFFLINE") ?? value("TRANSFORMERS_OFFLINE"))
        )
    }

    /// huggingface_hub's reading of boolean variables: 1, ON, YES, TRUE in any case.
    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["1", "ON", "YES", "TRUE"].contains(value.uppercased())
    }
}

/// Retries of transient failures (connection lost or refused, timeouts, 429, 5xx) with exponential
/// backoff: `baseDelay`, then twice that, and so on. 401, 403 and 404 are never retried.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 1) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
    }

    func delay(afterFailure attempt: Int) -> Double {
        baseDelay * pow(2, Double(attempt - 1))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
