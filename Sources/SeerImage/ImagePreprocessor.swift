import Foundation

/// The image half of a Hugging Face processor, decoded from `preprocessor_config.json`,
/// reproducing transformers' `CLIPImageProcessorPil` (transformers 5.x, `PilBackend`):
/// resize (Pillow, uint8) → center crop (uint8, zero padding) → rescale → normalize → CHW.
///
/// Fields and defaults (CLIP's): `do_resize` true, `size` {"shortest_edge": 224} (an int N means
/// shortest edge N; a [h, w] list or {"height", "width"} a fixed size; {"shortest_edge",
/// "longest_edge"} and {"max_height", "max_width"} as transformers), `resample` 3 (bicubic),
/// `do_center_crop` true, `crop_size` {"height": 224, "width": 224} (an int N means N×N),
/// `do_rescale` true, `rescale_factor` 1/255, `do_normalize` true, `image_mean`/`image_std`
/// OpenAI CLIP's; a file whose `image_processor_type` is a `SiglipImageProcessor` takes that
/// class's defaults instead (no crop, 224×224, mean/std 0.5), and one whose `image_processor_type`
/// or `feature_extractor_type` is OWL-ViT's takes `OwlViTImageProcessor`'s (768×768, no crop; an int
/// `size` means a square, as its `default_to_square`). Unknown keys are ignored.
public struct ImagePreprocessor: Sendable, Decodable, Equatable {
    public enum Size: Sendable, Equatable {
        /// Short side to N, long side `Int(N * long / short)` (truncated), like torchvision.
        case shortestEdge(Int)
        /// Short side to N unless the long side would exceed `longest`; transformers'
        /// `get_size_with_aspect_ratio`.
        case shortestLongestEdge(shortest: Int, longest: Int)
        /// Fit inside, keeping the aspect ratio (transformers' `get_image_size_for_max_height_width`).
        case maxHeightWidth(height: Int, width: Int)
        /// Exactly this size (aspect ratio not kept).
        case fixed(height: Int, width: Int)
    }

