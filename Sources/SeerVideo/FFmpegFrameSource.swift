import CFFmpeg
import SeerImage

/// Frames from a file or stream URL (anything libavformat opens: mp4, avi, mkv, rtsp://,
/// http(s)://, HLS playlists…), decoded with libavcodec and converted to RGB24 with libswscale.
///
/// Broken input never crashes: a file that cannot be opened or has no decodable video throws
/// `VideoError`; corrupt packets are skipped and counted in `warnings`; a read error after some
/// frames, or a file that ends well before its stated duration, ends the stream with a warning.
/// Every blocking read runs under a watchdog (libavformat's interrupt callback) so a stream that
/// stops sending data throws `VideoError.stalled` after `stallTimeout` seconds instead of hanging.
public final class FFmpegFrameSource: FrameSource {
    public let source: String
    public let options: FrameSourceOptions
    /// Decoded size of the video.
    public let width: Int
    public let height: Int
    /// Seconds, as the file states it (frame count ÷ frame rate where the header counts frames,
    /// else the container's duration); nil for live streams.
    public let duration: Double?
    /// Average frames per second, when known.
    public let frameRate: Double?
    /// Problems that did not stop the stream (skipped packets, early end), one line each.
    public private(set) var warnings: [String] = []

    private let handles: FFmpegHandles
    private var format: UnsafeMutablePointer<AVFormatContext>? { handles.format }
    private var decoder: UnsafeMutablePointer<AVCodecContext>? { handles.decoder }
    private var packet: UnsafeMutablePointer<AVPacket>? { handles.packet }
    private var frame: UnsafeMutablePointer<AVFrame>? { handles.frame }
    private var watchdog: UnsafeMutablePointer<seer_watchdog> { handles.watchdog }
    private let streamIndex: Int32
    private let timeBase: Double
    private let streamStart: Int64
    private var sampler: FrameSampler
    private var decodedFrames = 0
    private var lastTime: Double?
    private var skippedPackets = 0
    private var draining = false
    private var finished = false

