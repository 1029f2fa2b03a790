import CPostgres
import Foundation

/// One libpq connection, text protocol only: parameters go as strings and values come back as
/// strings, which keeps numbers exact (PostgreSQL prints floats in their shortest round-trip form).
final class PostgresConnection {
    private let connection: OpaquePointer
    let url: String

    /// Connects to `url` (postgres://user:password@host:port/dbname?…), giving up after
    /// 10 seconds unless the URL sets its own connect_timeout.
    init(url: String) throws {
        self.url = url
        let keywords = ["connect_timeout", "dbname"], values = ["10", url]
        let connection = withCStrings(keywords) { keys in withCStrings(values) { PQconnectdbParams(keys, $0, 1) } }
        guard let connection else { throw IndexError.invalid("cannot connect to \(url): out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.oneLine(PQerrorMessage(connection))
            PQfinish(connection)
            throw IndexError.invalid("cannot connect to \(url): \(message)")
        }
        self.connection = connection
        // NOTICEs ("relation already exists, skipping") would go to stderr; they say nothing useful.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit { PQfinish(connection) }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws {
        try check(PQexec(connection, sql), sql: sql).map { PQclear($0) }
    }

    /// Runs one statement with `$1`, `$2`, … bound to `parameters` (nil is NULL); returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let result = withOptionalCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result = try check(result, sql: sql) else { return [] }
        defer { PQclear(result) }
        let rows = Int(PQntuples(result)), columns = Int(PQnfields(result))
        return (0..<rows).map { row in
            (0..<columns).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) != 0 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The result when the statement succeeded, else its error message as an `IndexError`.
    private func check(_ result: OpaquePointer?, sql: String) throws -> OpaquePointer? {
        guard let result else { throw PostgresError(message: Self.oneLine(PQerrorMessage(connection))) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = Self.oneLine(PQresultErrorMessage(result))
            PQclear(result)
            throw PostgresError(message: message)
        }
        return result
    }

    static func oneLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }
}

/// A statement the server refused; the message is PostgreSQL's, on one line.
struct PostgresError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Calls `body` with a C array of C strings (valid only during the call).
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    withOptionalCStrings(strings, body)
}

private func withOptionalCStrings<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
