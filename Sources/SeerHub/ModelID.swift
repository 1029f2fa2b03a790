import Foundation

/// A model on the Hub, written `ORG/NAME` or `ORG/NAME@REVISION` (a branch, tag or commit hash).
public struct HubModelID: Sendable, Hashable, CustomStringConvertible {
    public let repo: String
    public let revision: String

    public init(repo: String, revision: String = "main") throws {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(Self.isValidName) else {
            throw HubError(.invalidID, "\(repo) is not a Hub model id (expected ORG/NAME, e.g. openai/clip-vit-base-patch32)")
        }
        guard !revision.isEmpty, !revision.contains(".."), !revision.hasPrefix("/") else {
            throw HubError(.invalidID, "\(repo)@\(revision): invalid revision")
        }
        self.repo = repo
        self.revision = revision
    }

    /// Parses `ORG/NAME[@REVISION]`.
    public init(parsing text: String) throws {
        if let at = text.firstIndex(of: "@") {
            try self.init(repo: String(text[..<at]), revision: String(text[text.index(after: at)...]))
        } else {
            try self.init(repo: text)
        }
    }

    public var description: String { revision == "main" ? repo : "\(repo)@\(revision)" }

    /// True for a full 40-hex commit hash, which names an immutable snapshot.
    public var revisionIsCommit: Bool { Self.isCommitHash(revision) }

    static func isCommitHash(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    private static func isValidName(_ name: Substring) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.hasPrefix("-")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
