import CSeerKernels
import SeerTensor

/// Brute-force inner-product search, exact. Each worker thread scans a contiguous share of the
/// rows and keeps its own top-k per query; the shares are merged at the end.
///
/// Two scans, by the number of queries:
/// - a few: one pass that reads each row once for all of them — the scan is bound by memory
///   bandwidth, so reading the rows once is what counts;
/// - many: the queries are packed once into GEMM panels and blocks of rows are multiplied
///   against them — bound by arithmetic — and each block's scores are ranked while in cache
///   (BLAS sgemm on CPUs without Seer's packed kernels).
/// Either way a score is compared with its query's current k-th best sixteen at a time, and only
/// the rare score that beats it reaches the heap.
public struct ExactSearch {
    public let matrix: VectorMatrix

    /// How a block of rows is scored against the queries.
    enum Scoring {
        /// Each row read once for all the queries (a few queries).
        case rowScan
        /// Seer's packed GEMM kernel, the queries packed once (x86-64 with AVX2 or AVX-512).
        case packed
        /// BLAS sgemm (other CPUs).
        case blas
    }

    /// The scoring used for many queries on this CPU.
    let manyQueries: Scoring

    /// From this many queries on, the GEMM scan (with fewer, most of a 16-wide panel is padding).
    static let gemmQueries = 16
    /// Queries packed and ranked together: their panels (2 MB at 512 dimensions) stay in cache.
    static let queryBlock = 1024
    /// Rows per GEMM call (a multiple of the kernel's 12-row tile): the block's scores stay in L2.
    static let gemmRows = 96
    /// Rows per call of the few-queries scan.
    static let scanRows = 256
    /// The smallest share of rows worth a thread of its own.
    static let minimumShare = 4096

    public init(matrix: VectorMatrix) {
        self.init(matrix: matrix, manyQueries: seer_gemm_supported() != 0 ? .packed : .blas)
    }

    /// `manyQueries: .blas` forces the BLAS path (how tests cover it on machines that pack).
    init(matrix: VectorMatrix, manyQueries: Scoring) {
        self.matrix = matrix
        self.manyQueries = manyQueries
    }

    /// The k rows with the highest inner product with each query (queries are used as given).
    public func search(_ queries: [[Float]], k: Int) -> [[Neighbor]] {
        let d = matrix.dimension
        precondition(queries.allSatisfy { $0.count == d }, "queries must have \(d) dimensions")
        let flat = queries.flatMap { $0 }
        return search(flat, queryCount: queries.count, k: k)
    }

    /// `queries` holds `queryCount` rows of `dimension` floats.
    public func search(_ queries: [Float], queryCount: Int, k: Int) -> [[Neighbor]] {
        let n = matrix.count, d = matrix.dimension
        precondition(queries.count == queryCount * d, "queries must have \(d) dimensions")
        guard n > 0, queryCount > 0, k > 0 else { return Array(repeating: [], count: queryCount) }
        let scoring = queryCount >= Self.gemmQueries ? manyQueries : .rowScan
        let shares = max(1, min(seerThreadCount, n / Self.minimumShare))
        let shareSize = (n + shares - 1) / shares
        var partial = (0..<shares).map { _ in [TopK](repeating: TopK(k: k), count: queryCount) }
        let blockSize = scoring == .rowScan ? queryCount : Self.queryBlock
        var packed = [Float](repeating: 0, count: scoring == .packed ? seer_gemm_packed_size(blockSize, d) : 0)
        matrix.values.withUnsafeBufferPointer { base in
            queries.withUnsafeBufferPointer { queries in
                for q0 in stride(from: 0, to: queryCount, by: blockSize) {
                    let block = q0 ..< min(queryCount, q0 + blockSize)
                    if scoring == .packed {
                        packed.withUnsafeMutableBufferPointer { packed in
                            seer_gemm_pack(queries.baseAddress! + q0 * d, d, block.count, d, packed.baseAddress!,
                                           0, (block.count + Int(SEER_GEMM_PANEL) - 1) / Int(SEER_GEMM_PANEL))
                        }
                    }
                    packed.withUnsafeBufferPointer { packed in
                        partial.withUnsafeMutableBufferPointer { partial in
                            nonisolated(unsafe) let (base, queries, packed, partial) =
                                (base.baseAddress!, queries.baseAddress! + q0 * d, packed.baseAddress, partial)
                            parallelChunks(shares, grain: 1) { range in
                                for share in range {
                                    let rows = share * shareSize ..< min(n, (share + 1) * shareSize)
                                    partial[share].withUnsafeMutableBufferPointer { tops in
                                        Self.scan(base: base, rows: rows, d: d, queries: queries, scoring: scoring, packed: packed,
                                                  tops: UnsafeMutableBufferPointer(rebasing: tops[block]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<queryCount).map { q in
            var best = partial[0][q]
            for share in partial.dropFirst() { best.merge(share[q]) }
            return best.sorted()
        }
    }

    /// Offers every score of `rows` for the queries of `tops` (one per query, in order) to them.
    /// `packed` holds the queries in GEMM panels for `.packed` scoring.
    private static func scan(base: UnsafePointer<Float>, rows: Range<Int>, d: Int, queries: UnsafePointer<Float>,
                             scoring: Scoring, packed: UnsafePointer<Float>?, tops: UnsafeMutableBufferPointer<TopK>) {
        let queryCount = tops.count
        let blockRows = scoring == .rowScan ? scanRows : gemmRows
        let panels = (queryCount + Int(SEER_GEMM_PANEL) - 1) / Int(SEER_GEMM_PANEL)
        var scores = [Float](repeating: 0, count: blockRows * queryCount)
        var thresholds = tops.map(\.threshold)
        var hits = [UInt32](repeating: 0, count: queryCount)
        scores.withUnsafeMutableBufferPointer { scores in
            thresholds.withUnsafeMutableBufferPointer { thresholds in
                hits.withUnsafeMutableBufferPointer { hits in
                    let (c, limits, hit) = (scores.baseAddress!, thresholds.baseAddress!, hits.baseAddress!)
                    for r0 in stride(from: rows.lowerBound, to: rows.upperBound, by: blockRows) {
                        let count = min(blockRows, rows.upperBound - r0)
                        switch scoring {
                        case .rowScan:
                            seer_dot_rows(queries, queryCount, base + r0 * d, d, count, d, c)
                        case .packed:
                            seer_gemm_packed(count, queryCount, d, base + r0 * d, d, packed!, nil, c, queryCount, 0, panels)
                        case .blas:
                            sgemm(transposeB: true, m: count, n: queryCount, k: d, a: base + r0 * d, lda: d,
                                  b: queries, ldb: d, c: c, ldc: queryCount)
                        }
                        for r in 0..<count {
                            let row = c + r * queryCount
                            let found = seer_above(row, limits, queryCount, hit)
                            for h in 0..<found {
                                let q = Int(hit[h])
                                tops[q].offer(row[q], r0 + r)
                                limits[q] = tops[q].threshold
                            }
                        }
                    }
                }
            }
        }
    }
}
