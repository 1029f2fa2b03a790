import Foundation
import SeerVideo
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct BrokenInputTests {
    func openAndDrain(_ path: String, stallTimeout: Double = 10) throws -> (frames: Int, warnings: [String]) {
        let source = try FFmpegFrameSource(path, options: FrameSourceOptions(stallTimeout: stallTimeout))
        var frames = 0
        while try source.nextFrame() != nil { frames += 1 }
        return (frames, source.warnings)
    }

    @Test func missingFile() {
        #expect(throws: VideoError.cannotOpen(source: "/nonexistent/x.mp4", reason: "No such file or directory")) {
            _ = try FFmpegFrameSource("/nonexistent/x.mp4")
        }
    }

    @Test func notAVideo() throws {
        let url = try Fixtures.temporaryFile(Array("this is not a video\n".utf8), suffix: ".mp4")
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: VideoError.self) { _ = try openAndDrain(url.path) }
        #expect(error?.description.hasPrefix("cannot open \(url.path): ") == true, "\(String(describing: error))")
    }

    @Test func truncatedAVIEndsWithAWarning() throws {
        // AVI keeps its header at the front, so a cut-off copy opens, plays, and ends early.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.vtest)))
        let url = try Fixtures.temporaryFile(Array(bytes.prefix(bytes.count / 4)), suffix: ".avi")
        defer { try? FileManager.default.removeItem(at: url) }
        let (frames, warnings) = try openAndDrain(url.path)
        #expect(frames > 50 && frames < 795, "\(frames) frames")
        #expect(warnings.contains { $0.contains("truncated?") }, "\(warnings)")
    }

    @Test func truncatedMP4IsAnError() throws {
        // bikes.mp4 keeps its index (moov) at the end: without it nothing can be located.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.bikes)))
        for size in [2000, bytes.count / 2] {
            let url = try Fixtures.temporaryFile(Array(bytes.prefix(size)), suffix: ".mp4")
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(throws: VideoError.cannotOpen(source: url.path, reason: "Invalid data found when processing input")) {
                _ = try openAndDrain(url.path)
            }
        }
    }

    @Test func corruptPacketsAreSkipped() throws {
        // Overwrite stretches of the compressed frames with garbage.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.bikes)))
        var g = UInt64(12345)
        for start in stride(from: bytes.count / 4, to: bytes.count - 4096, by: bytes.count / 9) {
            for i in start..<start + 3000 {
                g = g &* 6364136223846793005 &+ 1442695040888963407
                bytes[i] = UInt8(truncatingIfNeeded: g >> 33)
            }
        }
        let url = try Fixtures.temporaryFile(bytes, suffix: ".mp4")
        defer { try? FileManager.default.removeItem(at: url) }
        let (frames, _) = try openAndDrain(url.path)
        #expect(frames > 100)
    }

    @Test func deadStreamURL() {
        let error = #expect(throws: VideoError.self) { _ = try FFmpegFrameSource("http://127.0.0.1:1/x", options: FrameSourceOptions(stallTimeout: 5)) }
        #expect(error?.description == "cannot open http://127.0.0.1:1/x: Connection refused", "\(String(describing: error))")
    }

    /// A server that accepts the connection and then never answers: the watchdog gives up.
    @Test func stalledStreamIsReported() throws {
        let server = try SilentServer()
        defer { server.close() }
        let url = "http://127.0.0.1:\(server.port)/live.ts"
        #expect(throws: VideoError.stalled(source: url, seconds: 1)) {
            _ = try FFmpegFrameSource(url, options: FrameSourceOptions(stallTimeout: 1))
        }
    }
}

/// A listening TCP socket on 127.0.0.1 that never accepts: the kernel completes the handshake
/// (backlog), the client's request goes unanswered.
final class SilentServer {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw CocoaError(.fileWriteUnknown) }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { _ = Glibc.close(fd) }
}
