import Foundation

/// A SentencePiece unigram tokenizer, id for id what the `sentencepiece` library's
/// `SentencePieceProcessor.encode` returns for the same model (normalization included).
///
/// ```swift
/// let sp = try SentencePieceProcessor(contentsOf: directory.appendingPathComponent("spiece.model"))
/// sp.encode("a photo of a cat")          // ids
/// sp.encodePieces("a photo of a cat")    // ["▁a", "▁photo", …]
/// ```
///
/// Segmentation is `unigram::Model::EncodeOptimized` (unigram_model.cc): Viterbi over the
/// normalized UTF-8 bytes, where each piece scores its log probability, a user-defined piece
/// 0.1 × (bytes − 1), and a character no piece covers on its own becomes `<unk>` with the lowest
/// normal score minus 10. Scores add up in `Float`, as there. On a tie the path found first (the
/// one whose last piece starts earliest) wins. Then, as `PopulateSentencePieceText` does, runs of
/// unknown pieces merge into one, or, with `byte_fallback`, each unknown piece becomes the byte
/// pieces of its UTF-8. Only unigram models are supported (SigLIP's, T5's…); BPE
/// SentencePiece models reach Seer as tokenizer.json (Gemma's).
public struct SentencePieceProcessor: Sendable {
    public let model: SentencePieceModel
    /// Id of `<unk>`, or -1 when the model has none (byte fallback only).
    public let unknownID: Int32
    let normalizer: SentencePieceNormalizer
    /// Normal, user-defined and unused pieces (what sentencepiece puts in its trie).
    private let trie: ByteTrie
    /// Every piece, controls and bytes included (sentencepiece's PieceToId).
    private let pieceIDs: [String: Int32]
    private let scores: [Float]
    private let isUserDefined: [Bool]
    private let isUnused: [Bool]
    private let unknownScore: Float
    private let byteFallbackIDs: [Int32]?

    static let unknownPenalty: Float = 10

    public init(contentsOf url: URL) throws {
        try self.init(model: SentencePieceModel(contentsOf: url), path: url.path)
    }

    public init(model: SentencePieceModel, path: String = "<memory>") throws {
        guard model.trainerSpec.modelType == .unigram else {
            throw TokenizerError(.malformed, path: path,
                                 "SentencePiece model type \(model.trainerSpec.modelType) is not supported (only unigram)")
        }
        self.model = model
        normalizer = try SentencePieceNormalizer(model: model, path: path)
        var entries: [([UInt8], Int32)] = []
        var ids: [String: Int32] = [:]
        var minScore = Float.greatestFiniteMagnitude
        var unknown: Int32 = -1
        for (i, p) in model.pieces.enumerated() {
            ids[p.piece] = Int32(i)
            switch p.type {
            case .normal, .userDefined, .unused: entries.append((Array(p.piece.utf8), Int32(i)))
            case .unknown: unknown = Int32(i)
            default: break
            }
            if p.type == .normal { minScore = min(minScore, p.score) }
        }
        trie = ByteTrie(entries)
        pieceIDs = ids
        scores = model.pieces.map(\.score)
        isUserDefined = model.pieces.map { $0.type == .userDefined }
        isUnused = model.pieces.map { $0.type == .unused }
        unknownScore = minScore - Self.unknownPenalty
        unknownID = unknown
        if model.trainerSpec.byteFallback {
            byteFallbackIDs = (0..<256).map { ids[SentencePieceModel.pieceName(ofByte: UInt8($0))]! }
        } else {
            byteFallbackIDs = nil
        }
    }

    public var pieceCount: Int { scores.count }

    /// The id of a piece string (any type), or `unknownID`, as `piece_to_id`.
    public func id(of piece: String) -> Int32 { pieceIDs[piece] ?? unknownID }

    public func piece(for id: Int32) -> String? {
        id >= 0 && Int(id) < model.pieces.count ? model.pieces[Int(id)].piece : nil
    }

