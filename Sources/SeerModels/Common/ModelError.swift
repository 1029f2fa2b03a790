import Foundation

/// Errors loading or running a model, worded for the person who typed the command.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case invalidConfig(String)
    case unsupported(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "model file not found: \(path)"
        case .invalidConfig(let message): return "invalid model config: \(message)"
        case .unsupported(let message): return "unsupported model: \(message)"
        case .invalidInput(let message): return message
        }
    }
}
