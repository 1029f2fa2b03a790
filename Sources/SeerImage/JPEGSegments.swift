/// The marker segments of a JPEG file before its first scan, walked without libjpeg, for what
/// Seer reads ahead of decoding: the frame size (SOFn) and the EXIF block (APP1).
/// Stops at start-of-scan, end-of-image, or a segment that runs past the end of the data.
struct JPEGSegments: Sequence, IteratorProtocol {
    struct Segment {
        let marker: UInt8
        /// The segment's bytes after its two-byte length field.
        let payload: ArraySlice<UInt8>
    }

    private let bytes: [UInt8]
    private var index = 2  // after SOI

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> Segment? {
        let b = bytes
        while index + 4 <= b.count {
            guard b[index] == 0xFF else { index += 1; continue }
            let marker = b[index + 1]
            if marker == 0xFF { index += 1; continue }  // fill byte
            // Standalone markers carry no length.
            if marker == 0x01 || marker == 0xD8 || (0xD0...0xD7).contains(marker) { index += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }  // start of scan / end of image
            let length = Int(b[index + 2]) << 8 | Int(b[index + 3])
            guard length >= 2, index + 2 + length <= b.count else { return nil }
            defer { index += 2 + length }
            return Segment(marker: marker, payload: b[(index + 4)..<(index + 2 + length)])
        }
        return nil
    }

    /// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }
}
