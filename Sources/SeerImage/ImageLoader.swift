import CImageCodecs
import CWebP
import Foundation

/// Guards against decompression bombs.
public struct ImageLimits: Sendable, Equatable {
    /// Images with more pixels than this are refused before any pixel memory is allocated.
    public var maxPixels: Int

    public init(maxPixels: Int) {
        self.maxPixels = maxPixels
    }

    /// Pillow's decompression-bomb *error* threshold: 2 × `Image.MAX_IMAGE_PIXELS` (89,478,485).
    public static let `default` = ImageLimits(maxPixels: 2 * 89_478_485)
}

/// The container formats `ImageLoader` understands.
public enum ImageFormat: String, Sendable, Equatable {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"

    /// The format named by the first bytes of a file (its magic number), or nil.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(16))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head.count >= 8, head[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.count >= 12, head[0..<4].elementsEqual(Array("RIFF".utf8)), head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            return .webp
        }
        return nil
    }
}

/// Decodes JPEG, PNG and WebP files into `RGBImage`s the way Pillow + `convert("RGB")` +
/// `ImageOps.exif_transpose` would: same pixels (libjpeg-turbo ISLOW IDCT with fancy
/// upsampling, libpng, libwebp), alpha dropped, EXIF orientation applied.
///
/// Notes on conversions (all chosen to match Pillow 10.4):
/// - 16-bit RGB, RGBA and gray+alpha PNGs keep the high byte of each sample.
/// - 16-bit gray PNGs (no alpha) are clamped to 255, which is what Pillow's `I;16` → `RGB`
///   conversion does (it does not rescale, so such images come out mostly white there too).
/// - CMYK/YCCK JPEGs are read as Adobe-inverted CMYK and converted with Pillow's formula.
/// - Animated WebP: the first frame, composited on its transparent-black canvas.
/// - Orientation comes from the EXIF block only (JPEG APP1, PNG eXIf, WebP EXIF); Pillow's
///   rarer fallbacks (XMP `tiff:Orientation` in PNG iTXt, "Raw profile type exif") are ignored.
public enum ImageLoader {
    public static func load(contentsOf url: URL, limits: ImageLimits = .default) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw ImageError(.io, "cannot read file (\(reason))", path: url.path)
        }
        do {
            return try decode([UInt8](data), limits: limits)
        } catch var error as ImageError {
            error.path = url.path
            throw error
        }
    }

    /// Decodes an encoded image; the format is recognised from its magic bytes.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> RGBImage {
        guard !bytes.isEmpty else { throw ImageError(.empty, "file is empty") }
        guard let format = ImageFormat.sniff(bytes) else {
            if bytes.count < 12 {
                throw ImageError(.unknownFormat, "not a JPEG, PNG or WebP file (only \(bytes.count) bytes)")
            }
            throw ImageError(.unknownFormat, "not a JPEG, PNG or WebP file")
        }
        let image: RGBImage
        let exif: ArraySlice<UInt8>?
        switch format {
        case .jpeg:
            image = try decodeJPEG(bytes, limits: limits)
            exif = Exif.jpegBlock(bytes)
        case .png:
            image = try decodePNG(bytes, limits: limits)
            exif = Exif.pngBlock(bytes)
        case .webp:
            image = try decodeWebP(bytes, limits: limits)
            exif = Exif.webpBlock(bytes)
        }
        if let exif, let orientation = Exif.orientation(tiff: exif) {
            return image.applying(orientation)
        }
        return image
    }

    // MARK: - Size checks

    /// Refuses zero, absurd, and above-limit sizes; returns the byte count of the RGB buffer.
    static func checkedByteCount(width: Int, height: Int, format: ImageFormat, limits: ImageLimits) throws -> Int {
        guard width > 0, height > 0 else {
            throw ImageError(.corrupt, "\(format.rawValue) header gives an empty image (\(width)×\(height))")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let (bytes, overflow3) = pixels.multipliedReportingOverflow(by: 3)
        if overflow || overflow3 || pixels > limits.maxPixels {
            let count = overflow ? "more than \(Int.max)" : formatPixels(pixels)
            throw ImageError(
                .tooLarge,
                "image is \(width)×\(height) = \(count) pixels, above the limit of \(formatPixels(limits.maxPixels)) pixels (ImageLimits.maxPixels); refusing to decode it")
        }
        return bytes
    }

    static func formatPixels(_ n: Int) -> String {
        func f(_ v: Double, _ unit: String) -> String {
            let s = String(format: "%.1f", v)
            return (s.hasSuffix(".0") ? String(s.dropLast(2)) : s) + " " + unit
        }
        if n >= 1_000_000_000 { return f(Double(n) / 1e9, "G") }
        if n >= 1_000_000 { return f(Double(n) / 1e6, "M") }
        return String(n)
    }

    /// Told the size of every pixel buffer before it is allocated, in the task that set it (a
    /// task-local, so tests running in parallel do not see each other's decodes): how the tests
    /// prove that a decompression bomb is refused before any pixel memory is asked for.
    @TaskLocal static var pixelBufferObserver: (@Sendable (_ byteCount: Int) -> Void)?

    /// Decodes into a freshly allocated RGB buffer of exactly `width*height*3` bytes.
    static func withPixelBuffer(width: Int, height: Int, byteCount: Int,
                                _ fill: (UnsafeMutablePointer<UInt8>) throws -> Void) throws -> RGBImage {
        pixelBufferObserver?(byteCount)
        var thrown: Error?
        let pixels = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            do {
                try fill(buffer.baseAddress!)
                initialized = byteCount
            } catch {
                thrown = error
                buffer.initialize(repeating: 0)  // keep the array valid; it is discarded
                initialized = byteCount
            }
        }
        if let thrown { throw thrown }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func codecError(_ status: seer_codec_status, format: ImageFormat) -> ImageError {
        let detail = withUnsafeBytes(of: status.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let name = format.rawValue
        switch Int(status.code) {
        case Int(SEER_CODEC_TRUNCATED):
            return ImageError(.truncated, "truncated \(name) data (the file ends before the image does)")
        case Int(SEER_CODEC_UNSUPPORTED):
            return ImageError(.unsupported, "unsupported \(name) file: \(detail)")
        case Int(SEER_CODEC_NOMEM):
            return ImageError(.tooLarge, "out of memory decoding \(name) image")
        default:
            return ImageError(.corrupt, "corrupt \(name) data: \(detail)")
        }
    }

    // MARK: - JPEG

    /// Width and height from the first SOFn segment (precision, then height and width, big-endian).
    static func jpegDimensions(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard let frame = JPEGSegments(b).first(where: { JPEGSegments.isStartOfFrame($0.marker) }), frame.payload.count >= 5 else {
            return nil
        }
        let p = frame.payload.startIndex
        return (Int(b[p + 3]) << 8 | Int(b[p + 4]), Int(b[p + 1]) << 8 | Int(b[p + 2]))
    }

    static func decodeJPEG(_ bytes: [UInt8], limits: ImageLimits) throws -> RGBImage {
        // Refuse bombs from the SOF marker before libjpeg sets up anything.
        if let (w, h) = jpegDimensions(bytes), w > 0, h > 0 {
            _ = try checkedByteCount(width: w, height: h, format: .jpeg, limits: limits)
        }
        var info = seer_image_info()
        var status = seer_codec_status()
        if seer_jpeg_info(bytes, bytes.count, &info, &status) != 0 {
            throw codecError(status, format: .jpeg)
        }
        let w = Int(info.width), h = Int(info.height)
        let count = try checkedByteCount(width: w, height: h, format: .jpeg, limits: limits)
        return try withPixelBuffer(width: w, height: h, byteCount: count) { out in
            if seer_jpeg_decode(bytes, bytes.count, out, Int32(w), Int32(h), &status) != 0 {
                throw codecError(status, format: .jpeg)
            }
        }
    }

    // MARK: - PNG

    static func decodePNG(_ bytes: [UInt8], limits: ImageLimits) throws -> RGBImage {
        // The IHDR chunk must come first: read the size straight from it.
        guard bytes.count >= 33 else {
            throw ImageError(.truncated, "truncated PNG data (\(bytes.count) bytes, the header alone takes 33)")
        }
        guard bytes[12..<16].elementsEqual([0x49, 0x48, 0x44, 0x52]) else {
            throw ImageError(.corrupt, "corrupt PNG data: the first chunk is not IHDR")
        }
        func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        _ = try checkedByteCount(width: be32(16), height: be32(20), format: .png, limits: limits)

        var info = seer_image_info()
        var status = seer_codec_status()
        if seer_png_info(bytes, bytes.count, &info, &status) != 0 {
            throw codecError(status, format: .png)
        }
        let w = Int(info.width), h = Int(info.height)
        let count = try checkedByteCount(width: w, height: h, format: .png, limits: limits)
        return try withPixelBuffer(width: w, height: h, byteCount: count) { out in
            if seer_png_decode(bytes, bytes.count, out, Int32(w), Int32(h), &status) != 0 {
                throw codecError(status, format: .png)
            }
        }
    }

    // MARK: - WebP

    static func webpError(_ code: VP8StatusCode, _ what: String) -> ImageError {
        switch code {
        case VP8_STATUS_NOT_ENOUGH_DATA:
            return ImageError(.truncated, "truncated WebP data (the file ends before the image does)")
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            return ImageError(.unsupported, "unsupported WebP feature (\(what))")
        case VP8_STATUS_OUT_OF_MEMORY:
            return ImageError(.tooLarge, "out of memory decoding WebP image")
        default:
            return ImageError(.corrupt, "corrupt WebP data (\(what), libwebp status \(code.rawValue))")
        }
    }

    static func decodeWebP(_ bytes: [UInt8], limits: ImageLimits) throws -> RGBImage {
        var features = WebPBitstreamFeatures()
        let status = bytes.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &features) }
        guard status == VP8_STATUS_OK else { throw webpError(status, "reading the header") }
        let w = Int(features.width), h = Int(features.height)
        let count = try checkedByteCount(width: w, height: h, format: .webp, limits: limits)
        if features.has_animation != 0 {
            return try decodeAnimatedWebP(bytes, width: w, height: h, byteCount: count)
        }
        return try withPixelBuffer(width: w, height: h, byteCount: count) { out in
            var config = WebPDecoderConfig()
            guard WebPInitDecoderConfig(&config) != 0 else {
                throw ImageError(.unsupported, "libwebp version mismatch")
            }
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = out
            config.output.u.RGBA.stride = Int32(w * 3)
            config.output.u.RGBA.size = count
            let st = bytes.withUnsafeBufferPointer { WebPDecode($0.baseAddress, $0.count, &config) }
            WebPFreeDecBuffer(&config.output)
            guard st == VP8_STATUS_OK else { throw webpError(st, "decoding") }
            guard config.output.width == Int32(w), config.output.height == Int32(h) else {
                throw ImageError(.corrupt, "corrupt WebP data: decoded size differs from the header")
            }
        }
    }

    /// First frame of an animation, as WebPAnimDecoder (which Pillow uses) renders it.
    static func decodeAnimatedWebP(_ bytes: [UInt8], width w: Int, height h: Int, byteCount: Int) throws -> RGBImage {
        try bytes.withUnsafeBufferPointer { buf in
            var data = WebPData(bytes: buf.baseAddress, size: buf.count)
            var options = WebPAnimDecoderOptions()
            guard WebPAnimDecoderOptionsInit(&options) != 0 else {
                throw ImageError(.unsupported, "libwebp demux version mismatch")
            }
            options.color_mode = MODE_RGBA
            options.use_threads = 0
            guard let decoder = WebPAnimDecoderNew(&data, &options) else {
                throw ImageError(.corrupt, "corrupt or truncated animated WebP data")
            }
            defer { WebPAnimDecoderDelete(decoder) }
            var info = WebPAnimInfo()
            guard WebPAnimDecoderGetInfo(decoder, &info) != 0,
                  Int(info.canvas_width) == w, Int(info.canvas_height) == h else {
                throw ImageError(.corrupt, "corrupt animated WebP data: inconsistent canvas size")
            }
            var frame: UnsafeMutablePointer<UInt8>?
            var timestamp: Int32 = 0
            guard WebPAnimDecoderGetNext(decoder, &frame, &timestamp) != 0, let rgba = frame else {
                throw ImageError(.truncated, "truncated or corrupt animated WebP data (first frame could not be decoded)")
            }
            return try withPixelBuffer(width: w, height: h, byteCount: byteCount) { out in
                for i in 0..<(w * h) {
                    out[i * 3] = rgba[i * 4]
                    out[i * 3 + 1] = rgba[i * 4 + 1]
                    out[i * 3 + 2] = rgba[i * 4 + 2]
                }
            }
        }
    }
}
