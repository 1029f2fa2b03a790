/// The GPT-2/CLIP byte-level alphabet: every byte gets a printable stand-in so BPE never sees
/// whitespace or control characters. Bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for themselves;
/// the other 68 bytes map to U+0100, U+0101, … in byte order (OpenAI `bytes_to_unicode`).
enum ByteLevel {
    /// `symbols[b]` is the stand-in for byte `b`.
    static let symbols: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(UInt8(byte)) {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `symbols`, indexed by scalar value (all stand-ins are below U+0144); -1 elsewhere.
    static let bytes: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in symbols.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    @inline(__always)
    static func isPrintable(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The byte-level spelling of one byte, e.g. "Ġ" for a space.
    static func symbol(_ byte: UInt8) -> String { String(Character(symbols[Int(byte)])) }

    /// Appends the raw bytes a byte-level token stands for. Characters outside the alphabet (in
    /// added tokens, say) contribute their own UTF-8, as the `tokenizers` ByteLevel decoder does.
    static func appendBytes(of token: String, to out: inout [UInt8]) {
        for scalar in token.unicodeScalars {
            let v = Int(scalar.value)
            if v < bytes.count, bytes[v] >= 0 {
                out.append(UInt8(bytes[v]))
            } else {
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
    }
}
