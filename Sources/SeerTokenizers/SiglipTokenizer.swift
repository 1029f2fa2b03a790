import Foundation

/// The SigLIP (v1) text tokenizer: token for token what transformers 5's `SiglipTokenizer`
/// (models/siglip/tokenization_siglip.py, backed by `sentencepiece`) gives with SigLIP's
/// processor settings, `tokenizer(text, padding="max_length", max_length=64, truncation=True)`.
///
/// ```swift
/// let tokenizer = try SiglipTokenizer(directory: snapshotURL)   // spiece.model (+ tokenizer_config.json)
/// tokenizer.encode("a photo of a cat")   // 64 ids: content, </s>, then </s> padding
/// ```
///
/// The pipeline, step for step as transformers runs it:
/// 1. `tokenize`: "▁" + text with every "▁" replaced by a space; split on the added tokens
///    (`</s>`, `<unk>`, longest match first), which stay whole; a token with `rstrip`/`lstrip`
///    strips whitespace from its neighbour.
/// 2. Each other stretch is canonicalized (big_vision's `canonicalize_text`): Python `lower()`,
///    ASCII punctuation (`string.punctuation`) removed, whitespace runs → one space, stripped.
/// 3. It is encoded by the unigram model as `"<unk>" + stretch`, and the pieces that `"<unk>"`
///    alone encodes to are dropped from the front (transformers' way to keep the model's dummy
///    "▁" prefix off a stretch; the model's normalizer sees the whole string).
/// 4. A leading "▁" piece before a special token is dropped; EOS is appended unless the ids
///    already end with it; with truncation the content is cut to `maxLength - 1` first; padding
///    with `</s>` (the pad token) to `maxLength`.
///
/// `encode` is pure and the type is `Sendable`.
public struct SiglipTokenizer: Sendable {
    /// Length `encode` pads and truncates to: `model_max_length` (64 for SigLIP).
    public var maxLength: Int
    public let eosTokenID: Int32
    public let padTokenID: Int32
    public let unknownTokenID: Int32
    /// `do_lower_case` (true for SigLIP).
    public let lowercase: Bool
    public let processor: SentencePieceProcessor

    struct SpecialToken: Sendable {
        var content: [Unicode.Scalar]
        var id: Int32
        var lstrip: Bool
        var rstrip: Bool
    }

    private let specialTokens: [SpecialToken]
    /// Id of the "▁" piece (-1 if none).
    private let spaceID: Int32
    private let unknownPrefix: String
    /// Pieces `"<unk>"` alone encodes to (transformers' `unk_token_length`).
    private let unknownPrefixLength: Int

    public static let defaultMaxLength = 64

    /// Loads `spiece.model` from a folder in Hugging Face layout; `tokenizer_config.json`, when
    /// present, supplies `model_max_length`, `do_lower_case`, the EOS/UNK/PAD strings and the
    /// added tokens (`added_tokens_decoder`).
    public init(directory: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError(.missingFile, path: directory.path, "tokenizer directory not found")
        }
        let modelURL = directory.appendingPathComponent("spiece.model")
        guard fm.fileExists(atPath: modelURL.path) else {
            throw TokenizerError(.missingFile, path: modelURL.path, "spiece.model not found")
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = fm.fileExists(atPath: configURL.path) ? try SiglipConfig(contentsOf: configURL) : SiglipConfig()
        try self.init(spieceModel: modelURL, config: config)
    }

    /// Loads a `spiece.model` with `SiglipTokenizer(vocab_file)`'s defaults: EOS and PAD `</s>`,
    /// UNK `<unk>` (all stripping their neighbours), lowercasing, 64 tokens.
    public init(spieceModel url: URL) throws {
        try self.init(spieceModel: url, config: SiglipConfig())
    }

