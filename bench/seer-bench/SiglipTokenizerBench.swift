import Foundation
import SeerTokenizers

// seer-bench siglip-tokenizer KIND DIR TEXTS.json (bench/siglip_tokenizer.py)
//   KIND siglip: SiglipTokenizer.encode (spiece.model), and its SentencePieceProcessor alone;
//   KIND gemma / siglip2: PretrainedTokenizer.encode (tokenizer.json; siglip2 lowercases first).
// Every text is encoded as SigLIP's processors ask (64 ids, truncated and padded) on one thread;
// "checksum" (the sum of id × position over all outputs) lets the driver check the ids.
func benchSiglipTokenizer(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    let (kind, directory) = (args[0], URL(fileURLWithPath: args[1]))
    let texts = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: args[2])))
    var encode: (String) -> [Int32]
    var raw: ((String) -> [Int32])?
    var load = 0.0
    switch kind {
    case "siglip":
        var tokenizer: SiglipTokenizer!
        load = try seconds { tokenizer = try SiglipTokenizer(directory: directory) }
        encode = { tokenizer.encode($0) }
        raw = { tokenizer.processor.encode($0) }
    case "gemma", "siglip2":
        var tokenizer: PretrainedTokenizer!
        load = try seconds { tokenizer = try PretrainedTokenizer(directory: directory, lowercase: kind == "siglip2") }
        encode = { tokenizer.encode($0) }
    default:
        throw TokenizerError(.malformed, path: kind, "unknown tokenizer kind (siglip, gemma, siglip2)")
    }
    func checksum(_ f: (String) -> [Int32]) -> Int {
        texts.reduce(0) { sum, text in f(text).enumerated().reduce(sum) { $0 &+ Int($1.element) &* ($1.offset + 1) } }
    }
    var sum = 0
    let cold = seconds { sum = checksum(encode) }
    let (warm, _) = medianSeconds(budget: 2) { _ = texts.reduce(0) { $0 + encode($1).count } }
    var result: [String: Any] = ["load_seconds": load, "texts": texts.count, "checksum": sum, "cold_seconds": cold, "warm_seconds": warm]
    if let raw {
        result["raw_checksum"] = checksum(raw)
        result["raw_warm_seconds"] = medianSeconds(budget: 2) { _ = texts.reduce(0) { $0 + raw($1).count } }.0
    }
    try printJSON(result)
}
