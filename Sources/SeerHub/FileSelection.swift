import Foundation

/// Which files of a repo to fetch.
public enum FileSelection: Sendable {
    /// What Seer needs to load a model: config.json, model.safetensors (or its index and every
    /// shard it names), preprocessor_config.json and the tokenizer files, when the repo has them.
    case model
    /// Exactly these files.
    case files([String])

    static let weights = "model.safetensors"
    static let weightsIndex = "model.safetensors.index.json"
    static let optional = ["preprocessor_config.json", "vocab.json", "merges.txt", "tokenizer.json", "spiece.model",
                           "tokenizer_config.json", "special_tokens_map.json"]

    /// The files to fetch first, from the repo's list. Shards named by an index come later (see `shards`).
    func select(from available: [String], repo: String) throws -> [String] {
        switch self {
        case .files(let names):
            return names
        case .model:
            let have = Set(available)
            guard have.contains("config.json") else {
                throw HubError(.missingWeights, "\(repo) has no config.json, so it is not a model Seer can load")
            }
            let weights = have.contains(Self.weights) ? Self.weights : Self.weightsIndex
            guard have.contains(weights) else {
                let others = available.filter { $0.hasSuffix(".bin") || $0.hasSuffix(".safetensors") || $0.hasSuffix(".pt") }
                throw HubError(.missingWeights, "\(repo) has no \(Self.weights) or \(Self.weightsIndex) (Seer reads safetensors weights in transformers' layout; the repo has \(others.isEmpty ? "no weights" : others.joined(separator: ", ")))")
            }
            return ["config.json"] + Self.optional.filter(have.contains) + [weights]
        }
    }

    /// The shard files a `model.safetensors.index.json` names in its `weight_map`, sorted.
    static func shards(index: URL) throws -> [String] {
        guard let data = try? Data(contentsOf: index),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String] else {
            throw HubError(.missingWeights, "\(index.path): not a safetensors index (no weight_map)")
        }
        let shards = Set(map.values).sorted()
        if let bad = shards.first(where: { $0.hasPrefix("/") || $0.contains("..") }) {
            throw HubError(.missingWeights, "\(index.path): shard name \(bad) is not a file in the repo")
        }
        return shards
    }
}
