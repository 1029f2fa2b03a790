import Foundation
@testable import SeerTokenizers

/// Paths of the shared fixtures, found from this file (symlinks resolved, so the tests also run
/// from a package that links these folders in).
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let clipVocab = root.appendingPathComponent("clip-vocab")
    static let tokenizerCases = root.appendingPathComponent("tokenizer")

    /// Loaded once; the word cache is shared by every test. The folder's tokenizer_config.json
    /// is the Hub's: special tokens also match after normalization ("<|ENDOFTEXT|>" → EOS).
    static let clip: CLIPTokenizer = {
        do {
            return try CLIPTokenizer(directory: clipVocab)
        } catch {
            fatalError("cannot load \(clipVocab.path): \(error)")
        }
    }()

    /// vocab.json + merges.txt alone: special tokens match the raw text only.
    static let clipWithoutConfig: CLIPTokenizer = {
        do {
            return try CLIPTokenizer(vocabURL: clipVocab.appendingPathComponent("vocab.json"),
                                     mergesURL: clipVocab.appendingPathComponent("merges.txt"))
        } catch {
            fatalError("cannot load \(clipVocab.path): \(error)")
        }
    }()

    struct Case: Decodable {
        var category: String
        var text: String
        var ids: [Int32]
        var full_ids: [Int32]
        var tokens: [String]
    }

    struct DecodeCase: Decodable {
        var ids: [Int32]
        var text: String
    }

    struct CaseFile: Decodable {
        var reference: String
        var max_length: Int
        var cases: [Case]
        /// The same tokenizer from vocab.json + merges.txt alone (raw special-token matching).
        var no_config_cases: [Case]
        var decode: [DecodeCase]
    }

    static func cases() throws -> CaseFile {
        let data = try Data(contentsOf: tokenizerCases.appendingPathComponent("clip_cases.json"))
        return try JSONDecoder().decode(CaseFile.self, from: data)
    }

    struct Block: Decodable {
        var block: Int
        var ids: [String]  // [count, hex digest]; decoded leniently below
        var nfd_ids: [String]

        enum CodingKeys: String, CodingKey { case block, ids, nfd_ids }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            block = try c.decode(Int.self, forKey: .block)
            func pair(_ key: CodingKeys) throws -> [String] {
                var list = try c.nestedUnkeyedContainer(forKey: key)
                let count = try list.decode(Int.self)
                let digest = try list.decode(String.self)
                return [String(count), digest]
            }
            ids = try pair(.ids)
            nfd_ids = try pair(.nfd_ids)
        }
    }

    struct BlockFile: Decodable {
        var blocks: [Block]
    }

    static func blocks() throws -> [Block] {
        let data = try Data(contentsOf: tokenizerCases.appendingPathComponent("clip_codepoint_blocks.json"))
        return try JSONDecoder().decode(BlockFile.self, from: data).blocks
    }

    /// FNV-1a 64 over ids as little-endian Int32, as the fixture script computes it.
    static func fnv1a64(_ ids: [Int32]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids {
            var v = UInt32(bitPattern: id)
            for _ in 0..<4 {
                h ^= UInt64(v & 0xFF)
                h = h &* 0x0000_0100_0000_01B3
                v >>= 8
            }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A string with its scalars spelled out, for failure messages.
    static func show(_ s: String) -> String {
        let escaped = s.unicodeScalars.map { $0.escaped(asASCII: true) }.joined()
        return "\"" + (escaped.count > 160 ? escaped.prefix(160) + "…" : escaped) + "\""
    }
}
