import Foundation
import SeerImage
import SeerTensor

/// transformers' SamProcessor with SamImageProcessorPil: the image resized so its longest
/// side is `longest_edge` (Pillow, uint8), rescaled, normalized and padded with zeros at the
/// bottom and right; prompt coordinates mapped into the resized frame; and low-resolution
/// masks mapped back to the original image (`post_process_masks`).
public struct SAMProcessor: Sendable, Equatable {
    public var longestEdge = 1024
    public var resample: ResampleFilter = .bilinear
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doNormalize = true
    public var imageMean = [0.485, 0.456, 0.406]
    public var imageStd = [0.229, 0.224, 0.225]
    /// The padded (model input) size, square.
    public var padSize = 1024

    /// SamImageProcessor's defaults (those of every released checkpoint).
    public init() {}

    /// Reads `preprocessor_config.json`; absent keys keep SAM's defaults.
    public init(contentsOf url: URL) throws {
        guard let data = try? Data(contentsOf: url) else { throw ModelError.missingFile(url.path) }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.invalidConfig("\(url.path) is not a JSON object")
        }
        func flag(_ key: String) -> Bool? { json[key] as? Bool }
        if flag("do_resize") == false || flag("do_pad") == false {
            throw ModelError.unsupported("\(url.lastPathComponent): Seer's SAM needs do_resize and do_pad (the encoder takes one fixed square size)")
        }
        switch json["size"] {
        case let n as NSNumber: longestEdge = n.intValue
        case let d as [String: Any]:
            guard let n = d["longest_edge"] as? NSNumber else {
                throw ModelError.invalidConfig("\(url.lastPathComponent): size must give longest_edge, found \(d.keys.sorted())")
            }
            longestEdge = n.intValue
        case nil, is NSNull: break
        case let other?: throw ModelError.invalidConfig("\(url.lastPathComponent): size should be {\"longest_edge\": N}, found \(other)")
        }
        switch json["pad_size"] {
        case let n as NSNumber: padSize = n.intValue
        case let d as [String: Any]:
            guard let h = d["height"] as? NSNumber, let w = d["width"] as? NSNumber, h == w else {
                throw ModelError.invalidConfig("\(url.lastPathComponent): pad_size must be a square {\"height\", \"width\"}")
            }
            padSize = h.intValue
        case nil, is NSNull: break
        case let other?: throw ModelError.invalidConfig("\(url.lastPathComponent): pad_size should be {\"height\": N, \"width\": N}, found \(other)")
        }
        if let r = json["resample"] as? NSNumber {
            guard let filter = ResampleFilter(rawValue: r.intValue) else {
                throw ModelError.invalidConfig("\(url.lastPathComponent): unknown resample filter \(r)")
            }
            resample = filter
        }
        doRescale = flag("do_rescale") ?? doRescale
        doNormalize = flag("do_normalize") ?? doNormalize
        if let f = json["rescale_factor"] as? NSNumber { rescaleFactor = f.doubleValue }
        for (key, value) in [("image_mean", \SAMProcessor.imageMean), ("image_std", \SAMProcessor.imageStd)] {
            switch json[key] {
            case let n as NSNumber: self[keyPath: value] = [Double](repeating: n.doubleValue, count: 3)
            case let list as [NSNumber] where list.count == 3: self[keyPath: value] = list.map(\.doubleValue)
            case nil, is NSNull: break
            case let other?: throw ModelError.invalidConfig("\(url.lastPathComponent): \(key) should be 3 numbers, found \(other)")
            }
        }
        guard longestEdge > 0, longestEdge <= padSize else {
            throw ModelError.invalidConfig("\(url.lastPathComponent): longest_edge \(longestEdge) must be positive and fit in pad_size \(padSize)")
        }
    }

    /// SamImageProcessor._get_preprocess_shape: (width, height) with the longest side scaled
    /// to `longestEdge`, rounded half up.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let scale = Double(longestEdge) / Double(max(width, height))
        return (Int(Double(width) * scale + 0.5), Int(Double(height) * scale + 0.5))
    }

    /// pixel_values [3, padSize, padSize] for one image, and its size after resizing.
    public func pixelValues(_ image: RGBImage) -> (pixels: Tensor, width: Int, height: Int) {
        let (width, height) = resizedSize(width: image.width, height: image.height)
        var steps = ImagePreprocessor()
        steps.size = .fixed(height: height, width: width)
        steps.resample = resample
        steps.doCenterCrop = false
        steps.doRescale = doRescale
        steps.rescaleFactor = rescaleFactor
        steps.doNormalize = doNormalize
        steps.imageMean = imageMean
        steps.imageStd = imageStd
        let values = steps.pixelValues(image)
        let pixels = Tensor(zeros: [3, padSize, padSize])
        values.withUnsafeBufferPointer { src in
            for c in 0..<3 {
                for y in 0..<height {
                    (pixels.pointer + (c * padSize + y) * padSize).update(from: src.baseAddress! + (c * height + y) * width, count: width)
                }
            }
        }
        return (pixels, width, height)
    }

    /// SamProcessor._normalize_coordinates for a point: original pixels → resized frame.
    static func map(x: Double, y: Double, from embedding: SAMImageEmbedding) -> (x: Double, y: Double) {
        (x * (Double(embedding.resizedWidth) / Double(embedding.originalWidth)),
         y * (Double(embedding.resizedHeight) / Double(embedding.originalHeight)))
    }

    /// post_process_masks(binarize=False) of one mask: low-resolution logits [size, size] →
    /// bilinear (align_corners=False) to padSize², crop to the resized image, bilinear to the
    /// original size. Both resamplings are linear and separable, so they are composed into
    /// four taps per output row and column and applied once (rather than building the
    /// padSize² intermediate).
    func postProcess(_ lowRes: UnsafePointer<Float>, size: Int, embedding e: SAMImageEmbedding, into out: UnsafeMutablePointer<Float>) {
        let columns = Self.composedTaps(lowRes: size, padded: padSize, cropped: e.resizedWidth, output: e.originalWidth)
        let rows = Self.composedTaps(lowRes: size, padded: padSize, cropped: e.resizedHeight, output: e.originalHeight)
        let width = e.originalWidth
        // Horizontal pass over every low-resolution row, then the vertical pass.
        let horizontal = UnsafeMutablePointer<Float>.allocate(capacity: size * width)
        defer { horizontal.deallocate() }
        for r in 0..<size {
            let src = lowRes + r * size, dst = horizontal + r * width
            for x in 0..<width {
                let t = columns[x]
                dst[x] = t.w0 * src[t.i0] + t.w1 * src[t.i1] + t.w2 * src[t.i2] + t.w3 * src[t.i3]
            }
        }
        for y in 0..<e.originalHeight {
            let t = rows[y]
            let (a, b, c, d) = (horizontal + t.i0 * width, horizontal + t.i1 * width, horizontal + t.i2 * width, horizontal + t.i3 * width)
            let dst = out + y * width
            for x in 0..<width { dst[x] = t.w0 * a[x] + t.w1 * b[x] + t.w2 * c[x] + t.w3 * d[x] }
        }
    }

    struct Taps { var i0, i1, i2, i3: Int; var w0, w1, w2, w3: Float }

    /// torch's linear interpolation (align_corners=False) along one axis: output index →
    /// two input indices and weights, computed in float32 as upsample_bilinear2d does.
    static func linearTaps(input: Int, output: Int) -> [(i0: Int, i1: Int, l0: Float, l1: Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let source = max(scale * (Float(o) + 0.5) - 0.5, 0)
            let i0 = Int(source)
            let l1 = min(max(source - Float(i0), 0), 1)
            return (i0, i0 < input - 1 ? i0 + 1 : i0, 1 - l1, l1)
        }
    }

    /// The two resamplings of post_process_masks along one axis, composed: lowRes → padded,
    /// keep the first `cropped`, → output.
    static func composedTaps(lowRes: Int, padded: Int, cropped: Int, output: Int) -> [Taps] {
        let first = linearTaps(input: lowRes, output: padded)
        return linearTaps(input: cropped, output: output).map { second in
            let a = first[second.i0], b = first[second.i1]
            return Taps(i0: a.i0, i1: a.i1, i2: b.i0, i3: b.i1,
                        w0: second.l0 * a.l0, w1: second.l0 * a.l1, w2: second.l1 * b.l0, w3: second.l1 * b.l1)
        }
    }
}
