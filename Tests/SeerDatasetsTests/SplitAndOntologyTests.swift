import Testing
@testable import SeerDatasets

@Suite struct SplitAndOntologyTests {
    /// The split is a function of path and seed: the same answer alone or among thousands, in any order.
    @Test func splitDependsOnPathAndSeedOnly() {
        let paths = (0..<10_000).map { "folder\($0 % 7)/photo-\($0).jpg" }
        let rule = SplitRule(trainFraction: 0.8, seed: 0)
        let forward = paths.map(rule.split(of:))
        let backward = Array(paths.reversed().map(rule.split(of:)).reversed())
        #expect(forward == backward)
        let train = Double(forward.filter { $0 == .train }.count) / Double(paths.count)
        #expect(abs(train - 0.8) < 0.02, "train share \(train)")
        let reseeded = paths.map(SplitRule(trainFraction: 0.8, seed: 1).split(of:))
        let moved = zip(forward, reseeded).filter { $0 != $1 }.count
        // Independent draws disagree with probability 2·0.8·0.2 = 0.32.
        #expect(moved > 2_800 && moved < 3_600, "\(moved) of 10000 moved with another seed")
        #expect(paths.allSatisfy { SplitRule(trainFraction: 1, seed: 3).split(of: $0) == .train })
        #expect(paths.allSatisfy { SplitRule(trainFraction: 0, seed: 3).split(of: $0) == .valid })
    }

    @Test func ontologyGivesClassIdsInOrderOfFirstAppearance() throws {
        let o = try CaptionOntology(parsing: "a forklift:forklift, a person: person ,a pallet truck:forklift, helmet")
        #expect(o.prompts == ["a forklift", "a person", "a pallet truck", "helmet"])
        #expect(o.classes == ["forklift", "person", "helmet"])
        #expect(o.classOfPrompt == [0, 1, 0, 2])
        let colon = try CaptionOntology(parsing: "time: 12:clock")
        #expect(colon.prompts == ["time: 12"] && colon.classes == ["clock"])
    }

    @Test(arguments: ["", " , ", "a cat:", ":cat", "a cat:cat, a cat:kitty"])
    func badOntologiesAreClearErrors(_ text: String) {
        #expect(throws: DatasetError.self) { try CaptionOntology(parsing: text) }
    }

    @Test func stemClashesAreFound() {
        let (kept, clashes) = DatasetNaming.withUniqueStems(["a.jpg", "a.png", "b/c.jpg", "b__c.webp", "d.jpg"])
        #expect(kept == ["a.jpg", "b/c.jpg", "d.jpg"])
        #expect(clashes.map(\.path) == ["a.png", "b__c.webp"] && clashes.map(\.with) == ["a.jpg", "b/c.jpg"])
        #expect(DatasetNaming.fileName("x/y/z.jpeg") == "x__y__z.jpeg" && DatasetNaming.stem("x.tar.jpg") == "x.tar")
    }
}
