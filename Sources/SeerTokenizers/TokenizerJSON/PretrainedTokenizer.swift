import Foundation

/// A tokenizer read from a Hugging Face `tokenizer.json` (the `tokenizers` library's format),
/// id for id what transformers' fast tokenizer gives, e.g. Gemma's for SigLIP 2.
///
/// ```swift
/// let tokenizer = try PretrainedTokenizer(directory: snapshotURL)   // tokenizer.json (+ tokenizer_config.json)
/// tokenizer.encode("a photo of a cat")             // padded to maxLength, as SigLIP 2's processor
/// tokenizer.encode("a photo of a cat", length: nil, padding: false)
/// ```
///
/// The pipeline is the library's `encode`: added tokens that are not `normalized` are cut out of
/// the raw text (leftmost-longest, with their `lstrip`/`rstrip`); each stretch between them is
/// normalized, then cut at `normalized` added tokens; each remaining stretch is pre-tokenized
/// into words and each word encoded by the model; the post-processor's template wraps the ids.
/// With truncation the content keeps `length - (template's special tokens)` ids; padding appends
/// the pad token (or prepends it for `padding_side: "left"`).
///
/// Each part is a protocol (`TextNormalizer`, `PreTokenizer`, `TokenizationModel`) with one type
/// per tokenizer.json `type`; supported today: normalizers Sequence, Replace (string), Prepend,
/// Lowercase, NFC/NFD/NFKC/NFKD, Strip; pre-tokenizers Sequence, Split (string), Metaspace,
/// WhitespaceSplit, Digits; model BPE (byte_fallback, fuse_unk, ignore_merges, subword
/// prefix/suffix); post-processors TemplateProcessing, BertProcessing, RobertaProcessing. Anything
/// else is a `TokenizerError` naming it, so a file is never half-understood.
public struct PretrainedTokenizer: Sendable {
    /// Length `encode` pads and truncates to by default: `model_max_length`, else 64.
    public var maxLength: Int
    public let padTokenID: Int32
    public let padLeft: Bool

    let normalizer: TextNormalizer?
    let preTokenizer: PreTokenizer?
    let model: TokenizationModel
    let template: SequenceTemplate
    let rawAddedTokens: AddedTokenSplitter
    let normalizedAddedTokens: AddedTokenSplitter

    public static let defaultMaxLength = 64

    /// Reads `tokenizer.json` and, when present, `tokenizer_config.json` (`model_max_length`,
    /// `pad_token`, `padding_side`, and `add_bos_token`/`add_eos_token`, which transformers
    /// turns into the template). `lowercase` puts a Lowercase normalizer first, as transformers'
    /// `Siglip2Tokenizer` (SigLIP 2 NaFlex, model_type "siglip2") does over Gemma's file.
    public init(directory: URL, lowercase: Bool = false) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError(.missingFile, path: directory.path, "tokenizer directory not found")
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        try self.init(tokenizerJSON: directory.appendingPathComponent("tokenizer.json"),
                      config: fm.fileExists(atPath: configURL.path) ? configURL : nil, lowercase: lowercase)
    }

    public init(tokenizerJSON url: URL, config configURL: URL? = nil, lowercase: Bool = false) throws {
        let root = JSONObject(object: try CLIPTokenizer.readJSONObject(url), location: "", file: url.path)
        var normalizer = try root.optionalChild("normalizer").map(Normalizers.make)
        if lowercase {
            normalizer = SequenceNormalizer(steps: [LowercaseNormalizer()] + (normalizer.map { [$0] } ?? []))
        }
        self.normalizer = normalizer
        preTokenizer = try root.optionalChild("pre_tokenizer").map(PreTokenizers.make)
        let model = try TokenizationModels.make(try root.child("model"))
        self.model = model

        var added: [(content: String, id: Int32, lstrip: Bool, rstrip: Bool, normalized: Bool)] = []
        if root.has("added_tokens") {
            for token in try root.children("added_tokens") {
                let id = try token.int("id")
                guard id >= 0, id < Int(Int32.max) else { throw token.fail("invalid id \(id)") }
                if try token.bool("single_word", default: false) { throw token.fail("single_word added tokens are not supported") }
                added.append((try token.string("content"), Int32(id), try token.bool("lstrip", default: false),
                              try token.bool("rstrip", default: false), try token.bool("normalized", default: false)))
            }
        }
        rawAddedTokens = AddedTokenSplitter(added.filter { !$0.normalized }.map {
            (Array($0.content.unicodeScalars), $0.id, $0.lstrip, $0.rstrip)
        })
        normalizedAddedTokens = AddedTokenSplitter(added.filter(\.normalized).map {
            var content = Array($0.content.unicodeScalars)
            normalizer?.normalize(&content)
            return (content, $0.id, $0.lstrip, $0.rstrip)
        })

        func tokenID(_ token: String) -> Int32? {
            added.first { $0.content == token }?.id ?? model.id(of: token)
        }
        var template = try root.optionalChild("post_processor").map(SequenceTemplate.make) ?? SequenceTemplate()
        var maxLength = Self.defaultMaxLength
        var pad: Int32 = 0
        var padLeft = false
        if let configURL {
            let config = try CLIPTokenizer.Config(contentsOf: configURL)
            let object = try CLIPTokenizer.readJSONObject(configURL)
            maxLength = config.modelMaxLength ?? maxLength
            if let padToken = config.padToken {
                guard let id = tokenID(padToken) else {
                    throw TokenizerError(.malformed, path: configURL.path, "pad_token \(CLIPTokenizer.quoted(padToken)) is not in the vocabulary")
                }
                pad = id
            }
            if let side = object["padding_side"] as? String { padLeft = side == "left" }
            // transformers rebuilds the template when the config sets either flag (update_post_processor).
            if object["add_bos_token"] != nil || object["add_eos_token"] != nil {
                var rebuilt = SequenceTemplate()
                if object["add_bos_token"] as? Bool == true, let bos = config.bosToken.flatMap(tokenID) { rebuilt.prefix = [bos] }
                if object["add_eos_token"] as? Bool == true, let eos = config.eosToken.flatMap(tokenID) { rebuilt.suffix = [eos] }
                template = rebuilt
            }
        }
        self.template = template
        self.maxLength = maxLength
        padTokenID = pad
        self.padLeft = padLeft
    }

    // MARK: Encoding

    /// Ids as the processor of a SigLIP-style model asks for them: `tokenizer(text,
    /// padding="max_length", max_length=length, truncation=True)` with `padding`, else
    /// truncated only; `length: nil` in both means `maxLength`.
    public func encode(_ text: String, length: Int? = nil, padding: Bool = true) -> [Int32] {
        let length = length ?? maxLength
        var content = contentIDs(text)
        let keep = max(length - template.specialCount, 0)
        if content.count > keep { content.removeSubrange(keep...) }
        var ids = template.prefix + content + template.suffix
        if padding && ids.count < length {
            let pads = [Int32](repeating: padTokenID, count: length - ids.count)
            ids = padLeft ? pads + ids : ids + pads
        }
        return ids
    }

    /// Ids with the template's special tokens, untruncated and unpadded (`tokenizer(text)`).
    public func encodeFull(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        addSpecialTokens ? template.prefix + contentIDs(text) + template.suffix : contentIDs(text)
    }

    /// The ids of `text` before the template.
    public func contentIDs(_ text: String) -> [Int32] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        ids.reserveCapacity(scalars.count / 2 + 4)
        var words: [ArraySlice<Unicode.Scalar>] = []
        var first = true
        rawAddedTokens.split(scalars[...]) { stretch, addedID in
            if let stretch {
                var normalized = Array(stretch)
                normalizer?.normalize(&normalized)
                let startsText = first && stretch.startIndex == 0
                normalizedAddedTokens.split(normalized[...]) { piece, normalizedID in
                    if let piece {
                        words.removeAll(keepingCapacity: true)
                        if let preTokenizer {
                            preTokenizer.split(piece, isFirst: startsText && piece.startIndex == 0, into: &words)
                        } else {
                            words.append(piece)
                        }
                        for word in words { model.tokenize(word, into: &ids) }
                    }
                    if let normalizedID { ids.append(normalizedID) }
                }
            }
            if let addedID { ids.append(addedID) }
            first = false
        }
        return ids
    }
}

