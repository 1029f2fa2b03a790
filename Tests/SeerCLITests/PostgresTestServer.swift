import Foundation
@testable import SeerIndex

/// A PostgreSQL server with pgvector for the tests (scripts/pg_test_server.py, which runs the one
/// the PyPI package pgserver carries), started once per test process in a temporary folder.
/// It stops and deletes its folder when its standard input closes: when this process ends, or
/// dies, the pipe closes with it, so no server outlives the tests.
final class PostgresTestServer: @unchecked Sendable {
    static let shared = Result { try PostgresTestServer() }

    let process = Process()
    let input = Pipe()
    /// The URI of the server's `postgres` database (a Unix socket in the data folder).
    let uri: String
    private let lock = NSLock()
    private var databases = 0

    private init() throws {
        let script = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/pg_test_server.py")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("seer-pg-\(UUID().uuidString)")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, data.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the URI; end of output first means the script failed.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        uri = String(decoding: line, as: UTF8.self)
        guard uri.hasPrefix("postgres") else {
            throw IndexError.invalid("scripts/pg_test_server.py did not start PostgreSQL (run scripts/setup.sh to install pgserver)")
        }
    }

    /// A new empty database on the server, as a postgres:// URL of the form the CLI takes.
    func newDatabase() throws -> String {
        lock.lock()
        databases += 1
        let name = "seer_test_\(databases)"
        lock.unlock()
        try PostgresConnection(url: uri).execute("CREATE DATABASE \(name)")
        // pgserver's URI: postgresql://postgres:@/postgres?host=SOCKET_FOLDER
        return uri.replacingOccurrences(of: "@/postgres?", with: "@/\(name)?")
    }

    /// Runs SQL statements on a test database, one session (for looking behind the CLI);
    /// returns the last one's rows.
    func query(_ url: String, _ statements: String...) throws -> [[String?]] {
        let connection = try PostgresConnection(url: url)
        for sql in statements.dropLast() { try connection.execute(sql) }
        return try connection.query(statements.last!)
    }
}
