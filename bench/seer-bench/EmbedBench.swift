import Foundation
import SeerModels
import SeerTensor

/// `seer-bench embed MODEL_DIR PIXELS.npy BATCH[,BATCH…] SECONDS_PER_BATCH [EMBEDDINGS_OUT.npy] [POOLING]`
///
/// The image tower of any family the registry loads (DINOv2, SigLIP, CLIP…), timed on the
/// preprocessed sample images tiled up to each batch size: what `seer embed` runs per batch
/// after decoding. The optional output receives the sample images' embeddings so the driver
/// can check them against the peers'.
func benchEmbed(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    let pooling = args.count > 5 ? EmbeddingPooling(rawValue: args[5]) : nil
    var embedder: (any ImageEmbedder)!
    let loadSeconds = try seconds {
        embedder = try ModelRegistry.shared.load(directory: URL(fileURLWithPath: args[0]), options: LoadOptions(pooling: pooling))
            .requireImageEmbedder()
    }
    let pixels = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[1])))
    let results = try timeImageBatches(pixels: pixels, batches: args[2], budget: Double(args[3]) ?? 10) {
        _ = try embedder.imageEmbeddings(pixelValues: $0)
    }
    if args.count > 4 && !args[4].isEmpty {
        try NPY.encode(try embedder.imageEmbeddings(pixelValues: pixels)).write(to: URL(fileURLWithPath: args[4]))
    }
    try printJSON(["model_type": embedder.modelType, "load_seconds": loadSeconds, "peak_rss_bytes": peakResidentBytes(),
                   "threads": seerThreadCount, "results": results])
}
