import Foundation

/// The CLIP text tokenizer: byte-level BPE with `</w>` word ends, token for token what
/// `transformers.CLIPTokenizer` (5.x, backed by the `tokenizers` library) produces.
///
/// ```swift
/// let tokenizer = try CLIPTokenizer(directory: snapshotURL)   // vocab.json + merges.txt
/// tokenizer.encode("a photo of a cat")   // [49406, 320, 1125, 539, 320, 2368, 49407]
/// ```
///
/// Pipeline (see `CLIPPreTokenizer` for the details that matter for fidelity):
/// special-token strings typed in the text are matched first, as the `tokenizers` added
/// vocabulary does: tokens marked `"normalized": false` (the default without a config) on the
/// raw text, so `<|endoftext|>` becomes 49407 and `<|ENDOFTEXT|>` is tokenized as text; tokens
/// marked `"normalized": true` (the Hub's CLIP `tokenizer_config.json`) after normalization too,
/// so `<|ENDOFTEXT|>` becomes 49407 as well. Each stretch between them is normalized (NFC,
/// lowercase), split into words by CLIP's regex, and each word, as UTF-8 bytes, is merged by
/// BPE. `encode` wraps the ids in BOS…EOS and truncates to `maxLength`. The `lstrip`, `rstrip`
/// and `single_word` options of added tokens are not supported (CLIP's are all false).
///
/// `encode` is pure; a word cache shared by copies of the tokenizer (lock-guarded) makes repeated
/// words cheap. The type is `Sendable` and safe to use from any number of tasks at once.
public struct CLIPTokenizer: Sendable {
    /// Maximum length of `encode`'s output, BOS and EOS included: 77 unless
    /// `tokenizer_config.json` says otherwise (`model_max_length`).
    public var maxLength: Int
    public let bosTokenID: Int32
    public let eosTokenID: Int32
    /// Number of ids: one more than the largest id in the vocabulary and added tokens.
    public let vocabularySize: Int

    /// Token strings by id ("" for ids nobody uses).
    private let idToToken: [String]
    let encoder: BytePairEncoder
    private let specialIDs: Set<Int32>
    /// Added tokens matched on the raw text (`normalized: false`), and on normalized text.
    private let rawAddedTokens: AddedTokenMatcher<UInt8>
    private let normalizedAddedTokens: AddedTokenMatcher<Unicode.Scalar>
    private let cache = WordCache()

    public static let defaultMaxLength = 77
    public static let defaultBOSToken = "<|startoftext|>"
    public static let defaultEOSToken = "<|endoftext|>"

    // MARK: Loading

    /// Loads a Hub-layout `vocab.json` (token → id) and `merges.txt` (`#version` header, then
    /// one "left right" merge per line, best first).
    public init(vocabURL: URL, mergesURL: URL) throws {
        let vocab = try Self.readVocab(vocabURL)
        let merges = try Self.readMerges(mergesURL)
        try self.init(vocab: vocab, merges: merges, vocabPath: vocabURL.path, mergesPath: mergesURL.path,
                      addedTokens: nil, config: .init())
    }

    /// Loads a tokenizer folder in Hugging Face layout: `vocab.json` + `merges.txt`, or else
    /// `tokenizer.json` (`model.vocab`, `model.merges` as "a b" strings or [a, b] pairs,
    /// `added_tokens`). `tokenizer_config.json`, when present, supplies `model_max_length`,
    /// the BOS/EOS token strings and, through `added_tokens_decoder`, how special tokens match.
    public init(directory: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError(.missingFile, path: directory.path, "tokenizer directory not found")
        }
        let vocabURL = directory.appendingPathComponent("vocab.json")
        let mergesURL = directory.appendingPathComponent("merges.txt")
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = fm.fileExists(atPath: configURL.path) ? try Config(contentsOf: configURL) : Config()

