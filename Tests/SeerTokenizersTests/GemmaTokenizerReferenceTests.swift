import Foundation
import Testing
@testable import SeerTokenizers

extension SiglipFixtures {
    /// What AutoTokenizer gives for a SigLIP 2 FixRes checkpoint (GemmaTokenizer).
    static let gemma = load("siglip2-tokenizer") { try PretrainedTokenizer(directory: v2Directory) }
    /// Siglip2Tokenizer (NaFlex, model_type "siglip2"): Gemma's file with Lowercase in front.
    static let siglip2 = load("siglip2-tokenizer (lowercase)") { try PretrainedTokenizer(directory: v2Directory, lowercase: true) }
}

/// Token-for-token agreement of `PretrainedTokenizer` (tokenizer.json) with transformers'
/// GemmaTokenizer (SigLIP 2 FixRes) and Siglip2Tokenizer (NaFlex: lowercase first).
@Suite struct GemmaTokenizerReferenceTests {
    let file = SiglipFixtures.cases

    @Test func tokenizerJSONFixture() {
        let gemma = SiglipFixtures.gemma
        #expect(gemma.maxLength == 64 && gemma.padTokenID == 0 && !gemma.padLeft)
        #expect(gemma.template == SequenceTemplate(prefix: [], suffix: [1]))  // add_eos_token, no BOS
        // Byte fallback: a character outside the vocabulary becomes its UTF-8 bytes <0xXX>.
        let ids = gemma.encodeFull("\u{1F600}", addSpecialTokens: false)
        #expect(ids == "\u{1F600}".utf8.map { gemma.model.id(of: SentencePieceModel.pieceName(ofByte: $0))! })
        #expect(gemma.encodeFull("Cat") != SiglipFixtures.siglip2.encodeFull("Cat"))
        #expect(SiglipFixtures.siglip2.encodeFull("Cat") == SiglipFixtures.siglip2.encodeFull("cat"))
    }

    @Test func paddedIDsMatchGemmaTokenizer() {
        let failures = SiglipFixtures.compare("GemmaTokenizer (tokenizer.json), padding=max_length 64, truncation", {
            SiglipFixtures.gemma.encode($0.text)
        }, { file.padded($0.gemma, $0.gemma_pads, "gemma") })
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
    }

    @Test func untruncatedIDsMatchGemmaTokenizer() {
        let failures = SiglipFixtures.compare("GemmaTokenizer (tokenizer.json), untruncated", {
            SiglipFixtures.gemma.encodeFull($0.text)
        }, \.gemma_full)
        #expect(failures.isEmpty, "\(failures.count) differ; first: \(failures.prefix(3))")
    }

    @Test func paddedIDsMatchSiglip2Tokenizer() {
        let padded = SiglipFixtures.compare("Siglip2Tokenizer (lowercase), padding=max_length 64, truncation", {
            SiglipFixtures.siglip2.encode($0.text)
        }, { file.padded($0.siglip2, $0.siglip2_pads, "siglip2") })
        let full = SiglipFixtures.compare("Siglip2Tokenizer (lowercase), untruncated", {
            SiglipFixtures.siglip2.encodeFull($0.text)
        }, \.siglip2_full)
        #expect(padded.isEmpty && full.isEmpty, "\(padded.prefix(2)) \(full.prefix(2))")
    }

    @Test func everyCodePoint() {
        var failures: [String] = []
        for block in SiglipFixtures.blocks {
            let text = SiglipFixtures.blockText(block.block)
            let g = SiglipFixtures.Digest(SiglipFixtures.gemma.encodeFull(text, addSpecialTokens: false))
            if g != block.gemma { failures.append("gemma block \(block.block): \(g) != \(block.gemma)") }
            let s = SiglipFixtures.Digest(SiglipFixtures.siglip2.encodeFull(text, addSpecialTokens: false))
            if s != block.siglip2 { failures.append("siglip2 block \(block.block): \(s) != \(block.siglip2)") }
        }
        print("Gemma/SigLIP 2 tokenizer, every code point: \(failures.count) mismatching blocks of \(SiglipFixtures.blocks.count * 2)")
        for f in failures.prefix(5) { print("  " + f) }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }
}