    init(spieceModel url: URL, config: SiglipConfig) throws {
        let processor = try SentencePieceProcessor(contentsOf: url)
        func id(_ token: String, _ what: String) throws -> Int32 {
            if let added = config.addedTokens.first(where: { $0.content == token }) { return Int32(added.id) }
            let id = processor.id(of: token)
            guard id >= 0, processor.piece(for: id) == token else {
                throw TokenizerError(.malformed, path: url.path, "\(what) token \(CLIPTokenizer.quoted(token)) is not in the vocabulary")
            }
            return id
        }
        let eos = try id(config.eosToken, "EOS")
        let unk = try id(config.unknownToken, "UNK")
        let pad = try id(config.padToken, "PAD")
        var special: [SpecialToken] = []
        if config.addedTokens.isEmpty {
            for (token, tokenID) in [(config.eosToken, eos), (config.unknownToken, unk), (config.padToken, pad)]
            where !special.contains(where: { $0.id == tokenID }) {
                special.append(SpecialToken(content: Array(token.unicodeScalars), id: tokenID, lstrip: true, rstrip: true))
            }
        } else {
            for token in config.addedTokens {
                special.append(SpecialToken(content: Array(token.content.unicodeScalars), id: Int32(token.id),
                                            lstrip: token.lstrip, rstrip: token.rstrip))
            }
        }
        self.processor = processor
        maxLength = config.modelMaxLength ?? Self.defaultMaxLength
        eosTokenID = eos
        padTokenID = pad
        unknownTokenID = unk
        lowercase = config.doLowerCase
        specialTokens = special.filter { !$0.content.isEmpty }
        unknownPrefix = config.unknownToken
        let space = processor.id(of: "\u{2581}")
        spaceID = processor.piece(for: space) == "\u{2581}" ? space : -1
        unknownPrefixLength = processor.encode(config.unknownToken).count
    }

    // MARK: Encoding

    /// `maxLength` ids (or `length`): the content ids cut to `length - 1`, EOS, then PAD, as
    /// `tokenizer(text, padding="max_length", max_length=length, truncation=True)`.
    public func encode(_ text: String, length: Int? = nil) -> [Int32] {
        let length = length ?? maxLength
        var ids = contentIDs(text)
        if ids.count > length - 1 { ids.removeSubrange(max(length - 1, 0)...) }
        if ids.last != eosTokenID { ids.append(eosTokenID) }
        if ids.count < length { ids.append(contentsOf: repeatElement(padTokenID, count: length - ids.count)) }
        return ids
    }