        let hasVocab = fm.fileExists(atPath: vocabURL.path)
        let hasMerges = fm.fileExists(atPath: mergesURL.path)
        if hasVocab && hasMerges {
            let vocab = try Self.readVocab(vocabURL)
            let merges = try Self.readMerges(mergesURL)
            try self.init(vocab: vocab, merges: merges, vocabPath: vocabURL.path, mergesPath: mergesURL.path,
                          addedTokens: config.addedTokens, config: config)
        } else if fm.fileExists(atPath: tokenizerURL.path) {
            let file = try TokenizerJSON(contentsOf: tokenizerURL)
            try self.init(vocab: file.vocab, merges: file.merges, vocabPath: tokenizerURL.path,
                          mergesPath: tokenizerURL.path, addedTokens: file.addedTokens ?? config.addedTokens,
                          config: config, endOfWordSuffix: file.endOfWordSuffix, unknownToken: file.unknownToken)
        } else if hasVocab {
            throw TokenizerError(.missingFile, path: mergesURL.path, "merges.txt not found (and no tokenizer.json)")
        } else if hasMerges {
            throw TokenizerError(.missingFile, path: vocabURL.path, "vocab.json not found (and no tokenizer.json)")
        } else {
            throw TokenizerError(.missingFile, path: directory.path,
                                 "no tokenizer files: expected vocab.json + merges.txt, or tokenizer.json")
        }
        if let length = config.modelMaxLength { maxLength = length }
    }

    private init(
        vocab: [String: Int], merges: [(String, String, line: Int)], vocabPath: String, mergesPath: String,
        addedTokens: [AddedToken]?, config: Config, endOfWordSuffix: String = "</w>", unknownToken: String? = nil
    ) throws {
        guard !vocab.isEmpty else { throw TokenizerError(.malformed, path: vocabPath, "vocabulary is empty") }
        var tokenToID: [String: Int32] = [:]
        tokenToID.reserveCapacity(vocab.count)
        var maxID = -1
        for (token, id) in vocab {
            guard id >= 0, id < Int(Int32.max) else {
                throw TokenizerError(.malformed, path: vocabPath, "token \(Self.quoted(token)) has invalid id \(id)")
            }
            tokenToID[token] = Int32(id)
            maxID = max(maxID, id)
        }
        let bosToken = config.bosToken ?? Self.defaultBOSToken
        let eosToken = config.eosToken ?? Self.defaultEOSToken
        let unkToken = unknownToken ?? config.unknownToken ?? eosToken

        // Added tokens: those the file lists, else BOS/EOS/UNK/PAD as transformers adds them
        // (special, matched on the raw text).
        var added = addedTokens ?? []
        if addedTokens == nil {
            for token in [bosToken, eosToken, unkToken, config.padToken ?? eosToken] {
                if let id = tokenToID[token], !added.contains(where: { $0.content == token }) {
                    added.append(AddedToken(id: Int(id), content: token, normalized: false, special: true))
                }
            }
        }
        for token in added {
            guard token.id >= 0, token.id < Int(Int32.max) else {
                throw TokenizerError(.malformed, path: vocabPath, "added token \(Self.quoted(token.content)) has invalid id \(token.id)")
            }
            tokenToID[token.content] = Int32(token.id)
            maxID = max(maxID, token.id)
        }
        guard let bos = tokenToID[bosToken] else {
            throw TokenizerError(.malformed, path: vocabPath, "BOS token \(Self.quoted(bosToken)) is not in the vocabulary")
        }
        guard let eos = tokenToID[eosToken] else {
            throw TokenizerError(.malformed, path: vocabPath, "EOS token \(Self.quoted(eosToken)) is not in the vocabulary")
        }

        var idToToken = [String](repeating: "", count: maxID + 1)
        for (token, id) in tokenToID { idToToken[Int(id)] = token }

        var table = MergeTable(capacity: merges.count)
        func location(_ line: Int) -> String {
            mergesPath.hasSuffix(".json") ? "model.merges[\(line)]" : "merge on line \(line)"
        }
        for (rank, merge) in merges.enumerated() {
            guard let left = tokenToID[merge.0], let right = tokenToID[merge.1] else {
                let missing = tokenToID[merge.0] == nil ? merge.0 : merge.1
                throw TokenizerError(.malformed, path: mergesPath,
                                     "\(location(merge.line)) uses \(Self.quoted(missing)), which is not in the vocabulary")
            }
            guard let merged = tokenToID[merge.0 + merge.1] else {
                throw TokenizerError(.malformed, path: mergesPath,
                                     "\(location(merge.line)) makes \(Self.quoted(merge.0 + merge.1)), which is not in the vocabulary")
            }
            table.insert(left: left, right: right, rank: UInt32(rank), merged: merged)
        }

        var byteIDs = [Int32](repeating: -1, count: 256)
        var finalByteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let symbol = ByteLevel.symbol(UInt8(byte))
            byteIDs[byte] = tokenToID[symbol] ?? -1
            finalByteIDs[byte] = tokenToID[symbol + endOfWordSuffix] ?? -1
        }

        self.maxLength = config.modelMaxLength ?? Self.defaultMaxLength
        self.bosTokenID = bos
        self.eosTokenID = eos
        self.vocabularySize = maxID + 1
        self.idToToken = idToToken
        self.encoder = BytePairEncoder(merges: table, byteIDs: byteIDs, finalByteIDs: finalByteIDs,
                                       unknownID: tokenToID[unkToken])
        self.specialIDs = Set(added.filter(\.special).map { Int32($0.id) } + [bos, eos])
        self.rawAddedTokens = AddedTokenMatcher(
            added.filter { !$0.normalized }.map { (Array($0.content.utf8), Int32($0.id)) })
        self.normalizedAddedTokens = AddedTokenMatcher(
            added.filter(\.normalized).map { token in
                var scalars: [Unicode.Scalar] = []
                var content = token.content
                content.withUTF8 { CLIPPreTokenizer.normalize($0, into: &scalars) }
                return (scalars, Int32(token.id))
            })
    }

    // MARK: Encoding

    /// Token ids of `text` between BOS and EOS; with `truncate`, at most `maxLength` ids in all
    /// (BOS, the first `maxLength - 2` content ids, EOS), as `tokenizer(text, truncation=True,
    /// max_length=77)` does. Never fails: every byte has a token.
    public func encode(_ text: String, truncate: Bool = true) -> [Int32] {
        // Content ids allowed, counting BOS already in `ids`.
        let limit = truncate ? max(maxLength - 2, 0) + 1 : Int.max
        var ids: [Int32] = [bosTokenID]
        ids.reserveCapacity(min(limit, text.utf8.count + 1) + 1)
        appendContentIDs(of: text, to: &ids, limit: limit)
        if ids.count > limit { ids.removeSubrange(limit...) }
        ids.append(eosTokenID)
        return ids
    }

    /// The BPE tokens of `text`, without BOS/EOS and untruncated, e.g. ["a</w>", "photo</w>"].
    public func tokens(_ text: String) -> [String] {
        var ids: [Int32] = []
        appendContentIDs(of: text, to: &ids, limit: Int.max)
        return ids.map { token(for: $0) ?? "" }
    }

    /// The token string of an id, or nil if out of range.
    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < idToToken.count ? idToToken[Int(id)] : nil
    }

    /// Text of `ids` as transformers decodes it: byte-level tokens back to UTF-8 (invalid
    /// sequences become U+FFFD), each `</w>` a space, surrounding whitespace trimmed. Lowercased
    /// and re-spaced, so not the original text. Special tokens are left out unless asked for.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if skipSpecialTokens && specialIDs.contains(id) { continue }
            guard let token = token(for: id) else { continue }
            ByteLevel.appendBytes(of: token, to: &bytes)
        }
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "</w>", with: " ")
        return Self.trimmingPythonWhitespace(text)
    }

    /// Appends the content ids of `text` (no BOS/EOS); stops once `out` holds `limit` ids or more.
    private func appendContentIDs(of text: String, to out: inout [Int32], limit: Int) {
        var text = text
        text.withUTF8 { utf8 in
            var scalars: [Unicode.Scalar] = []
            var wordBytes: [UInt8] = []
            rawAddedTokens.split(utf8) { segment, addedID in
                if !segment.isEmpty {
                    scalars.removeAll(keepingCapacity: true)
                    CLIPPreTokenizer.normalize(segment, into: &scalars)
                    let completed = scalars.withUnsafeBufferPointer { normalized in
                        normalizedAddedTokens.split(normalized) { piece, normalizedID in
                            let done = CLIPPreTokenizer.forEachPiece(piece) { range in
                                wordBytes.removeAll(keepingCapacity: true)
                                for scalar in piece[range] { wordBytes.append(contentsOf: scalar.utf8) }
                                wordBytes.withUnsafeBufferPointer { appendWord($0, to: &out) }
                                return out.count < limit
                            }
                            if !done { return false }
                            if let normalizedID { out.append(normalizedID) }
                            return out.count < limit
                        }
                    }
                    if !completed { return false }
                }
                if let addedID { out.append(addedID) }
                return out.count < limit
            }
        }
    }

    @inline(__always)
    private func appendWord(_ word: UnsafeBufferPointer<UInt8>, to out: inout [Int32]) {
        if word.count == 1 {
            let id = encoder.finalByteIDs[Int(word[0])]
            if id >= 0 {
                out.append(id)
                return
            }
        }
        guard let key = WordCache.Key(word) else {
            encoder.encode(word, into: &out)
            return
        }
        if let cached = cache.value(for: key) {
            out.append(contentsOf: cached)
            return
        }
        var ids: [Int32] = []
        encoder.encode(word, into: &ids)
        cache.insert(ids, for: key)
        out.append(contentsOf: ids)
    }

    // MARK: Helpers

    static func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }

    /// Python's `str.strip()`: White_Space plus U+001C…U+001F.
    private static func trimmingPythonWhitespace(_ s: String) -> String {
        func isSpace(_ u: Unicode.Scalar) -> Bool {
            u.properties.isWhitespace || (0x1C...0x1F).contains(u.value)
        }
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}

