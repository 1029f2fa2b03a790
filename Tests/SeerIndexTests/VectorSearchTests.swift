import Foundation
import Testing
@testable import SeerIndex

@Suite struct VectorSearchTests {
    @Test func exactSearchMatchesBruteForce() {
        // 5,000 rows span several BLAS blocks and both worker shares.
        let matrix = randomUnitRows(5000, 24, seed: 1)
        let queries = randomUnitRows(30, 24, seed: 2)
        let found = ExactSearch(matrix: matrix).search(queries.values, queryCount: 30, k: 7)
        for q in 0..<30 {
            let expected = referenceTopK(matrix, Array(queries.row(q)), k: 7)
            #expect(found[q].map(\.index) == expected)
            let scores = found[q].map(\.score)
            #expect(scores == scores.sorted(by: >))
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
