import Foundation
import SeerImage

/// seer-bench preprocess [WIDTH HEIGHT] [SECONDS]: CLIP's preprocessing of one large photo-sized
/// image (default 4000×3000 of deterministic noise): the bicubic resize alone, then the whole
/// `pixelValues` (resize, crop, normalize). Prints one JSON object. Moved here from the test
/// suite, where it measured without asserting and was among the slowest tests of a debug build.
func benchPreprocess(_ arguments: ArraySlice<String>) throws {
    let args = Array(arguments)
    let width = args.count > 1 ? Int(args[0]) ?? 4000 : 4000
    let height = args.count > 1 ? Int(args[1]) ?? 3000 : 3000
    let budget = args.count > 2 ? Double(args[2]) ?? 3 : 3
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    var state: UInt32 = 12345
    for i in pixels.indices {
        state = state &* 1_664_525 &+ 1_013_904_223
        pixels[i] = UInt8(truncatingIfNeeded: state >> 24)
    }
    let image = RGBImage(width: width, height: height, pixels: pixels)
    let preprocessor = ImagePreprocessor()
    let size = preprocessor.resizedSize(width: width, height: height)
    _ = preprocessor.resizedAndCropped(image)  // warm-up
    let (resize, resizeRuns) = medianSeconds(budget: budget) { _ = image.resized(width: size.width, height: size.height, filter: .bicubic) }
    let (full, fullRuns) = medianSeconds(budget: budget) { _ = preprocessor.pixelValues(image) }
    try printJSON([
        "width": width, "height": height, "resized_width": size.width, "resized_height": size.height,
        "resize_median_seconds": resize, "resize_iterations": resizeRuns,
        "pixel_values_median_seconds": full, "pixel_values_iterations": fullRuns,
        "peak_rss_bytes": peakResidentBytes(),
    ])
}
