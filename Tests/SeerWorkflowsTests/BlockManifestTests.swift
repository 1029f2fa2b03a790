import Foundation
import Testing
@testable import SeerWorkflows

@Suite struct BlockManifestTests {
    @Test func everyBlockIsDescribedFromItsManifest() throws {
        guard case .array(let blocks) = BlockRegistry.builtIn.descriptionJSON else { Issue.record("not a list"); return }
        let types = blocks.compactMap { if case .object(let b) = $0, case .string(let t)? = b["type"] { t } else { nil } }
        #expect(types.contains("roboflow_core/identify_outliers@v1"))
        #expect(types.count == BlockRegistry.builtIn.blocks.count)
        // Identify Outliers' defaults are Roboflow's.
        let outliers = try #require(blocks.first { if case .object(let b) = $0 { b["type"] == .string("roboflow_core/identify_outliers@v1") } else { false } })
        #expect(outliers.jsonText.contains(#""default":0.05"#) && outliers.jsonText.contains(#""default":32"#))
    }

    @Test func aliasesResolveToTheSameBlock() {
        let alias = BlockRegistry.builtIn.block(forType: "Expression").map { ObjectIdentifier($0) }
        #expect(alias != nil && alias == BlockRegistry.builtIn.block(forType: "roboflow_core/expression@v1").map { ObjectIdentifier($0) })
        #expect(BlockRegistry.builtIn.block(forType: "roboflow_core/expression@v2") == nil)
    }

    @Test func scalarsBroadcastAgainstBatches() throws {
        // Two embeddings in a batch, one threshold parameter: two output objects, each judged against the same threshold.
        let json = #"""
        {"version": "1.0", "inputs": [{"type": "WorkflowBatchInput", "name": "a", "kind": ["embedding"]},
                                       {"type": "WorkflowBatchInput", "name": "b", "kind": ["embedding"]},
                                       {"type": "WorkflowParameter", "name": "t", "default_value": 0.5}],
         "steps": [{"type": "roboflow_core/cosine_similarity@v1", "name": "c", "embedding_1": "$inputs.a", "embedding_2": "$inputs.b"},
                   {"type": "roboflow_core/expression@v1", "name": "e", "data": {"s": "$steps.c.similarity", "t": "$inputs.t"},
                    "switch": {"type": "CasesDefinition", "cases": [{"type": "CaseDefinition", "result": {"type": "StaticCaseResult", "value": "near"},
                      "condition": {"type": "StatementGroup", "statements": [{"type": "BinaryStatement", "left_operand": {"type": "DynamicOperand", "operand_name": "s"},
                        "comparator": {"type": "(Number) >"}, "right_operand": {"type": "DynamicOperand", "operand_name": "t"}}]}}],
                      "default": {"type": "StaticCaseResult", "value": "far"}}}],
         "outputs": [{"type": "JsonField", "name": "verdict", "selector": "$steps.e.output"}]}
        """#
        let workflow = try WorkflowCompiler().compile(WorkflowDefinition(json: JSONValue.parse(Data(json.utf8))))
        let a: JSONValue = .array([.array([.int(1), .int(0)]), .array([.int(1), .int(0)])])
        let b: JSONValue = .array([.array([.int(1), .double(0.1)]), .array([.int(0), .int(1)])])
        #expect(try workflow.run(["a": a, "b": b]) == [["verdict": .string("near")], ["verdict": .string("far")]])
        #expect(try workflow.run(["a": a, "b": b, "t": .double(0.999)]) == [["verdict": .string("far")], ["verdict": .string("far")]])
        let error = try #require(throws: WorkflowError.self) { try workflow.run(["a": a, "b": .array([.array([.int(1)])])]) }
        #expect(error.kind == .runtimeInput && error.message.contains("differ in length"))
    }

    @Test func aFailingStepIsAServerErrorNamingIt() throws {
        let json = #"""
        {"inputs": [{"type": "WorkflowBatchInput", "name": "a", "kind": ["embedding"]}, {"type": "WorkflowBatchInput", "name": "b", "kind": ["embedding"]}],
         "steps": [{"type": "roboflow_core/cosine_similarity@v1", "name": "c", "embedding_1": "$inputs.a", "embedding_2": "$inputs.b"}],
         "outputs": [{"type": "JsonField", "name": "s", "selector": "$steps.c.similarity"}]}
        """#
        let workflow = try WorkflowCompiler().compile(WorkflowDefinition(json: JSONValue.parse(Data(json.utf8))))
        let error = try #require(throws: WorkflowError.self) { try workflow.run(["a": .array([.array([.int(1)])]), "b": .array([.array([.int(1), .int(2)])])]) }
        #expect(error.kind == .stepExecution && !error.kind.isClientError && error.message.contains("`c`"))
    }
}