    public init(_ source: String, options: FrameSourceOptions = FrameSourceOptions()) throws {
        self.source = source
        self.options = options
        seer_av_log_quiet()
        avformat_network_init()
        let h = FFmpegHandles()
        handles = h
        h.watchdog.pointee.timeout_us = Int64(options.stallTimeout * 1_000_000)
        sampler = FrameSampler(sampling: options.sampling, start: options.start)

        // `handles` frees whatever was allocated when a later step throws.
        h.format = avformat_alloc_context()
        guard h.format != nil else { throw VideoError.cannotOpen(source: source, reason: "out of memory") }
        seer_install_watchdog(h.format, h.watchdog)
        seer_watchdog_touch(h.watchdog)
        var status = avformat_open_input(&h.format, source, nil, nil)
        guard status >= 0 else { throw Self.openError(source, status, h.watchdog) }
        seer_watchdog_touch(h.watchdog)
        status = avformat_find_stream_info(h.format, nil)
        guard status >= 0 else { throw Self.openError(source, status, h.watchdog) }

        var codec: UnsafePointer<AVCodec>?
        streamIndex = av_find_best_stream(h.format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if streamIndex == seer_averror_decoder_not_found() {
            throw VideoError.unsupportedCodec(source: source, codec: "unknown")
        }
        guard streamIndex >= 0, let codec else { throw VideoError.noVideoStream(source: source) }
        let stream = h.format!.pointee.streams[Int(streamIndex)]!
        h.decoder = avcodec_alloc_context3(codec)
        guard h.decoder != nil, avcodec_parameters_to_context(h.decoder, stream.pointee.codecpar) >= 0 else {
            throw VideoError.cannotOpen(source: source, reason: "cannot set up the decoder")
        }
        h.decoder!.pointee.thread_count = Int32(options.decoderThreads)
        status = avcodec_open2(h.decoder, codec, nil)
        guard status >= 0 else {
            throw VideoError.unsupportedCodec(source: source, codec: String(cString: codec.pointee.name))
        }
        width = Int(h.decoder!.pointee.width)
        height = Int(h.decoder!.pointee.height)
        guard width > 0, height > 0 else { throw VideoError.noFrames(source: source, reason: "the video stream has no size") }

        timeBase = Double(stream.pointee.time_base.num) / Double(stream.pointee.time_base.den)
        streamStart = stream.pointee.start_time == seer_nopts_value() ? 0 : stream.pointee.start_time
        let rate = stream.pointee.avg_frame_rate
        frameRate = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
        // The header's frame count is the stated length where there is one: for a cut-off file
        // libavformat estimates the container duration from what is left.
        let containerDuration = h.format!.pointee.duration
        if let frameRate, stream.pointee.nb_frames > 0 {
            duration = Double(stream.pointee.nb_frames) / frameRate
        } else {
            duration = containerDuration > 0 && containerDuration != seer_nopts_value() ? Double(containerDuration) / 1_000_000 : nil
        }

        h.packet = av_packet_alloc()
        h.frame = av_frame_alloc()
        guard h.packet != nil, h.frame != nil else { throw VideoError.cannotOpen(source: source, reason: "out of memory") }
        if options.start > 0 { seek(to: options.start) }
    }

    public func nextFrame() throws -> VideoFrame? {
        while !finished {
            let received = avcodec_receive_frame(decoder, frame)
            if received == 0 {
                defer { av_frame_unref(frame) }
                let time = frameTime()
                decodedFrames += 1
                lastTime = time
                if sampler.accept(time: time) { return try convertFrame(time: time, index: decodedFrames - 1) }
            } else if received == seer_averror_eof() {
                finish()
            } else if received == seer_averror_eagain() {
                try feedDecoder()
            } else {
                skippedPackets += 1
                warnings.append("\(source): skipped a frame the decoder rejected (\(ffmpegMessage(received)))")
                if draining { finish() }
            }
        }
        return nil
    }

    /// Reads the next packet of our stream and sends it to the decoder; at the end of input,
    /// puts the decoder into draining mode.
    private func feedDecoder() throws {
        guard !draining else { return finish() }
        while true {
            seer_watchdog_touch(watchdog)
            let read = av_read_frame(format, packet)
            if watchdog.pointee.fired != 0 {
                throw VideoError.stalled(source: source, seconds: options.stallTimeout)
            }
            if read < 0 {
                if read != seer_averror_eof() {
                    if decodedFrames == 0 { throw VideoError.noFrames(source: source, reason: ffmpegMessage(read)) }
                    warnings.append("\(source): read error after \(decodedFrames) frames, ending the stream (\(ffmpegMessage(read)))")
                }
                draining = true
                avcodec_send_packet(decoder, nil)
                return
            }
            defer { av_packet_unref(packet) }
            guard packet!.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(decoder, packet)
            if sent < 0 && sent != seer_averror_eagain() {
                skippedPackets += 1
                if skippedPackets <= 3 {
                    warnings.append("\(source): skipped a corrupt packet (\(ffmpegMessage(sent)))")
                }
                continue
            }
            return
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        if skippedPackets > 3 { warnings.append("\(source): skipped \(skippedPackets) corrupt packets in all") }
        // A file that stops well short of its stated length was most likely cut off.
        if let duration, let lastTime, duration - lastTime > max(1, 3 / (frameRate ?? 1)) {
            warnings.append("\(source): stream ended at \(formatSeconds(lastTime)) s of \(formatSeconds(duration)) s (truncated?)")
        }
    }

    private func frameTime() -> Double {
        let pts = frame!.pointee.best_effort_timestamp
        if pts == seer_nopts_value() {
            return (lastTime ?? 0) + 1 / (frameRate ?? 25)
        }
        return Double(pts - streamStart) * timeBase
    }

    private func convertFrame(time: Double, index: Int) throws -> VideoFrame {
        let (w, h) = outputSize(width: Int(frame!.pointee.width), height: Int(frame!.pointee.height))
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            seer_frame_to_rgb24(&handles.scaler, frame, Int32(w), Int32(h), out.baseAddress)
        }
        guard status >= 0 else {
            throw VideoError.decodingFailed(source: source, reason: "cannot convert frame \(index) to RGB (\(ffmpegMessage(status)))")
        }
        return VideoFrame(image: RGBImage(width: w, height: h, pixels: pixels), time: time, index: index)
    }

    private func outputSize(width: Int, height: Int) -> (Int, Int) {
        guard let limit = options.maxDimension, max(width, height) > limit else { return (width, height) }
        let scale = Double(limit) / Double(max(width, height))
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    /// Seeks to the keyframe at or before `seconds`; the sampler drops frames before it.
    private func seek(to seconds: Double) {
        let containerStart = format!.pointee.start_time == seer_nopts_value() ? 0 : format!.pointee.start_time
        let target = containerStart + Int64(seconds * 1_000_000)
        seer_watchdog_touch(watchdog)
        if avformat_seek_file(format, -1, Int64.min, target, target, 0) < 0 {
            // Not seekable (a live stream, say): decode from here and drop frames until the start.
            warnings.append("\(source): cannot seek, decoding up to \(formatSeconds(seconds)) s instead")
        }
        avcodec_flush_buffers(decoder)
    }

    private static func openError(_ source: String, _ status: Int32, _ watchdog: UnsafeMutablePointer<seer_watchdog>) -> VideoError {
        if watchdog.pointee.fired != 0 {
            return .stalled(source: source, seconds: Double(watchdog.pointee.timeout_us) / 1_000_000)
        }
        return .cannotOpen(source: source, reason: ffmpegMessage(status))
    }
}
