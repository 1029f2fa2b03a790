import Foundation
import Testing
@testable import SeerWorkflows

/// Operations and comparators one by one, each against what the Python it mirrors gives.
@Suite struct QueryLanguageTests {
    func op(_ json: String) throws -> QueryOperation { try QueryOperation.parse(JSONValue.parse(Data(json.utf8)), at: "test") }

    @Test func numberRoundIsPythonsRound() throws {
        // round(2.675, 2) == 2.67 (2.675 is stored below the tie); round(0.125, 2) == 0.12 (tie to even); ints stay ints.
        let round2 = try op(#"{"type": "NumberRound", "decimal_digits": 2}"#)
        #expect(try round2.apply(.double(2.675)) == .double(2.67))
        #expect(try round2.apply(.double(0.125)) == .double(0.12))
        #expect(try round2.apply(.double(0.375)) == .double(0.38))
        #expect(try round2.apply(.int(7)) == .int(7))
        #expect(throws: QueryError.self) { try round2.apply(.string("x")) }
    }

    @Test func toNumberCastsAsPythonDoes() throws {
        #expect(try op(#"{"type": "ToNumber", "cast_to": "int"}"#).apply(.string("-3.9")) == .int(-3))   // int(float("-3.9"))
        #expect(try op(#"{"type": "ToNumber", "cast_to": "float"}"#).apply(.bool(true)) == .double(1))
        #expect(throws: QueryError.self) { try op(#"{"type": "ToNumber", "cast_to": "int"}"#).apply(.string("abc")) }
        #expect(throws: QueryError.self) { try op(#"{"type": "ToNumber", "cast_to": "complex"}"#) }
    }

    @Test func arithmeticKeepsPythonsTypes() throws {
        #expect(try op(#"{"type": "Multiply", "other": 3}"#).apply(.int(4)) == .int(12))
        #expect(try op(#"{"type": "Multiply", "other": 0.5}"#).apply(.int(4)) == .double(2))
        #expect(try op(#"{"type": "Divide", "other": 2}"#).apply(.int(4)) == .double(2))   // / always gives a float
        #expect(throws: QueryError.self) { try op(#"{"type": "Divide", "other": 0}"#).apply(.int(4)) }
    }

    @Test func sequenceOperations() throws {
        let labels = JSONValue.array(["b", "a", "a", "b", "c"].map(JSONValue.string))
        #expect(try op(#"{"type": "SequenceLength"}"#).apply(labels) == .int(5))
        // Counter.most_common: ties keep first-appearance order, so "b" beats "a"; least common is "c".
        #expect(try op(#"{"type": "SequenceAggregate", "mode": "most_common"}"#).apply(labels) == .string("b"))
        #expect(try op(#"{"type": "SequenceAggregate", "mode": "least_common"}"#).apply(labels) == .string("c"))
        #expect(try op(#"{"type": "SequenceAggregate", "mode": "last"}"#).apply(labels) == .string("c"))
        #expect(throws: QueryError.self) { try op(#"{"type": "SequenceAggregate", "mode": "first"}"#).apply(.array([])) }
        let map = try op(#"{"type": "SequenceMap", "lookup_table": {"a": 1, "b": 2, "c": 3}}"#)
        #expect(try map.apply(labels) == .array([2, 1, 1, 2, 3].map(JSONValue.int)))
    }

    @Test func lookupTableNamesMissingKeys() throws {
        let lookup = try op(#"{"type": "LookupTable", "lookup_table": {"a": "alpha"}}"#)
        #expect(try lookup.apply(.string("a")) == .string("alpha"))
        #expect(throws: QueryError.self) { try lookup.apply(.string("z")) }
    }

    @Test func toStringIsPythonsStr() throws {
        let str = try op(#"{"type": "ToString"}"#)
        #expect(try str.apply(.double(0.5)) == .string("0.5"))
        #expect(try str.apply(.double(3)) == .string("3.0"))
        #expect(try str.apply(.bool(true)) == .string("True"))
        #expect(try str.apply(.array([.int(1), .string("x")])) == .string("[1, 'x']"))
    }

    @Test func unknownOperationIsADefinitionError() {
        #expect(throws: QueryError.self) { try op(#"{"type": "Frobnicate"}"#) }
    }

    @Test func comparators() throws {
        #expect(try Statement.compare(.int(1), "(Number) ==", .double(1)))
        #expect(try Statement.compare(.bool(true), "==", .int(1)))      // Python: True == 1
        #expect(try !Statement.compare(.string("1"), "==", .int(1)))
        #expect(try Statement.compare(.double(0.3), "(Number) in range", .array([.int(0), .double(0.3)])))
        #expect(try Statement.compare(.string("a photo"), "(String) startsWith", .string("a ")))
        #expect(try Statement.compare(.string("cat"), "in (Sequence)", .array([.string("cat")])))
        #expect(try Statement.compare(.string("at"), "in (Sequence)", .string("cat")))
        #expect(try Statement.compare(.array([.string("x"), .string("cat")]), "any in (Sequence)", .array([.string("cat")])))
        #expect(try !Statement.compare(.array([.string("x"), .string("cat")]), "all in (Sequence)", .array([.string("cat")])))
        #expect(throws: QueryError.self) { try Statement.compare(.string("a"), "(Number) >", .int(1)) }
    }

    @Test func unaryOperators() throws {
        #expect(try Statement.test(.int(1), "(Boolean) is True") == false)   // `is True`: only the boolean
        #expect(try Statement.test(.bool(true), "(Boolean) is True"))
        #expect(try Statement.test(.null, "DoesNotExist"))
        #expect(try Statement.test(.array([]), "(Sequence) is empty"))
        #expect(throws: QueryError.self) { try Statement.test(.int(3), "(Sequence) is empty") }
    }

    @Test func groupsEvaluateEveryStatementLeftToRight() throws {
        // "or" still evaluates the second statement, as Roboflow's compound_eval does: its error surfaces.
        let json = #"""
        {"type": "StatementGroup", "operator": "or", "statements": [
          {"type": "UnaryStatement", "operand": {"type": "StaticOperand", "value": true}, "operator": {"type": "(Boolean) is True"}},
          {"type": "UnaryStatement", "operand": {"type": "DynamicOperand", "operand_name": "missing"}, "operator": {"type": "Exists"}}]}
        """#
        let statement = try Statement.parse(JSONValue.parse(Data(json.utf8)), at: "test")
        #expect(throws: QueryError.self) { try statement.evaluate([:]) }
        #expect(try statement.evaluate(["missing": .null]))
    }
}