/// Cuts text at added tokens as the `tokenizers` AddedVocabulary does (`find_matches`):
/// leftmost-longest matches; `lstrip` takes the whitespace before a match into it (not past
/// the previous match), `rstrip` the whitespace after.
struct AddedTokenSplitter: Sendable {
    private let patterns: [(content: [Unicode.Scalar], id: Int32, lstrip: Bool, rstrip: Bool)]
    private let firstScalars: Set<Unicode.Scalar>
    /// `firstASCII[b]`: some pattern starts with ASCII byte `b` (the common case, no hashing).
    private let firstASCII: [Bool]

    init(_ patterns: [([Unicode.Scalar], Int32, Bool, Bool)]) {
        let kept = patterns.filter { !$0.0.isEmpty }.map { (content: $0.0, id: $0.1, lstrip: $0.2, rstrip: $0.3) }
        self.patterns = kept
        firstScalars = Set(kept.map { $0.content[0] })
        firstASCII = (0..<128).map { b in kept.contains { $0.content[0].value == UInt32(b) } }
    }

    /// Calls `body` with each stretch of text (nil when there is none) followed by the id of the
    /// added token that ends it (nil after the last stretch).
    func split(_ s: ArraySlice<Unicode.Scalar>, _ body: (ArraySlice<Unicode.Scalar>?, Int32?) -> Void) {
        guard !patterns.isEmpty else {
            body(s, nil)
            return
        }
        var startOffset = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            let v = s[i].value
            guard v < 128 ? firstASCII[Int(v)] : firstScalars.contains(s[i]) else {
                i += 1
                continue
            }
            var best: Int?
            for (k, p) in patterns.enumerated() where p.content.count > (best.map { patterns[$0].content.count } ?? 0) {
                if s.endIndex - i >= p.content.count && s[i..<(i + p.content.count)].elementsEqual(p.content) { best = k }
            }
            guard let best else {
                i += 1
                continue
            }
            let token = patterns[best]
            var start = i
            var stop = i + token.content.count
            if token.lstrip {
                while start > startOffset && s[start - 1].properties.isWhitespace { start -= 1 }
            }
            if token.rstrip {
                while stop < s.endIndex && s[stop].properties.isWhitespace { stop += 1 }
            }
            body(startOffset < start ? s[startOffset..<start] : nil, token.id)
            startOffset = stop
            i = max(i + token.content.count, stop)
        }
        body(startOffset < s.endIndex ? s[startOffset...] : nil, nil)
    }
}
