/// A tokenizer.json `model`: turns one pre-tokenized word into ids.
protocol TokenizationModel: Sendable {
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into out: inout [Int32])
    /// The id of a token string, if the model's vocabulary has it.
    func id(of token: String) -> Int32?
}

enum TokenizationModels {
    static func make(_ json: JSONObject) throws -> TokenizationModel {
        // Old files have no "type"; a "merges" key means BPE.
        let type = try json.optionalString("type") ?? (json.has("merges") ? "BPE" : "")
        switch type {
        case "BPE": return try BPEModel(json)
        default: throw json.fail("model type \(CLIPTokenizer.quoted(type)) is not supported")
        }
    }
}

/// The `tokenizers` BPE model (models/bpe/model.rs, `merge_word` and `Word::merge_all`):
///
/// - each character (with `continuing_subword_prefix` unless first, `end_of_word_suffix` if last)
///   is its vocabulary token; else, with `byte_fallback`, its UTF-8 bytes as `<0xXX>` tokens when
///   all exist; else `unk_token`, consecutive ones fused into one with `fuse_unk`;
/// - then the adjacent pair of lowest merge rank merges, leftmost first, until none is left;
/// - with `ignore_merges`, a word that is itself in the vocabulary is that token.
/// Dropout is not supported (it is random at encode time).
struct BPEModel: TokenizationModel {
    let vocab: [String: Int32]
    let merges: MergeTable
    let unknownID: Int32?
    let fuseUnknown: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let prefix: String?
    let suffix: String?
    /// Id of each single-scalar token (no prefix/suffix involved), for the fast path: a table
    /// for the Basic Multilingual Plane (-1: none), a dictionary above it.
    let bmpIDs: [Int32]
    let scalarIDs: [UInt32: Int32]
    /// `<0xXX>` ids, or -1.
    let byteIDs: [Int32]
    private let cache = WordIDCache()

