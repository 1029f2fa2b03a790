import Testing
@testable import SeerHub

/// Which files a pull fetches for each family's repo layout.
@Suite struct FileSelectionTests {
    @Test func fetchesEachFamilysTokenizerAndNothingElse() throws {
        // google/siglip-base-patch16-224: a SentencePiece model, no tokenizer.json.
        let siglip = ["config.json", "model.safetensors", "preprocessor_config.json", "spiece.model", "special_tokens_map.json",
                      "tokenizer_config.json", "README.md", ".gitattributes"]
        #expect(try FileSelection.model.select(from: siglip, repo: "google/siglip-base-patch16-224")
                == ["config.json", "preprocessor_config.json", "spiece.model", "tokenizer_config.json", "special_tokens_map.json", "model.safetensors"])
        // facebook/dinov2-base: no tokenizer at all, and PyTorch/Flax weights beside safetensors.
        let dinov2 = ["config.json", "model.safetensors", "pytorch_model.bin", "flax_model.msgpack", "preprocessor_config.json", "README.md"]
        #expect(try FileSelection.model.select(from: dinov2, repo: "facebook/dinov2-base")
                == ["config.json", "preprocessor_config.json", "model.safetensors"])
    }
}
