/// SentencePiece's precompiled normalization rules (`normalizer_spec.precompiled_charsmap`, e.g.
/// "nmt_nfkc": NFKC plus a few clean-ups), also the `Precompiled` normalizer of tokenizer.json.
///
/// Layout (normalizer.cc, DecodePrecompiledCharsMap): a little-endian u32 trie size, a
/// darts-clone double array of that many bytes (4-byte units), then NUL-terminated replacement
/// strings the trie's values point into. `longestMatch` is `Normalizer::NormalizePrefix`: the
/// longest rule that is a prefix of the input (among the first 32 matches), or none.
struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    struct Failure: Error {
        let message: String
    }

    init(_ blob: [UInt8]) throws {
        guard blob.count > 4 else { throw Failure(message: "precompiled_charsmap is too short") }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize < blob.count - 4 else { throw Failure(message: "precompiled_charsmap: trie size exceeds the blob") }
        guard trieSize >= 1024, trieSize & 0x3FF == 0 else {
            throw Failure(message: "precompiled_charsmap: trie size \(trieSize) is not a multiple of 1024")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for i in 0..<units.count {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let replacements = Array(blob[(4 + trieSize)...])
        guard replacements.last == 0 else { throw Failure(message: "precompiled_charsmap: replacement strings are not NUL-terminated") }
        self.units = units
        self.replacements = replacements
        // Which bytes start some rule: the others are copied without a trie walk.
        var starts = [Bool](repeating: false, count: 256)
        let root = Self.offset(units[0])
        for byte in 0..<256 {
            let pos = root ^ byte
            starts[byte] = pos < units.count && Self.label(units[pos]) == UInt32(byte)
        }
        ruleStarts = starts
    }

    /// `ruleStarts[b]`: some rule's key begins with byte `b`.
    let ruleStarts: [Bool]

    static let maxResults = 32  // Normalizer::kMaxTrieResultsSize

    // Darts-clone unit fields (darts.h, DoubleArrayUnit).
    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// The longest rule matching a prefix of `input[start..<end]`: (bytes consumed, replacement
    /// range in `replacements`), or nil when no rule matches (the character is kept as it is).
    /// Out-of-range trie positions end the search, so a corrupt trie cannot trap.
    @inline(__always)
    func longestMatch(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> (length: Int, replacement: Range<Int>)? {
        let n = units.count
        guard n > 0 else { return nil }
        var longestLength = 0
        var longestValue = 0
        var found = 0
        return units.withUnsafeBufferPointer { array -> (Int, Range<Int>)? in
            var nodePos = Self.offset(array[0])
            var i = start
            while i < input.count {
                let key = input[i]
                nodePos ^= Int(key)
                guard nodePos < n else { break }
                let unit = array[nodePos]
                if Self.label(unit) != UInt32(key) { break }
                nodePos ^= Self.offset(unit)
                guard nodePos < n else { break }
                if Self.hasLeaf(unit) {
                    if found < Self.maxResults {
                        let length = i - start + 1
                        if longestLength == 0 || length > longestLength {
                            longestLength = length
                            longestValue = Self.value(array[nodePos])
                        }
                    }
                    found += 1
                }
                i += 1
            }
            guard longestLength > 0, longestValue < replacements.count else { return nil }
            var stop = longestValue
            while replacements[stop] != 0 { stop += 1 }
            return (longestLength, longestValue..<stop)
        }
    }

    @inline(__always)
    func replacement(_ range: Range<Int>) -> ArraySlice<UInt8> { replacements[range] }
}
