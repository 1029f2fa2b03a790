/// COCO run-length encoding, as pycocotools writes it (`mask.encode`, maskApi.c).
///
/// The mask is read column by column (Fortran order: down the first column, then the next),
/// and `counts` holds the lengths of the alternating runs, starting with a run of zeros (which
/// is 0 when the first pixel is set). `compressed` is pycocotools' `counts` string: each count
/// (after the third, minus the count two places back) written as 5-bit groups, low bits first,
/// in ASCII characters from 48 ('0'); the 0x20 bit says another group follows, and the top bit
/// of the last group is the sign.
public struct MaskRLE: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Uncompressed run lengths; they add up to `width * height`.
    public let counts: [Int]

    /// Encodes a mask.
    public init(_ mask: BinaryMask) {
        var counts: [Int] = []
        var current = false
        var run = 0
        mask.bits.withUnsafeBufferPointer { bits in
            for x in 0..<mask.width {
                var index = x
                for _ in 0..<mask.height {
                    if bits[index] != current {
                        counts.append(run)
                        run = 0
                        current.toggle()
                    }
                    run += 1
                    index += mask.width
                }
            }
        }
        counts.append(run)
        self.width = mask.width
        self.height = mask.height
        self.counts = counts
    }

    /// Uncompressed counts as COCO's JSON holds them (`{"size": [h, w], "counts": [...]}`).
    public init(width: Int, height: Int, counts: [Int]) throws {
        guard width >= 0, height >= 0 else { throw MaskError("RLE size \(height)×\(width) is negative") }
        guard counts.allSatisfy({ $0 >= 0 }) else { throw MaskError("RLE counts must not be negative") }
        // Sum with overflow checks: the counts come from outside.
        var total = 0
        for count in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw MaskError("RLE counts overflow") }
            total = sum
        }
        guard total == width * height else {
            throw MaskError("RLE counts add up to \(total) pixels, but the mask is \(height)×\(width) = \(width * height)")
        }
        self.width = width
        self.height = height
        self.counts = counts
    }

    /// Decodes pycocotools' compressed `counts` string (`rleFrString`).
    public init(width: Int, height: Int, compressed: String) throws {
        var counts: [Int] = []
        var bytes = Array(compressed.utf8)[...]
        while !bytes.isEmpty {
            var value = 0
            var shift = 0
            var more = true
            while more {
                guard let byte = bytes.popFirst() else { throw MaskError("RLE string ends inside a count") }
                guard byte >= 48, byte < 48 + 64 else { throw MaskError("RLE string has a character outside '0'…'o'") }
                guard shift < 60 else { throw MaskError("RLE string has a count too long to represent") }
                let group = Int(byte - 48)
                value |= (group & 0x1f) << shift
                more = group & 0x20 != 0
                shift += 5
                // The top bit of the last group is the sign: extend it.
                if !more && group & 0x10 != 0 { value |= -1 << shift }
            }
            if counts.count > 2 {
                let (sum, overflow) = value.addingReportingOverflow(counts[counts.count - 2])
                guard !overflow else { throw MaskError("RLE counts overflow") }
                value = sum
            }
            counts.append(value)
        }
        try self.init(width: width, height: height, counts: counts)
    }

    /// pycocotools' compressed `counts` string (`rleToString`).
    public var compressed: String {
        var out: [UInt8] = []
        for (i, count) in counts.enumerated() {
            // From the fourth count on, store the difference to the count of the same kind
            // two places back: neighbouring columns of an object have similar runs.
            var value = i > 2 ? count - counts[i - 2] : count
            var more = true
            while more {
                var group = value & 0x1f
                value >>= 5   // arithmetic shift: negative values end at -1
                more = group & 0x10 != 0 ? value != -1 : value != 0
                if more { group |= 0x20 }
                out.append(UInt8(group + 48))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The mask these runs describe.
    public func decoded() -> BinaryMask {
        var mask = BinaryMask(width: width, height: height)
        var position = 0
        var value = false
        for count in counts {
            if value {
                for p in position..<(position + count) {
                    mask.bits[(p % height) * width + p / height] = true
                }
            }
            position += count
            value.toggle()
        }
        return mask
    }

    /// The number of set pixels (pycocotools' `area`): the sum of every second run.
    public var area: Int {
        stride(from: 1, to: counts.count, by: 2).reduce(0) { $0 + counts[$1] }
    }
}

/// A mask that cannot be decoded or encoded, with a message meant for people.
public struct MaskError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
