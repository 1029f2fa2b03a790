// JPEG decoding through libjpeg(-turbo) with setjmp-based error handling.
#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    seer_codec_status *status;
} seer_jpeg_error;

static void seer_jpeg_fail(j_common_ptr cinfo, int code) {
    seer_jpeg_error *err = (seer_jpeg_error *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    err->status->code = code;
    snprintf(err->status->message, SEER_CODEC_MESSAGE_SIZE, "%s", buffer);
    longjmp(err->jump, 1);
}

static void seer_jpeg_error_exit(j_common_ptr cinfo) {
    int code = SEER_CODEC_CORRUPT;
    if (cinfo->err->msg_code == JERR_OUT_OF_MEMORY) code = SEER_CODEC_NOMEM;
    if (cinfo->err->msg_code == JERR_INPUT_EMPTY || cinfo->err->msg_code == JERR_INPUT_EOF) code = SEER_CODEC_TRUNCATED;
    seer_jpeg_fail(cinfo, code);
}

// libjpeg only warns when the data ends early and pads the image with gray. Pillow refuses
// such files by default ("image file is truncated"); so do we. Other warnings (extraneous
// bytes before a marker and the like) are ignored, as Pillow ignores them.
static void seer_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        seer_jpeg_fail(cinfo, SEER_CODEC_TRUNCATED);
    }
    if (msg_level < 0) cinfo->err->num_warnings++;
}

static void seer_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void seer_status_ok(seer_codec_status *status) {
    status->code = SEER_CODEC_OK;
    status->message[0] = 0;
}

static void seer_jpeg_setup(struct jpeg_decompress_struct *cinfo, seer_jpeg_error *err, seer_codec_status *status) {
    cinfo->err = jpeg_std_error(&err->pub);
    err->pub.error_exit = seer_jpeg_error_exit;
    err->pub.emit_message = seer_jpeg_emit_message;
    err->pub.output_message = seer_jpeg_output_message;
    err->status = status;
}

int seer_jpeg_info(const uint8_t *data, size_t size, seer_image_info *info, seer_codec_status *status) {
    struct jpeg_decompress_struct cinfo;
    seer_jpeg_error err;
    seer_status_ok(status);
    memset(info, 0, sizeof(*info));
    seer_jpeg_setup(&cinfo, &err, status);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return status->code;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = (int32_t)cinfo.image_width;
    info->height = (int32_t)cinfo.image_height;
    info->components = cinfo.num_components;
    info->progressive = cinfo.progressive_mode ? 1 : 0;
    jpeg_destroy_decompress(&cinfo);
    return SEER_CODEC_OK;
}

// Pillow's MULDIV255: a*b/255 rounded, in integers.
static inline int seer_muldiv255(int a, int b) {
    int tmp = a * b + 128;
    return ((tmp >> 8) + tmp) >> 8;
}

static inline uint8_t seer_clip8(int v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

int seer_jpeg_decode(const uint8_t *data, size_t size, uint8_t *out, int32_t width, int32_t height,
                     seer_codec_status *status) {
    struct jpeg_decompress_struct cinfo;
    seer_jpeg_error err;
    uint8_t *volatile cmyk_row = NULL;
    seer_status_ok(status);
    seer_jpeg_setup(&cinfo, &err, status);
    if (setjmp(err.jump)) {
        free(cmyk_row);
        jpeg_destroy_decompress(&cinfo);
        return status->code;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    int cmyk = cinfo.num_components == 4;
    if (cmyk) {
        // libjpeg converts YCCK to CMYK but not CMYK to RGB; we do that below like Pillow.
        cinfo.out_color_space = JCS_CMYK;
    } else if (cinfo.num_components == 1 || cinfo.num_components == 3) {
        cinfo.out_color_space = JCS_RGB;
    } else {
        status->code = SEER_CODEC_UNSUPPORTED;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "JPEG with %d color components is not supported",
                 cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return status->code;
    }
    jpeg_start_decompress(&cinfo);
    if ((int32_t)cinfo.output_width != width || (int32_t)cinfo.output_height != height ||
        cinfo.output_components != (cmyk ? 4 : 3)) {
        status->code = SEER_CODEC_MISMATCH;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "JPEG decoder output (%ux%u, %d components) does not match its header",
                 cinfo.output_width, cinfo.output_height, cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return status->code;
    }
    const size_t stride = (size_t)width * 3;
    if (cmyk) {
        cmyk_row = (uint8_t *)malloc((size_t)width * 4);
        if (!cmyk_row) {
            status->code = SEER_CODEC_NOMEM;
            snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return status->code;
        }
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        uint8_t *dst = out + y * stride;
        if (!cmyk) {
            JSAMPROW row = dst;
            jpeg_read_scanlines(&cinfo, &row, 1);
        } else {
            JSAMPROW row = cmyk_row;
            jpeg_read_scanlines(&cinfo, &row, 1);
            // Pillow reads 4-component JPEGs as "CMYK;I" (Adobe's inverted samples), then
            // convert("RGB") computes (255-k') - (c'*(255-k'))/255 per channel, c' = 255 - c.
            for (int32_t x = 0; x < width; x++) {
                const uint8_t *p = cmyk_row + (size_t)x * 4;
                int nk = p[3];  // 255 - (255 - k)
                dst[x * 3 + 0] = seer_clip8(nk - seer_muldiv255(255 - p[0], nk));
                dst[x * 3 + 1] = seer_clip8(nk - seer_muldiv255(255 - p[1], nk));
                dst[x * 3 + 2] = seer_clip8(nk - seer_muldiv255(255 - p[2], nk));
            }
        }
    }
    // The image is complete; a damaged trailer after the last scan does not matter.
    jpeg_abort_decompress(&cinfo);
    free(cmyk_row);
    jpeg_destroy_decompress(&cinfo);
    return SEER_CODEC_OK;
}
