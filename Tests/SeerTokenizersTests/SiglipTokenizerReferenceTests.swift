import Foundation
import Testing
@testable import SeerTokenizers

/// Token-for-token agreement with transformers' SiglipTokenizer (slow, sentencepiece-backed) and
/// with the `sentencepiece` library itself, on the strings of make_siglip_tokenizer_fixtures.py.
@Suite struct SiglipTokenizerReferenceTests {
    let tokenizer = SiglipFixtures.siglip
    let file = SiglipFixtures.cases

    @Test func vocabularyFixture() {
        #expect(file.cases.count >= 2000)
        #expect(tokenizer.maxLength == 64)
        #expect(tokenizer.eosTokenID == 1 && tokenizer.padTokenID == 1 && tokenizer.unknownTokenID == 2)
        #expect(tokenizer.processor.pieceCount == 4000)
        #expect(tokenizer.processor.model.normalizerSpec.name == "nmt_nfkc")
        #expect(!tokenizer.processor.model.normalizerSpec.precompiledCharsmap.isEmpty)
        let ids = tokenizer.encode("a photo of a cat")
        #expect(ids.count == 64)
        #expect(Array(ids.suffix(59)) == [Int32](repeating: 1, count: 59))
        #expect(tokenizer.tokens("A photo of a CAT!") == ["▁a", "▁photo", "▁of", "▁a", "▁cat"])
    }

    @Test func rawSentencePieceMatchesLibrary() {
        let failures = SiglipFixtures.compare("spiece.model vs sentencepiece encode", { tokenizer.processor.encode($0.text) }, \.sp)
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
    }

    @Test func byteFallbackModelMatchesLibrary() throws {
        let sp = SiglipFixtures.bytes
        #expect(sp.model.trainerSpec.byteFallback)
        #expect(sp.model.pieces.contains { $0.type == .userDefined && $0.piece == "<sep>" })
        let failures = SiglipFixtures.compare("sentencepiece-bytes.model vs sentencepiece encode", { sp.encode($0.text) }, \.sp_bytes)
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
        var pieceFailures = 0
        for c in file.cases {
            if let pieces = c.sp_bytes_pieces, sp.encodePieces(c.text) != pieces { pieceFailures += 1 }
        }
        #expect(pieceFailures == 0)
    }

    @Test func paddedIDsMatchSiglipTokenizer() {
        let failures = SiglipFixtures.compare("SiglipTokenizer, padding=max_length 64, truncation", {
            tokenizer.encode($0.text)
        }, { file.padded($0.siglip, $0.siglip_pads, "siglip") })
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
    }

    @Test func untruncatedIDsMatchSiglipTokenizer() {
        let failures = SiglipFixtures.compare("SiglipTokenizer, untruncated", { c in
            var ids = tokenizer.contentIDs(c.text)
            if ids.last != tokenizer.eosTokenID { ids.append(tokenizer.eosTokenID) }
            return ids
        }, \.siglip_full)
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
        var tokenFailures: [String] = []
        for c in file.cases {
            if let want = c.siglip_tokens, tokenizer.tokens(c.text) != want {
                tokenFailures.append("\(Fixtures.show(c.text)): \(tokenizer.tokens(c.text)) != \(want)")
            }
        }
        #expect(tokenFailures.isEmpty, "\(tokenFailures.prefix(3))")
    }

    /// Every code point through SiglipTokenizer and the byte-fallback model, against digests.
    @Test func everyCodePoint() {
        var failures: [String] = []
        for block in SiglipFixtures.blocks {
            let text = SiglipFixtures.blockText(block.block)
            let got = SiglipFixtures.Digest(tokenizer.contentIDs(text))
            if got != block.siglip { failures.append("siglip block \(block.block): \(got) != \(block.siglip)") }
            let bytes = SiglipFixtures.Digest(SiglipFixtures.bytes.encode(text))
            if bytes != block.sp_bytes { failures.append("sp_bytes block \(block.block): \(bytes) != \(block.sp_bytes)") }
        }
        print("SigLIP tokenizer, every code point: \(failures.count) mismatching blocks of \(SiglipFixtures.blocks.count * 2)")
        for f in failures.prefix(5) { print("  " + f) }
        #expect(SiglipFixtures.blocks.count == 0x110000 / 256 - 8)
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }

    @Test func customLengthPadsAndTruncates() {
        let long = String(repeating: "cat ", count: 100)
        let ids = tokenizer.encode(long, length: 10)
        #expect(ids.count == 10 && ids.last == tokenizer.eosTokenID)
        #expect(Array(ids.prefix(9)) == Array(tokenizer.contentIDs(long).prefix(9)))
        #expect(tokenizer.encode("", length: 3) == [1, 1, 1])
    }
}
