import CPNG
import Foundation

extension BinaryMask {
    /// The mask as an 8-bit grayscale PNG: 255 where set, 0 elsewhere (what SAM's tools and
    /// most annotation viewers read as a mask). The caller writes the bytes, atomically.
    public func pngData() throws -> Data {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw MaskError("cannot write a \(width)×\(height) mask as PNG")
        }
        let gray = bits.map { $0 ? UInt8(255) : 0 }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        // libpng's simplified API keeps its setjmp inside and reports failure by return value.
        // A first call with no buffer measures the encoded size; the second writes.
        var size: png_alloc_size_t = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, gray, png_int_32(width), nil) != 0 else {
            throw MaskError("PNG encoding failed: \(Self.message(of: &image))")
        }
        var data = Data(count: Int(size))
        let written = data.withUnsafeMutableBytes { buffer in
            png_image_write_to_memory(&image, buffer.baseAddress, &size, 0, gray, png_int_32(width), nil)
        }
        guard written != 0 else { throw MaskError("PNG encoding failed: \(Self.message(of: &image))") }
        data.count = Int(size)
        return data
    }

    private static func message(of image: inout png_image) -> String {
        defer { png_image_free(&image) }
        return withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
