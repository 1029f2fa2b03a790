// The Swift side of the benchmarks in bench/: each mode times one Seer capability and prints
// one JSON object, which the Python driver sets beside its peer's numbers from the same run.
//
//   seer-bench clip MODEL_DIR PIXELS.npy BATCH[,BATCH…] SECONDS_PER_BATCH [EMBEDDINGS_OUT.npy]
//       CLIP image tower (bench/clip_vit_b32.py). The optional last argument receives the
//       embeddings of the sample images, so the driver can check them against PyTorch's.
//   seer-bench embed MODEL_DIR PIXELS.npy BATCH[,BATCH…] SECONDS_PER_BATCH [EMBEDDINGS_OUT.npy] [POOLING]
//       The image tower of any registered family (bench/dinov2_vit_b14.py, bench/siglip_vision.py;
//       EmbedBench.swift).
//   seer-bench tokenizer VOCAB_DIR TEXTS.json
//       CLIPTokenizer.encode over a JSON array of strings (bench/tokenizer.py).
//   seer-bench siglip-tokenizer siglip|gemma|siglip2 DIR TEXTS.json
//       SigLIP / SigLIP 2 tokenizers over a JSON array of strings (bench/siglip_tokenizer.py;
//       SiglipTokenizerBench.swift).
//   seer-bench search BASE.npy QUERIES.npy TRUTH.npy EF[,EF…] [M]
//       SeerIndex exact search and HNSW over unit vectors (bench/search.py); TRUTH.npy holds
//       the exact top-10 row numbers of each query (float32), for recall@10.
//   seer-bench sam MODEL_DIR PIXELS.npy SECONDS POINT_X POINT_Y OUT_DIR
//       SAM image encoder and one single-point decoder call (bench/sam_vit_b.py; SAMBench.swift).
//   seer-bench owlv2 MODEL_DIR PIXELS.npy PROMPTS.json BATCH[,BATCH…] SECONDS OUT_DIR
//       OWLv2 detector and text-query cost (bench/owlv2_b16.py; OWLBench.swift).
//   seer-bench preprocess [WIDTH HEIGHT] [SECONDS]
//       CLIP preprocessing of a 4000×3000 image: bicubic resize, then pixelValues (PreprocessBench.swift).
//   seer-bench workflow [FRAMES] [DIM]
//       The workflow engine's cost per frame over direct detector calls (WorkflowBench.swift).
//   seer-bench umap DATA.npy OUT.npy [NEIGHBORS]
//       The k-NN graph and UMAP of `seer map` (bench/map_umap.py; UMAPBench.swift).
import Foundation
import SeerIndex
import SeerModels
import SeerTensor
import SeerTokenizers

func peakResidentBytes() -> Int {
    // VmHWM: the high-water mark of resident memory, in kB.
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) * 1024
    }
    return 0
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now()
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// Runs `body` until `budget` seconds have passed (at least three times) and returns the median.
func medianSeconds(budget: Double, _ body: () throws -> Void) rethrows -> (median: Double, iterations: Int) {
    var times: [Double] = []
    let start = DispatchTime.now()
    while times.count < 3 || Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 < budget {
        times.append(try seconds(body))
    }
    times.sort()
    return (times[times.count / 2], times.count)
}

func printJSON(_ object: [String: Any]) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

/// Times `embed` on the sample images tiled up to each batch size (after one warm-up call,
/// which also packs the weights): the median over `budget` seconds per batch size.
func timeImageBatches(pixels: Tensor, batches: String, budget: Double, _ embed: (Tensor) throws -> Void) throws -> [[String: Any]] {
    let imageFloats = pixels.count / pixels.shape[0]
    var results: [[String: Any]] = []
    for batch in batches.split(separator: ",").compactMap({ Int($0) }) {
        let input = Tensor(zeros: [batch] + Array(pixels.shape.dropFirst()))
        for b in 0..<batch {
            (input.pointer + b * imageFloats).update(from: pixels.pointer + (b % pixels.shape[0]) * imageFloats, count: imageFloats)
        }
        try embed(input)
        let (median, iterations) = try medianSeconds(budget: budget) { try embed(input) }
        results.append(["batch": batch, "iterations": iterations, "median_seconds": median, "images_per_second": Double(batch) / median])
    }
    return results
}

func benchCLIP(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    var model: CLIPModel!
    let loadSeconds = try seconds { model = try CLIPModel(directory: URL(fileURLWithPath: args[0])) }
    let pixels = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[1])))
    let results = try timeImageBatches(pixels: pixels, batches: args[2], budget: Double(args[3]) ?? 10) {
        _ = try model.imageEmbeddings(pixelValues: $0)
    }
    if args.count > 4 {
        try NPY.encode(try model.imageEmbeddings(pixelValues: pixels)).write(to: URL(fileURLWithPath: args[4]))
    }
    try printJSON(["load_seconds": loadSeconds, "peak_rss_bytes": peakResidentBytes(), "results": results])
}

