/// SentencePiece's normalizer (normalizer.cc, `Normalizer::Normalize`), byte for byte:
///
/// 1. Each step takes the longest user-defined piece at the cursor unchanged (they are never
///    normalized), else the longest precompiled rule, else one UTF-8 character as it is.
/// 2. With `remove_extra_whitespaces`: leading spaces (after rules) are dropped, a run of
///    spaces collapses to one (a rule's output that starts with spaces right after a space loses
///    them), and trailing space symbols are dropped at the end (any U+2581, also one typed in).
/// 3. Spaces become U+2581 "▁" with `escape_whitespaces`; `add_dummy_prefix` puts one in front
///    (or behind, with `treat_whitespace_as_suffix`).
struct SentencePieceNormalizer: Sendable {
    let charsmap: PrecompiledCharsmap?
    let userDefined: ByteTrie?
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool

    init(model: SentencePieceModel, path: String) throws {
        let spec = model.normalizerSpec
        if spec.precompiledCharsmap.isEmpty {
            charsmap = nil
        } else {
            do {
                charsmap = try PrecompiledCharsmap(spec.precompiledCharsmap)
            } catch let failure as PrecompiledCharsmap.Failure {
                throw TokenizerError(.malformed, path: path, failure.message)
            }
        }
        let user = model.pieces.filter { $0.type == .userDefined }.map { Array($0.piece.utf8) }
        userDefined = user.isEmpty ? nil : ByteTrie(user.map { ($0, 0) })
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        treatWhitespaceAsSuffix = model.trainerSpec.treatWhitespaceAsSuffix
    }

    private static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]

    /// The normalized form of the prefix at `i`: bytes consumed and what they become.
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, _ i: Int) -> (consumed: Int, output: ArraySlice<UInt8>?) {
        if let userDefined, let length = userDefined.longestPrefix(input, from: i)?.length {
            return (length, nil)  // nil: the input bytes themselves
        }
        if let charsmap, let match = charsmap.longestMatch(input, from: i) {
            return (match.length, charsmap.replacement(match.replacement))
        }
        return (min(utf8Length(input[i]), input.count - i), nil)
    }

    /// Appends the normalized bytes of `input` (valid UTF-8) to `out`.
    func normalize(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = input.count
        if n == 0 { return }
        if removeExtraWhitespaces {
            while i < n {
                let p = normalizePrefix(input, i)
                let isSpace: Bool
                if let output = p.output {
                    isSpace = output.count == 1 && output.first == 0x20
                } else {
                    isSpace = p.consumed == 1 && input[i] == 0x20
                }
                if !isSpace { break }
                i += p.consumed
            }
        }
        if i == n { return }
        let space: [UInt8] = escapeWhitespaces ? Self.spaceSymbol : [0x20]
        let start = out.count
        if !treatWhitespaceAsSuffix && addDummyPrefix { out.append(contentsOf: space) }
        var isPrevSpace = removeExtraWhitespaces
        while i < n {
            let p = normalizePrefix(input, i)
            func emit<C: Collection>(_ bytes: C) where C.Element == UInt8 {
                var k = bytes.startIndex
                if isPrevSpace {
                    while k != bytes.endIndex && bytes[k] == 0x20 { k = bytes.index(after: k) }
                }
                if k == bytes.endIndex { return }
                var last: UInt8 = 0
                while k != bytes.endIndex {
                    let b = bytes[k]
                    if b == 0x20 { out.append(contentsOf: space) } else { out.append(b) }
                    last = b
                    k = bytes.index(after: k)
                }
                isPrevSpace = last == 0x20
            }
            if let output = p.output {
                emit(output)
            } else {
                emit(UnsafeBufferPointer(rebasing: input[i..<(i + p.consumed)]))
            }
            i += p.consumed
            if !removeExtraWhitespaces { isPrevSpace = false }
        }
        if removeExtraWhitespaces {
            let s = space
            while out.count - start >= s.count && out[(out.count - s.count)...].elementsEqual(s) {
                out.removeLast(s.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { out.append(contentsOf: space) }
    }
}

/// Length of the UTF-8 sequence a lead byte starts (sentencepiece's OneCharLen table: continuation
/// and invalid lead bytes count as 1).
@inline(__always)
func utf8Length(_ lead: UInt8) -> Int {
    switch lead >> 4 {
    case 0xC, 0xD: return 2
    case 0xE: return 3
    case 0xF: return 4
    default: return 1
    }
}
