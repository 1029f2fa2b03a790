/// A tokenizer.json `pre_tokenizer`: cuts normalized text into the words the model encodes one
/// by one, as the `tokenizers` pre-tokenizer of the same name does. Empty pieces are dropped.
/// `isFirst` tells whether the piece starts the text (not after an added token), which
/// Metaspace's "first" prepend scheme needs.
protocol PreTokenizer: Sendable {
    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>])
}

enum PreTokenizers {
    static func make(_ json: JSONObject) throws -> PreTokenizer {
        let type = try json.string("type")
        switch type {
        case "Sequence":
            return SequencePreTokenizer(steps: try json.children("pretokenizers").map(make))
        case "Split":
            guard case .string(let pattern) = try json.pattern("pattern") else {
                throw json.fail("Split with a Regex pattern is not supported")
            }
            return StringSplitPreTokenizer(pattern: Array(pattern.unicodeScalars),
                                           behavior: try behavior(json, "behavior"),
                                           invert: try json.bool("invert", default: false))
        case "Metaspace":
            let replacement = Array(try json.string("replacement").unicodeScalars)
            guard replacement.count == 1 else { throw json.fail("Metaspace replacement must be one character") }
            let scheme = try json.optionalString("prepend_scheme")
                ?? (try json.bool("add_prefix_space", default: true) ? "always" : "never")
            guard ["always", "first", "never"].contains(scheme) else {
                throw json.fail("Metaspace prepend_scheme \(CLIPTokenizer.quoted(scheme)) is unknown")
            }
            return MetaspacePreTokenizer(replacement: replacement[0], prependScheme: scheme,
                                         split: try json.bool("split", default: true))
        case "WhitespaceSplit":
            return WhitespaceSplitPreTokenizer()
        case "Digits":
            return DigitsPreTokenizer(individual: try json.bool("individual_digits", default: false))
        default:
            throw json.fail("pre_tokenizer type \(CLIPTokenizer.quoted(type)) is not supported")
        }
    }

    static func behavior(_ json: JSONObject, _ key: String) throws -> SplitBehavior {
        let name = try json.string(key)
        guard let b = SplitBehavior(rawValue: name) else {
            throw json.fail("split behavior \(CLIPTokenizer.quoted(name)) is unknown")
        }
        return b
    }
}

/// `tokenizers`' SplitDelimiterBehavior.
enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious",
         mergedWithNext = "MergedWithNext", contiguous = "Contiguous"

    /// Applies the behavior to (range, isMatch) spans covering a piece, as
    /// `NormalizedString::split` does, and appends the non-empty pieces.
    func apply(_ spans: [(Range<Int>, Bool)], _ piece: ArraySlice<Unicode.Scalar>, into out: inout [ArraySlice<Unicode.Scalar>]) {
        var ranges: [Range<Int>] = []
        switch self {
        case .removed:
            ranges = spans.filter { !$0.1 }.map(\.0)
        case .isolated:
            ranges = spans.map(\.0)
        case .mergedWithPrevious:
            var previousMatch = false
            for (r, isMatch) in spans {
                if isMatch && !previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound..<r.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (r, isMatch) in spans.reversed() {
                if isMatch && !previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = r.lowerBound..<last.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
            ranges.reverse()
        case .contiguous:
            var previousMatch = false
            for (r, isMatch) in spans {
                if isMatch == previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound..<r.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
        }
        for r in ranges where !r.isEmpty { out.append(piece[r]) }
    }
}

struct SequencePreTokenizer: PreTokenizer {
    let steps: [PreTokenizer]
    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>]) {
        var pieces = [piece]
        for step in steps {
            var next: [ArraySlice<Unicode.Scalar>] = []
            for (k, p) in pieces.enumerated() { step.split(p, isFirst: isFirst && k == 0, into: &next) }
            pieces = next
        }
        out.append(contentsOf: pieces)
    }
}

/// `Split` with a String pattern: its non-overlapping occurrences, left to right, are the matches.
struct StringSplitPreTokenizer: PreTokenizer {
    let pattern: [Unicode.Scalar]
    let behavior: SplitBehavior
    let invert: Bool

    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>]) {
        guard !pattern.isEmpty, !piece.isEmpty else {
            if !piece.isEmpty { out.append(piece) }
            return
        }
        var spans: [(Range<Int>, Bool)] = []
        var previous = piece.startIndex
        var i = piece.startIndex
        while i < piece.endIndex {
            if piece.endIndex - i >= pattern.count && piece[i..<(i + pattern.count)].elementsEqual(pattern) {
                if previous != i { spans.append((previous..<i, invert)) }
                spans.append((i..<(i + pattern.count), !invert))
                i += pattern.count
                previous = i
            } else {
                i += 1
            }
        }
        if spans.isEmpty {
            // No occurrence: the whole piece is one span (a match only when inverted).
            behavior.apply([(piece.startIndex..<piece.endIndex, invert)], piece, into: &out)
            return
        }
        if previous != piece.endIndex { spans.append((previous..<piece.endIndex, invert)) }
        behavior.apply(spans, piece, into: &out)
    }
}

/// `Metaspace`: spaces become the replacement (▁), one is prepended per the scheme ("first":
/// only to the first piece of the text), then with `split` the text is cut before each ▁.
struct MetaspacePreTokenizer: PreTokenizer {
    let replacement: Unicode.Scalar
    let prependScheme: String
    let split: Bool

    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>]) {
        var text = piece.map { $0 == " " ? replacement : $0 }
        if (prependScheme == "always" || (prependScheme == "first" && isFirst)), text.first != replacement {
            text.insert(replacement, at: 0)
        }
        let whole = text[...]
        guard split else {
            if !whole.isEmpty { out.append(whole) }
            return
        }
        var spans: [(Range<Int>, Bool)] = []
        var previous = 0
        for (i, s) in text.enumerated() where s == replacement {
            if previous != i { spans.append((previous..<i, false)) }
            spans.append((i..<(i + 1), true))
            previous = i + 1
        }
        if previous != text.count { spans.append((previous..<text.count, false)) }
        SplitBehavior.mergedWithNext.apply(spans, whole, into: &out)
    }
}

/// `WhitespaceSplit`: pieces between runs of White_Space (Rust `char::is_whitespace`).
struct WhitespaceSplitPreTokenizer: PreTokenizer {
    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>]) {
        var start: Int?
        for i in piece.indices {
            if piece[i].properties.isWhitespace {
                if let s = start { out.append(piece[s..<i]) }
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { out.append(piece[s...]) }
    }
}

/// `Digits`: runs of Unicode decimal digits (Rust `char::is_numeric`) isolated, or each digit alone.
struct DigitsPreTokenizer: PreTokenizer {
    let individual: Bool
    func split(_ piece: ArraySlice<Unicode.Scalar>, isFirst: Bool, into out: inout [ArraySlice<Unicode.Scalar>]) {
        let spans = piece.indices.map { i -> (Range<Int>, Bool) in
            switch piece[i].properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: return (i..<(i + 1), true)
            default: return (i..<(i + 1), false)
            }
        }
        (individual ? SplitBehavior.isolated : SplitBehavior.contiguous).apply(spans, piece, into: &out)
    }
}
