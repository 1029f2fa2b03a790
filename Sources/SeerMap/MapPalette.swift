/// The colours of a map, shared by the page and the picture so both look the same.
public enum MapPalette {
    /// Distinct colours for classes (Tableau 20's order: strong colours first, then light ones).
    static let categorical: [SIMD3<UInt8>] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
        0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xc7c7c7, 0xdbdb8d, 0x9edae5,
    ].map { SIMD3(UInt8($0 >> 16), UInt8(($0 >> 8) & 0xff), UInt8($0 & 0xff)) }

    /// Points with no class or value.
    static let missing = SIMD3<UInt8>(200, 200, 200)

    /// Stops of a perceptually even scale (viridis, sampled at 0, ¼, ½, ¾, 1).
    static let scale: [SIMD3<Float>] = [
        SIMD3(68, 1, 84), SIMD3(59, 82, 139), SIMD3(33, 145, 140), SIMD3(94, 201, 98), SIMD3(253, 231, 37),
    ]

    public static func category(_ index: Int) -> SIMD3<UInt8> {
        index < 0 ? missing : categorical[index % categorical.count]
    }

    /// The scale's colour at t in [0, 1].
    public static func value(_ t: Float) -> SIMD3<UInt8> {
        guard t.isFinite else { return missing }
        let x = min(1, max(0, t)) * Float(scale.count - 1)
        let i = min(scale.count - 2, Int(x))
        let c = scale[i] + (scale[i + 1] - scale[i]) * (x - Float(i))
        return SIMD3(UInt8(c.x.rounded()), UInt8(c.y.rounded()), UInt8(c.z.rounded()))
    }

    static func hex(_ c: SIMD3<UInt8>) -> String {
        "#" + [c.x, c.y, c.z].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
