import CSeerKernels
import Foundation
import Testing
@testable import SeerIndex

@Suite struct VectorSearchTests {
    @Test("exact search equals brute force, with the few-query scan and the GEMM scan", arguments: [1, 3, 15, 16, 30])
    func exactSearchMatchesBruteForce(queryCount: Int) {
        // 10,000 rows: two worker shares, many row blocks, and a ragged last block.
        let matrix = randomUnitRows(10_000, 24, seed: 1)
        let queries = randomUnitRows(queryCount, 24, seed: 2)
        let found = ExactSearch(matrix: matrix).search(queries.values, queryCount: queryCount, k: 7)
        // The BLAS path (CPUs without Seer's packed kernels) ranks the same rows.
        let blas = ExactSearch(matrix: matrix, manyQueries: .blas).search(queries.values, queryCount: queryCount, k: 7)
        #expect(blas.map { $0.map(\.index) } == found.map { $0.map(\.index) })
        for q in 0..<queryCount {
            let expected = referenceTopK(matrix, Array(queries.row(q)), k: 7)
            #expect(found[q].map(\.index) == expected)
            let scores = found[q].map(\.score)
            #expect(scores == scores.sorted(by: >))
            let best = zip(matrix.row(expected[0]), queries.row(q)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(scores[0] - best) < 1e-5)
        }
    }

    @Test func exactSearchAcrossQueryBlocks() {
        // More queries than one packed block holds: the second block must be ranked too.
        let matrix = randomUnitRows(600, 20, seed: 6)
        let queries = randomUnitRows(ExactSearch.queryBlock + 30, 20, seed: 7)
        for scoring in [ExactSearch.Scoring.packed, .blas] where scoring == .blas || seer_gemm_supported() != 0 {
            let found = ExactSearch(matrix: matrix, manyQueries: scoring).search(queries.values, queryCount: queries.count, k: 3)
            for q in 0..<queries.count {
                #expect(found[q].map(\.index) == referenceTopK(matrix, Array(queries.row(q)), k: 3), "\(scoring) query \(q)")
            }
        }
    }

    @Test func exactSearchWithKBeyondCountReturnsEveryRow() {
        let matrix = randomUnitRows(5, 8, seed: 3)
        let found = ExactSearch(matrix: matrix).search([Array(matrix.row(2))], k: 10)[0]
        #expect(found.count == 5)
        #expect(found[0].index == 2)
        #expect(abs(found[0].score - 1) < 1e-5)
    }

    @Test func hnswRecallOnRandomVectors() {
        // Low dimension so a small graph is meaningful; recall@10 against exact search.
        let matrix = randomUnitRows(8000, 16, seed: 4)
        let queries = randomUnitRows(200, 16, seed: 5)
        let graph = HNSWIndex(matrix: matrix, parameters: HNSWParameters(m: 16, efConstruction: 64))
        #expect(graph.count == 8000)
        let truth = ExactSearch(matrix: matrix).search(queries.values, queryCount: 200, k: 10)
        let found = graph.search(queries.values, queryCount: 200, k: 10, ef: 128)
        var hits = 0
        for q in 0..<200 { hits += Set(found[q].map(\.index)).intersection(truth[q].map(\.index)).count }
        let recall = Double(hits) / 2000
        #expect(recall >= 0.95, "recall@10 = \(recall)")
        // Every row finds itself first.
        for row in stride(from: 0, to: 8000, by: 397) {
            #expect(graph.search(Array(matrix.row(row)), k: 1, ef: 64).first?.index == row)
        }
    }

