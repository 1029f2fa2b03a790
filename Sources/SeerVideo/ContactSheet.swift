import SeerImage

/// A grid of thumbnails on a dark background, left to right, top to bottom.
public enum ContactSheet {
    /// Each image is scaled to fit `thumbnailWidth` × `thumbnailHeight` (aspect kept, centered
    /// in its cell); cells are `gap` pixels apart.
    public static func make(_ images: [RGBImage], columns: Int = 4, thumbnailWidth: Int = 320,
                            thumbnailHeight: Int = 180, gap: Int = 4) -> RGBImage {
        precondition(columns > 0 && thumbnailWidth > 0 && thumbnailHeight > 0 && gap >= 0)
        let cols = max(1, min(columns, images.count))
        let rows = max(1, (images.count + cols - 1) / cols)
        let width = cols * thumbnailWidth + (cols + 1) * gap
        let height = rows * thumbnailHeight + (rows + 1) * gap
        var sheet = RGBImage(width: width, height: height, pixels: [UInt8](repeating: 32, count: width * height * 3))
        for (n, image) in images.enumerated() where image.width > 0 && image.height > 0 {
            let scale = min(Double(thumbnailWidth) / Double(image.width), Double(thumbnailHeight) / Double(image.height))
            let w = max(1, Int((Double(image.width) * scale).rounded()))
            let h = max(1, Int((Double(image.height) * scale).rounded()))
            let thumb = image.resized(width: w, height: h, filter: .bilinear)
            let left = gap + (n % cols) * (thumbnailWidth + gap) + (thumbnailWidth - w) / 2
            let top = gap + (n / cols) * (thumbnailHeight + gap) + (thumbnailHeight - h) / 2
            paste(thumb, into: &sheet, left: left, top: top)
        }
        return sheet
    }

    static func paste(_ image: RGBImage, into sheet: inout RGBImage, left: Int, top: Int) {
        for y in 0..<image.height {
            let src = y * image.width * 3
            let dst = ((top + y) * sheet.width + left) * 3
            sheet.pixels.replaceSubrange(dst..<dst + image.width * 3, with: image.pixels[src..<src + image.width * 3])
        }
    }
}
