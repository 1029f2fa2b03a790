import Foundation
import Testing
@testable import SeerTokenizers

/// Token-for-token agreement with transformers' CLIPTokenizer on the strings written by
/// scripts/fixtures/make_tokenizer_fixtures.py.
@Suite struct CLIPTokenizerReferenceTests {
    let tokenizer = Fixtures.clip

    @Test func vocabularyFixture() throws {
        #expect(tokenizer.vocabularySize == 49408)
        #expect(tokenizer.bosTokenID == 49406)
        #expect(tokenizer.eosTokenID == 49407)
        #expect(tokenizer.maxLength == 77)
        #expect(tokenizer.encode("a photo of a cat") == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(tokenizer.tokens("a photo of a cat") == ["a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>"])
    }

    @Test func matchesReferenceOnAllCases() throws {
        let file = try Fixtures.cases()
        #expect(file.cases.count >= 1000)
        #expect(file.max_length == tokenizer.maxLength)
        let failures = Self.compare(tokenizer, file.cases, label: "CLIP tokenizer vs \(file.reference)")
        #expect(failures.isEmpty, "\(failures.count) of \(file.cases.count) strings differ; first: \(failures.prefix(3))")
    }

    @Test func matchesReferenceWithoutTokenizerConfig() throws {
        let file = try Fixtures.cases()
        #expect(file.no_config_cases.count >= 300)
        let failures = Self.compare(Fixtures.clipWithoutConfig, file.no_config_cases,
                                    label: "CLIP tokenizer (vocab.json + merges.txt only) vs \(file.reference)")
        #expect(failures.isEmpty, "\(failures.count) of \(file.no_config_cases.count) strings differ; first: \(failures.prefix(3))")
    }

    /// Encodes every case with and without truncation and lists the mismatches; prints the count
    /// per category and the first few.
    static func compare(_ tokenizer: CLIPTokenizer, _ cases: [Fixtures.Case], label: String) -> [String] {
        var failures: [String] = []
        var failedByCategory: [String: Int] = [:]
        var totalByCategory: [String: Int] = [:]
        for c in cases {
            totalByCategory[c.category, default: 0] += 1
            let truncated = tokenizer.encode(c.text)
            let full = tokenizer.encode(c.text, truncate: false)
            let tokens = tokenizer.tokens(c.text)
            var problems: [String] = []
            if truncated != c.ids { problems.append("truncated ids \(truncated) != expected \(c.ids)") }
            if full != c.full_ids { problems.append("ids \(full) != expected \(c.full_ids)") }
            if tokens != c.tokens { problems.append("tokens \(tokens) != expected \(c.tokens)") }
            if !problems.isEmpty {
                failedByCategory[c.category, default: 0] += 1
                failures.append("[\(c.category)] \(Fixtures.show(c.text)): " + problems.joined(separator: "; "))
            }
        }
        let summary = totalByCategory.keys.sorted()
            .map { "\($0) \(failedByCategory[$0] ?? 0)/\(totalByCategory[$0]!)" }
            .joined(separator: ", ")
        print("\(label): \(failures.count) mismatches on \(cases.count) strings (\(summary))")
        for failure in failures.prefix(5) { print("  " + failure) }
        return failures
    }

    /// Every code point, alone (space separated) and in NFD form, against digests of the ids.
    @Test func matchesReferenceOnEveryCodePoint() throws {
        let blocks = try Fixtures.blocks()
        #expect(blocks.count == 0x110000 / 256 - 8)
        var failures: [String] = []
        for block in blocks {
            let scalars = (block.block * 256..<(block.block * 256 + 256)).compactMap { Unicode.Scalar(UInt32($0)) }
            let plain = scalars.map { String(Character($0)) }
            // The script decomposed with the reference's Unicode 9.0 tables: later scalars (only
            // U+11938 has a canonical decomposition among them) stay whole.
            let nfd = scalars.map { scalar in
                let s = String(Character(scalar))
                if let age = scalar.properties.age, age.major > 9 { return s }
                return s.decomposedStringWithCanonicalMapping
            }
            for (name, strings, expected) in [("plain", plain, block.ids), ("NFD", nfd, block.nfd_ids)] {
                let text = strings.joined(separator: " ")
                let ids = Array(tokenizer.encode(text, truncate: false).dropFirst().dropLast())
                let got = [String(ids.count), Fixtures.fnv1a64(ids)]
                if got != expected {
                    failures.append("block U+\(String(block.block * 256, radix: 16, uppercase: true)) \(name): "
                        + "\(got) != expected \(expected)")
                }
            }
        }
        print("CLIP tokenizer, every code point: \(failures.count) mismatching blocks of \(blocks.count * 2)")
        for failure in failures.prefix(5) { print("  " + failure) }
        #expect(failures.isEmpty, "\(failures.count) blocks differ; first: \(failures.prefix(3))")
    }

    @Test func decodeMatchesReference() throws {
        let file = try Fixtures.cases()
        var failures: [String] = []
        for c in file.decode {
            let got = tokenizer.decode(c.ids)
            if got != c.text { failures.append("\(c.ids): \(Fixtures.show(got)) != expected \(Fixtures.show(c.text))") }
        }
        print("CLIP tokenizer decode: \(failures.count) mismatches on \(file.decode.count) id lists")
        for failure in failures.prefix(5) { print("  " + failure) }
        #expect(failures.isEmpty)
    }
}
