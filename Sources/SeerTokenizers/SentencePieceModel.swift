import Foundation

/// The parts of a SentencePiece `ModelProto` (sentencepiece_model.proto) that encoding needs,
/// parsed from the serialized file (`spiece.model`, `tokenizer.model`) without a protobuf
/// library. Field numbers and defaults are the .proto's; checks mirror what
/// `ModelInterface::InitializePieces` refuses, so a model sentencepiece would not load fails here too.
public struct SentencePieceModel: Sendable {
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public struct Piece: Sendable, Equatable {
        public var piece: String
        public var score: Float
        public var type: PieceType
    }

    public enum ModelType: Int, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// TrainerSpec fields that change encoding (or say which special pieces exist).
    public struct TrainerSpec: Sendable {
        public var modelType: ModelType = .unigram
        public var byteFallback = false
        public var treatWhitespaceAsSuffix = false
        public var unkID: Int32 = 0
        public var bosID: Int32 = 1
        public var eosID: Int32 = 2
        public var padID: Int32 = -1
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
    }

    public struct NormalizerSpec: Sendable {
        public var name = ""
        /// `<trie size: u32 LE><darts double array><NUL-terminated replacement strings>`; empty for
        /// the "identity" rule.
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
    }

    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()

    /// Reads and validates a serialized ModelProto. `path` names the file in errors.
    public init(contentsOf url: URL) throws {
        let data = try CLIPTokenizer.readData(url)
        try self.init(serialized: data, path: url.path)
    }

    public init(serialized data: Data, path: String = "<memory>") throws {
        do {
            try data.withUnsafeBytes { raw in
                var reader = ProtobufReader(raw)
                while !reader.isAtEnd {
                    let (field, type) = try reader.readTag()
                    switch (field, type) {
                    case (1, .lengthDelimited):
                        pieces.append(try Self.parsePiece(reader.nested(try reader.readLengthDelimited()), index: pieces.count))
                    case (2, .lengthDelimited):
                        trainerSpec = try Self.parseTrainerSpec(reader.nested(try reader.readLengthDelimited()))
                    case (3, .lengthDelimited):
                        normalizerSpec = try Self.parseNormalizerSpec(reader.nested(try reader.readLengthDelimited()))
                    default:
                        try reader.skip(type)
                    }
                }
            }
        } catch let failure as ProtobufReader.Failure {
            throw TokenizerError(.malformed, path: path, "not a SentencePiece model: \(failure.message)")
        }
        try validate(path: path)
    }

    private static func parsePiece(_ message: ProtobufReader, index: Int) throws -> Piece {
        var reader = message
        var piece: String?
        var score: Float = 0
        var type = PieceType.normal
        while !reader.isAtEnd {
            let (field, wire) = try reader.readTag()
            switch (field, wire) {
            case (1, .lengthDelimited): piece = try reader.readString()
            case (2, .fixed32): score = try reader.readFloat()
            case (3, .varint):
                let raw = try reader.readVarint()
                guard let t = PieceType(rawValue: Int(truncatingIfNeeded: raw)) else {
                    throw ProtobufReader.Failure(message: "piece \(index) has unknown type \(raw)")
                }
                type = t
            default: try reader.skip(wire)
            }
        }
        guard let piece else { throw ProtobufReader.Failure(message: "piece \(index) has no text") }
        return Piece(piece: piece, score: score, type: type)
    }

    private static func int32(_ raw: UInt64) -> Int32 { Int32(truncatingIfNeeded: raw) }

