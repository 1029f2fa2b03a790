#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Single-precision matrix multiply on the platform BLAS (OpenBLAS on Linux, Accelerate on Apple):
/// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, all row-major with explicit leading dimensions
/// so that heads and batch slices can be multiplied in place without copies.
@inline(__always)
public func sgemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = blasIsSingleThreaded
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
}

#if canImport(Accelerate)
@inline(__always) private func blasInt(_ x: Int) -> Int32 { Int32(x) }
#else
@inline(__always) private func blasInt(_ x: Int) -> blasint { blasint(x) }
#endif

/// Sets how many threads BLAS may use (OpenBLAS only; Accelerate manages its own).
public func setBLASThreadCount(_ n: Int) {
    #if !canImport(Accelerate)
    openblas_set_num_threads(Int32(n))
    #endif
}

/// `sgemm` with op(B) = Bᵀ (B stored [n, k], a Linear weight), split over the n columns across
/// Seer's workers: each computes a block of whole output columns from its own slice of B.
public func parallelSgemmTransposedB(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // Below ~1 M multiply-adds per worker, waking threads costs more than it saves.
    let workers = max(1, min(seerThreadCount, m * n * k / (1 << 20)))
    // Column blocks in multiples of 16 keep each worker's stores vector-aligned.
    let blocks = (n + 15) / 16
    nonisolated(unsafe) let (a, b, c) = (a, b, c)
    parallelChunks(blocks, grain: max(1, blocks / workers)) { range in
        let n0 = range.lowerBound * 16, n1 = min(n, range.upperBound * 16)
        sgemm(transposeB: true, m: m, n: n1 - n0, k: k, a: a, lda: lda, b: b + n0 * ldb, ldb: ldb,
              beta: beta, c: c + n0, ldc: ldc)
    }
}
