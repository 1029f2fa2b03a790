/// An 8-bit RGB image: interleaved R, G, B bytes, rows top to bottom, no padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(pixels.count == width * height * 3, "pixel buffer is \(pixels.count) bytes, expected \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// The (r, g, b) triple at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// A `width`×`height` window centered like transformers' `center_crop`:
    /// top = ⌊(H − height)/2⌋, left = ⌊(W − width)/2⌋. Where the window reaches outside the
    /// image (crop larger than the image) the pixels are zero (black), as transformers pads.
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        precondition(cropWidth >= 0 && cropHeight >= 0)
        let top = floorDiv(height - cropHeight, 2)
        let left = floorDiv(width - cropWidth, 2)
        return cropped(left: left, top: top, width: cropWidth, height: cropHeight)
    }

    /// The window with top-left corner (`left`, `top`); parts outside the image are black.
    public func cropped(left: Int, top: Int, width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        precondition(cropWidth >= 0 && cropHeight >= 0)
        if left == 0 && top == 0 && cropWidth == width && cropHeight == height { return self }
        var out = [UInt8](repeating: 0, count: cropWidth * cropHeight * 3)
        let x0 = max(left, 0), x1 = min(left + cropWidth, width)
        let y0 = max(top, 0), y1 = min(top + cropHeight, height)
        if x0 < x1 && y0 < y1 {
            let rowBytes = (x1 - x0) * 3
            pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in y0..<y1 {
                        let s = src.baseAddress! + (y * width + x0) * 3
                        let d = dst.baseAddress! + ((y - top) * cropWidth + (x0 - left)) * 3
                        d.update(from: s, count: rowBytes)
                    }
                }
            }
        }
        return RGBImage(width: cropWidth, height: cropHeight, pixels: out)
    }
}

@inline(__always)
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