    @Test func hnswSurvivesSerializationAndGrows() throws {
        let matrix = randomUnitRows(3000, 12, seed: 6)
        let first = VectorMatrix(dimension: 12, values: Array(matrix.values[..<(2000 * 12)]), ids: Array(matrix.ids[..<2000]))
        let rest = VectorMatrix(dimension: 12, values: Array(matrix.values[(2000 * 12)...]), ids: Array(matrix.ids[2000...]))
        let graph = HNSWIndex(matrix: first)
        let data = graph.serialized()
        let loaded = try HNSWIndex(serialized: data, matrix: first)
        #expect(loaded.serialized() == data)
        let query = Array(matrix.row(123))
        #expect(loaded.search(query, k: 5) == graph.search(query, k: 5))
        // Grown with the remaining rows, it finds them too.
        loaded.add(rest)
        #expect(loaded.count == 3000)
        #expect(loaded.search(Array(matrix.row(2500)), k: 1).first?.index == 2500)
        // The rows from before the growth are still walked correctly (their half-precision copy moved).
        #expect(loaded.search(Array(matrix.row(123)), k: 1).first?.index == 123)
        // A graph over other rows, or damaged bytes, is refused rather than trusted.
        #expect(throws: IndexError.self) { try HNSWIndex(serialized: data, matrix: rest) }
        var damaged = data
        damaged.removeLast(10)
        #expect(throws: IndexError.self) { try HNSWIndex(serialized: damaged, matrix: first) }
        // The first layer-0 link of node 0: after the magic, 8 header fields, ids, levels, offsets, count.
        var badLink = data
        let firstLink = 8 + 64 + 2000 * 8 + 2000 + 2000 * 4 + 4
        badLink.replaceSubrange(firstLink..<(firstLink + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: IndexError.self) { try HNSWIndex(serialized: badLink, matrix: first) }
    }

    @Test func hnswWalksInHalfPrecisionButReturnsFloat32Scores() {
        let matrix = randomUnitRows(4000, 48, seed: 8)
        let graph = HNSWIndex(matrix: matrix)
        let queries = randomUnitRows(20, 48, seed: 9)
        for q in 0..<20 {
            let query = Array(queries.row(q))
            let found = graph.search(query, k: 10, ef: 64)
            #expect(found.count == 10)
            // Half-precision scores would be off by ~1e-4 here; float32 ones by rounding only.
            for hit in found {
                let exact = zip(matrix.row(hit.index), query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(abs(Double(hit.score) - exact) < 2e-6, "query \(q), row \(hit.index)")
            }
            let scores = found.map(\.score)
            #expect(scores == scores.sorted(by: >))
        }
    }

    @Test func halfPrecisionKernelsMatchSwiftFloat16() {
        // Rounding to nearest even, overflow to infinity, subnormals, signed zero.
        var values: [Float] = [0, -0.0, 1, -1, 0.1, 1 / 3, 65504, 65519, 65520, 1e6, -1e6, 6.1e-5, 3e-6, 5.96e-8, 1e-9,
                               2049, 2051, -2049, .infinity, -.infinity]
        values += randomUnitRows(1, 300, seed: 10).values
        var bits = [UInt16](repeating: 0, count: values.count)
        seer_f32_to_f16(values, &bits, values.count)
        for (value, bit) in zip(values, bits) { #expect(bit == Float16(value).bitPattern, "\(value)") }

        let rows = randomUnitRows(50, 40, seed: 11), query = randomUnitRows(1, 40, seed: 12).values
        var halves = [UInt16](repeating: 0, count: rows.values.count)
        seer_f32_to_f16(rows.values, &halves, halves.count)
        // Seven rows: one group of four, then the one-at-a-time tail; a row twice.
        let index: [Int32] = [49, 0, 7, 7, 23, 11, 2]
        var out = [Float](repeating: 0, count: index.count)
        seer_dot_gather_f16(query, halves, 40, index, index.count, 40, &out)
        for (i, row) in index.enumerated() {
            let expected = (0..<40).reduce(0.0) { $0 + Double(query[$1]) * Double(Float(Float16(bitPattern: halves[Int(row) * 40 + $1]))) }
            #expect(abs(Double(out[i]) - expected) < 1e-6, "row \(row)")
        }
    }

    @Test func vectorEncodingsRoundTrip() throws {
        let vector = Array(randomUnitRows(1, 64, seed: 7).values)
        for encoding in VectorEncoding.allCases {
            let data = encoding.encode(vector)
            #expect(data.count == encoding.bytes(dimension: 64))
            let back = try encoding.decode(data, dimension: 64)
            let tolerance: Float = encoding == .float32 ? 0 : encoding == .float16 ? 1e-3 : 0.01
            #expect(zip(vector, back).allSatisfy { abs($0 - $1) <= tolerance }, "\(encoding)")
            #expect(throws: IndexError.self) { try encoding.decode(data.dropLast(), dimension: 64) }
        }
    }
}
