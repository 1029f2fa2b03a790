/// Autodistill's CaptionOntology: each prompt the detector is given maps to the class name the
/// dataset records. Several prompts may name one class ("a forklift:forklift, a pallet truck:forklift");
/// class ids follow the order in which class names first appear.
public struct CaptionOntology: Sendable, Equatable {
    /// The prompts, in the order given: the detector's queries.
    public let prompts: [String]
    /// The class names, each once, in order of first appearance: id = index.
    public let classes: [String]
    /// The class id of each prompt.
    public let classOfPrompt: [Int]

    public init(_ pairs: [(prompt: String, className: String)]) throws {
        guard !pairs.isEmpty else { throw DatasetError("the ontology is empty: give \"prompt:class, …\"") }
        var prompts: [String] = [], classes: [String] = [], classOfPrompt: [Int] = []
        for (prompt, className) in pairs {
            guard !prompt.isEmpty, !className.isEmpty else { throw DatasetError("ontology entry \"\(prompt):\(className)\" needs a prompt and a class name") }
            guard !prompts.contains(prompt) else { throw DatasetError("the ontology lists the prompt \"\(prompt)\" twice") }
            prompts.append(prompt)
            if let id = classes.firstIndex(of: className) {
                classOfPrompt.append(id)
            } else {
                classOfPrompt.append(classes.count)
                classes.append(className)
            }
        }
        (self.prompts, self.classes, self.classOfPrompt) = (prompts, classes, classOfPrompt)
    }

    /// "prompt:class, prompt:class": entries split on commas, each at its last colon (a prompt
    /// may hold colons, a class name may not). An entry without a colon is its own class name.
    public init(parsing text: String) throws {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if entries.allSatisfy(\.isEmpty) { try self.init([]) ; return }
        try self.init(entries.map { entry -> (prompt: String, className: String) in
            guard let colon = entry.lastIndex(of: ":") else { return (entry, entry) }
            return (entry[..<colon].trimmingCharacters(in: .whitespaces), entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        })
    }
}
