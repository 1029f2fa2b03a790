import Foundation
import Testing
@testable import SeerTokenizers

/// A broken spiece.model is a TokenizerError that names the file, never a crash or a model that
/// half-loads.
@Suite struct SentencePieceModelErrorTests {
    static let good = try! Data(contentsOf: SiglipFixtures.v1Directory.appendingPathComponent("spiece.model"))

    /// SplitMix64, so every run corrupts the same bytes.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Loads bytes as a processor; returns the error, or nil if it loaded.
    static func load(_ data: Data) -> TokenizerError? {
        do {
            let model = try SentencePieceModel(serialized: data, path: "/m/spiece.model")
            _ = try SentencePieceProcessor(model: model, path: "/m/spiece.model")
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func goodModelLoads() {
        #expect(Self.load(Self.good) == nil)
    }

    @Test func truncatedModelIsAnError() {
        // Every cut in the first 4 KB (pieces), then every 997th byte (pieces, specs, charsmap).
        var cuts = Array(1..<4096)
        cuts += stride(from: 4096, to: Self.good.count, by: 997)
        var loaded = 0
        for cut in cuts {
            if let error = Self.load(Self.good.prefix(cut)) {
                #expect(error.kind == .malformed && error.path == "/m/spiece.model")
            } else {
                loaded += 1  // a cut on a field boundary is a valid, smaller model
            }
        }
        // Cuts inside a field are never accepted: far fewer loads than cuts.
        #expect(loaded < cuts.count / 10)
        #expect(Self.load(Data()) != nil)
        #expect(Self.load(Self.good.prefix(Self.good.count - 1)) != nil)
    }

    @Test func corruptBytesNeverCrash() {
        var rng = SeededRandom(state: 20250221)
        var errors = 0
        for _ in 0..<300 {
            var data = Self.good
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let i = Int.random(in: 0..<data.count, using: &rng)
                data[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if let error = Self.load(data) {
                errors += 1
                #expect(!error.message.isEmpty)
            } else {
                // Loaded despite the damage (a changed score or letter): it must still encode.
                if let model = try? SentencePieceModel(serialized: data), let sp = try? SentencePieceProcessor(model: model) {
                    _ = sp.encode("a photo of a cat, 猫 😀")
                }
            }
        }
        #expect(errors > 0)
    }

    @Test func notAModel() {
        let json = Data("{\"model\": {}}".utf8)
        let error = Self.load(json)
        #expect(error?.kind == .malformed)
        #expect(error?.description.hasPrefix("spiece.model (/m/spiece.model): ") == true)
    }

    @Test func missingFileNamesIt() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-siglip-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: TokenizerError.self) { try SiglipTokenizer(directory: dir) }
        do {
            _ = try SiglipTokenizer(directory: dir)
        } catch let error as TokenizerError {
            #expect(error.kind == .missingFile && error.path.hasSuffix("spiece.model"))
        } catch {
            Issue.record("\(error)")
        }
    }

    // Hand-built models: the checks sentencepiece makes when it loads one.

    static func piece(_ text: String, _ score: Float, _ type: Int) -> [UInt8] {
        var body: [UInt8] = [0x0A, UInt8(text.utf8.count)] + Array(text.utf8)
        body += [0x15] + withUnsafeBytes(of: score.bitPattern.littleEndian) { Array($0) }
        body += [0x18, UInt8(type)]
        return [0x0A, UInt8(body.count)] + body
    }

    static func model(_ pieces: [[UInt8]], byteFallback: Bool = false) -> Data {
        var bytes = pieces.flatMap { $0 }
        if byteFallback { bytes += [0x12, 0x03, 0x98, 0x02, 0x01] }  // trainer_spec { byte_fallback (35): true }
        return Data(bytes)
    }

    @Test func handBuiltModelsAreChecked() {
        let unk = Self.piece("<unk>", 0, 2)
        let ok = Self.model([unk, Self.piece("▁a", -1, 1), Self.piece("b", -2, 1)])
        #expect(Self.load(ok) == nil)
        #expect(Self.load(Self.model([unk, Self.piece("a", -1, 1), Self.piece("a", -2, 1)]))?.message.contains("defined twice") == true)
        #expect(Self.load(Self.model([Self.piece("a", -1, 1)]))?.message.contains("UNKNOWN") == true)
        #expect(Self.load(Self.model([unk, Self.piece("a", .nan, 1)]))?.message.contains("NaN") == true)
        #expect(Self.load(Self.model([unk, Self.piece("<0x41>", 0, 6)]))?.message.contains("byte_fallback") == true)
        #expect(Self.load(Self.model([unk, Self.piece("<0x41>", 0, 6)], byteFallback: true))?.message.contains("256") == true)
        #expect(Self.load(Self.model([unk, Self.piece("a", -1, 9)]))?.message.contains("unknown type") == true)
    }

    /// Ties between equally scored paths go to the path found first (its last piece starts
    /// earliest), as EncodeOptimized's strict `>`; unknown characters merge into one <unk>.
    @Test func viterbiTieBreakAndUnknownMerging() throws {
        let data = Self.model([Self.piece("<unk>", 0, 2), Self.piece("▁", -1, 1), Self.piece("▁a", -1, 1),
                               Self.piece("b", -1, 1), Self.piece("ab", -1, 1), Self.piece("a", -5, 1)])
        let sp = try SentencePieceProcessor(model: try SentencePieceModel(serialized: data))
        // "▁ab": "▁a"+"b" and "▁"+"ab" both score -2; "ab" (ends at "b", starts at "a") is found
        // while scanning from "a", before "b" is scanned from "b": "▁" + "ab" wins.
        #expect(sp.encodePieces("ab") == ["▁", "ab"])
        #expect(sp.encode("ab") == [1, 4])
        #expect(sp.encodePieces("b猫犬b") == ["▁", "b", "猫犬", "b"])
        #expect(sp.encode("b猫犬b") == [1, 3, 0, 3])
    }
}
