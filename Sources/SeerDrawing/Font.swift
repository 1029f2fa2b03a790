import CFreeType
import Foundation

public struct DrawingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A TrueType/OpenType font rendered by FreeType at one pixel height: anti-aliased glyph
/// coverage, kerning-free advance layout (labels are short).
///
/// FreeType's library and face objects are not thread-safe: one `Font` renders on one thread at
/// a time (a lock makes that so).
public final class Font: @unchecked Sendable {
    /// Fonts tried when none is named: Debian's fonts-dejavu-core, then common macOS and Linux ones.
    public static let defaultPaths = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/Library/Fonts/Arial.ttf",
    ]

    private var library: FT_Library?
    private var face: FT_Face?
    private let lock = NSLock()
    public let path: String
    public private(set) var pixelHeight: Int

    /// Loads `path`, or the first of `defaultPaths` that exists.
    public init(path: String? = nil, pixelHeight: Int = 16) throws {
        guard let chosen = path ?? Self.defaultPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw DrawingError("no font found (tried \(Self.defaultPaths.joined(separator: ", "))): install fonts-dejavu-core or name a .ttf with --font")
        }
        guard FileManager.default.fileExists(atPath: chosen) else { throw DrawingError("font \(chosen) does not exist") }
        self.path = chosen
        self.pixelHeight = max(pixelHeight, 1)
        guard FT_Init_FreeType(&library) == 0 else { throw DrawingError("FreeType could not start") }
        guard FT_New_Face(library, chosen, 0, &face) == 0, face != nil else {
            FT_Done_FreeType(library)
            library = nil   // deinit runs after a throwing init too: free once
            throw DrawingError("\(chosen) is not a font FreeType can read")
        }
        try setHeight(self.pixelHeight)
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    private func setHeight(_ height: Int) throws {
        guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(height)) == 0 else { throw DrawingError("\(path) cannot be rendered \(height) pixels high") }
        pixelHeight = height
    }

    /// Text laid out at `height` pixels: coverage (0…255) in a width × lineHeight grid, with
    /// the baseline `ascent` rows from the top.
    public func render(_ text: String, height: Int) throws -> TextBitmap {
        try lock.withLock {
            if height != pixelHeight { try setHeight(max(height, 1)) }
            guard let face, let metrics = face.pointee.size?.pointee.metrics else { throw DrawingError("font has no size") }
            let ascent = Int((metrics.ascender + 63) >> 6), descent = Int((-metrics.descender + 63) >> 6)
            let lineHeight = max(ascent + descent, 1)
            // First pass: the width (advances, and any glyph reaching past its advance).
            var glyphs: [(x: Int, top: Int, width: Int, rows: Int, pitch: Int, bits: [UInt8])] = []
            var penX = 0, width = 0
            for scalar in text.unicodeScalars {
                let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
                guard FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_DEFAULT)) == 0,
                      FT_Render_Glyph(face.pointee.glyph, FT_RENDER_MODE_NORMAL) == 0,
                      let slot = face.pointee.glyph else { continue }
                let bitmap = slot.pointee.bitmap
                let rows = Int(bitmap.rows), glyphWidth = Int(bitmap.width), pitch = Int(bitmap.pitch)
                var bits = [UInt8]()
                if rows > 0, glyphWidth > 0, let buffer = bitmap.buffer, pitch > 0 {
                    bits = Array(UnsafeBufferPointer(start: buffer, count: rows * pitch))
                }
                let x = penX + Int(slot.pointee.bitmap_left)
                glyphs.append((x, Int(slot.pointee.bitmap_top), glyphWidth, rows, pitch, bits))
                penX += Int((slot.pointee.advance.x + 63) >> 6)
                width = max(width, penX, x + glyphWidth)
            }
            var coverage = [UInt8](repeating: 0, count: max(width, 0) * lineHeight)
            for g in glyphs where !g.bits.isEmpty {
                for row in 0..<g.rows {
                    let y = ascent - g.top + row
                    guard y >= 0, y < lineHeight else { continue }
                    for col in 0..<g.width {
                        let x = g.x + col
                        guard x >= 0, x < width else { continue }
                        let v = g.bits[row * g.pitch + col]
                        coverage[y * width + x] = max(coverage[y * width + x], v)
                    }
                }
            }
            return TextBitmap(width: width, height: lineHeight, ascent: ascent, coverage: coverage)
        }
    }
}

/// Rendered text: per-pixel coverage, 0 (background) to 255 (ink).
public struct TextBitmap: Sendable {
    public let width: Int
    public let height: Int
    public let ascent: Int
    public let coverage: [UInt8]
}
