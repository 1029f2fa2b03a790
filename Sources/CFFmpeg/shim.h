// FFmpeg's headers, plus small inline helpers for what Swift cannot import:
// function-like macros (AVERROR, av_err2str) and callbacks that need a C function pointer.
#ifndef SEER_CFFMPEG_SHIM_H
#define SEER_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/time.h>
#include <stdint.h>

/// AVERROR_EOF and AVERROR(EAGAIN) are macros built from other macros.
static inline int seer_averror_eof(void) { return AVERROR_EOF; }
static inline int seer_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int seer_averror_exit(void) { return AVERROR_EXIT; }
static inline int seer_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }

/// av_err2str is a macro around a compound literal; this fills the caller's buffer instead.
static inline void seer_av_strerror(int code, char *buffer, size_t size) {
    av_strerror(code, buffer, size);
}

/// Watchdog state for libavformat's interrupt callback. The reader stamps `last_progress_us`
/// (av_gettime_relative) before every blocking call; the callback aborts the call when more than
/// `timeout_us` pass without progress, and records that it did so.
typedef struct {
    int64_t last_progress_us;
    int64_t timeout_us;
    int fired;
} seer_watchdog;

static inline int seer_watchdog_callback(void *opaque) {
    seer_watchdog *w = (seer_watchdog *)opaque;
    if (w->timeout_us > 0 && av_gettime_relative() - w->last_progress_us > w->timeout_us) {
        w->fired = 1;
        return 1;
    }
    return 0;
}

static inline void seer_watchdog_touch(seer_watchdog *w) {
    w->last_progress_us = av_gettime_relative();
}

/// Installs the watchdog on a context allocated with avformat_alloc_context.
static inline void seer_install_watchdog(AVFormatContext *ctx, seer_watchdog *w) {
    ctx->interrupt_callback.callback = seer_watchdog_callback;
    ctx->interrupt_callback.opaque = w;
}

/// Keeps FFmpeg's own log quiet unless asked (it prints to stderr from C).
static inline void seer_av_log_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
static inline void seer_av_log_errors(void) { av_log_set_level(AV_LOG_ERROR); }

/// AV_NOPTS_VALUE is a cast macro.
static inline int64_t seer_nopts_value(void) { return AV_NOPTS_VALUE; }

/// Converts a decoded frame to packed RGB24 (`out_width`*3 bytes a row, no padding) with
/// swscale, reusing/rebuilding *ctx as sizes change. Uses the frame's own YUV matrix (BT.709
/// for HD, BT.601 otherwise) and range (limited or full). Returns 0 or a negative AVERROR.
static inline int seer_frame_to_rgb24(struct SwsContext **ctx, const AVFrame *frame,
                                      int out_width, int out_height, uint8_t *out) {
    int flags = (out_width == frame->width && out_height == frame->height) ? SWS_POINT : SWS_AREA;
    *ctx = sws_getCachedContext(*ctx, frame->width, frame->height, (enum AVPixelFormat)frame->format,
                                out_width, out_height, AV_PIX_FMT_RGB24,
                                flags | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
    if (*ctx == NULL) return AVERROR(EINVAL);
    int space = frame->colorspace;
    if (space == AVCOL_SPC_UNSPECIFIED || space == AVCOL_SPC_RESERVED)
        space = frame->height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    int full_range = frame->color_range == AVCOL_RANGE_JPEG;
    sws_setColorspaceDetails(*ctx, sws_getCoefficients(space), full_range,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    uint8_t *dst[4] = {out, NULL, NULL, NULL};
    int dst_stride[4] = {out_width * 3, 0, 0, 0};
    int rows = sws_scale(*ctx, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
                         dst, dst_stride);
    return rows == out_height ? 0 : AVERROR(EINVAL);
}

#endif
