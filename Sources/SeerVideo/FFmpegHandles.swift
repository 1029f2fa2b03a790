import CFFmpeg

/// Owns the FFmpeg objects of one open source and frees them when released, including when
/// `FFmpegFrameSource.init` throws halfway (a class whose init throws early never runs its own
/// deinit).
final class FFmpegHandles {
    var format: UnsafeMutablePointer<AVFormatContext>?
    var decoder: UnsafeMutablePointer<AVCodecContext>?
    var packet: UnsafeMutablePointer<AVPacket>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var scaler: OpaquePointer?
    /// Read by the interrupt callback while libavformat blocks, so it lives at a fixed address.
    let watchdog: UnsafeMutablePointer<seer_watchdog>

    init() {
        watchdog = .allocate(capacity: 1)
        watchdog.initialize(to: seer_watchdog(last_progress_us: 0, timeout_us: 0, fired: 0))
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&decoder)
        avformat_close_input(&format)
        watchdog.deallocate()
    }
}
