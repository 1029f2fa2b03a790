// PNG encoding through libpng with setjmp-based error handling, into a malloc'd buffer.
#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    seer_codec_status *status;
} seer_png_sink;

static void seer_png_sink_write(png_structp png, png_bytep bytes, size_t length) {
    seer_png_sink *sink = (seer_png_sink *)png_get_io_ptr(png);
    if (length > sink->capacity - sink->size) {
        size_t capacity = sink->capacity ? sink->capacity : 65536;
        while (length > capacity - sink->size) capacity *= 2;
        uint8_t *grown = realloc(sink->data, capacity);
        if (!grown) png_error(png, "out of memory");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
}

static void seer_png_sink_flush(png_structp png) { (void)png; }

static void seer_png_write_error(png_structp png, png_const_charp message) {
    seer_png_sink *sink = (seer_png_sink *)png_get_error_ptr(png);
    sink->status->code = SEER_CODEC_CORRUPT;
    snprintf(sink->status->message, SEER_CODEC_MESSAGE_SIZE, "%s", message ? message : "unknown libpng error");
    png_longjmp(png, 1);
}

static void seer_png_write_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

int seer_png_encode(const uint8_t *rgb, int32_t width, int32_t height, uint8_t **out, size_t *out_size,
                    seer_codec_status *status) {
    status->code = SEER_CODEC_OK;
    status->message[0] = 0;
    *out = NULL;
    *out_size = 0;
    seer_png_sink sink = {NULL, 0, 0, status};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, seer_png_write_error, seer_png_write_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        status->code = SEER_CODEC_NOMEM;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "cannot create a PNG writer");
        return status->code;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(sink.data);
        return status->code;
    }
    png_set_write_fn(png, &sink, seer_png_sink_write, seer_png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)width * 3));
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = sink.data;
    *out_size = sink.size;
    return SEER_CODEC_OK;
}