    init(_ json: JSONObject) throws {
        if let dropout = json.object["dropout"] as? Double, dropout > 0 {
            throw json.fail("BPE dropout is not supported")
        }
        let vocabJSON = try json.child("vocab")
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(vocabJSON.object.count)
        for (token, value) in vocabJSON.object {
            guard let id = CLIPTokenizer.integer(value), id >= 0, id < Int(Int32.max) else {
                throw vocabJSON.fail("id of token \(CLIPTokenizer.quoted(token)) is not a valid integer")
            }
            vocab[token] = Int32(id)
        }
        prefix = try json.optionalString("continuing_subword_prefix")
        suffix = try json.optionalString("end_of_word_suffix")
        let mergeList = try json.array("merges")
        var table = MergeTable(capacity: mergeList.count)
        for (rank, entry) in mergeList.enumerated() {
            let pair: (String, String)
            if let s = entry as? String {
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw json.fail("merges[\(rank)] is malformed: \(CLIPTokenizer.quoted(s))") }
                pair = (String(parts[0]), String(parts[1]))
            } else if let a = entry as? [Any], a.count == 2, let l = a[0] as? String, let r = a[1] as? String {
                pair = (l, r)
            } else {
                throw json.fail("merges[\(rank)] is neither \"left right\" nor [left, right]")
            }
            guard let left = vocab[pair.0], let right = vocab[pair.1] else {
                throw json.fail("merges[\(rank)] uses \(CLIPTokenizer.quoted(vocab[pair.0] == nil ? pair.0 : pair.1)), which is not in the vocabulary")
            }
            let rightPart = prefix.map { pair.1.hasPrefix($0) ? String(pair.1.dropFirst($0.count)) : pair.1 } ?? pair.1
            guard let merged = vocab[pair.0 + rightPart] else {
                throw json.fail("merges[\(rank)] makes \(CLIPTokenizer.quoted(pair.0 + rightPart)), which is not in the vocabulary")
            }
            table.insert(left: left, right: right, rank: UInt32(rank), merged: merged)
        }
        let unk = try json.optionalString("unk_token")
        if let unk, vocab[unk] == nil { throw json.fail("unk_token \(CLIPTokenizer.quoted(unk)) is not in the vocabulary") }
        self.vocab = vocab
        merges = table
        unknownID = unk.flatMap { vocab[$0] }
        fuseUnknown = try json.bool("fuse_unk", default: false)
        byteFallback = try json.bool("byte_fallback", default: false)
        ignoreMerges = try json.bool("ignore_merges", default: false)
        var scalars: [UInt32: Int32] = [:]
        for (token, id) in vocab {
            let u = token.unicodeScalars
            if u.count == 1 { scalars[u.first!.value] = id }
        }
        scalarIDs = scalars
        var bmp = [Int32](repeating: -1, count: 0x10000)
        for (v, id) in scalars where v < 0x10000 { bmp[Int(v)] = id }
        bmpIDs = bmp
        byteIDs = (0..<256).map { vocab[SentencePieceModel.pieceName(ofByte: UInt8($0))] ?? -1 }
    }

    func id(of token: String) -> Int32? { vocab[token] }

    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into out: inout [Int32]) {
        if word.isEmpty { return }
        let cacheable = word.count <= WordIDCache.maxScalars
        if cacheable, let ids = cache.value(for: word) {
            out.append(contentsOf: ids)
            return
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        initialSymbols(word, &symbols)
        if symbols.count > BytePairEncoder.linearLimit {
            encoder.mergeWithHeap(&symbols)
        } else {
            encoder.mergeLinear(&symbols)
        }
        if cacheable { cache.insert(symbols, for: word) }
        out.append(contentsOf: symbols)
    }

    private var encoder: BytePairEncoder {
        BytePairEncoder(merges: merges, byteIDs: [], finalByteIDs: [], unknownID: nil)
    }

    private func initialSymbols(_ word: ArraySlice<Unicode.Scalar>, _ symbols: inout [Int32]) {
        if ignoreMerges, let id = vocab[String(String.UnicodeScalarView(word))] {
            symbols.append(id)
            return
        }
        var pendingUnknown = false
        let plain = prefix == nil && suffix == nil
        for i in word.indices {
            let scalar = word[i]
            let id: Int32?
            if plain {
                if scalar.value < 0x10000 {
                    let found = bmpIDs[Int(scalar.value)]
                    id = found >= 0 ? found : nil
                } else {
                    id = scalarIDs[scalar.value]
                }
            } else {
                var s = String(Character(scalar))
                if i != word.startIndex, let prefix { s = prefix + s }
                if i == word.endIndex - 1, let suffix { s += suffix }
                id = vocab[s]
            }
            if let id {
                if pendingUnknown, let unknownID { symbols.append(unknownID) }
                pendingUnknown = false
                symbols.append(id)
                continue
            }
            if byteFallback {
                // (As merge_word: the bytes go in without first flushing a pending unknown.)
                var text = String(Character(scalar))
                if !plain {
                    if i != word.startIndex, let prefix { text = prefix + text }
                    if i == word.endIndex - 1, let suffix { text += suffix }
                }
                let ids = text.utf8.map { byteIDs[Int($0)] }
                if !ids.contains(-1) {
                    symbols.append(contentsOf: ids)
                    continue
                }
            }
            guard let unknownID else { continue }
            if pendingUnknown && !fuseUnknown { symbols.append(unknownID) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknownID { symbols.append(unknownID) }
    }
}

/// BPE results per word (up to `maxScalars` scalars), shared by copies of the model; cleared when
/// full. Lock-guarded so `encode` can run on many threads.
final class WordIDCache: @unchecked Sendable {
    static let maxScalars = 64
    private let lock = NSLock()
    private var entries: [[Unicode.Scalar]: [Int32]] = [:]
    private let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func value(for word: ArraySlice<Unicode.Scalar>) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[Array(word)]
    }

    func insert(_ ids: [Int32], for word: ArraySlice<Unicode.Scalar>) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[Array(word)] = ids
    }
}

import Foundation
