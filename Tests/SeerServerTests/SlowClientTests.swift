import Foundation
import Testing
@testable import SeerServer

/// A blocking HTTP/1.1 client on a raw loopback socket: sends exactly the bytes it is given, as
/// slowly as a test wants, and sees when the server closes. Runs on its own thread (`onThread`),
/// never on the concurrency pool the in-process server needs.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; reads give up after `readTimeout` seconds so no test can hang.
    init(port: Int, readTimeout: Int = 60) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// False once the server has closed (or reset) the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Half-closes: the server reads end-of-file after what was sent.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Waits up to `timeout` for the server to send something or close: returns early on that event.
    func awaitServer(upTo timeout: Duration) {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
    }

    /// True when the server has closed its side: a read returns end-of-file or a reset
    /// (bytes it sent first, such as an error response, are kept for `readResponse`).
    func peerClosed() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else { return false }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return true }
            buffer += chunk[..<n]
        }
    }

    /// Reads one response (Content-Length bodies, which is what the server sends); nil when the
    /// connection closed first.
    func readResponse() -> (status: Int, body: [UInt8])? {
        while true {
            if let end = headerEnd() {
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return (status, body)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    /// One keep-alive JSON POST and its response.
    func post(_ path: String, body: [UInt8]) -> (status: Int, body: [UInt8])? {
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        guard send(Array(head.utf8) + body) else { return nil }
        return readResponse()
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}

/// Runs blocking work on a new thread and waits for it without blocking the concurrency pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// What a slow client saw: whether the server closed on it before it had sent everything, and
/// the status of a response it got first (0 when none).
struct SlowOutcome: Sendable {
    var closedEarly: Bool
    var status: Int
}

/// Sends `head`, then `drip` one piece at a time, a piece each `interval` in which the server
/// neither answers nor closes (it reacts to either at once), until the server closes or the
/// pieces run out (a bound far above the limits under test, so a broken limit fails, not hangs).
func trickle(port: Int, head: String, drip: [String], interval: Duration = .milliseconds(100)) async -> SlowOutcome {
    await onThread {
        guard let connection = try? RawConnection(port: port) else { return SlowOutcome(closedEarly: false, status: -1) }
        var closed = !connection.send(head)
        for piece in drip where !closed {
            connection.awaitServer(upTo: interval)
            closed = connection.peerClosed() || !connection.send(piece)
        }
        let status = closed ? (connection.readResponse()?.status ?? 0) : -1
        return SlowOutcome(closedEarly: closed, status: status)
    }
}

@Suite("Slow and broken clients")
struct SlowClientTests {
    static let bodyHead = "POST /clip/embed_text HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n"
    /// 600 body bytes, one per 100 ms: a minute, against read limits of a few seconds.
    static let bodyDrip = Array(repeating: " ", count: 600)
    static let headersHead = "POST /clip/embed_text HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    static let headersDrip = (0..<600).map { "X-Slow-\($0): y\r\n" }

    @Test("a body trickled slower than the limits gets a 503 and is cut off; normal clients are served meanwhile and after")
    func slowBody() async throws {
        // The request timeout (1 s) answers while the bodies still arrive, and the server then
        // closes, long before the read limit (15 s) or the minute the bodies would take.
        // A `seer serve` of its own: in this process the 503 is made on the concurrency pool
        // that other suites' synchronous tests can hold for longer than 15 s (then the read limit,
        // on NIO's threads, closed first and the clients saw no answer: the failure of issue 12).
        let server = try await ServeProcess(arguments: ["--timeout", "1", "--read-timeout", "15"])
        defer { server.stop() }
        let client = Client(port: server.port)
        async let slow = withTaskGroup(of: SlowOutcome.self) { group in
            for _ in 0..<8 { group.addTask { await trickle(port: server.port, head: Self.bodyHead, drip: Self.bodyDrip) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // While the slow clients hold their connections, others are served.
        for _ in 0..<5 {
            let result = try await client.post("/clip/embed_text", json: ["text": "a cat"])
            #expect(maxDifference(try #require(rows(result.object["embeddings"])?.first), try libraryTextEmbedding("a cat")) < 1e-5)
        }
        for outcome in await slow {
            #expect(outcome.closedEarly, "the server kept a trickling connection open")
            #expect(outcome.status == 503, "the request timeout answers first: got \(outcome.status)")
        }
        #expect(try await client.get("/healthz").status == 200)
        let after = try await client.post("/clip/embed_text", json: ["text": "a dog"])
        #expect(maxDifference(try #require(rows(after.object["embeddings"])?.first), try libraryTextEmbedding("a dog")) < 1e-5)
    }

    @Test("headers that never finish are cut off at the read limit, even when the request timeout is long")
    func slowHeaders() async throws {
        try await withServer({ $0.requestReadTimeout = .seconds(1) }) { _, client async throws in
            async let slow = withTaskGroup(of: SlowOutcome.self) { group in
                for _ in 0..<8 { group.addTask { await trickle(port: client.port, head: Self.headersHead, drip: Self.headersDrip) } }
                group.addTask { await trickle(port: client.port, head: Self.bodyHead, drip: Self.bodyDrip) }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(try await client.post("/clip/embed_text", json: ["text": "a dog"]).status == 200)
            let outcomes = await slow
            for outcome in outcomes { #expect(outcome.closedEarly, "the server kept a slow connection open") }
            #expect(outcomes.allSatisfy { $0.status == 0 }, "no request was complete, so none is answered: \(outcomes.map(\.status))")
            #expect(try await client.get("/healthz").status == 200)
        }
    }

    @Test("an idle connection that sends nothing is closed at the read limit")
    func silentConnection() async throws {
        try await withServer({ $0.requestReadTimeout = .milliseconds(500) }) { _, client async throws in
            let closed = await onThread { () -> Bool in
                guard let connection = try? RawConnection(port: client.port, readTimeout: 60) else { return false }
                return connection.readResponse() == nil  // blocks until the server closes (or 60 s pass)
            }
            #expect(closed)
        }
    }

    @Test("the read limit never cuts a request that has arrived, however long it takes to answer; keep-alive goes on")
    func slowAnswerIsNotCut() async throws {
        try await withServer({
            $0.requestReadTimeout = .milliseconds(200)
            $0.batching = BatchingConfiguration(maxBatch: 8, maxWait: .seconds(1))
        }) { _, client async throws in
            let body = Array(try JSONSerialization.data(withJSONObject: ["image": try base64Image("coffee.png")]))
            let answers = await onThread { () -> [Int] in
                guard let connection = try? RawConnection(port: client.port) else { return [] }
                // The batcher waits a second for company: five times the read limit.
                return (0..<3).map { _ in connection.post("/clip/embed_image", body: body)?.status ?? 0 }
            }
            #expect(answers == [200, 200, 200])
        }
    }

    @Test("broken HTTP framing gets a 4xx or a close, and the server stays healthy")
    func brokenFraming() async throws {
        try await withServer({ $0.requestReadTimeout = .seconds(2) }) { _, client async throws in
            let cases: [(String, [UInt8])] = [
                ("garbage request line", Array("\u{1}\u{2}NOT HTTP AT ALL\r\n\r\n".utf8)),
                ("bad content-length", Array("POST /clip/embed_text HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n".utf8)),
                ("two content-lengths", Array("POST /clip/embed_text HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc".utf8)),
                ("bad chunk size", Array("POST /clip/embed_text HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n".utf8)),
                ("huge chunk size", Array("POST /clip/embed_text HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nabc\r\n".utf8)),
                ("header over 80 KiB", Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8)),
                ("body shorter than declared, then EOF", Array("POST /clip/embed_text HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"text\":".utf8)),
            ]
            for (name, bytes) in cases {
                let status = await onThread { () -> Int in
                    guard let connection = try? RawConnection(port: client.port, readTimeout: 30) else { return -1 }
                    connection.send(bytes)
                    connection.finishSending()
                    return connection.readResponse()?.status ?? 0
                }
                #expect(status == 0 || (400..<500).contains(status), "\(name): \(status)")
                #expect(try await client.get("/healthz").status == 200, "\(name)")
            }
            #expect(try await client.post("/clip/embed_text", json: ["text": "still here"]).status == 200)
        }
    }
}
