#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSeerKernels
import Foundation

/// A Linear layer's weight [outFeatures, inFeatures], prepared for the many products it will
/// take part in: packed into Seer's GEMM panel layout where this CPU has Seer's kernels (x86-64
/// with AVX2+FMA or AVX-512), used as-is through BLAS elsewhere.
///
/// Packing happens on the first product, not at load: a model whose text tower alone is used
/// (a search query) never packs, or even pages in, its vision tower.
public struct LinearWeight: Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    /// The weight in PyTorch layout, kept only when products go through BLAS.
    let plain: Tensor?
    let panels: PackedPanels?

    static let packingSupported = seer_gemm_supported() != 0

    public init(_ weight: Tensor) {
        self.init(weight, packing: Self.packingSupported)
    }

    /// `packing: false` forces the BLAS path (how tests cover it on machines that pack).
    init(_ weight: Tensor, packing: Bool) {
        precondition(weight.rank == 2, "a Linear weight is [out, in], got \(weight.shape)")
        precondition(!packing || Self.packingSupported, "this CPU has no packed GEMM kernel")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        panels = packing ? PackedPanels(weight) : nil
        plain = packing ? nil : weight
    }

    /// Whether the weight goes through Seer's packed kernels (rather than BLAS).
    var isPacked: Bool { panels != nil }

    static func panels(_ n: Int) -> Int { (n + Int(SEER_GEMM_PANEL) - 1) / Int(SEER_GEMM_PANEL) }

    /// out[rows, outFeatures] = x[rows, inFeatures] · Wᵀ + bias.
    func multiply(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        if let panels {
            let packed = panels.storage()
            let panelCount = Self.panels(n)
            // Below ~1 M multiply-adds per worker, waking threads costs more than it saves.
            let workers = max(1, min(seerThreadCount, rows * n * k / (1 << 20)))
            nonisolated(unsafe) let (x, bias, out, weights) = (x, bias, out, packed.pointer)
            parallelChunks(panelCount, grain: max(1, panelCount / workers)) { range in
                seer_gemm_packed(rows, n, k, x, k, weights, bias, out, n, range.lowerBound, range.upperBound)
            }
            withExtendedLifetime(packed) {}
            return
        }
        var beta: Float = 0
        if let bias {
            // Start from the bias in every row and let GEMM accumulate onto it: one pass fewer.
            for r in 0..<rows { (out + r * n).update(from: bias, count: n) }
            beta = 1
        }
        parallelSgemmTransposedB(m: rows, n: n, k: k, a: x, lda: k, b: plain!.pointer, ldb: k, beta: beta, c: out, ldc: n)
        withExtendedLifetime(plain) {}
    }
}

/// The packed form of one weight, made once on first use (thread-safe), after which the
/// original's mapped pages are released so resident memory holds the weights once.
final class PackedPanels: @unchecked Sendable {
    // @unchecked: `source` and `packed` change only under `lock`.
    private let lock = NSLock()
    private var source: Tensor?
    private var packed: TensorStorage?

    init(_ weight: Tensor) { source = weight }

    func storage() -> TensorStorage {
        lock.withLock {
            if let packed { return packed }
            let weight = source!
            let (n, k) = (weight.shape[0], weight.shape[1])
            let storage = TensorStorage(uninitializedCount: seer_gemm_packed_size(n, k))
            nonisolated(unsafe) let (from, to) = (weight.pointer, storage.pointer)
            parallelChunks(LinearWeight.panels(n), grain: max(1, (1 << 18) / max(k * Int(SEER_GEMM_PANEL), 1))) { range in
                seer_gemm_pack(from, k, n, k, to, range.lowerBound, range.upperBound)
            }
            weight.storage.discardMappedPages()
            packed = storage
            source = nil
            return storage
        }
    }
}

extension TensorStorage {
    /// For storage borrowed from a memory-mapped file: tells the kernel these pages are not
    /// needed, so they leave resident memory (they are re-read from the file if touched again).
    func discardMappedPages() {
        guard isMapped else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: pointer) + pageSize - 1) / pageSize * pageSize
        let end = (Int(bitPattern: pointer + count)) / pageSize * pageSize
        guard end > start, let base = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(base, end - start, Int32(MADV_DONTNEED))
    }
}
