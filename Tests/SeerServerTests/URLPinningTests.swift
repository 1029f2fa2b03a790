import Foundation
import Testing
@testable import SeerServer

/// A loopback HTTP server that answers every request with `body` and remembers the request
/// heads it saw. Blocking accept loop on its own thread; `stop()` ends it.
final class RecordingHTTPServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var heads: [String] = []
    var requests: [String] { lock.withLock { heads } }

    init(body: [UInt8]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard ok, listen(listener, 16) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        fd = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while !head.suffix(4).elementsEqual([13, 10, 13, 10]), recv(client, &byte, 1, 0) == 1 { head.append(byte) }
                lock.withLock { heads.append(String(decoding: head, as: UTF8.self)) }
                let reply = Array("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// A DNS stand-in that answers from a script and counts the questions.
final class ScriptedDNS: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [[String]]
    private(set) var questions: [String] = []
    init(_ answers: [[String]]) { self.answers = answers }
    var asked: [String] { lock.withLock { questions } }
    func resolve(_ host: String) -> [String] {
        lock.withLock {
            questions.append(host)
            return answers.count > 1 ? answers.removeFirst() : answers.first ?? []
        }
    }
}

@Suite("URL images: DNS answers are checked once and connected to")
struct URLPinningTests {
    @Test("the fetch connects to the address that was checked, and sends the URL's own Host header")
    func connectsToCheckedAddress() async throws {
        let png = try imageBytes("coffee.png")
        let server = try RecordingHTTPServer(body: png)
        defer { server.stop() }
        // *.test names never resolve in real DNS: only the checked answer can reach the server.
        let dns = ScriptedDNS([["127.0.0.1"]])
        let fetcher = ImageFetcher(policy: URLImagePolicy(enabled: true, allowedHosts: ["images.seer.test"], allowPrivateAddresses: true),
                                   maxBytes: 1 << 20, resolver: { dns.resolve($0) })
        let bytes = try await fetcher.fetch(URL(string: "http://images.seer.test:\(server.port)/coffee.png")!)
        #expect(bytes == png)
        #expect(dns.asked == ["images.seer.test"])
        let head = try #require(server.requests.first).lowercased()
        #expect(head.hasPrefix("get /coffee.png http/1.1"), "\(head)")
        #expect(head.contains("host: images.seer.test:\(server.port)"), "\(head)")
    }

    @Test("a second DNS answer cannot swap in 127.0.0.1 (rebinding): the name is resolved once")
    func rebindingGetsNowhere() async throws {
        let server = try RecordingHTTPServer(body: try imageBytes("coffee.png"))
        defer { server.stop() }
        // A public answer for the check, loopback for any later lookup.
        let dns = ScriptedDNS([["192.0.2.10"], ["127.0.0.1"]])
        var policy = URLImagePolicy(enabled: true)
        policy.fetchTimeout = .seconds(2)
        #expect(isPublic("192.0.2.10"))  // TEST-NET-1: public as far as the policy goes, and unroutable here
        let fetcher = ImageFetcher(policy: policy, maxBytes: 1 << 20, resolver: { dns.resolve($0) })
        await #expect(throws: APIError.self) {
            try await fetcher.fetch(URL(string: "http://rebind.seer.test:\(server.port)/coffee.png")!)
        }
        #expect(dns.asked == ["rebind.seer.test"])
        #expect(server.requests.isEmpty, "the loopback server was reached")
    }

    @Test("a name with any non-public answer is refused before connecting")
    func mixedAnswersRefused() async throws {
        let dns = ScriptedDNS([["8.8.8.8", "10.0.0.7"]])
        let fetcher = ImageFetcher(policy: URLImagePolicy(enabled: true), maxBytes: 1 << 20, resolver: { dns.resolve($0) })
        do {
            _ = try await fetcher.fetch(URL(string: "http://mixed.seer.test/a.png")!)
            Issue.record("fetched from a host with a private address")
        } catch let error as APIError {
            #expect(error.status == .forbidden)
            #expect(error.message.contains("10.0.0.7"))
        }
    }
}
