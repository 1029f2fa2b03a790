/// Python 3.11 string operations that transformers' slow tokenizers run on the text before the
/// model sees it, reproduced on Unicode scalars. Python 3.11 has Unicode 14.0 tables; Swift's are
/// newer, so scalars assigned after 14.0 get no case mapping or properties here either.
enum PythonText {
    static let unicodeMajorVersion = 14

    @inline(__always)
    static func isKnown(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major <= unicodeMajorVersion
    }

    /// `str.isspace()` (and the `\s` of `re` on str patterns): bidirectional class WS, B or S,
    /// or category Zs. The set is fixed since long before Unicode 14.
    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.lower()`: full lowercase mappings (İ → i̇), and Σ → ς in the Final_Sigma context
    /// (after a cased letter, with case-ignorables skipped, and not before one), as
    /// unicodeobject.c's `handle_capital_sigma`.
    static func lower(_ scalars: [Unicode.Scalar], into out: inout [Unicode.Scalar]) {
        for (i, s) in scalars.enumerated() {
            if s.value < 0x80 {
                out.append(s.value &- 0x41 < 26 ? Unicode.Scalar(s.value | 0x20)! : s)
            } else if s.value == 0x3A3 {
                out.append(isFinalSigma(scalars, i) ? "\u{3C2}" : "\u{3C3}")
            } else if isKnown(s) && s.properties.changesWhenLowercased {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(s)
            }
        }
    }

    private static func isCased(_ s: Unicode.Scalar) -> Bool { isKnown(s) && s.properties.isCased }
    private static func isCaseIgnorable(_ s: Unicode.Scalar) -> Bool { isKnown(s) && s.properties.isCaseIgnorable }

    private static func isFinalSigma(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && isCaseIgnorable(s[j]) { j -= 1 }
        guard j >= 0 && isCased(s[j]) else { return false }
        j = i + 1
        while j < s.count && isCaseIgnorable(s[j]) { j += 1 }
        return j == s.count || !isCased(s[j])
    }

    /// `string.punctuation`: the 32 ASCII punctuation characters.
    @inline(__always)
    static func isASCIIPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// `str.strip()` with no argument.
    static func strip(_ s: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi && isSpace(s[lo]) { lo += 1 }
        while hi > lo && isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    static func lstrip(_ s: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var lo = s.startIndex
        while lo < s.endIndex && isSpace(s[lo]) { lo += 1 }
        return s[lo...]
    }

    static func rstrip(_ s: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var hi = s.endIndex
        while hi > s.startIndex && isSpace(s[hi - 1]) { hi -= 1 }
        return s[..<hi]
    }
}
