/// The two parts of a dataset: what a trainer learns from and what it is checked on.
/// Raw values are the folder names Autodistill and Roboflow exports use.
public enum DatasetSplit: String, Sendable, CaseIterable, Codable {
    case train, valid
}

/// Which split an image goes to, from its path relative to the input folder and a seed alone:
/// never from the order images were processed in or how many came before, so an interrupted
/// run, a resumed one and an uninterrupted one put every image in the same place, and adding
/// images to the folder later moves none of the old ones.
public struct SplitRule: Sendable, Equatable {
    /// Share of images that go to train (0…1); the rest go to valid.
    public var trainFraction: Double
    public var seed: UInt64

    public init(trainFraction: Double = 0.8, seed: UInt64 = 0) {
        self.trainFraction = trainFraction
        self.seed = seed
    }

    public func split(of relativePath: String) -> DatasetSplit {
        Self.uniform(relativePath, seed: seed) < trainFraction ? .train : .valid
    }

    /// A number in [0, 1) from FNV-1a over the seed's bytes and the path's UTF-8, then
    /// SplitMix64's finaliser (FNV alone leaves similar paths' high bits correlated).
    static func uniform(_ path: String, seed: UInt64) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        for byte in path.utf8 { mix(byte) }
        var z = hash &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }
}
