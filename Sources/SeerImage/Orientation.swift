/// EXIF orientation (tag 0x0112): how the stored pixels must be transformed for display.
public enum ExifOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1              // as stored
    case upMirrored = 2      // flip left-right
    case down = 3            // rotate 180°
    case downMirrored = 4    // flip top-bottom
    case leftMirrored = 5    // transpose (swap x and y)
    case right = 6           // rotate 90° clockwise to display
    case rightMirrored = 7   // transverse
    case left = 8            // rotate 90° counter-clockwise to display

    /// Whether displaying swaps width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// The image as it should be displayed, like `PIL.ImageOps.exif_transpose`
    /// (2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270,
    /// 7 TRANSVERSE, 8 ROTATE_90).
    public func applying(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let (ow, oh) = orientation.swapsDimensions ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { dstBuf in
                let src = srcBuf.baseAddress!, dst = dstBuf.baseAddress!
                // For each output pixel (x, y), the source pixel (sx, sy).
                for y in 0..<oh {
                    let drow = dst + y * ow * 3
                    for x in 0..<ow {
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .upMirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = src + (sy * w + sx) * 3
                        let d = drow + x * 3
                        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}

/// A bounds-checked reader of the EXIF (TIFF) structure, just enough for the orientation tag.
/// Anything malformed yields `nil`: a bad EXIF block is ignored, never fatal.
enum Exif {
    /// The orientation in a TIFF-structured EXIF block (with or without the "Exif\0\0" prefix).
    static func orientation(tiff data: ArraySlice<UInt8>) -> ExifOrientation? {
        var d = data
        if d.starts(with: [0x45, 0x78, 0x69, 0x66, 0, 0]) { d = d.dropFirst(6) }  // "Exif\0\0"
        let base = d.startIndex
        let count = d.count
        guard count >= 8 else { return nil }
        let little: Bool
        if d[base] == 0x49 && d[base + 1] == 0x49 && d[base + 2] == 42 && d[base + 3] == 0 {
            little = true
        } else if d[base] == 0x4D && d[base + 1] == 0x4D && d[base + 2] == 0 && d[base + 3] == 42 {
            little = false
        } else {
            return nil
        }
        func u16(_ off: Int) -> Int? {
            guard off >= 0, off + 2 <= count else { return nil }
            let a = Int(d[base + off]), b = Int(d[base + off + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ off: Int) -> Int? {
            guard let lo = u16(little ? off : off + 2), let hi = u16(little ? off + 2 : off) else { return nil }
            return lo | hi << 16
        }
        guard let ifd = u32(4), let entries = u16(ifd) else { return nil }
        for i in 0..<entries {
            let e = ifd + 2 + i * 12
            guard let tag = u16(e), let type = u16(e + 2), let n = u32(e + 4) else { return nil }
            guard tag == 0x0112 else { continue }
            guard n == 1 else { return nil }
            let value: Int?
            switch type {
            case 3: value = u16(e + 8)   // SHORT, the type the standard prescribes
            case 4: value = u32(e + 8)   // LONG, tolerated
            default: value = nil
            }
            guard let value else { return nil }
            return ExifOrientation(rawValue: value)
        }
        return nil
    }

    /// The EXIF block of a JPEG: the first APP1 segment starting with "Exif\0\0".
    static func jpegBlock(_ b: [UInt8]) -> ArraySlice<UInt8>? {
        JPEGSegments(b).first { $0.marker == 0xE1 && $0.payload.starts(with: [0x45, 0x78, 0x69, 0x66, 0, 0]) }?.payload
    }

    /// The EXIF block of a PNG: the eXIf chunk's data (before or after the image data).
    static func pngBlock(_ b: [UInt8]) -> ArraySlice<UInt8>? {
        var i = 8
        while i + 8 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let type = b[(i + 4)..<(i + 8)]
            guard length >= 0, length <= b.count - i - 8 else { return nil }
            if type.elementsEqual([0x65, 0x58, 0x49, 0x66]) {  // "eXIf"
                return b[(i + 8)..<(i + 8 + length)]
            }
            if type.elementsEqual([0x49, 0x45, 0x4E, 0x44]) { return nil }  // "IEND"
            i += 12 + length
        }
        return nil
    }

    /// The EXIF block of a WebP: the RIFF "EXIF" chunk.
    static func webpBlock(_ b: [UInt8]) -> ArraySlice<UInt8>? {
        var i = 12
        while i + 8 <= b.count {
            let size = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
            guard size <= b.count - i - 8 else { return nil }
            if b[i..<(i + 4)].elementsEqual([0x45, 0x58, 0x49, 0x46]) {  // "EXIF"
                return b[(i + 8)..<(i + 8 + size)]
            }
            i += 8 + size + (size & 1)
        }
        return nil
    }
}
