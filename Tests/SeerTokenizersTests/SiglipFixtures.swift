import Foundation
@testable import SeerTokenizers

/// The SigLIP / SigLIP 2 tokenizer fixtures written by
/// scripts/fixtures/make_siglip_tokenizer_fixtures.py, loaded once.
enum SiglipFixtures {
    static let v1Directory = Fixtures.root.appendingPathComponent("siglip-tokenizer")
    static let v2Directory = Fixtures.root.appendingPathComponent("siglip2-tokenizer")
    static let bytesModel = v1Directory.appendingPathComponent("sentencepiece-bytes.model")

    static func load<T>(_ what: String, _ make: () throws -> T) -> T {
        do { return try make() } catch { fatalError("cannot load \(what): \(error)") }
    }

    static let siglip = load("siglip-tokenizer") { try SiglipTokenizer(directory: v1Directory) }
    static let bytes = load("sentencepiece-bytes.model") { try SentencePieceProcessor(contentsOf: bytesModel) }

    struct Case: Decodable {
        var category: String
        var text: String
        var siglip: [Int32]
        var siglip_pads: Int
        var siglip_full: [Int32]
        var gemma: [Int32]
        var gemma_pads: Int
        var gemma_full: [Int32]
        var siglip2: [Int32]
        var siglip2_pads: Int
        var siglip2_full: [Int32]
        var sp: [Int32]
        var sp_bytes: [Int32]
        var siglip_tokens: [String]?
        var sp_bytes_pieces: [String]?
    }

    struct CaseFile: Decodable {
        var reference: String
        var max_length: Int
        var pad_ids: [String: Int32]
        var cases: [Case]

        /// The processor's padded output: the stored ids and their run of pad ids.
        func padded(_ ids: [Int32], _ pads: Int, _ name: String) -> [Int32] {
            ids + [Int32](repeating: pad_ids[name]!, count: pads)
        }
    }

    static let cases: CaseFile = load("siglip_cases.json") {
        let data = try Data(contentsOf: Fixtures.tokenizerCases.appendingPathComponent("siglip_cases.json"))
        return try JSONDecoder().decode(CaseFile.self, from: data)
    }

    struct Block: Decodable {
        var block: Int
        var siglip: Digest
        var gemma: Digest
        var siglip2: Digest
        var sp_bytes: Digest
    }

    /// [count, FNV-1a hex digest].
    struct Digest: Decodable, Equatable, CustomStringConvertible {
        var count: Int
        var hash: String

        init(_ ids: [Int32]) {
            count = ids.count
            hash = Fixtures.fnv1a64(ids)
        }

        init(from decoder: Decoder) throws {
            var list = try decoder.unkeyedContainer()
            count = try list.decode(Int.self)
            hash = try list.decode(String.self)
        }

        var description: String { "[\(count), \(hash)]" }
    }

    static let blocks: [Block] = load("siglip_codepoint_blocks.json") {
        struct File: Decodable { var blocks: [Block] }
        let data = try Data(contentsOf: Fixtures.tokenizerCases.appendingPathComponent("siglip_codepoint_blocks.json"))
        return try JSONDecoder().decode(File.self, from: data).blocks
    }

    /// The block's text as the script builds it: its code points (no surrogates) joined by spaces.
    static func blockText(_ block: Int) -> String {
        (block * 256..<(block * 256 + 256)).compactMap { Unicode.Scalar(UInt32($0)) }
            .map { String(Character($0)) }.joined(separator: " ")
    }

    /// Compares `got(case)` with `want(case)` on every case, prints the count per category and
    /// the first mismatches, and returns the mismatches.
    static func compare(_ label: String, _ got: (Case) -> [Int32], _ want: (Case) -> [Int32]) -> [String] {
        var failures: [String] = []
        var failed: [String: Int] = [:]
        var total: [String: Int] = [:]
        for c in cases.cases {
            total[c.category, default: 0] += 1
            let g = got(c), w = want(c)
            if g != w {
                failed[c.category, default: 0] += 1
                failures.append("[\(c.category)] \(Fixtures.show(c.text)): \(g) != expected \(w)")
            }
        }
        let summary = total.keys.sorted().map { "\($0) \(failed[$0] ?? 0)/\(total[$0]!)" }.joined(separator: ", ")
        print("\(label): \(failures.count) mismatches on \(cases.cases.count) strings (\(summary))")
        for f in failures.prefix(5) { print("  " + f) }
        return failures
    }
}
