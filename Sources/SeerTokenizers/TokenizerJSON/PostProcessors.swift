/// A tokenizer.json `post_processor` for single sequences: the special tokens around the
/// content ids (`TemplateProcessing`'s "single" template, `BertProcessing`, `RobertaProcessing`).
struct SequenceTemplate: Sendable, Equatable {
    /// Ids before and after the content.
    var prefix: [Int32] = []
    var suffix: [Int32] = []

    var specialCount: Int { prefix.count + suffix.count }

    static func make(_ json: JSONObject) throws -> SequenceTemplate {
        let type = try json.string("type")
        switch type {
        case "TemplateProcessing":
            var specials: [String: [Int32]] = [:]
            let table = try json.child("special_tokens")
            for (name, value) in table.object {
                guard let entry = value as? [String: Any], let ids = entry["ids"] as? [Any] else {
                    throw table.fail("special token \(CLIPTokenizer.quoted(name)) has no \"ids\"")
                }
                specials[name] = try ids.map {
                    guard let i = CLIPTokenizer.integer($0), i >= 0, i < Int(Int32.max) else { throw table.fail("special token \(CLIPTokenizer.quoted(name)) has an invalid id") }
                    return Int32(i)
                }
            }
            var template = SequenceTemplate()
            var seenSequence = false
            for (index, item) in try json.array("single").enumerated() {
                guard let piece = item as? [String: Any] else { throw json.fail("single[\(index)] is not an object") }
                if let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
                    guard let ids = specials[name] else { throw json.fail("single[\(index)] uses \(CLIPTokenizer.quoted(name)), which is not in special_tokens") }
                    if seenSequence { template.suffix += ids } else { template.prefix += ids }
                } else if piece["Sequence"] is [String: Any] {
                    guard !seenSequence else { throw json.fail("the single template has two sequences") }
                    seenSequence = true
                } else {
                    throw json.fail("single[\(index)] is neither a SpecialToken nor a Sequence")
                }
            }
            guard seenSequence else { throw json.fail("the single template has no sequence") }
            return template
        case "BertProcessing", "RobertaProcessing":
            func token(_ key: String) throws -> Int32 {
                guard let pair = try json.array(key) as [Any]?, pair.count == 2, let id = CLIPTokenizer.integer(pair[1]) else {
                    throw json.fail("\"\(key)\" must be [token, id]")
                }
                return Int32(id)
            }
            return SequenceTemplate(prefix: [try token("cls")], suffix: [try token("sep")])
        default:
            throw json.fail("post_processor type \(CLIPTokenizer.quoted(type)) is not supported")
        }
    }
}
