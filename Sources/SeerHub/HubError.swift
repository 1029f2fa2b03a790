import Foundation

/// Everything that can go wrong talking to the Hub or reading its cache. `description` is one
/// line meant for the user; `kind` is for code that reacts to the failure.
public struct HubError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case invalidID
        case unauthorized       // 401: no token, or a bad one
        case forbidden          // 403: the token may not read this repo (gated)
        case notFound           // 404: repo, revision or file
        case offlineNotCached   // HF_HUB_OFFLINE=1 and the cache lacks what was asked
        case checksumMismatch   // the bytes are not what the Hub said they would be
        case missingWeights     // the repo has no safetensors weights Seer can read
        case network            // transport failure or server error that outlasted the retries
        case cache              // the cache folder cannot be read or written
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
