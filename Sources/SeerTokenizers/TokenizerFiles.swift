import Foundation

// Readers for the Hugging Face tokenizer files. Every failure is a one-line TokenizerError that
// names the file.

extension CLIPTokenizer {
    static func readData(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TokenizerError(.missingFile, path: url.path, "file not found")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError(.unreadable, path: url.path, "cannot read file (\(error.localizedDescription))")
        }
    }

    static func readJSONObject(_ url: URL) throws -> [String: Any] {
        let data = try readData(url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw TokenizerError(.unreadable, path: url.path, "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw TokenizerError(.malformed, path: url.path, "expected a JSON object at the top level")
        }
        return dictionary
    }

    /// `vocab.json`: a JSON object of token → id.
    static func readVocab(_ url: URL) throws -> [String: Int] {
        try vocabulary(from: readJSONObject(url), path: url.path, what: "vocab.json")
    }

    static func vocabulary(from object: [String: Any], path: String, what: String) throws -> [String: Int] {
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(object.count)
        for (token, value) in object {
            guard let id = integer(value) else {
                throw TokenizerError(.malformed, path: path, "\(what): id of token \(quoted(token)) is not an integer")
            }
            vocab[token] = id
        }
        return vocab
    }

    /// `merges.txt`: an optional `#version` line, then "left right" per line (blank lines ignored).
    static func readMerges(_ url: URL) throws -> [(String, String, line: Int)] {
        let data = try readData(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError(.unreadable, path: url.path, "not valid UTF-8")
        }
        var merges: [(String, String, line: Int)] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || (lineNumber == 1 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError(.malformed, path: url.path,
                                     "malformed merge on line \(lineNumber): \(quoted(String(line.prefix(80)))) (expected \"left right\")")
            }
            merges.append((String(parts[0]), String(parts[1]), line: lineNumber))
        }
        if merges.isEmpty { throw TokenizerError(.malformed, path: url.path, "no merges") }
        return merges
    }

    static func integer(_ value: Any) -> Int? {
        if let i = value as? Int { return i }
        if let n = value as? NSNumber {
            let d = n.doubleValue
            if d.rounded() == d, abs(d) < 9e15 { return Int(d) }
        }
        return nil
    }

    static func tokenString(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let d = value as? [String: Any] { return d["content"] as? String }
        return nil
    }

    /// The parts of `tokenizer_config.json` that matter here.
    struct Config {
        var modelMaxLength: Int?
        var bosToken: String?
        var eosToken: String?
        var unknownToken: String?
        var padToken: String?
        var addedTokens: [AddedToken]?

        init() {}

        init(contentsOf url: URL) throws {
            let object = try readJSONObject(url)
            // transformers writes 1e30 ("no limit") when a model has none; keep our default then.
            if let value = object["model_max_length"] {
                guard let n = value as? NSNumber ?? (value as? Int).map(NSNumber.init(value:)) else {
                    throw TokenizerError(.malformed, path: url.path, "model_max_length is not a number")
                }
                let d = n.doubleValue
                if d >= 2 && d <= 1_000_000 { modelMaxLength = Int(d) }
            }
            bosToken = tokenString(object["bos_token"])
            eosToken = tokenString(object["eos_token"])
            unknownToken = tokenString(object["unk_token"])
            padToken = tokenString(object["pad_token"])
            if let decoder = object["added_tokens_decoder"] as? [String: Any] {
                var tokens: [AddedToken] = []
                for (key, value) in decoder {
                    guard let id = Int(key), let entry = value as? [String: Any], let content = entry["content"] as? String else {
                        throw TokenizerError(.malformed, path: url.path, "added_tokens_decoder entry \(quoted(key)) is malformed")
                    }
                    tokens.append(AddedToken(id: id, content: content, normalized: entry["normalized"] as? Bool ?? false,
                                             special: entry["special"] as? Bool ?? false))
                }
                addedTokens = tokens.sorted { $0.id < $1.id }
            }
        }
    }

    /// The parts of `tokenizer.json` that matter here: the BPE model and the added tokens.
    struct TokenizerJSON {
        var vocab: [String: Int]
        var merges: [(String, String, line: Int)]
        var addedTokens: [AddedToken]?
        var endOfWordSuffix: String
        var unknownToken: String?

        init(contentsOf url: URL) throws {
            let object = try readJSONObject(url)
            let path = url.path
            guard let model = object["model"] as? [String: Any] else {
                throw TokenizerError(.malformed, path: path, "no \"model\" object")
            }
            if let type = model["type"] as? String, type != "BPE" {
                throw TokenizerError(.malformed, path: path, "model.type is \(quoted(type)), expected \"BPE\"")
            }
            guard let vocabObject = model["vocab"] as? [String: Any] else {
                throw TokenizerError(.malformed, path: path, "model.vocab is missing or not an object")
            }
            vocab = try vocabulary(from: vocabObject, path: path, what: "model.vocab")
            guard let mergeList = model["merges"] as? [Any] else {
                throw TokenizerError(.malformed, path: path, "model.merges is missing or not an array")
            }
            merges = []
            merges.reserveCapacity(mergeList.count)
            for (index, entry) in mergeList.enumerated() {
                if let s = entry as? String {
                    let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        throw TokenizerError(.malformed, path: path, "model.merges[\(index)] is malformed: \(quoted(s)) (expected \"left right\")")
                    }
                    merges.append((String(parts[0]), String(parts[1]), line: index))
                } else if let pair = entry as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                    merges.append((a, b, line: index))
                } else {
                    throw TokenizerError(.malformed, path: path, "model.merges[\(index)] is neither \"left right\" nor [left, right]")
                }
            }
            endOfWordSuffix = model["end_of_word_suffix"] as? String ?? "</w>"
            unknownToken = model["unk_token"] as? String
            if let list = object["added_tokens"] as? [Any] {
                var tokens: [AddedToken] = []
                for (index, item) in list.enumerated() {
                    guard let entry = item as? [String: Any], let content = entry["content"] as? String,
                          let idValue = entry["id"], let id = integer(idValue) else {
                        throw TokenizerError(.malformed, path: path, "added_tokens[\(index)] is malformed")
                    }
                    tokens.append(AddedToken(id: id, content: content, normalized: entry["normalized"] as? Bool ?? false,
                                             special: entry["special"] as? Bool ?? false))
                }
                addedTokens = tokens
            }
        }
    }
}