// MARK: - Added tokens

struct AddedToken: Sendable {
    var id: Int
    var content: String
    var normalized: Bool
    var special: Bool
}

/// Leftmost-longest matching of added-token strings, as the `tokenizers` AddedVocabulary does
/// with Aho-Corasick; a handful of patterns, so a first-element filter and direct comparison.
struct AddedTokenMatcher<Element: Hashable & Sendable>: Sendable {
    private let patterns: [([Element], Int32)]
    private let firstElements: Set<Element>

    init(_ patterns: [([Element], Int32)]) {
        self.patterns = patterns.filter { !$0.0.isEmpty }
        firstElements = Set(self.patterns.map { $0.0[0] })
    }

    /// Calls `body` with each stretch between matches and the id of the match that ends it
    /// (nil after the last stretch), until `body` returns false. Returns false if stopped early.
    @discardableResult
    func split(
        _ s: UnsafeBufferPointer<Element>,
        _ body: (UnsafeBufferPointer<Element>, Int32?) -> Bool
    ) -> Bool {
        var start = 0
        if !patterns.isEmpty {
            var i = 0
            while i < s.count {
                guard firstElements.contains(s[i]) else {
                    i += 1
                    continue
                }
                var best: (length: Int, id: Int32)?
                for (pattern, id) in patterns where pattern.count > (best?.length ?? 0) && s.count - i >= pattern.count {
                    var k = 0
                    while k < pattern.count && s[i + k] == pattern[k] { k += 1 }
                    if k == pattern.count { best = (pattern.count, id) }
                }
                if let best {
                    guard body(UnsafeBufferPointer(rebasing: s[start..<i]), best.id) else { return false }
                    i += best.length
                    start = i
                } else {
                    i += 1
                }
            }
        }
        return body(UnsafeBufferPointer(rebasing: s[start...]), nil)
    }
}