    /// The ids of `text` before EOS, truncation and padding.
    public func contentIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        tokenize(text, wantTokens: false) { _, id in ids.append(id) }
        return ids
    }

    /// The tokens transformers' `tokenize(text)` lists: pieces, special tokens, and unknown
    /// stretches spelled as their normalized text.
    public func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        tokenize(text) { token, _ in tokens.append(token) }
        return tokens
    }

    private func tokenize(_ text: String, _ body: (String, Int32) -> Void) {
        tokenize(text, wantTokens: true) { token, id in body(token ?? "", id) }
    }

    /// The pipeline; token strings are made only when `wantTokens` (encode needs ids alone).
    private func tokenize(_ text: String, wantTokens: Bool, _ body: (String?, Int32) -> Void) {
        // 1. "▁" + text, "▁" → " ", split on special tokens.
        var scalars: [Unicode.Scalar] = ["\u{2581}"]
        scalars.reserveCapacity(text.utf8.count + 1)
        for s in text.unicodeScalars { scalars.append(s == "\u{2581}" ? " " : s) }
        var chunks = split(scalars)
        for i in chunks.indices {
            guard let tokenIndex = chunks[i].special else { continue }
            let token = specialTokens[tokenIndex]
            if token.rstrip, i + 1 < chunks.count, chunks[i + 1].special == nil, !chunks[i + 1].text.isEmpty {
                chunks[i + 1].text = PythonText.lstrip(chunks[i + 1].text)
            }
            if token.lstrip, i > 0, chunks[i - 1].special == nil, !chunks[i - 1].text.isEmpty {
                chunks[i - 1].text = PythonText.rstrip(chunks[i - 1].text)
            }
        }
        // 2–3. Each stretch through canonicalization and the model as "<unk>" + stretch, dropping
        // the pieces "<unk>" alone gives.
        var out: [(token: String?, id: Int32, special: Bool)] = []
        var bytes: [UInt8] = []
        for chunk in chunks {
            if let tokenIndex = chunk.special {
                let token = specialTokens[tokenIndex]
                out.append((wantTokens ? String(String.UnicodeScalarView(token.content)) : nil, token.id, true))
            } else if !chunk.text.isEmpty {
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: unknownPrefix.utf8)
                canonicalize(chunk.text, into: &bytes)
                var skip = unknownPrefixLength
                let unknownID = processor.unknownID
                bytes.withUnsafeBufferPointer { utf8 in
                    processor.encode(utf8: utf8) { piece, id in
                        if skip > 0 {
                            skip -= 1
                            return
                        }
                        let token = wantTokens
                            ? (id == unknownID ? String(decoding: piece, as: UTF8.self) : processor.model.pieces[Int(id)].piece) : nil
                        out.append((token, id, false))
                    }
                }
            }
        }
        // 4. A lone "▁" piece before a special token goes.
        var start = 0
        if out.count > 1, !out[0].special, out[0].id == spaceID, out[1].special {
            start = 1
        }
        for (token, id, _) in out[start...] { body(token, id) }
    }

    /// big_vision's `canonicalize_text` as transformers runs it: lower(), drop ASCII punctuation,
    /// `re.sub(r"\s+", " ")`, strip(); appended to `out` as UTF-8.
    func canonicalize(_ text: ArraySlice<Unicode.Scalar>, into out: inout [UInt8]) {
        var lowered: [Unicode.Scalar] = []
        if lowercase {
            if text.allSatisfy({ $0.value < 0x80 }) {
                lowered = text.map { $0.value &- 0x41 < 26 ? Unicode.Scalar($0.value | 0x20)! : $0 }
            } else {
                PythonText.lower(Array(text), into: &lowered)
            }
        } else {
            lowered = Array(text)
        }
        // Collapse whitespace runs to one space and strip both ends, dropping punctuation first.
        var pendingSpace = false
        var wroteAny = false
        for s in lowered where !PythonText.isASCIIPunctuation(s) {
            if PythonText.isSpace(s) {
                pendingSpace = wroteAny
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            wroteAny = true
            if s.value < 0x80 {
                out.append(UInt8(s.value))
            } else {
                out.append(contentsOf: String(Character(s)).utf8)
            }
        }
    }

    func canonicalize(_ text: ArraySlice<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        canonicalize(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private struct Chunk {
        var text: ArraySlice<Unicode.Scalar>
        var special: Int?
    }

    /// Splits on the special tokens, longest match at the leftmost position (transformers' Trie).
    private func split(_ s: [Unicode.Scalar]) -> [Chunk] {
        var chunks: [Chunk] = []
        var start = 0
        var i = 0
        while i < s.count {
            guard specialTokens.contains(where: { $0.content[0] == s[i] }) else {
                i += 1
                continue
            }
            var best: (index: Int, length: Int)?
            for (k, token) in specialTokens.enumerated() where token.content.count > (best?.length ?? 0) {
                let c = token.content
                if s.count - i >= c.count, s[i..<(i + c.count)].elementsEqual(c) { best = (k, c.count) }
            }
            if let best {
                if i > start { chunks.append(Chunk(text: s[start..<i], special: nil)) }
                chunks.append(Chunk(text: s[i..<(i + best.length)], special: best.index))
                i += best.length
                start = i
            } else {
                i += 1
            }
        }
        if start < s.count { chunks.append(Chunk(text: s[start...], special: nil)) }
        return chunks
    }
}

/// The parts of a SigLIP `tokenizer_config.json` that matter here.
struct SiglipConfig {
    struct Token {
        var id: Int
        var content: String
        var lstrip: Bool
        var rstrip: Bool
    }

    var modelMaxLength: Int?
    var doLowerCase = true
    var eosToken = "</s>"
    var unknownToken = "<unk>"
    var padToken = "</s>"
    var addedTokens: [Token] = []

    init() {}

    init(contentsOf url: URL) throws {
        let base = try CLIPTokenizer.Config(contentsOf: url)
        let object = try CLIPTokenizer.readJSONObject(url)
        modelMaxLength = base.modelMaxLength
        if let value = object["do_lower_case"] {
            guard let flag = value as? Bool else {
                throw TokenizerError(.malformed, path: url.path, "do_lower_case is not a boolean")
            }
            doLowerCase = flag
        }
        eosToken = base.eosToken ?? eosToken
        unknownToken = base.unknownToken ?? unknownToken
        padToken = base.padToken ?? padToken
        if let decoder = object["added_tokens_decoder"] as? [String: Any] {
            for (key, value) in decoder {
                guard let id = Int(key), let entry = value as? [String: Any], let content = entry["content"] as? String else {
                    throw TokenizerError(.malformed, path: url.path, "added_tokens_decoder entry \(CLIPTokenizer.quoted(key)) is malformed")
                }
                addedTokens.append(Token(id: id, content: content, lstrip: entry["lstrip"] as? Bool ?? false,
                                         rstrip: entry["rstrip"] as? Bool ?? false))
            }
            addedTokens.sort { $0.id < $1.id }
        }
    }
}