    /// Ids of `text`, as `SentencePieceProcessor.encode(text)` (no BOS/EOS).
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        encode(text) { _, id in ids.append(id) }
        return ids
    }

    /// Pieces of `text`, as `encode(text, out_type=str)`: an unknown piece is spelled as the
    /// normalized text it covers.
    public func encodePieces(_ text: String) -> [String] {
        var pieces: [String] = []
        encode(text) { bytes, id in
            pieces.append(id == unknownID ? String(decoding: bytes, as: UTF8.self) : model.pieces[Int(id)].piece)
        }
        return pieces
    }

    /// Normalized UTF-8 of `text` (what the model segments).
    public func normalize(_ text: String) -> [UInt8] {
        var text = text
        var out: [UInt8] = []
        text.withUTF8 { normalizer.normalize($0, into: &out) }
        return out
    }

    /// Calls `body` with each output piece's normalized bytes and id, in order.
    func encode(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, Int32) -> Void) {
        var text = text
        text.withUTF8 { encode(utf8: $0, body) }
    }

    /// `encode` on UTF-8 bytes (valid UTF-8).
    func encode(utf8: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int32) -> Void) {
        var normalized: [UInt8] = []
        normalizer.normalize(utf8, into: &normalized)
        normalized.withUnsafeBufferPointer { encodeNormalized($0, body) }
    }

    private struct BestPath {
        var id: Int32 = -1
        var score: Float = 0
        var startsAt: Int = -1
    }

    /// Viterbi segmentation of normalized bytes, then unknown merging / byte fallback.
    func encodeNormalized(_ s: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int32) -> Void) {
        let size = s.count
        guard size > 0 else { return }
        withUnsafeTemporaryAllocation(of: BestPath.self, capacity: size + 1) { best in
            best.initialize(repeating: BestPath())
            viterbi(s, best)
            emit(s, UnsafeBufferPointer(best), body)
        }
    }

    private func viterbi(_ s: UnsafeBufferPointer<UInt8>, _ best: UnsafeMutableBufferPointer<BestPath>) {
        let size = s.count
        let resetThreshold: Float = 100_000
        var maxFrontier = 0
        var start = 0
        let unknownScore = unknownScore, unknownID = unknownID
        scores.withUnsafeBufferPointer { scores in
        isUserDefined.withUnsafeBufferPointer { isUserDefined in
        isUnused.withUnsafeBufferPointer { isUnused in
        trie.withView { trie in
            while start < size {
                var tillHere = best[start].score
                // Rebase scores far from zero, exactly as EncodeOptimized does (it changes rounding).
                if tillHere < -resetThreshold || tillHere > resetThreshold {
                    let offset = tillHere
                    if start <= maxFrontier {
                        for i in start...maxFrontier where i == start || best[i].startsAt != -1 {
                            best[i].score -= offset
                        }
                    }
                    tillHere = 0
                }
                var hasSingleNode = false
                let charLength = min(utf8Length(s[start]), size - start)
                var node: Int32 = 0
                var key = start
                while key < size {
                    node = trie.child(node, s[key])
                    if node < 0 { break }
                    key += 1
                    let id = trie.values[Int(node)]
                    guard id >= 0, !isUnused[Int(id)] else { continue }
                    maxFrontier = max(maxFrontier, key)
                    let length = key - start
                    let score: Float = isUserDefined[Int(id)] ? Float(0.1 * Double(length - 1)) : scores[Int(id)]
                    let candidate = score + tillHere
                    if best[key].startsAt == -1 || candidate > best[key].score {
                        best[key] = BestPath(id: id, score: candidate, startsAt: start)
                    }
                    if !hasSingleNode && length == charLength { hasSingleNode = true }
                }
                if !hasSingleNode {
                    let end = start + charLength
                    maxFrontier = max(maxFrontier, end)
                    let candidate = unknownScore + tillHere
                    if best[end].startsAt == -1 || candidate > best[end].score {
                        best[end] = BestPath(id: unknownID, score: candidate, startsAt: start)
                    }
                }
                start += charLength
            }
        }
        }
        }
        }
    }

    private func emit(_ s: UnsafeBufferPointer<UInt8>, _ best: UnsafeBufferPointer<BestPath>,
                      _ body: (UnsafeBufferPointer<UInt8>, Int32) -> Void) {
        // Backtrack (piece ends, last first), then emit in order.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: s.count) { ends in
            var count = 0
            var end = s.count
            while end > 0 {
                ends[count] = end
                count += 1
                end = best[end].startsAt
            }
            var i = count - 1
            while i >= 0 {
                let pieceEnd = ends[i]
                let node = best[pieceEnd]
                let pieceStart = node.startsAt, id = node.id
                i -= 1
                if id == unknownID, let byteIDs = byteFallbackIDs {
                    for b in pieceStart..<pieceEnd {
                        body(UnsafeBufferPointer(rebasing: s[b..<(b + 1)]), byteIDs[Int(s[b])])
                    }
                    continue
                }
                var mergedEnd = pieceEnd
                if id == unknownID {
                    while i >= 0 && best[ends[i]].id == unknownID {
                        mergedEnd = ends[i]
                        i -= 1
                    }
                }
                body(UnsafeBufferPointer(rebasing: s[pieceStart..<mergedEnd]), id)
            }
        }
    }
}
