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
        out.reserveCapacity(out.count + n + n / 2 + 3)
        let start = out.count
        let escape = escapeWhitespaces
        @inline(__always) func appendSpace(_ out: inout [UInt8]) {
            if escape { out.append(0xE2); out.append(0x96); out.append(0x81) } else { out.append(0x20) }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { appendSpace(&out) }
        var isPrevSpace = removeExtraWhitespaces
        // A normalized stretch: leading spaces go after a space (with remove_extra_whitespaces),
        // spaces become the space symbol, and whether it ends in a space is remembered.
        @inline(__always) func emit(_ bytes: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
            var k = 0
            if isPrevSpace { while k < bytes.count && bytes[k] == 0x20 { k += 1 } }
            if k == bytes.count { return }
            while k < bytes.count {
                let b = bytes[k]
                if b == 0x20 { appendSpace(&out) } else { out.append(b) }
                k += 1
            }
            isPrevSpace = bytes[bytes.count - 1] == 0x20
        }
        let userDefined = userDefined
        while i < n {
            let lead = input[i]
            if userDefined == nil, let charsmap, !charsmap.ruleStarts[Int(lead)], lead < 0x80 {
                // ASCII with no rule and no user-defined piece: the byte itself.
                if lead == 0x20 {
                    if !isPrevSpace { appendSpace(&out) }
                    isPrevSpace = true
                } else {
                    out.append(lead)
                    isPrevSpace = false
                }
                i += 1
                if !removeExtraWhitespaces { isPrevSpace = false }
                continue
            }
            let p = normalizePrefix(input, i)
            if let output = p.output {
                output.withUnsafeBufferPointer { emit($0, &out) }
            } else {
                emit(UnsafeBufferPointer(rebasing: input[i..<(i + p.consumed)]), &out)
            }
            i += p.consumed
            if !removeExtraWhitespaces { isPrevSpace = false }
        }
        if removeExtraWhitespaces {
            if escape {
                while out.count - start >= 3 && out[out.count - 3] == 0xE2 && out[out.count - 2] == 0x96 && out[out.count - 1] == 0x81 {
                    out.removeLast(3)
                }
            } else {
                while out.count - start >= 1 && out[out.count - 1] == 0x20 { out.removeLast() }
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { appendSpace(&out) }
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
