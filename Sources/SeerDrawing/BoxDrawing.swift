import Foundation
import SeerImage

/// An 8-bit RGB colour.
public struct Colour: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }

    /// A palette of distinct, saturated colours (a class keeps its colour across images).
    public static let palette: [Colour] = [
        Colour(230, 25, 75), Colour(60, 180, 75), Colour(0, 130, 200), Colour(245, 130, 48), Colour(145, 30, 180),
        Colour(70, 190, 190), Colour(240, 50, 230), Colour(160, 120, 40), Colour(0, 128, 128), Colour(128, 0, 0),
    ]

    /// Black or white, whichever reads better on this colour (by its luma).
    var contrasting: Colour {
        let luma = 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
        return luma > 150 ? Colour(0, 0, 0) : Colour(255, 255, 255)
    }
}

/// A box to draw: corners in pixels of the image, a caption, the class that picks its colour.
public struct DrawnBox: Sendable {
    public var x0: Float, y0: Float, x1: Float, y1: Float
    public var caption: String
    public var classIndex: Int
    /// The object's mask (the image's size), tinted in the class's colour under the outline.
    public var mask: BinaryMask?

    public init(x0: Float, y0: Float, x1: Float, y1: Float, caption: String, classIndex: Int, mask: BinaryMask? = nil) {
        (self.x0, self.y0, self.x1, self.y1) = (x0, y0, x1, y1)
        self.caption = caption
        self.classIndex = classIndex
        self.mask = mask
    }
}

/// Draws boxes with captions, the way detection viewers do: an outline in the class's colour,
/// the caption in a filled tab of that colour above the box's top-left corner (inside it when
/// the box touches the top edge). Line width and text size follow the image's size, so labels
/// stay readable on a 4K photo and do not swamp a thumbnail.
public struct BoxDrawer: Sendable {
    public let font: Font

    public init(font: Font) { self.font = font }

    public func draw(_ boxes: [DrawnBox], on image: RGBImage) throws -> RGBImage {
        var canvas = image
        let shortSide = max(min(image.width, image.height), 1)
        let line = max(1, shortSide / 250)
        let textHeight = min(max(12, shortSide / 30), 48)
        for box in boxes {
            let colour = Colour.palette[((box.classIndex % Colour.palette.count) + Colour.palette.count) % Colour.palette.count]
            if let mask = box.mask, mask.width == image.width, mask.height == image.height { tint(&canvas, mask, colour) }
            let x0 = Int(box.x0.rounded(.down)), y0 = Int(box.y0.rounded(.down))
            let x1 = Int(box.x1.rounded(.up)) - 1, y1 = Int(box.y1.rounded(.up)) - 1
            guard x1 >= x0, y1 >= y0 else { continue }
            for t in 0..<line {
                fill(&canvas, x0: x0, y0: y0 + t, x1: x1, y1: y0 + t, colour)   // top
                fill(&canvas, x0: x0, y0: y1 - t, x1: x1, y1: y1 - t, colour)   // bottom
                fill(&canvas, x0: x0 + t, y0: y0, x1: x0 + t, y1: y1, colour)   // left
                fill(&canvas, x0: x1 - t, y0: y0, x1: x1 - t, y1: y1, colour)   // right
            }
            guard !box.caption.isEmpty else { continue }
            let text = try font.render(box.caption, height: textHeight)
            let pad = max(2, textHeight / 6)
            let tabWidth = text.width + 2 * pad, tabHeight = text.height + pad
            // Above the box when there is room, else just inside its top edge.
            let tabY = y0 - tabHeight >= 0 ? y0 - tabHeight : max(y0, 0)
            let tabX = min(max(x0, 0), max(image.width - tabWidth, 0))
            fill(&canvas, x0: tabX, y0: tabY, x1: tabX + tabWidth - 1, y1: tabY + tabHeight - 1, colour)
            blend(text, into: &canvas, x: tabX + pad, y: tabY + pad / 2, colour: colour.contrasting)
        }
        return canvas
    }

    /// Blends `c` at 40% over the mask's pixels: the object shows through its colour.
    private func tint(_ image: inout RGBImage, _ mask: BinaryMask, _ c: Colour) {
        image.pixels.withUnsafeMutableBufferPointer { p in
            mask.bits.withUnsafeBufferPointer { bits in
                for i in bits.indices where bits[i] {
                    p[3 * i] = UInt8((Int(p[3 * i]) * 3 + Int(c.r) * 2 + 2) / 5)
                    p[3 * i + 1] = UInt8((Int(p[3 * i + 1]) * 3 + Int(c.g) * 2 + 2) / 5)
                    p[3 * i + 2] = UInt8((Int(p[3 * i + 2]) * 3 + Int(c.b) * 2 + 2) / 5)
                }
            }
        }
    }

    /// Fills a rectangle (inclusive corners), clipped to the image.
    private func fill(_ image: inout RGBImage, x0: Int, y0: Int, x1: Int, y1: Int, _ c: Colour) {
        let (w, h) = (image.width, image.height)
        let xa = max(x0, 0), xb = min(x1, w - 1), ya = max(y0, 0), yb = min(y1, h - 1)
        guard xa <= xb, ya <= yb else { return }
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in ya...yb {
                for x in xa...xb {
                    let i = (y * w + x) * 3
                    (p[i], p[i + 1], p[i + 2]) = (c.r, c.g, c.b)
                }
            }
        }
    }

    /// Text coverage blended over the image in `colour`, clipped.
    private func blend(_ text: TextBitmap, into image: inout RGBImage, x: Int, y: Int, colour c: Colour) {
        let (w, h) = (image.width, image.height)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for row in 0..<text.height where y + row >= 0 && y + row < h {
                for col in 0..<text.width where x + col >= 0 && x + col < w {
                    let a = Int(text.coverage[row * text.width + col])
                    guard a > 0 else { continue }
                    let i = ((y + row) * w + x + col) * 3
                    p[i] = UInt8((Int(c.r) * a + Int(p[i]) * (255 - a) + 127) / 255)
                    p[i + 1] = UInt8((Int(c.g) * a + Int(p[i + 1]) * (255 - a) + 127) / 255)
                    p[i + 2] = UInt8((Int(c.b) * a + Int(p[i + 2]) * (255 - a) + 127) / 255)
                }
            }
        }
    }
}
