import Foundation
import SeerAnalytics
import SeerRuntime
import SeerTensor
import Testing

/// Seer's projections against the references: Tests/Fixtures/map/, written by
/// scripts/fixtures/make_map_fixtures.py (scikit-learn's digits, umap-learn 0.5.12's a/b and
/// trustworthiness, scikit-learn 1.9.1's trustworthiness of PCA and of a fixed embedding).
@Suite struct ProjectionTests {
    struct Reference: Decodable {
        struct Parameters: Decodable { let a: Double; let b: Double; let n_neighbors: Int; let min_dist: Double; let spread: Double }
        struct Scores: Decodable { let umap: Double; let pca: Double; let fixed: Double }
        let umap: Parameters
        let k: Int
        let trustworthiness: Scores
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/map")

    static func load(_ name: String) throws -> Tensor { try NPY.decode(Data(contentsOf: folder.appendingPathComponent(name))) }
    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
    }

    @Test func trustworthinessEqualsScikitLearnsOnAFixedEmbedding() throws {
        let input = try Self.load("fixed-input.npy"), embedding = try Self.load("fixed-embedding.npy")
        let seer = try trustworthiness(input: input.scalars, dimension: input.shape[1], embedding: embedding.scalars,
                                       embeddingDimension: embedding.shape[1], k: 10)
        let sklearn = try Self.reference().trustworthiness.fixed
        #expect(abs(seer - sklearn) < 1e-9, "Seer \(seer), scikit-learn \(sklearn)")
    }

    @Test func curveParametersAreUmapLearns() throws {
        let reference = try Self.reference().umap
        let fitted = CurveParameters(minDist: reference.min_dist, spread: reference.spread)
        #expect(abs(fitted.a - reference.a) < 1e-4 && abs(fitted.b - reference.b) < 1e-4, "a \(fitted.a) b \(fitted.b), umap-learn \(reference.a) \(reference.b)")
        let wide = CurveParameters(minDist: 0.5, spread: 2)
        #expect(abs(wide.a - fitted.a) > 0.1, "a must depend on min_dist and spread")
    }

    /// The proof of quality: Seer's UMAP of the digits, with umap-learn's defaults, keeps
    /// neighbourhoods as well as umap-learn's own (trustworthiness at k = 10 within 0.01).
    @Test func umapOnDigitsIsAsTrustworthyAsUmapLearns() throws {
        let digits = try Self.load("digits.npy")
        let (n, d) = (digits.shape[0], digits.shape[1])
        let reference = try Self.reference()
        var messages: [String] = []
        let map = try UMAP(neighbors: reference.umap.n_neighbors, minDist: reference.umap.min_dist, seed: 0)
            .fit(digits.scalars, count: n, dimension: d) { messages.append($0) }
        #expect(map.initialisation == "spectral", "\(messages)")
        #expect(map.coordinates.count == n * 2 && map.coordinates.allSatisfy(\.isFinite))
        let seer = try trustworthiness(input: digits.scalars, dimension: d, embedding: map.coordinates, embeddingDimension: 2, k: reference.k)
        let umapLearn = reference.trustworthiness.umap
        #expect(seer >= umapLearn - 0.01, "trustworthiness: Seer \(seer), umap-learn \(umapLearn)")
        // And far above what a linear map reaches (PCA: 0.83), so the check has teeth.
        #expect(seer > reference.trustworthiness.pca + 0.1)
    }

    @Test func pcaOnDigitsIsScikitLearns() throws {
        let digits = try Self.load("digits.npy")
        let (n, d) = (digits.shape[0], digits.shape[1])
        let fitted = try PCA(dimensions: 2).fit(digits.scalars, count: n, dimension: d)
        let seer = try trustworthiness(input: digits.scalars, dimension: d, embedding: fitted.coordinates, embeddingDimension: 2, k: 10)
        // Digits' pixel counts give tied distances, which scikit-learn's sort orders its own way.
        let sklearn = try Self.reference().trustworthiness.pca
        #expect(abs(seer - sklearn) < 1e-4, "Seer \(seer), scikit-learn \(sklearn)")
        #expect(fitted.variances[0] >= fitted.variances[1])
    }

    @Test func sameSeedSameMapOnAnyThreadCount() throws {
        let (data, _) = blobs(perBlob: 120, seed: 3)
        var umap = UMAP(neighbors: 10, epochs: 60, seed: 5)
        umap.sequentialUpTo = 0  // the parallel optimiser (big maps use it)
        SeerThreads.set(1)
        let one = try umap.fit(data, count: 360, dimension: 8)
        SeerThreads.set(2)
        let two = try umap.fit(data, count: 360, dimension: 8)
        SeerThreads.set(nil)
        #expect(one.coordinates == two.coordinates)
        let other = try UMAP(neighbors: 10, epochs: 60, seed: 6).fit(data, count: 360, dimension: 8)
        #expect(other.coordinates != one.coordinates, "the seed must matter")
    }

