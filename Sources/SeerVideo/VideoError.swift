import CFFmpeg

/// Why a video could not be opened or read. Descriptions are one line and name the source.
public enum VideoError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(source: String, reason: String)
    case noVideoStream(source: String)
    case unsupportedCodec(source: String, codec: String)
    case stalled(source: String, seconds: Double)
    case noFrames(source: String, reason: String)
    case decodingFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let source, let reason): return "cannot open \(source): \(reason)"
        case .noVideoStream(let source): return "\(source) has no video stream"
        case .unsupportedCodec(let source, let codec): return "\(source): no decoder for codec \(codec)"
        case .stalled(let source, let seconds): return "\(source) stalled: no data for \(formatSeconds(seconds)) s"
        case .noFrames(let source, let reason): return "\(source): no frame could be decoded (\(reason))"
        case .decodingFailed(let source, let reason): return "\(source): \(reason)"
        }
    }
}

/// FFmpeg's message for an AVERROR code.
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    seer_av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String((s * 1000).rounded() / 1000)
}
