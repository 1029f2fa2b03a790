import Testing
@testable import SeerWorkflows

@Suite struct DefinitionErrorTests {
    /// The words each error must contain: it names the step, field or input at fault.
    static let named: [String: [String]] = [
        "unknown block": ["cosine", "roboflow_core/no_such_block@v1"],
        "selector to a missing step": ["verdict", "data.similarity", "missing"],
        "selector to a missing output": ["distance", "cosine"],
        "cycle": ["cycle", "cosine", "verdict"],
        "kind mismatch": ["cos", "embedding_1", "boolean", "embedding"],
        "wrong parameter type": ["outliers", "threshold_percentile", "threshold"],
        "wrong field type": ["keep", "length", "integer"],
        "missing input": ["text_embedding"],
    ]

    @Test(arguments: EngineFixture.errors)
    func sameErrorTypeAsRoboflowNamingTheProblem(_ fixture: EngineFixture.ErrorCase) throws {
        var caught: WorkflowError?
        do {
            let workflow = try WorkflowCompiler().compile(WorkflowDefinition(json: fixture.definition))
            var inputs = fixture.inputs
            if case .string? = inputs["image"] { inputs["image"] = .object([:]) }
            _ = try workflow.run(inputs)
        } catch let error as WorkflowError {
            caught = error
        }
        let error = try #require(caught, "Seer accepted what Roboflow refused with \(fixture.errorType)")
        #expect(error.kind.rawValue == fixture.errorType)
        #expect(error.kind.isClientError)
        for word in try #require(Self.named[fixture.name]) {
            #expect(error.message.contains(word), "\(error.message) does not name \(word)")
        }
    }

    @Test func everyBrokenDefinitionIsCovered() {
        #expect(Set(EngineFixture.errors.map(\.name)) == Set(Self.named.keys))
    }

    @Test func responseBodyHasRoboflowsFields() throws {
        let error = WorkflowError(.referenceType, "bad", step: "s", property: "f")
        guard case .object(let body) = error.responseBody else { Issue.record("not an object"); return }
        #expect(Set(body.keys) == ["message", "error_type", "context", "inner_error_type", "inner_error_message", "blocks_errors"])
        #expect(body["blocks_errors"]?.jsonText == #"[{"block_id":"s","property_details":"bad","property_name":"f"}]"#)
    }

    @Test func malformedDefinitionsAreSyntaxErrors() throws {
        for text in [#"[]"#, #"{"inputs": [], "steps": []}"#, #"{"inputs": [{"type": "Nope", "name": "x"}], "steps": [], "outputs": []}"#,
                     #"{"inputs": [], "steps": [{"type": "roboflow_core/buffer@v1"}], "outputs": []}"#] {
            #expect(throws: WorkflowError.self, "\(text)") { try WorkflowDefinition(json: JSONValue.parse(Data(text.utf8))) }
        }
    }

    @Test func duplicateStepNamesAreRefused() throws {
        let text = #"{"inputs": [], "outputs": [], "steps": [{"type": "Buffer", "name": "b", "data": "$steps.b.output", "length": 1}, {"type": "Buffer", "name": "b", "data": "$steps.b.output", "length": 1}]}"#
        let error = try #require(throws: WorkflowError.self) { try WorkflowDefinition(json: JSONValue.parse(Data(text.utf8))) }
        #expect(error.kind == .duplicatedName && error.message.contains("`b`"))
    }

    @Test func aStepReadingItselfIsACycle() throws {
        let text = #"{"inputs": [], "outputs": [], "steps": [{"type": "Buffer", "name": "b", "data": "$steps.b.output", "length": 1}]}"#
        let error = try #require(throws: WorkflowError.self) { try WorkflowCompiler().compile(WorkflowDefinition(json: JSONValue.parse(Data(text.utf8)))) }
        #expect(error.kind == .graphStructure && error.message.contains("`b`"))
    }
}

import Foundation
