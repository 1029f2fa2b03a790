import CImageCodecs
import Foundation
import SeerImage

public struct PNGEncodingError: Error, CustomStringConvertible {
    public let description: String
}

/// Encodes an `RGBImage` as an 8-bit RGB PNG (libpng, default compression).
public enum PNGEncoder {
    public static func encode(_ image: RGBImage) throws -> Data {
        guard image.width > 0, image.height > 0 else { throw PNGEncodingError(description: "cannot write an empty image as PNG") }
        var status = seer_codec_status()
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let code = image.pixels.withUnsafeBufferPointer {
            seer_png_encode($0.baseAddress, Int32(image.width), Int32(image.height), &out, &size, &status)
        }
        defer { free(out) }
        guard code == 0, let out else {
            let message = withUnsafeBytes(of: status.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw PNGEncodingError(description: "cannot encode PNG: \(message)")
        }
        return Data(bytes: out, count: size)
    }
}