    private static func parseTrainerSpec(_ message: ProtobufReader) throws -> TrainerSpec {
        var reader = message
        var spec = TrainerSpec()
        while !reader.isAtEnd {
            let (field, wire) = try reader.readTag()
            switch (field, wire) {
            case (3, .varint):
                let raw = try reader.readVarint()
                guard let t = ModelType(rawValue: Int(truncatingIfNeeded: raw)) else {
                    throw ProtobufReader.Failure(message: "trainer_spec.model_type \(raw) is unknown")
                }
                spec.modelType = t
            case (24, .varint): spec.treatWhitespaceAsSuffix = try reader.readVarint() != 0
            case (35, .varint): spec.byteFallback = try reader.readVarint() != 0
            case (40, .varint): spec.unkID = int32(try reader.readVarint())
            case (41, .varint): spec.bosID = int32(try reader.readVarint())
            case (42, .varint): spec.eosID = int32(try reader.readVarint())
            case (43, .varint): spec.padID = int32(try reader.readVarint())
            case (45, .lengthDelimited): spec.unkPiece = try reader.readString()
            case (46, .lengthDelimited): spec.bosPiece = try reader.readString()
            case (47, .lengthDelimited): spec.eosPiece = try reader.readString()
            case (48, .lengthDelimited): spec.padPiece = try reader.readString()
            default: try reader.skip(wire)
            }
        }
        return spec
    }

    private static func parseNormalizerSpec(_ message: ProtobufReader) throws -> NormalizerSpec {
        var reader = message
        var spec = NormalizerSpec()
        while !reader.isAtEnd {
            let (field, wire) = try reader.readTag()
            switch (field, wire) {
            case (1, .lengthDelimited): spec.name = try reader.readString()
            case (2, .lengthDelimited): spec.precompiledCharsmap = try reader.readBytes()
            case (3, .varint): spec.addDummyPrefix = try reader.readVarint() != 0
            case (4, .varint): spec.removeExtraWhitespaces = try reader.readVarint() != 0
            case (5, .varint): spec.escapeWhitespaces = try reader.readVarint() != 0
            default: try reader.skip(wire)
            }
        }
        return spec
    }

    /// The checks of sentencepiece's model loading (model_interface.cc, unigram_model.cc).
    private func validate(path: String) throws {
        func fail(_ message: String) -> TokenizerError { TokenizerError(.malformed, path: path, message) }
        guard !pieces.isEmpty else { throw fail("the SentencePiece model has no pieces") }
        guard pieces.count < Int(Int32.max) else { throw fail("too many pieces") }
        var seen = Set<String>()
        var unknownCount = 0
        var bytesFound = [Bool](repeating: false, count: 256)
        for (id, p) in pieces.enumerated() {
            guard !p.piece.isEmpty else { throw fail("piece \(id) is empty") }
            guard !p.piece.utf8.contains(0) else { throw fail("piece \(id) contains a NUL character") }
            guard p.score.isFinite else { throw fail("piece \(id) (\(CLIPTokenizer.quoted(p.piece))) has a NaN or infinite score") }
            guard seen.insert(p.piece).inserted else { throw fail("piece \(CLIPTokenizer.quoted(p.piece)) is defined twice") }
            if p.type == .unknown { unknownCount += 1 }
            if p.type == .byte {
                guard trainerSpec.byteFallback else {
                    throw fail("byte piece \(CLIPTokenizer.quoted(p.piece)) found although byte_fallback is false")
                }
                guard let byte = Self.byteValue(ofPiece: p.piece) else { throw fail("byte piece \(CLIPTokenizer.quoted(p.piece)) is invalid") }
                bytesFound[Int(byte)] = true
            }
        }
        guard unknownCount <= 1 else { throw fail("more than one UNKNOWN piece") }
        if unknownCount == 0 && !trainerSpec.byteFallback { throw fail("no UNKNOWN piece (unk) is defined") }
        if trainerSpec.byteFallback && bytesFound.contains(false) {
            throw fail("byte_fallback is true but the model does not have all 256 byte pieces")
        }
    }

    /// `<0x41>` → 0x41, as sentencepiece's PieceToByte (exactly "<0x" two upper-case hex digits ">").
    static func byteValue(ofPiece piece: String) -> UInt8? {
        let u = Array(piece.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
              u[5] == UInt8(ascii: ">") else { return nil }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        guard let hi = hex(u[3]), let lo = hex(u[4]) else { return nil }
        return hi << 4 | lo
    }

    /// The byte piece spelling of a byte, e.g. 0x0A → `<0x0A>` (ByteToPiece).
    static func pieceName(ofByte byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])>"
    }
}
