import Foundation

/// A decoding or preprocessing failure, with a one-line message meant for people.
///
/// `description` is the message, prefixed with the file path when the image came from a file
/// (`ImageLoader.load(contentsOf:)`).
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case empty            // zero bytes
        case unknownFormat    // not a JPEG, PNG or WebP file
        case truncated        // the data ends before the image does
        case corrupt          // the codec rejected the data
        case unsupported      // a valid file in a layout we do not decode
        case tooLarge         // dimensions above ImageLimits.maxPixels (or absurd)
        case io               // the file could not be read
        case invalidConfig    // a preprocessor_config.json we cannot use
    }

    public let kind: Kind
    public let message: String
    /// The file the image came from, when known.
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
