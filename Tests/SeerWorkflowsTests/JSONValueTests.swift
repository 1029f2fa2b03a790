import Foundation
import Testing
@testable import SeerWorkflows

@Suite struct JSONValueTests {
    @Test func numbersParseExactly() throws {
        // Linux Foundation's JSONSerialization returns these one ulp off; embeddings must not move.
        for text in ["-0.7382920384407043", "-1.2345678901234567", "0.30000000000000004", "2.2250738585072014e-308"] {
            #expect(try JSONValue.parse(Data(text.utf8)) == .double(Double(text)!))
        }
        #expect(try JSONValue.parse(Data("[1, 1.0, -3, 1e2]".utf8)) == .array([.int(1), .double(1), .int(-3), .double(100)]))
    }

    @Test func stringsAndEscapes() throws {
        #expect(try JSONValue.parse(Data(#"{"a": "x\"y\n\u00e9\ud83d\ude00"}"#.utf8)) == .object(["a": .string("x\"y\né😀")]))
        #expect(JSONValue.string("a\"b\n").jsonText == #""a\"b\n""#)
    }

    @Test func malformedJSONIsASyntaxError() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "[1] 2", "-"] {
            #expect(throws: WorkflowError.self, "\(text)") { try JSONValue.parse(Data(text.utf8)) }
        }
    }

    @Test func floatsPrintAsPythonsJSONDoes() {
        #expect(JSONValue.double(1).jsonText == "1.0")
        #expect(JSONValue.double(0.1).jsonText == "0.1")
        #expect(JSONValue.double(.nan).jsonText == "NaN")
        #expect(JSONValue.object(["b": .int(1), "a": .null]).jsonText == #"{"a":null,"b":1}"#)
    }
}
