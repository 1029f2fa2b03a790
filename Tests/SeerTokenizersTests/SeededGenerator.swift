import Foundation

/// SplitMix64, seeded: every random input of these tests is the same on every run, and a test
/// puts `seed` in its failure messages so a failure can be replayed. `SEER_TEST_SEED=N` runs
/// the fuzz tests with another seed (to explore, or to replay one printed by a failure).
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// `SEER_TEST_SEED` when set, else `fallback`.
    init(defaultSeed fallback: UInt64) {
        self.init(seed: ProcessInfo.processInfo.environment["SEER_TEST_SEED"].flatMap { UInt64($0) } ?? fallback)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
