import SeerTensor

/// Brute-force inner-product search: scores come from BLAS sgemm over blocks of rows, each
/// worker thread takes a contiguous share of the rows and keeps its own top-k per query, and
/// the shares are merged at the end. Exact; the right choice up to some 10⁵ vectors.
public struct ExactSearch {
    public let matrix: VectorMatrix

    /// Rows scored per sgemm call: the scores of a query block stay in cache while they are ranked.
    static let rowBlock = 2048
    static let queryBlock = 256

    public init(matrix: VectorMatrix) {
        self.matrix = matrix
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
        guard n > 0, queryCount > 0, k > 0 else { return Array(repeating: [], count: queryCount) }
        let shares = max(1, min(seerThreadCount, n / Self.rowBlock))
        let shareSize = (n + shares - 1) / shares
        var partial = [[TopK]](repeating: [], count: shares)
        matrix.values.withUnsafeBufferPointer { base in
            queries.withUnsafeBufferPointer { query in
                partial.withUnsafeMutableBufferPointer { partial in
                    nonisolated(unsafe) let (base, query, partial) = (base.baseAddress!, query.baseAddress!, partial)
                    parallelChunks(shares, grain: 1) { range in
                        for share in range {
                            let rows = share * shareSize ..< min(n, (share + 1) * shareSize)
                            partial[share] = Self.scan(base: base, rows: rows, d: d, queries: query, queryCount: queryCount, k: k)
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

    private static func scan(base: UnsafePointer<Float>, rows: Range<Int>, d: Int,
                             queries: UnsafePointer<Float>, queryCount: Int, k: Int) -> [TopK] {
        var tops = (0..<queryCount).map { _ in TopK(k: k) }
        guard !rows.isEmpty else { return tops }
        let qBlock = min(queryCount, queryBlock)
        var scores = [Float](repeating: 0, count: qBlock * rowBlock)
        scores.withUnsafeMutableBufferPointer { scores in
            let c = scores.baseAddress!
            for q0 in stride(from: 0, to: queryCount, by: qBlock) {
                let m = min(qBlock, queryCount - q0)
                for r0 in stride(from: rows.lowerBound, to: rows.upperBound, by: rowBlock) {
                    let width = min(rowBlock, rows.upperBound - r0)
                    sgemm(transposeB: true, m: m, n: width, k: d, a: queries + q0 * d, lda: d,
                          b: base + r0 * d, ldb: d, c: c, ldc: width)
                    for q in 0..<m {
                        let row = c + q * width
                        var threshold = tops[q0 + q].threshold
                        for j in 0..<width where row[j] > threshold {
                            tops[q0 + q].offer(row[j], r0 + j)
                            threshold = tops[q0 + q].threshold
                        }
                    }
                }
            }
        }
        return tops
    }
}
