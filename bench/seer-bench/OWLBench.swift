import Foundation
import SeerModels
import SeerTensor

/// seer-bench owlv2 MODEL_DIR PIXELS.npy PROMPTS.json BATCH[,BATCH…] SECONDS OUT_DIR (bench/owlv2_b16.py):
/// the whole detector (vision tower, heads, logits for the first 3 prompts) on tiled batches of
/// preprocessed images, and the text-query cost of all the prompts (tokenizer + text tower).
/// Writes seer_owl_{logits,boxes,objectness}.npy for the sample images into OUT_DIR.
func benchOWL(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    var owl: OWL!
    let loadSeconds = try seconds { owl = try OWL(directory: URL(fileURLWithPath: args[0]), version: .v2) }
    let pixels = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[1])))
    let prompts = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: args[2])))
    let batches = args[3].split(separator: ",").compactMap { Int($0) }
    let budget = Double(args[4]) ?? 10
    let out = URL(fileURLWithPath: args[5])

    let queries = try owl.textQueries(Array(prompts.prefix(3)))
    let (textSeconds, textRuns) = try medianSeconds(budget: min(budget, 5)) { _ = try owl.textQueries(prompts) }
    let sample = try owl.model.detect(pixelValues: pixels, queries: queries)  // also the warm-up (packs the weights)
    let imageFloats = pixels.count / pixels.shape[0]
    var results: [[String: Any]] = []
    for batch in batches {
        let input = Tensor(zeros: [batch] + Array(pixels.shape.dropFirst()))
        for b in 0..<batch {
            (input.pointer + b * imageFloats).update(from: pixels.pointer + (b % pixels.shape[0]) * imageFloats, count: imageFloats)
        }
        let (median, iterations) = try medianSeconds(budget: budget) { _ = try owl.model.detect(pixelValues: input, queries: queries) }
        results.append(["batch": batch, "iterations": iterations, "median_seconds": median, "images_per_second": Double(batch) / median])
    }
    try NPY.encode(sample.logits).write(to: out.appendingPathComponent("seer_owl_logits.npy"))
    try NPY.encode(sample.predBoxes).write(to: out.appendingPathComponent("seer_owl_boxes.npy"))
    if let objectness = sample.objectness { try NPY.encode(objectness).write(to: out.appendingPathComponent("seer_owl_objectness.npy")) }
    try printJSON(["load_seconds": loadSeconds, "peak_rss_bytes": peakResidentBytes(), "results": results,
                   "text_prompts": prompts.count, "text_seconds": textSeconds, "text_runs": textRuns])
}