func benchTokenizer(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    var tokenizer: CLIPTokenizer!
    let loadSeconds = try seconds { tokenizer = try CLIPTokenizer(directory: URL(fileURLWithPath: args[0])) }
    let texts = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: args[1])))
    var tokens = 0
    // The first pass fills the word cache; the median of the later ones is the steady state.
    let cold = seconds { tokens = texts.reduce(0) { $0 + tokenizer.encode($1).count } }
    let (warm, _) = medianSeconds(budget: 2) { _ = texts.reduce(0) { $0 + tokenizer.encode($1).count } }
    try printJSON(["load_seconds": loadSeconds, "texts": texts.count, "tokens": tokens, "cold_seconds": cold, "warm_seconds": warm])
}

func benchSearch(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    let base = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[0])))
    let queries = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[1])))
    let truth = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[2])))
    let efs = args[3].split(separator: ",").compactMap { Int($0) }
    let m = args.count > 4 ? Int(args[4])! : 32
    let (n, d, nq) = (base.shape[0], base.shape[1], queries.shape[0])
    let matrix = VectorMatrix(dimension: d, values: base.scalars)
    let queryValues = queries.scalars
    let k = 10
    let exact = ExactSearch(matrix: matrix)
    // Exact: one query at a time (median over the queries), then all queries in one call.
    var single: [Double] = []
    var exactHits = 0
    for q in 0..<min(nq, 50) {
        var found: [Neighbor] = []
        single.append(seconds { found = exact.search(Array(queryValues[q * d ..< (q + 1) * d]), queryCount: 1, k: k)[0] })
        exactHits += Set(found.map(\.index)).intersection(truth.row(q).map { Int($0) }).count
    }
    single.sort()
    let batched = seconds { _ = exact.search(queryValues, queryCount: nq, k: k) }
    var index: HNSWIndex!
    let build = seconds { index = HNSWIndex(matrix: matrix, parameters: HNSWParameters(m: m, efConstruction: 40)) }
    var sweep: [[String: Any]] = []
    for ef in efs {
        var results: [[Neighbor]] = []
        // The median of several passes over the queries (one pass can take a few milliseconds).
        let (elapsed, _) = medianSeconds(budget: 1) { results = index.search(queryValues, queryCount: nq, k: k, ef: ef) }
        var hits = 0
        for q in 0..<nq { hits += Set(results[q].map(\.index)).intersection(truth.row(q).map { Int($0) }).count }
        sweep.append(["ef": ef, "recall": Double(hits) / Double(nq * k), "qps": Double(nq) / elapsed])
    }
    try printJSON([
        "n": n, "d": d, "queries": nq, "threads": seerThreadCount,
        "exact_single_ms": single[single.count / 2] * 1000, "exact_batched_ms_per_query": batched / Double(nq) * 1000,
        "exact_recall": Double(exactHits) / Double(min(nq, 50) * k),
        "hnsw_build_seconds": build, "hnsw_bytes_per_vector": Double(d * 4) + Double(index.graphBytes) / Double(n),
        "hnsw": sweep, "hnsw_mean_degree_layer0": index.meanDegree(layer: 0), "hnsw_nodes_without_in_links": index.nodesWithoutInLinks, "peak_resident_bytes": peakResidentBytes(),
    ])
}

let arguments = CommandLine.arguments.dropFirst()
switch (arguments.first, arguments.count) {
case ("clip", 5...): try benchCLIP(arguments.dropFirst())
case ("embed", 5...): try benchEmbed(arguments.dropFirst())
case ("tokenizer", 3): try benchTokenizer(arguments.dropFirst())
case ("siglip-tokenizer", 4): try benchSiglipTokenizer(arguments.dropFirst())
case ("search", 5...): try benchSearch(arguments.dropFirst())
case ("sam", 7): try benchSAM(arguments.dropFirst())
case ("owlv2", 7): try benchOWL(arguments.dropFirst())
case ("preprocess", 1...4): try benchPreprocess(arguments.dropFirst())
case ("workflow", 1...3): try runWorkflowBench(Array(arguments.dropFirst()))
case ("umap", 3...4): try benchUMAP(arguments.dropFirst())
default:
    FileHandle.standardError.write(Data("""
        usage: seer-bench clip MODEL_DIR PIXELS.npy BATCH[,BATCH…] SECONDS_PER_BATCH [EMBEDDINGS_OUT.npy]
               seer-bench embed MODEL_DIR PIXELS.npy BATCH[,BATCH…] SECONDS_PER_BATCH [EMBEDDINGS_OUT.npy] [POOLING]
               seer-bench tokenizer VOCAB_DIR TEXTS.json
               seer-bench siglip-tokenizer siglip|gemma|siglip2 DIR TEXTS.json
               seer-bench search BASE.npy QUERIES.npy TRUTH.npy EF[,EF…] [M]
               seer-bench sam MODEL_DIR PIXELS.npy SECONDS POINT_X POINT_Y OUT_DIR
               seer-bench owlv2 MODEL_DIR PIXELS.npy PROMPTS.json BATCH[,BATCH…] SECONDS OUT_DIR
               seer-bench preprocess [WIDTH HEIGHT] [SECONDS]
               seer-bench workflow [FRAMES] [DIM]
               seer-bench umap DATA.npy OUT.npy [NEIGHBORS]

        """.utf8))
    exit(2)
}
