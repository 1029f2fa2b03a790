import Foundation
import SeerTensor
import Testing
@testable import SeerIndex

/// Seer's HNSW graph against FAISS's on the same data, at the same M and efConstruction:
/// Tests/Fixtures/search/, written by scripts/fixtures/make_search_fixtures.py (8,000 clustered
/// unit vectors × 64, 500 queries, their exact top-10, and FAISS 1.15.1's recall@10 at each
/// efSearch). The walk differs between the two, but recall at a given efSearch measures the
/// graph: a worse graph needs a larger efSearch, and then the faster search no longer wins.
@Suite struct GraphQualityTests {
    struct Reference: Decodable {
        let m: Int
        let ef_construction: Int
        let k: Int
        let faiss_recall_at_ef: [String: Double]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/search")

    static func load(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: folder.appendingPathComponent(name)))
    }

    @Test func recallAtEfSearch64IsAtLeastFAISSs() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.folder.appendingPathComponent("faiss.json")))
        let base = try Self.load("base.npy"), queries = try Self.load("queries.npy"), truth = try Self.load("truth.npy")
        let (d, nq, k) = (base.shape[1], queries.shape[0], reference.k)
        let graph = HNSWIndex(matrix: VectorMatrix(dimension: d, values: base.scalars),
                              parameters: HNSWParameters(m: reference.m, efConstruction: reference.ef_construction))
        var recalls: [Int: Double] = [:]
        for ef in reference.faiss_recall_at_ef.keys.compactMap(Int.init) {
            let found = graph.search(queries.scalars, queryCount: nq, k: k, ef: ef)
            var hits = 0
            for q in 0..<nq { hits += Set(found[q].map(\.index)).intersection(truth.row(q).map { Int($0) }).count }
            recalls[ef] = Double(hits) / Double(nq * k)
        }
        let faiss = try #require(reference.faiss_recall_at_ef["64"])
        let seer = try #require(recalls[64])
        #expect(seer >= faiss, "recall@10 at efSearch 64: Seer \(seer), FAISS \(faiss); all: Seer \(recalls.sorted { $0.key < $1.key }), FAISS \(reference.faiss_recall_at_ef)")
    }

    @Test func linksAreValidWithoutSelfLinksOrDuplicates() {
        // Built in parallel (insertions reach nodes whose lower layers are not linked yet).
        let matrix = randomUnitRows(6000, 16, seed: 11)
        let graph = HNSWIndex(matrix: matrix, parameters: HNSWParameters(m: 8, efConstruction: 48))
        for node in 0..<graph.count {
            for layer in 0...Int(graph.levels[node]) {
                let list = graph.links(Int32(node), layer)
                let links = (0..<Int(list[0])).map { list[1 + $0] }
                #expect(links.count <= graph.degree(layer))
                #expect(!links.contains(Int32(node)), "node \(node) links to itself on layer \(layer)")
                #expect(Set(links).count == links.count, "node \(node) has a duplicate link on layer \(layer)")
                #expect(links.allSatisfy { $0 >= 0 && Int($0) < graph.count && Int(graph.levels[Int($0)]) >= layer })
            }
        }
        #expect(graph.meanDegree(layer: 0) > 8)
    }
}