    @Test func separatedBlobsStaySeparatedAndNewRowsLandInTheirBlob() throws {
        let (data, labels) = blobs(perBlob: 100, seed: 9)
        let n = labels.count, d = 8
        let umap = UMAP(neighbors: 15, metric: .euclidean, seed: 1)
        let map = try umap.fit(data, count: n, dimension: d)
        func centroid(_ blob: Int, _ coordinates: [Float]) -> (Float, Float) {
            let rows = (0..<n).filter { labels[$0] == blob }
            return (rows.map { coordinates[2 * $0] }.reduce(0, +) / Float(rows.count),
                    rows.map { coordinates[2 * $0 + 1] }.reduce(0, +) / Float(rows.count))
        }
        let centres = (0..<3).map { centroid($0, map.coordinates) }
        // Every row is nearer its own blob's centre than any other's.
        for i in 0..<n {
            let distances = centres.map { pow($0.0 - map.coordinates[2 * i], 2) + pow($0.1 - map.coordinates[2 * i + 1], 2) }
            #expect(distances.firstIndex(of: distances.min()!) == labels[i], "row \(i) of blob \(labels[i])")
        }
        // New rows of blob 2 placed into the map (transform) land by blob 2.
        let (fresh, freshLabels) = blobs(perBlob: 5, seed: 77)
        let rows = (0..<freshLabels.count).filter { freshLabels[$0] == 2 }
        let newData = rows.flatMap { fresh[$0 * d ..< ($0 + 1) * d] }
        let knn = NearestNeighborGraph.exact(data + newData, count: n + rows.count, dimension: d, k: 21, metric: .euclidean)
        var indices: [Int32] = [], distances: [Float] = []
        for r in 0..<rows.count {
            let found = (0..<21).map { (knn.indices[(n + r) * 21 + $0], knn.distances[(n + r) * 21 + $0]) }.filter { $0.0 < Int32(n) }.prefix(15)
            indices += found.map(\.0); distances += found.map(\.1)
        }
        let placed = try umap.place(knn: NearestNeighborGraph(count: rows.count, k: 15, indices: indices, distances: distances),
                                    into: map.coordinates, mapCount: n)
        for r in 0..<rows.count {
            let distances = centres.map { pow($0.0 - placed[2 * r], 2) + pow($0.1 - placed[2 * r + 1], 2) }
            #expect(distances.firstIndex(of: distances.min()!) == 2, "placed row \(r) at \(placed[2 * r]), \(placed[2 * r + 1])")
        }
    }

    @Test func fuzzySetIsSymmetricWithOneFullEdgePerRow() {
        let (data, _) = blobs(perBlob: 40, seed: 4)
        let knn = NearestNeighborGraph.exact(data, count: 120, dimension: 8, k: 10, metric: .cosine)
        #expect((0..<120).allSatisfy { knn.indices[$0 * 10] == Int32($0) && knn.distances[$0 * 10] == 0 }, "each row is its own nearest")
        let (rho, sigma) = FuzzySimplicialSet.smoothDistances(knn)
        for i in 0..<120 {
            // The memberships of a row's k − 1 neighbours sum to log2 k.
            var sum = 0.0
            for slot in 1..<10 { sum += exp(-max(0, Double(knn.distances[i * 10 + slot] - rho[i])) / Double(sigma[i])) }
            #expect(abs(sum - log2(10)) < 1e-3, "row \(i): \(sum)")
        }
        let graph = FuzzySimplicialSet.graph(knn)
        var weight: [Int: Float] = [:]
        for i in 0..<120 { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { weight[i * 1000 + Int(graph.columns[e])] = graph.weights[e] } }
        for (key, w) in weight { #expect(weight[(key % 1000) * 1000 + key / 1000] == w) }
        #expect((0..<120).allSatisfy { i in (graph.rowStart[i]..<graph.rowStart[i + 1]).contains { graph.weights[$0] > 1 - 1e-6 } }, "every row keeps its nearest neighbour at membership 1")
    }

    @Test func badInputIsAnErrorNotACrash() {
        #expect(throws: ProjectionError.self) { try UMAP().fit([1, 2], count: 1, dimension: 2) }
        #expect(throws: ProjectionError.self) { try UMAP().fit([1, .nan, 3, 4], count: 2, dimension: 2) }
        #expect(throws: ProjectionError.self) { try UMAP(neighbors: 1).fit([1, 2, 3, 4], count: 2, dimension: 2) }
        #expect(throws: ProjectionError.self) { try PCA(dimensions: 3).fit([1, 2, 3, 4], count: 2, dimension: 2) }
        // Fewer rows than neighbours still maps.
        #expect((try? UMAP(epochs: 20).fit((0..<10).map(Float.init), count: 5, dimension: 2))?.coordinates.count == 10)
    }

    /// Three well-separated Gaussian blobs in 8 dimensions, seeded.
    func blobs(perBlob: Int, seed: UInt64) -> (data: [Float], labels: [Int]) {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        func normal() -> Float { Float((-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform())) }
        var data: [Float] = [], labels: [Int] = []
        for blob in 0..<3 {
            for _ in 0..<perBlob {
                for j in 0..<8 { data.append((j == blob ? 20 : 0) + normal()) }
                labels.append(blob)
            }
        }
        return (data, labels)
    }
}
