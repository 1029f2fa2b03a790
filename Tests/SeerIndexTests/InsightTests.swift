import Foundation
import Testing
@testable import SeerIndex

@Suite struct InsightTests {
    /// Three tight groups of 20 around random directions, plus one lone point.
    func groupedData() -> (VectorMatrix, loner: Int) {
        let centers = randomUnitRows(3, 32, seed: 10)
        let noise = randomUnitRows(61, 32, seed: 11)
        var matrix = VectorMatrix(dimension: 32)
        for i in 0..<60 {
            let c = centers.row(i / 20)
            matrix.append(unitLength(zip(c, noise.row(i)).map { $0 + 0.15 * $1 }), id: Int64(i))
        }
        matrix.append(Array(noise.row(60)), id: 60)
        return (matrix, 60)
    }

    @Test func kMeansFindsThePlantedGroups() {
        let (matrix, loner) = groupedData()
        let clusters = KMeans.cluster(matrix, k: 3)
        #expect(clusters.count == 3)
        var groupsSeen = Set<Int>()
        for cluster in clusters {
            let groups = Set(cluster.members.filter { $0 != loner }.map { $0 / 20 })
            #expect(groups.count == 1, "a cluster mixes planted groups: \(cluster.members)")
            groupsSeen.formUnion(groups)
            #expect(cluster.members.contains(cluster.representative))
            // The representative is the member with the highest cosine to the centroid.
            let best = cluster.members.max { KMeans.cosine(matrix.row($0), cluster.centroid) < KMeans.cosine(matrix.row($1), cluster.centroid) }
            #expect(cluster.representative == best)
        }
        #expect(groupsSeen == [0, 1, 2])
        #expect(clusters.map(\.members.count).reduce(0, +) == 61)
    }

    @Test func outliersRankTheLonePointFirst() {
        let (matrix, loner) = groupedData()
        let ranked = Outliers.rank(.exact(ExactSearch(matrix: matrix)), neighbors: 5)
        #expect(ranked.count == 61)
        #expect(ranked[0].index == loner)
        #expect(ranked[0].score < ranked[1].score)
    }

    @Test func duplicatesGroupChainsAndIgnoreDistinctRows() {
        var matrix = randomUnitRows(50, 32, seed: 12)
        let base = Array(matrix.row(7))
        // Row 50 is a near copy of 7, row 51 a near copy of 50: one group {7, 50, 51}.
        let noise = randomUnitRows(2, 32, seed: 13)
        let near = unitLength(zip(base, noise.row(0)).map { $0 + 0.05 * $1 })
        matrix.append(near, id: 50)
        matrix.append(unitLength(zip(near, noise.row(1)).map { $0 + 0.05 * $1 }), id: 51)
        matrix.append(Array(matrix.row(20)), id: 52)
        let groups = Duplicates.groups(.exact(ExactSearch(matrix: matrix)), threshold: 0.97)
        #expect(groups == [[7, 50, 51], [20, 52]])
        #expect(Duplicates.groups(.exact(ExactSearch(matrix: matrix)), threshold: 1.01).isEmpty)
    }
}