    public var doResize: Bool = true
    public var size: Size = .shortestEdge(224)
    public var resample: ResampleFilter = .bicubic
    public var doCenterCrop: Bool = true
    public var cropHeight: Int = 224
    public var cropWidth: Int = 224
    public var doRescale: Bool = true
    public var rescaleFactor: Double = 1.0 / 255.0
    public var doNormalize: Bool = true
    public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]

    /// CLIP's defaults (ViT-B/32 etc.: shortest edge 224, bicubic, center crop 224).
    public init() {}

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(.io, "cannot read preprocessor config", path: url.path)
        }
        do {
            self = try JSONDecoder().decode(ImagePreprocessor.self, from: data)
        } catch var error as ImageError {
            error.path = url.path
            throw error
        } catch let error as DecodingError {
            throw ImageError(.invalidConfig, "invalid preprocessor config: \(Self.describe(error))", path: url.path)
        } catch {
            throw ImageError(.invalidConfig, "invalid preprocessor config: \(error)", path: url.path)
        }
    }

    // MARK: - Decoding

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A number, a list of numbers or a dict of numbers, as the Hub files spell sizes.
    private enum SizeValue: Decodable {
        case int(Int)
        case list([Int])
        case dict([String: Int?])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Int.self) { self = .int(v); return }
            if let v = try? c.decode([Int].self) { self = .list(v); return }
            self = .dict(try c.decode([String: Int?].self))
        }
    }

    private enum FloatList: Decodable {
        case one(Double)
        case many([Double])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Double.self) { self = .one(v); return }
            self = .many(try c.decode([Double].self))
        }
        var values: [Double] {
            switch self {
            case .one(let v): return [v, v, v]
            case .many(let v): return v
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        // Absent fields take the defaults of the processor class the file names.
        let type = (try? c.decodeIfPresent(String.self, forKey: Key("image_processor_type"))) ?? nil
        let extractorType = (try? c.decodeIfPresent(String.self, forKey: Key("feature_extractor_type"))) ?? nil
        let owlViT = [type, extractorType].contains { $0?.hasPrefix("OwlViT") == true }
        if owlViT {
            // transformers' OwlViTImageProcessor: straight to 768×768, bicubic, no crop.
            doCenterCrop = false
            size = .fixed(height: 768, width: 768)
            (cropHeight, cropWidth) = (768, 768)
            // Early OWL-ViT files on the Hub spell do_rescale "rescale" (transformers maps it).
            if let v = try c.decodeIfPresent(Bool.self, forKey: Key("rescale")) { doRescale = v }
        }
        if let type, type.hasPrefix("SiglipImageProcessor") {
            // transformers' SiglipImageProcessor: resize straight to 224×224 (no crop), mean/std 0.5.
            doCenterCrop = false
            size = .fixed(height: 224, width: 224)
            imageMean = [0.5, 0.5, 0.5]
            imageStd = [0.5, 0.5, 0.5]
        }
        func flag(_ name: String, _ value: inout Bool) throws {
            if let v = try c.decodeIfPresent(Bool.self, forKey: Key(name)) { value = v }
        }
        try flag("do_resize", &doResize)
        try flag("do_center_crop", &doCenterCrop)
        try flag("do_rescale", &doRescale)
        try flag("do_normalize", &doNormalize)
        if let v = try c.decodeIfPresent(Double.self, forKey: Key("rescale_factor")) { rescaleFactor = v }
        if let r = try c.decodeIfPresent(Int.self, forKey: Key("resample")) {
            guard let f = ResampleFilter(rawValue: r) else {
                throw ImageError(.invalidConfig, "unknown resample filter \(r) (expected 0…5)")
            }
            resample = f
        }
        if let m = try c.decodeIfPresent(FloatList.self, forKey: Key("image_mean")) { imageMean = m.values }
        if let s = try c.decodeIfPresent(FloatList.self, forKey: Key("image_std")) { imageStd = s.values }
        guard imageMean.count == 3, imageStd.count == 3 else {
            throw ImageError(.invalidConfig, "image_mean and image_std need 3 values (one per RGB channel)")
        }

        if let s = try c.decodeIfPresent(SizeValue.self, forKey: Key("size")) {
            switch s {
            case .int(let n): size = owlViT ? .fixed(height: n, width: n) : .shortestEdge(n)  // default_to_square: OWL-ViT's True, CLIP's False
            case .list(let v):
                if v.count == 2 { size = .fixed(height: v[0], width: v[1]) }
                else if v.count == 1 { size = .shortestEdge(v[0]) }
                else { throw ImageError(.invalidConfig, "size must have 1 or 2 values") }
            case .dict(let d):
                let get = { (k: String) -> Int? in d[k] ?? nil }
                if let se = get("shortest_edge"), let le = get("longest_edge") {
                    size = .shortestLongestEdge(shortest: se, longest: le)
                } else if let se = get("shortest_edge") {
                    size = .shortestEdge(se)
                } else if let mh = get("max_height"), let mw = get("max_width") {
                    size = .maxHeightWidth(height: mh, width: mw)
                } else if let h = get("height"), let w = get("width") {
                    size = .fixed(height: h, width: w)
                } else {
                    throw ImageError(.invalidConfig, "size must contain 'shortest_edge', 'height' and 'width', or 'max_height' and 'max_width'; got \(d.keys.sorted())")
                }
            }
        }
        if (try? c.decodeIfPresent(Bool.self, forKey: Key("use_square_size"))) == true, case .shortestEdge(let n) = size {
            size = .fixed(height: n, width: n)  // KOSMOS-2 compatibility, as transformers does
        }
        if let s = try c.decodeIfPresent(SizeValue.self, forKey: Key("crop_size")) {
            switch s {
            case .int(let n): (cropHeight, cropWidth) = (n, n)
            case .list(let v) where v.count == 2: (cropHeight, cropWidth) = (v[0], v[1])
            case .list(let v) where v.count == 1: (cropHeight, cropWidth) = (v[0], v[0])
            case .dict(let d):
                guard let h = d["height"] ?? nil, let w = d["width"] ?? nil else {
                    throw ImageError(.invalidConfig, "crop_size must contain 'height' and 'width'")
                }
                (cropHeight, cropWidth) = (h, w)
            default: throw ImageError(.invalidConfig, "crop_size must be an int or a height/width pair")
            }
        }
        let sizes: [Int] = {
            switch size {
            case .shortestEdge(let n): return [n]
            case .shortestLongestEdge(let a, let b), .maxHeightWidth(let a, let b), .fixed(let a, let b): return [a, b]
            }
        }()
        guard sizes.allSatisfy({ $0 > 0 }), cropHeight > 0, cropWidth > 0 else {
            throw ImageError(.invalidConfig, "size and crop_size must be positive")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .keyNotFound(_, let ctx), .dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: - Geometry

    /// (height, width) after the resize step for an input of the given size.
    public func resizedSize(width: Int, height: Int) -> (height: Int, width: Int) {
        switch size {
        case .fixed(let h, let w):
            return (h, w)
        case .shortestEdge(let n):
            // transformers.image_transforms.get_resize_output_image_size(default_to_square=False)
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(n * long) / Double(short))
            return width <= height ? (newLong, n) : (n, newLong)
        case .shortestLongestEdge(var n, let maxSize):
            // transformers.image_transforms.get_size_with_aspect_ratio
            let minOriginal = Double(min(height, width)), maxOriginal = Double(max(height, width))
            var raw: Double?
            if maxOriginal / minOriginal * Double(n) > Double(maxSize) {
                raw = Double(maxSize) * minOriginal / maxOriginal
                n = Int(raw!.rounded(.toNearestOrEven))
            }
            if (height <= width && height == n) || (width <= height && width == n) {
                return (height, width)
            } else if width < height {
                let oh = raw.map { Int($0 * Double(height) / Double(width)) } ?? Int(Double(n * height) / Double(width))
                return (oh, n)
            } else {
                let ow = raw.map { Int($0 * Double(width) / Double(height)) } ?? Int(Double(n * width) / Double(height))
                return (n, ow)
            }
        case .maxHeightWidth(let maxH, let maxW):
            // transformers.image_utils.get_image_size_for_max_height_width
            let scale = min(Double(maxH) / Double(height), Double(maxW) / Double(width))
            return (Int(Double(height) * scale), Int(Double(width) * scale))
        }
    }

    /// Width of `pixelValues`' output for a typical input (the crop size, or the fixed resize size).
    public var outputWidth: Int {
        if doCenterCrop { return cropWidth }
        if case .fixed(_, let w) = size, doResize { return w }
        return cropWidth
    }

    /// Height of `pixelValues`' output (see `outputWidth`).
    public var outputHeight: Int {
        if doCenterCrop { return cropHeight }
        if case .fixed(let h, _) = size, doResize { return h }
        return cropHeight
    }

    // MARK: - Pipeline

    /// The uint8 stage: resize (if `do_resize`) then center crop (if `do_center_crop`).
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        var out = image
        if doResize {
            let (h, w) = resizedSize(width: image.width, height: image.height)
            out = out.resized(width: max(w, 1), height: max(h, 1), filter: resample)
        }
        if doCenterCrop {
            out = out.centerCropped(width: cropWidth, height: cropHeight)
        }
        return out
    }

    /// What the model eats: channels-first float32 (3 × H × W), rescaled and normalized exactly
    /// as transformers does (uint8 → float64 × rescale_factor → float32; then float32
    /// (x − mean) / std with mean and std rounded to float32).
    public func pixelValues(_ image: RGBImage) -> [Float] {
        let img = resizedAndCropped(image)
        return Self.normalized(img, doRescale: doRescale, rescaleFactor: rescaleFactor,
                               doNormalize: doNormalize, mean: imageMean, std: imageStd)
    }

    static func normalized(_ img: RGBImage, doRescale: Bool, rescaleFactor: Double,
                           doNormalize: Bool, mean: [Double], std: [Double]) -> [Float] {
        let plane = img.width * img.height
        var out = [Float](repeating: 0, count: plane * 3)
        // One lookup table per channel: 256 possible inputs.
        var table = [Float](repeating: 0, count: 256 * 3)
        for c in 0..<3 {
            let m = Float(mean[c]), s = Float(std[c])
            for v in 0..<256 {
                var x = doRescale ? Float(Double(v) * rescaleFactor) : Float(v)
                if doNormalize { x = (x - m) / s }
                table[c * 256 + v] = x
            }
        }
        img.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                table.withUnsafeBufferPointer { t in
                    for i in 0..<plane {
                        dst[i] = t[Int(src[i * 3])]
                        dst[plane + i] = t[256 + Int(src[i * 3 + 1])]
                        dst[2 * plane + i] = t[512 + Int(src[i * 3 + 2])]
                    }
                }
            }
        }
        return out
    }
}
