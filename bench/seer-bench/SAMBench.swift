import Foundation
import SeerModels
import SeerTensor

/// seer-bench sam MODEL_DIR PIXELS.npy SECONDS POINT_X POINT_Y OUT_DIR (bench/sam_vit_b.py):
/// the image encoder on one preprocessed 1024×1024 image, then one decoder call with a single
/// foreground point (multimask), and one with 64 single-point prompts. Writes seer_sam_{embedding,masks,iou}.npy into OUT_DIR.
func benchSAM(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    var sam: SAM!
    let loadSeconds = try seconds { sam = try SAM(directory: URL(fileURLWithPath: args[0])) }
    let pixels = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: args[1])))
    let budget = Double(args[2]) ?? 20
    let point = SAMPoint(x: Double(args[3])!, y: Double(args[4])!)
    let out = URL(fileURLWithPath: args[5])

    var embedding = try sam.imageEmbedding(pixelValues: pixels)  // warm-up (packs the weights)
    let (encoder, encoderRuns) = try medianSeconds(budget: budget) { embedding = try sam.imageEmbedding(pixelValues: pixels) }

    // The input is already 1024×1024, so the original image is the model's frame.
    let size = pixels.shape[2]
    let image = SAMImageEmbedding(values: embedding.scalars, channels: embedding.shape[0], gridSize: embedding.shape[1],
                                  originalWidth: size, originalHeight: size, resizedWidth: size, resizedHeight: size)
    let prompt = [SAMPrompt(points: [point])]
    var prediction = try sam.predict(image, prompts: prompt, multimask: true)[0]
    var decoderTimes: [Double] = []
    let start = DispatchTime.now()
    while decoderTimes.count < 10 || Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 < min(budget, 5) {
        decoderTimes.append(try seconds { prediction = try sam.predict(image, prompts: prompt, multimask: true)[0] })
    }
    decoderTimes.sort()
    // What the automatic mask generator sends: 64 single points (an 8×8 grid) in one call.
    let grid = (0..<64).map { SAMPrompt(points: [SAMPoint(x: Double(size) * (Double($0 % 8) + 0.5) / 8, y: Double(size) * (Double($0 / 8) + 0.5) / 8)]) }
    _ = try sam.predict(image, prompts: grid, multimask: true)
    let (grid64, _) = try medianSeconds(budget: min(budget, 5)) { _ = try sam.predict(image, prompts: grid, multimask: true) }

    try NPY.encode(embedding).write(to: out.appendingPathComponent("seer_sam_embedding.npy"))
    let low = SAMPrediction.lowResSize
    try NPY.encode(Tensor(shape: [prediction.lowResLogits.count, low, low], values: prediction.lowResLogits.flatMap { $0 }))
        .write(to: out.appendingPathComponent("seer_sam_masks.npy"))
    try NPY.encode(Tensor(shape: [prediction.iouScores.count], values: prediction.iouScores))
        .write(to: out.appendingPathComponent("seer_sam_iou.npy"))
    try printJSON(["load_seconds": loadSeconds, "encoder_seconds": encoder, "encoder_runs": encoderRuns,
                   "decoder_seconds": decoderTimes[decoderTimes.count / 2], "decoder_runs": decoderTimes.count, "decoder64_seconds": grid64,
                   "peak_rss_bytes": peakResidentBytes()])
}
