/// A tokenizer file that is missing, unreadable or malformed. `description` is one line that
/// names the file, e.g. `merges.txt (/models/clip/merges.txt): malformed merge on line 12: "a b c"`.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file does not exist (or, for a directory, none of the accepted files do).
        case missingFile
        /// The file exists but could not be read or decoded as UTF-8 / JSON.
        case unreadable
        /// The content is not what a CLIP BPE tokenizer needs (wrong JSON shape, bad merge line…).
        case malformed
    }

    public let kind: Kind
    /// Path of the file (or directory) at fault.
    public let path: String
    /// What is wrong, without the path.
    public let message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let location = name == path ? path : "\(name) (\(path))"
        return "\(location): \(message)"
    }
}
