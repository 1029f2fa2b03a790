import Foundation
import Testing
@testable import SeerTokenizers

/// A malformed or unsupported tokenizer.json is a TokenizerError that says where, never a crash
/// or a tokenizer that silently ignores part of the file.
@Suite struct TokenizerJSONErrorTests {
    static var good: [String: Any] {
        let url = SiglipFixtures.v2Directory.appendingPathComponent("tokenizer.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// Writes `object` (or raw bytes) as tokenizer.json in a fresh folder and loads it.
    static func load(_ object: [String: Any]? = nil, raw: Data? = nil) -> TokenizerError? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-tokjson-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = raw ?? (try! JSONSerialization.data(withJSONObject: object!))
        try! data.write(to: dir.appendingPathComponent("tokenizer.json"))
        do {
            _ = try PretrainedTokenizer(directory: dir)
            return nil
        } catch let error as TokenizerError {
            #expect(error.path.hasSuffix("tokenizer.json"))
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func modified(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var copy = good
        change(&copy)
        return copy
    }

    @Test func goodFileLoads() {
        #expect(Self.load(Self.good) == nil)
    }

    @Test func notJSON() {
        #expect(Self.load(raw: Data("{\"model\": ".utf8))?.kind == .unreadable)
        #expect(Self.load(raw: Data("[1, 2]".utf8))?.kind == .malformed)
        #expect(Self.load(raw: Data())?.kind == .unreadable)
    }

    @Test func truncatedFileNeverCrashes() throws {
        let data = try Data(contentsOf: SiglipFixtures.v2Directory.appendingPathComponent("tokenizer.json"))
        for cut in stride(from: 1, to: data.count, by: data.count / 97) {
            #expect(Self.load(raw: data.prefix(cut)) != nil)
        }
    }

    @Test func errorsSayWhere() {
        func message(_ change: (inout [String: Any]) -> Void) -> String {
            Self.load(Self.modified(change))?.message ?? "(loaded)"
        }
        #expect(message { $0["model"] = nil }.contains("\"model\" is missing"))
        #expect(message { $0["model"] = ["type": "Unigram", "vocab": []] }.contains("model type \"Unigram\" is not supported"))
        #expect(message {
            var m = $0["model"] as! [String: Any]
            m["merges"] = ["▁ t", "no_such_token x"]
            $0["model"] = m
        }.contains("merges[1] uses \"no_such_token\""))
        #expect(message {
            var m = $0["model"] as! [String: Any]
            m["merges"] = [42]
            $0["model"] = m
        }.contains("merges[0]"))
        #expect(message {
            var m = $0["model"] as! [String: Any]
            var v = m["vocab"] as! [String: Any]
            v["▁"] = "seven"
            m["vocab"] = v
            $0["model"] = m
        }.contains("model.vocab"))
        #expect(message { $0["normalizer"] = ["type": "Sequence", "normalizers": [["type": "Lowercase"], ["type": "Fancy"]]] }
            .contains("normalizer.normalizers[1]: normalizer type \"Fancy\" is not supported"))
        #expect(message { $0["normalizer"] = ["type": "Replace", "pattern": ["Regex": "\\s+"], "content": " "] }
            .contains("Regex"))
        #expect(message { $0["pre_tokenizer"] = ["type": "Split", "pattern": ["String": " "], "behavior": "Sideways", "invert": false] }
            .contains("behavior \"Sideways\""))
        #expect(message { $0["pre_tokenizer"] = ["type": "ByteLevel"] }.contains("\"ByteLevel\" is not supported"))
        #expect(message { $0["post_processor"] = ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "<x>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]], "special_tokens": [:]] }
            .contains("<x>"))
        #expect(message {
            var added = $0["added_tokens"] as! [[String: Any]]
            added[0]["id"] = "zero"
            $0["added_tokens"] = added
        }.contains("added_tokens[0]"))
    }
}
