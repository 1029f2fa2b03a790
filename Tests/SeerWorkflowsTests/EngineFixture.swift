import Foundation
@testable import SeerWorkflows

/// Tests/Fixtures/workflows/engine_cases.json: what inference-core 1.8.3's execution engine gave
/// for the same definitions and inputs (scripts/fixtures/make_workflow_fixtures.py).
enum EngineFixture {
    struct Case: CustomTestStringConvertibleShim {
        var name: String
        var definition: JSONValue
        var runs: [(inputs: [String: JSONValue], outputs: JSONValue)]
        var testDescription: String { name }
    }

    struct ErrorCase: CustomTestStringConvertibleShim {
        var name: String
        var definition: JSONValue
        var inputs: [String: JSONValue]
        var errorType: String
        var testDescription: String { name }
    }

    static let document: [String: JSONValue] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/workflows/engine_cases.json")
        guard case .object(let root) = try! JSONValue.parse(Data(contentsOf: url)) else { fatalError("engine_cases.json is not an object") }
        return root
    }()

    static let cases: [Case] = {
        guard case .array(let items)? = document["cases"] else { return [] }
        return items.map { item in
            guard case .object(let c) = item, case .string(let name)? = c["name"], case .array(let runs)? = c["runs"] else { fatalError("bad case") }
            return Case(name: name, definition: c["definition"]!, runs: runs.map { run in
                guard case .object(let r) = run, case .object(let inputs)? = r["inputs"] else { fatalError("bad run") }
                return (inputs, r["outputs"]!)
            })
        }
    }()

    static let errors: [ErrorCase] = {
        guard case .array(let items)? = document["errors"] else { return [] }
        return items.map { item in
            guard case .object(let e) = item, case .string(let name)? = e["name"], case .object(let inputs)? = e["inputs"],
                  case .string(let type)? = e["error_type"] else { fatalError("bad error case") }
            return ErrorCase(name: name, definition: e["definition"]!, inputs: inputs, errorType: type)
        }
    }()
}

/// Swift Testing's CustomTestStringConvertible, named here so the fixture types read plainly.
import Testing
typealias CustomTestStringConvertibleShim = CustomTestStringConvertible

/// Equal as the fixture means it: numbers within 1e-9 relative (written at 12 digits), the rest exactly.
func matches(_ got: JSONValue, _ expected: JSONValue) -> Bool {
    switch (got, expected) {
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
    case (.object(let a), .object(let b)): return a.keys.sorted() == b.keys.sorted() && a.allSatisfy { matches($0.value, b[$0.key]!) }
    default:
        if got.isNumber, expected.isNumber, let x = got.number, let y = expected.number {
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
            return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        }
        return got == expected
    }
}
