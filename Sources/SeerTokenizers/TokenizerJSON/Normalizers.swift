import Foundation

/// A tokenizer.json `normalizer`: rewrites the text (as Unicode scalars) before pre-tokenization,
/// as the `tokenizers` library's normalizer of the same name does.
protocol TextNormalizer: Sendable {
    func normalize(_ text: inout [Unicode.Scalar])
}

enum Normalizers {
    /// Builds the normalizer a tokenizer.json object describes; an unknown or unsupported type is
    /// a `TokenizerError` that names it.
    static func make(_ json: JSONObject) throws -> TextNormalizer {
        let type = try json.string("type")
        switch type {
        case "Sequence":
            return SequenceNormalizer(steps: try json.children("normalizers").map(make))
        case "Replace":
            guard case .string(let pattern) = try json.pattern("pattern") else {
                throw json.fail("Replace with a Regex pattern is not supported")
            }
            guard !pattern.isEmpty else { throw json.fail("Replace pattern is empty") }
            return ReplaceNormalizer(pattern: Array(pattern.unicodeScalars), content: Array(try json.string("content").unicodeScalars))
        case "Prepend":
            return PrependNormalizer(prefix: Array(try json.string("prepend").unicodeScalars))
        case "Lowercase":
            return LowercaseNormalizer()
        case "NFC", "NFD", "NFKC", "NFKD":
            return UnicodeNormalizer(form: type)
        case "Strip":
            return StripNormalizer(left: try json.bool("strip_left", default: true), right: try json.bool("strip_right", default: true))
        default:
            throw json.fail("normalizer type \(CLIPTokenizer.quoted(type)) is not supported")
        }
    }
}

struct SequenceNormalizer: TextNormalizer {
    let steps: [TextNormalizer]
    func normalize(_ text: inout [Unicode.Scalar]) {
        for step in steps { step.normalize(&text) }
    }
}

/// Every non-overlapping occurrence, left to right, replaced (`Replace` with a String pattern).
struct ReplaceNormalizer: TextNormalizer {
    let pattern: [Unicode.Scalar]
    let content: [Unicode.Scalar]

    func normalize(_ text: inout [Unicode.Scalar]) {
        if pattern.count == 1 && content.count == 1 {
            let p = pattern[0], c = content[0]
            for i in text.indices where text[i] == p { text[i] = c }
            return
        }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text.count - i >= pattern.count && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: content)
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        text = out
    }
}

/// `Prepend`: the prefix goes in front of non-empty text.
struct PrependNormalizer: TextNormalizer {
    let prefix: [Unicode.Scalar]
    func normalize(_ text: inout [Unicode.Scalar]) {
        if !text.isEmpty { text.insert(contentsOf: prefix, at: 0) }
    }
}

/// `Lowercase`: Rust's `char::to_lowercase` per scalar (full mappings, no final-sigma context).
struct LowercaseNormalizer: TextNormalizer {
    func normalize(_ text: inout [Unicode.Scalar]) {
        var i = 0
        var needsRebuild = false
        while i < text.count {
            let s = text[i]
            if s.value < 0x80 {
                if s.value &- 0x41 < 26 { text[i] = Unicode.Scalar(s.value | 0x20)! }
            } else if s.properties.changesWhenLowercased {
                needsRebuild = true
                break
            }
            i += 1
        }
        guard needsRebuild else { return }
        var out = Array(text[..<i])
        out.reserveCapacity(text.count + 4)
        for s in text[i...] {
            if s.value < 0x80 {
                out.append(s.value &- 0x41 < 26 ? Unicode.Scalar(s.value | 0x20)! : s)
            } else if s.properties.changesWhenLowercased {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(s)
            }
        }
        text = out
    }
}

/// `NFC`/`NFD`/`NFKC`/`NFKD` with the reference's Unicode 9.0 tables: scalars assigned later are
/// left alone and split the text into runs normalized on their own (see
/// `CLIPPreTokenizer.referenceNFC`).
struct UnicodeNormalizer: TextNormalizer {
    let form: String

    func normalize(_ text: inout [Unicode.Scalar]) {
        // ASCII and Latin-1 below U+0300 are stable under NFC/NFD (NFKC/NFKD map a few Latin-1).
        let limit: UInt32 = form.hasPrefix("NFK") ? 0xA0 : 0x300
        if !text.contains(where: { $0.value >= limit }) { return }
        var result: [Unicode.Scalar] = []
        var run = String.UnicodeScalarView()
        func flush() {
            if run.isEmpty { return }
            result.append(contentsOf: apply(String(run)).unicodeScalars)
            run = String.UnicodeScalarView()
        }
        for s in text {
            if s.value >= 0xA0, let age = s.properties.age, age.major > CLIPPreTokenizer.normalizationUnicodeMajorVersion {
                flush()
                result.append(s)
            } else {
                run.append(s)
            }
        }
        flush()
        text = result
    }

    private func apply(_ s: String) -> String {
        switch form {
        case "NFD": return s.decomposedStringWithCanonicalMapping
        case "NFKD": return s.decomposedStringWithCompatibilityMapping
        // Composing from the decomposed form avoids Foundation's missed compositions (see CLIPPreTokenizer).
        case "NFKC": return s.decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        default: return s.decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping
        }
    }
}

/// `Strip`: White_Space scalars off the ends (Rust's `char::is_whitespace`).
struct StripNormalizer: TextNormalizer {
    let left: Bool
    let right: Bool
    func normalize(_ text: inout [Unicode.Scalar]) {
        if right { while let last = text.last, last.properties.isWhitespace { text.removeLast() } }
        if left {
            let n = text.prefix { $0.properties.isWhitespace }.count
            if n > 0 { text.removeFirst(n) }
        }
    }
}
