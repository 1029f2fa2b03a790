import Foundation
import SeerImage

/// transformers' `Owlv2ImageProcessorPil` (image_processing_pil_owlv2.py, transformers 5.23), from
/// `preprocessor_config.json`: rescale to float32 (uint8 × 1/255 in float64), pad bottom and right
/// to a square with zeros, resize as skimage does (Gaussian anti-alias with σ = max(0, (in/out − 1)/2),
/// then bilinear zoom: `SciPyResampling`), clip to the padded image's range, normalize.
/// The original OWLv2 pads with gray (0.5); transformers pads with 0, and so does Seer.
/// transformers hands `resample` to `resize` where its `anti_aliasing` parameter sits, so the
/// Gaussian runs unless `resample` is 0 (NEAREST); the Hub files say 2 (bilinear).
public struct OWLv2ImageProcessor: ImageProcessing, Equatable {
    public var height = 960
    public var width = 960
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doPad = true
    public var doResize = true
    public var doNormalize = true
    /// Whether the Gaussian anti-alias runs: `resample` ≠ 0, as transformers' positional call makes it.
    public var antiAlias = true
    public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]

    public init() {}

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelError.missingFile(url.path) }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.invalidConfig("\(url.path) is not a JSON object")
        }
        func flag(_ key: String, _ value: inout Bool) throws {
            guard let v = json[key], !(v is NSNull) else { return }
            guard let b = v as? Bool else { throw ModelError.invalidConfig("\(url.path): '\(key)' should be true or false") }
            value = b
        }
        try flag("do_rescale", &doRescale)
        try flag("rescale", &doRescale)  // early OWL files' spelling, mapped by transformers
        try flag("do_pad", &doPad)
        try flag("do_resize", &doResize)
        try flag("do_normalize", &doNormalize)
        if let f = json["rescale_factor"] as? Double { rescaleFactor = f }
        if let r = json["resample"] as? Int { antiAlias = r != 0 }
        if let size = json["size"] {
            if let n = size as? Int {
                (height, width) = (n, n)
            } else if let d = size as? [String: Any], let h = d["height"] as? Int, let w = d["width"] as? Int {
                (height, width) = (h, w)
            } else {
                throw ModelError.invalidConfig("\(url.path): 'size' should be an int or {\"height\", \"width\"}")
            }
        }
        func triple(_ key: String) throws -> [Double]? {
            guard let v = json[key], !(v is NSNull) else { return nil }
            if let one = v as? Double { return [one, one, one] }
            guard let list = v as? [Double], list.count == 3 else { throw ModelError.invalidConfig("\(url.path): '\(key)' needs 3 values") }
            return list
        }
        imageMean = try triple("image_mean") ?? imageMean
        imageStd = try triple("image_std") ?? imageStd
        guard height > 0, width > 0 else { throw ModelError.invalidConfig("\(url.path): 'size' must be positive") }
    }

    public var inputWidth: Int { width }
    public var inputHeight: Int { height }

    /// The side of the padded square, which boxes are relative to: max(height, width) of the image.
    public static func paddedSide(width: Int, height: Int) -> Int { max(width, height) }

    public func pixelValues(_ image: RGBImage) -> [Float] {
        let (w, h) = (image.width, image.height)
        let side = doPad ? max(w, h) : 0
        let (ph, pw) = doPad ? (side, side) : (h, w)
        // Rescale into channel planes of the padded size; the padding stays 0.
        var planes = [[Float]](repeating: [Float](repeating: 0, count: ph * pw), count: 3)
        var table = [Float](repeating: 0, count: 256)
        for v in 0..<256 { table[v] = doRescale ? Float(Double(v) * rescaleFactor) : Float(v) }
        image.pixels.withUnsafeBufferPointer { src in
            for c in 0..<3 {
                planes[c].withUnsafeMutableBufferPointer { dst in
                    for y in 0..<h {
                        for x in 0..<w { dst[y * pw + x] = table[Int(src[(y * w + x) * 3 + c])] }
                    }
                }
            }
        }
        if doResize && (ph != height || pw != width) {
            // _clip_warp_output: the result is clipped to the range of the whole padded input.
            var low = Float.infinity, high = -Float.infinity
            for plane in planes { for v in plane { low = min(low, v); high = max(high, v) } }
            let sigmaY = antiAlias ? max(0, (Double(ph) / Double(height) - 1) / 2) : 0
            let sigmaX = antiAlias ? max(0, (Double(pw) / Double(width) - 1) / 2) : 0
            for c in 0..<3 {
                SciPyResampling.gaussianFilter(&planes[c], height: ph, width: pw, sigmaY: sigmaY, sigmaX: sigmaX)
                planes[c] = SciPyResampling.zoomBilinear(planes[c], height: ph, width: pw, toHeight: height, toWidth: width)
                    .map { min(max($0, low), high) }
            }
        }
        var out = [Float]()
        out.reserveCapacity(3 * height * width)
        for c in 0..<3 {
            let m = Float(imageMean[c]), s = Float(imageStd[c])
            out.append(contentsOf: doNormalize ? planes[c].map { ($0 - m) / s } : planes[c])
        }
        return out
    }
}
