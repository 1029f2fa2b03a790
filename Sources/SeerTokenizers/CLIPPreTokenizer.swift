import Foundation

/// CLIP's normalizer and pre-tokenizer as transformers 5 configures them on the `tokenizers`
/// library (models/clip/tokenization_clip.py), written as a scanner over Unicode scalars:
///
/// - normalizer: NFC → Replace(`\s+`, " ") → Lowercase (Rust `char::to_lowercase`, per scalar);
/// - pre-tokenizer: Split on
///   `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
///   keeping the matches and dropping what lies between (only whitespace can), then
///   ByteLevel(add_prefix_space: false, use_regex: true). The GPT-2 regex of ByteLevel leaves
///   every piece whole except the two special-token spellings, which it cuts into `<|`, the
///   letters, and `|>`.
///
/// The regex runs on Oniguruma, whose `\s` is the White_Space property and whose `\p{L}`/`\p{N}`
/// are the letter/number general categories of its Unicode tables (16.0 in tokenizers 0.23).
/// Swift's tables may be newer (Unicode 17 in Swift 6.3), so scalars assigned after
/// `regexUnicodeMajorVersion` count as unassigned, as they do for the reference.
enum CLIPPreTokenizer {
    static let regexUnicodeMajorVersion = 16

    enum ScalarClass: UInt8 {
        case whitespace, letter, number, other
    }

    private static let asciiClasses: [ScalarClass] = (0..<128).map { v in
        switch v {
        case 0x09...0x0D, 0x20: return .whitespace
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x30...0x39: return .number
        default: return .other
        }
    }

    @inline(__always)
    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        if scalar.value < 0x80 { return asciiClasses[Int(scalar.value)] }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let result: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            result = .number
        default:
            return .other
        }
        if let age = properties.age, age.major > regexUnicodeMajorVersion { return .other }
        return result
    }

    // MARK: Normalizer

    /// Appends the normalized scalars of `utf8` (valid UTF-8): NFC, then lowercase. Whitespace is
    /// left as is; the pre-tokenizer drops it, so collapsing runs to one space changes nothing.
    static func normalize(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout [Unicode.Scalar]) {
        var ascii = true
        var mayNeedNFC = false
        for byte in utf8 where byte >= 0x80 {
            ascii = false
            // Lead bytes 0xCC and up start scalars from U+0300; everything below U+0300 is
            // NFC_Quick_Check=Yes and composes with nothing before it, so such text is already NFC.
            if byte >= 0xCC {
                mayNeedNFC = true
                break
            }
        }
        if ascii {
            for byte in utf8 {
                let lowered = byte &- 0x41 < 26 ? byte | 0x20 : byte
                out.append(Unicode.Scalar(lowered))
            }
            return
        }
        var text = String(decoding: utf8, as: UTF8.self)
        if mayNeedNFC { text = referenceNFC(text) }
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                let v = scalar.value
                out.append(v &- 0x41 < 26 ? Unicode.Scalar(UInt8(v | 0x20)) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                // Same set as "lowercaseMapping differs" (checked over all scalars), and the full
                // mapping equals Rust's char::to_lowercase (e.g. İ → i̇, Σ → σ with no final-sigma rule).
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
    }

    /// NFC as `tokenizers` computes it. Its normalizer (crate unicode-normalization-alignments)
    /// has Unicode 9.0 tables, so scalars assigned later are inert there: no decomposition, no
    /// composition, combining class 0 (e.g. U+11935 U+11930 does not become U+11938, and a
    /// combining mark from Unicode 10+ does not reorder). By Unicode's stability rules, NFC with
    /// newer tables agrees with 9.0 on text made only of scalars that 9.0 knows, so each run
    /// between newer scalars is normalized on its own and the newer scalars are kept as they are.
    static func referenceNFC(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var run = ""
        func flush() {
            if run.isEmpty { return }
            result.append(contentsOf: composed(run).unicodeScalars)
            run = ""
        }
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x300, let age = scalar.properties.age,
               age.major > normalizationUnicodeMajorVersion {
                flush()
                result.append(scalar)
            } else {
                run.unicodeScalars.append(scalar)
            }
        }
        flush()
        return String(result)
    }

    static let normalizationUnicodeMajorVersion = 9

    /// Foundation's NFC (Swift 6.3, Linux) misses compositions whose second scalar is a starter
    /// when the first is already precomposed: U+AC00 가 + U+11A8 ᆨ stays as is instead of U+AC01 각,
    /// U+0CCA + U+0CD5 instead of U+0CCB. Composing from NFD gets them right.
    private static func composed(_ text: String) -> String {
        text.decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping
    }

    // MARK: Pre-tokenizer

    private static let startOfText = Array("<|startoftext|>".unicodeScalars)
    private static let endOfText = Array("<|endoftext|>".unicodeScalars)
    private static let specials = [startOfText, endOfText]

    @inline(__always)
    private static func hasPrefix(_ s: UnsafeBufferPointer<Unicode.Scalar>, at i: Int, _ p: [Unicode.Scalar]) -> Bool {
        guard s.count - i >= p.count else { return false }
        for k in 0..<p.count where s[i + k] != p[k] { return false }
        return true
    }

    /// Calls `body` with the range of every piece of `s`, in order, until it returns false.
    /// Returns false if stopped early.
    @discardableResult
    static func forEachPiece(
        _ s: UnsafeBufferPointer<Unicode.Scalar>, _ body: (Range<Int>) -> Bool
    ) -> Bool {
        let n = s.count
        var i = 0
        while i < n {
            let c = s[i]
            let cls = classify(c)
            if cls == .whitespace {
                i += 1
                continue
            }
            // Alternatives in the regex's order; the first that matches at i wins.
            if c == "<", let special = specials.first(where: { hasPrefix(s, at: i, $0) }) {
                // ByteLevel's GPT-2 regex then cuts it into "<|", the letters, "|>".
                let end = i + special.count
                guard body(i..<(i + 2)), body((i + 2)..<(end - 2)), body((end - 2)..<end) else { return false }
                i = end
                continue
            }
            if c == "'", i + 1 < n {
                let d = s[i + 1]
                var length = 0
                switch d {
                case "s", "t", "m", "d":
                    length = 2
                case "r", "v":
                    if i + 2 < n, s[i + 2] == "e" { length = 3 }
                case "l":
                    if i + 2 < n, s[i + 2] == "l" { length = 3 }
                default:
                    break
                }
                if length > 0 {
                    guard body(i..<(i + length)) else { return false }
                    i += length
                    continue
                }
            }
            switch cls {
            case .letter:
                var j = i + 1
                while j < n, classify(s[j]) == .letter { j += 1 }
                guard body(i..<j) else { return false }
                i = j
            case .number:
                guard body(i..<(i + 1)) else { return false }
                i += 1
            default:
                var j = i + 1
                while j < n, classify(s[j]) == .other { j += 1 }
                guard body(i..<j) else { return false }
                i = j
            }
        }
        return true
    }
}
