import Foundation
import Testing
@testable import SeerTokenizers

/// Loading, options, errors and concurrency; fidelity is in CLIPTokenizerReferenceTests.
@Suite struct CLIPTokenizerTests {
    let tokenizer = Fixtures.clip
    static let longText = Array(repeating: "a photo of a small cat sitting on a red mat.", count: 20).joined(separator: " ")

    // MARK: Helpers

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seer-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// A tokenizer.json made from the fixture vocabulary, merges as strings or pairs.
    static func writeTokenizerJSON(to dir: URL, mergesAsPairs: Bool, normalizedSpecials: Bool) throws {
        let vocab = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.clipVocab.appendingPathComponent("vocab.json")))
        let lines = try String(contentsOf: Fixtures.clipVocab.appendingPathComponent("merges.txt"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map(String.init)
        let merges: [Any] = mergesAsPairs ? lines.map { $0.split(separator: " ").map(String.init) } : lines
        let specials: [[String: Any]] = [(49406, "<|startoftext|>"), (49407, "<|endoftext|>")].map {
            ["id": $0.0, "content": $0.1, "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": normalizedSpecials, "special": true]
        }
        let object: [String: Any] = [
            "version": "1.0",
            "added_tokens": specials,
            "model": ["type": "BPE", "vocab": vocab, "merges": merges, "end_of_word_suffix": "</w>",
                      "unk_token": "<|endoftext|>", "continuing_subword_prefix": ""],
        ]
        try JSONSerialization.data(withJSONObject: object).write(to: dir.appendingPathComponent("tokenizer.json"))
    }

    // MARK: Loading

    @Test func loadsFromFilesLikeFromDirectory() throws {
        let fromFiles = Fixtures.clipWithoutConfig
        #expect(fromFiles.maxLength == 77)
        #expect(fromFiles.vocabularySize == 49408)
        for text in ["a photo of a cat", "It's <|endoftext|> 12 naïve 😀", Self.longText] {
            #expect(fromFiles.encode(text) == tokenizer.encode(text))
            #expect(fromFiles.encode(text, truncate: false) == tokenizer.encode(text, truncate: false))
        }
    }

    @Test(arguments: [false, true], [false, true])
    func loadsTokenizerJSON(mergesAsPairs: Bool, normalizedSpecials: Bool) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeTokenizerJSON(to: dir, mergesAsPairs: mergesAsPairs, normalizedSpecials: normalizedSpecials)
        let fromJSON = try CLIPTokenizer(directory: dir)
        #expect(fromJSON.vocabularySize == 49408)
        #expect(fromJSON.maxLength == 77)
        let file = try Fixtures.cases()
        // Hub-config fixture cases match normalized specials; the no-config ones raw matching.
        let cases = normalizedSpecials ? file.cases : file.no_config_cases
        let failures = CLIPTokenizerReferenceTests.compare(
            fromJSON, cases, label: "tokenizer.json (pairs: \(mergesAsPairs), normalized: \(normalizedSpecials))")
        #expect(failures.isEmpty)
    }

    /// With `normalized: true` added tokens match after lowercasing, as transformers does
    /// (checked in Python: "a <|ENDOFTEXT|> b" → [49406, 320, 49407, 321, 49407]).
    @Test func normalizedAddedTokensMatchAfterNormalization() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeTokenizerJSON(to: dir, mergesAsPairs: true, normalizedSpecials: true)
        let normalized = try CLIPTokenizer(directory: dir)
        #expect(normalized.encode("a <|ENDOFTEXT|> b") == [49406, 320, 49407, 321, 49407])
        #expect(normalized.encode("x <|StartOfText|>") == [49406, 343, 49406, 49407])
        #expect(normalized.encode("a<|endoftext|>b") == [49406, 320, 49407, 321, 49407])
        // The fixture folder's Hub tokenizer_config.json (added_tokens_decoder) says the same.
        #expect(tokenizer.encode("a <|ENDOFTEXT|> b") == [49406, 320, 49407, 321, 49407])
        // Raw matching only (no config, or "normalized": false): the uppercase spelling is text.
        let raw = Fixtures.clipWithoutConfig
        #expect(raw.encode("a <|ENDOFTEXT|> b") == [49406, 320, 27, 347, 40786, 4160, 91, 285, 321, 49407])
        #expect(raw.encode("x <|StartOfText|>") == [49406, 343, 27, 347, 993, 6659, 4160, 91, 285, 49407])
        #expect(raw.encode("a<|endoftext|>b") == [49406, 320, 49407, 321, 49407])
    }

    @Test func readsModelMaxLengthFromConfig() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: Fixtures.clipVocab.appendingPathComponent(name),
                                             to: dir.appendingPathComponent(name))
        }
        try Self.write(#"{"model_max_length": 16}"#, to: dir.appendingPathComponent("tokenizer_config.json"))
        let short = try CLIPTokenizer(directory: dir)
        #expect(short.maxLength == 16)
        let ids = short.encode(Self.longText)
        #expect(ids.count == 16)
        #expect(ids == Array(tokenizer.encode(Self.longText, truncate: false).prefix(15)) + [49407])

        // transformers' "no limit" (1e30) keeps the CLIP default.
        try Self.write(#"{"model_max_length": 1e+30}"#, to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(try CLIPTokenizer(directory: dir).maxLength == 77)
    }

    // MARK: Encoding options

    @Test func truncation() {
        let full = tokenizer.encode(Self.longText, truncate: false)
        let truncated = tokenizer.encode(Self.longText)
        #expect(full.count > 77)
        #expect(truncated.count == 77)
        #expect(truncated == Array(full.prefix(76)) + [tokenizer.eosTokenID])
        var custom = tokenizer
        custom.maxLength = 5
        #expect(custom.encode(Self.longText) == Array(full.prefix(4)) + [tokenizer.eosTokenID])
        custom.maxLength = 2
        #expect(custom.encode(Self.longText) == [49406, 49407])
        #expect(tokenizer.encode("") == [49406, 49407])
        #expect(tokenizer.encode(" \t\n ") == [49406, 49407])
        #expect(tokenizer.tokens("") == [])
    }

    @Test func specialTokenStringsInText() {
        #expect(tokenizer.encode("a<|endoftext|>b") == [49406, 320, 49407, 321, 49407])
        #expect(tokenizer.encode("<|startoftext|>x") == [49406, 49406, 343, 49407])
        #expect(tokenizer.tokens("a<|endoftext|>b") == ["a</w>", "<|endoftext|>", "b</w>"])
    }

    @Test func decode() {
        let ids = tokenizer.encode("A photo of a CAT, naïve 😀!")
        #expect(tokenizer.decode(ids) == "a photo of a cat , naïve 😀!")
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "<|startoftext|>a photo of a cat , naïve 😀! <|endoftext|>")
        #expect(tokenizer.decode([]) == "")
        #expect(tokenizer.decode([-1, 1_000_000]) == "")
        #expect(tokenizer.token(for: 320) == "a</w>")
        #expect(tokenizer.token(for: 49408) == nil)
    }

    /// The heap used for long words and the scan used for short ones merge identically.
    @Test func heapAndLinearMergesAgree() {
        var generator = SeededGenerator(defaultSeed: 0x5EE5_0003)
        let texts = try! Fixtures.cases().cases.map(\.text).filter { !$0.isEmpty }
        let encoder = tokenizer.encoder
        for index in 0..<2000 {
            let text = texts[index % texts.count]
            var bytes = Array(text.utf8)
            if bytes.count > 1 {
                let start = Int.random(in: 0..<bytes.count, using: &generator)
                bytes = Array(bytes[start...].prefix(Int.random(in: 1...200, using: &generator)))
            }
            var symbols = bytes.enumerated().map { i, b in
                i == bytes.count - 1 ? encoder.finalByteIDs[Int(b)] : encoder.byteIDs[Int(b)]
            }
            var heap = symbols
            encoder.mergeLinear(&symbols)
            encoder.mergeWithHeap(&heap)
            #expect(symbols == heap, "seed \(generator.seed), case \(index): \(bytes)")
        }
    }

    @Test func concurrentEncodingAgreesWithSequential() async throws {
        let texts = try Fixtures.cases().cases.map(\.text)
        let fresh = try CLIPTokenizer(directory: Fixtures.clipVocab)  // cold cache, filled concurrently
        let expected = texts.map { tokenizer.encode($0, truncate: false) }
        let results = await withTaskGroup(of: (Int, [[Int32]]).self) { group in
            for worker in 0..<8 {
                group.addTask {
                    (worker, texts.indices.map { fresh.encode(texts[($0 + worker * 97) % texts.count], truncate: false) })
                }
            }
            var all: [(Int, [[Int32]])] = []
            for await result in group { all.append(result) }
            return all
        }
        for (worker, ids) in results {
            for (i, got) in ids.enumerated() {
                #expect(got == expected[(i + worker * 97) % texts.count])
            }
        }
    }

    // MARK: Errors

    @Test func missingFilesNameThePath() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        let missing = dir.appendingPathComponent("nope")
        let e1 = #expect(throws: TokenizerError.self) { try CLIPTokenizer(directory: missing) }
        #expect(e1?.kind == .missingFile)
        #expect(e1?.description.contains(missing.path) == true)

        let e2 = #expect(throws: TokenizerError.self) { try CLIPTokenizer(directory: dir) }
        #expect(e2?.description.contains("vocab.json + merges.txt, or tokenizer.json") == true)

        try FileManager.default.copyItem(at: Fixtures.clipVocab.appendingPathComponent("vocab.json"),
                                         to: dir.appendingPathComponent("vocab.json"))
        let e3 = #expect(throws: TokenizerError.self) { try CLIPTokenizer(directory: dir) }
        #expect(e3?.kind == .missingFile)
        #expect(e3?.description.hasPrefix("merges.txt (") == true)

        let e4 = #expect(throws: TokenizerError.self) {
            try CLIPTokenizer(vocabURL: dir.appendingPathComponent("vocab.json"), mergesURL: dir.appendingPathComponent("m.txt"))
        }
        #expect(e4?.description.contains("m.txt") == true)
        #expect(e4?.description.contains("file not found") == true)
    }

    @Test func malformedFilesGiveOneLineErrors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vocab = dir.appendingPathComponent("vocab.json")
        let merges = dir.appendingPathComponent("merges.txt")
        let good = #"{"a": 0, "b": 1, "ab": 2, "a</w>": 3, "b</w>": 4, "ab</w>": 5, "<|startoftext|>": 6, "<|endoftext|>": 7}"#

        func error(_ vocabText: String, _ mergesText: String) -> TokenizerError? {
            try? Self.write(vocabText, to: vocab)
            try? Self.write(mergesText, to: merges)
            return #expect(throws: TokenizerError.self) { try CLIPTokenizer(vocabURL: vocab, mergesURL: merges) }
        }

        let notJSON = error("{not json", "#version: 0.2\na b\n")
        #expect(notJSON?.description.hasPrefix("vocab.json (") == true)
        #expect(notJSON?.description.contains("not valid JSON") == true)

        let notObject = error("[1, 2]", "#version: 0.2\na b\n")
        #expect(notObject?.kind == .malformed)
        #expect(notObject?.description.contains("vocab.json") == true)

        let badID = error(#"{"a": "zero"}"#, "#version: 0.2\na b\n")
        #expect(badID?.description.contains("\"a\"") == true)

        let badLine = error(good, "#version: 0.2\na b\na b</w> extra\n")
        #expect(badLine?.kind == .malformed)
        #expect(badLine?.description.hasPrefix("merges.txt (") == true)
        #expect(badLine?.description.contains("line 3") == true)

        let unknown = error(good, "#version: 0.2\na b\nx y\n")
        #expect(unknown?.description.contains("merge on line 3 uses \"x\"") == true)

        let noBOS = error(#"{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}"#, "a b\n")
        #expect(noBOS?.description.contains("<|startoftext|>") == true)
        #expect(noBOS?.description.contains("vocab.json") == true)

        for e in [notJSON, notObject, badID, badLine, unknown, noBOS] {
            #expect(e.map { !$0.description.contains("\n") } == true)
        }

        // A minimal valid pair loads and merges.
        try Self.write(good, to: vocab)
        try Self.write("#version: 0.2\na b\na b</w>\n", to: merges)
        let tiny = try CLIPTokenizer(vocabURL: vocab, mergesURL: merges)
        #expect(tiny.tokens("ab ab") == ["ab</w>", "ab</w>"])
        #expect(tiny.vocabularySize == 8)
    }

    @Test func malformedTokenizerJSON() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        for (text, fragment) in [
            (#"{"model": {"type": "WordPiece", "vocab": {}}}"#, "expected \"BPE\""),
            (#"{"model": {"type": "BPE", "vocab": [], "merges": []}}"#, "model.vocab"),
            (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [1]}}"#, "model.merges[0]"),
            (#"{"nothing": 1}"#, "no \"model\""),
        ] {
            try Self.write(text, to: file)
            let e = #expect(throws: TokenizerError.self) { try CLIPTokenizer(directory: dir) }
            #expect(e?.description.hasPrefix("tokenizer.json (") == true)
            #expect(e?.description.contains(fragment) == true, "\(e?.description ?? "")")
        }
    }
}
