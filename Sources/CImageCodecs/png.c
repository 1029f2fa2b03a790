// PNG decoding through libpng with setjmp-based error handling.
#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
    int hit_end;
    seer_codec_status *status;
} seer_png_source;

static void seer_png_read(png_structp png, png_bytep out, size_t length) {
    seer_png_source *src = (seer_png_source *)png_get_io_ptr(png);
    if (length > src->size - src->pos) {
        src->hit_end = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, src->data + src->pos, length);
    src->pos += length;
}

static void seer_png_error(png_structp png, png_const_charp message) {
    seer_png_source *src = (seer_png_source *)png_get_error_ptr(png);
    src->status->code = src->hit_end ? SEER_CODEC_TRUNCATED : SEER_CODEC_CORRUPT;
    snprintf(src->status->message, SEER_CODEC_MESSAGE_SIZE, "%s", message ? message : "unknown libpng error");
    png_longjmp(png, 1);
}

static void seer_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void seer_png_status_ok(seer_codec_status *status) {
    status->code = SEER_CODEC_OK;
    status->message[0] = 0;
}

static png_structp seer_png_create(seer_png_source *src, png_infop *info, seer_codec_status *status) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src, seer_png_error, seer_png_warning);
    if (!png) {
        status->code = SEER_CODEC_NOMEM;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "cannot create a PNG reader");
        return NULL;
    }
    *info = png_create_info_struct(png);
    if (!*info) {
        png_destroy_read_struct(&png, NULL, NULL);
        status->code = SEER_CODEC_NOMEM;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "cannot create a PNG reader");
        return NULL;
    }
    png_set_read_fn(png, src, seer_png_read);
    // Our own pixel limit is checked before decoding; lift libpng's width/height cap of 1e6
    // so that it never disagrees with it, and keep its chunk-size caps.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    return png;
}

int seer_png_info(const uint8_t *data, size_t size, seer_image_info *info_out, seer_codec_status *status) {
    seer_png_source src = {data, size, 0, 0, status};
    png_infop info = NULL;
    seer_png_status_ok(status);
    memset(info_out, 0, sizeof(*info_out));
    png_structp png = seer_png_create(&src, &info, status);
    if (!png) return status->code;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return status->code;
    }
    png_read_info(png, info);
    info_out->width = (int32_t)png_get_image_width(png, info);
    info_out->height = (int32_t)png_get_image_height(png, info);
    info_out->bit_depth = png_get_bit_depth(png, info);
    info_out->color_type = png_get_color_type(png, info);
    info_out->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    png_destroy_read_struct(&png, &info, NULL);
    return SEER_CODEC_OK;
}

int seer_png_decode(const uint8_t *data, size_t size, uint8_t *out, int32_t width, int32_t height,
                    seer_codec_status *status) {
    seer_png_source src = {data, size, 0, 0, status};
    png_infop info = NULL;
    png_bytep *volatile rows = NULL;
    seer_png_status_ok(status);
    png_structp png = seer_png_create(&src, &info, status);
    if (!png) return status->code;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return status->code;
    }
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int color_type = png_get_color_type(png, info);
    if ((int32_t)w != width || (int32_t)h != height) {
        status->code = SEER_CODEC_MISMATCH;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "PNG header changed between reads");
        png_destroy_read_struct(&png, &info, NULL);
        return status->code;
    }
    // transformers' convert_to_rgb composites "transparency" onto white. After Pillow's
    // convert("RGB") (transformers' load_image) only a single transparent *color* survives as
    // image.info["transparency"]; pixels of exactly that RGB color then become white. Work out
    // that color the way Pillow's PNG plugin + convert() derive it.
    int has_key = 0;
    uint8_t key[3] = {0, 0, 0};
    if (png_get_valid(png, info, PNG_INFO_tRNS)) {
        png_bytep trans_alpha = NULL;
        int num_trans = 0;
        png_color_16p trans_color = NULL;
        png_get_tRNS(png, info, &trans_alpha, &num_trans, &trans_color);
        if (color_type == PNG_COLOR_TYPE_PALETTE && trans_alpha && num_trans > 0) {
            // Only a "simple" table (one 0 entry, all others 255) becomes an index; a table
            // of alpha values is dropped by convert("RGB").
            int zero = -1, simple = 1;
            for (int i = 0; i < num_trans; i++) {
                if (trans_alpha[i] == 0) {
                    if (zero >= 0) simple = 0;
                    zero = i;
                } else if (trans_alpha[i] != 255) {
                    simple = 0;
                }
            }
            png_colorp palette = NULL;
            int num_palette = 0;
            if (simple && zero >= 0 && png_get_PLTE(png, info, &palette, &num_palette) && zero < num_palette) {
                has_key = 1;
                key[0] = palette[zero].red;
                key[1] = palette[zero].green;
                key[2] = palette[zero].blue;
            }
        } else if (color_type == PNG_COLOR_TYPE_GRAY && trans_color) {
            // Pillow keeps the raw sample value but scales 2/4-bit pixels to 8 bits, so for
            // those only 0 can ever match; 1-bit and 16-bit gray lose the key in convert().
            unsigned g = trans_color->gray;
            if (bit_depth == 8 || ((bit_depth == 2 || bit_depth == 4) && g == 0)) {
                has_key = 1;
                key[0] = key[1] = key[2] = (uint8_t)g;
            }
        } else if (color_type == PNG_COLOR_TYPE_RGB && trans_color) {
            // 16-bit keys are compared against 8-bit pixels by Pillow: they only match below 256.
            if (trans_color->red < 256 && trans_color->green < 256 && trans_color->blue < 256) {
                has_key = 1;
                key[0] = (uint8_t)trans_color->red;
                key[1] = (uint8_t)trans_color->green;
                key[2] = (uint8_t)trans_color->blue;
            }
        }
    }

    // Pillow opens 16-bit gray as mode "I;16"; its convert("RGB") clamps each value to 255
    // (it does not scale). Every other 16-bit layout is unpacked by Pillow with the high byte.
    int gray16 = (color_type == PNG_COLOR_TYPE_GRAY && bit_depth == 16);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (!gray16) {
        if (bit_depth == 16) png_set_strip_16(png);  // keeps the high byte, like Pillow's ";16B" unpackers
        if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
        png_set_strip_alpha(png);
    }
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t rowbytes = png_get_rowbytes(png, info);
    size_t expected = (size_t)width * (gray16 ? 2 : 3);
    if (rowbytes != expected) {
        status->code = SEER_CODEC_UNSUPPORTED;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE,
                 "PNG layout (color type %d, %d bits) does not convert to RGB (%zu bytes per row)",
                 color_type, bit_depth, rowbytes);
        png_destroy_read_struct(&png, &info, NULL);
        return status->code;
    }
    const size_t stride = (size_t)width * 3;
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) {
        status->code = SEER_CODEC_NOMEM;
        snprintf(status->message, SEER_CODEC_MESSAGE_SIZE, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        return status->code;
    }
    for (int32_t y = 0; y < height; y++) rows[y] = out + (size_t)y * stride;
    png_read_image(png, rows);  // handles Adam7 interlacing too

    if (gray16) {
        // Expand each row in place from the right: 2 bytes (big-endian) -> 3 equal bytes.
        for (int32_t y = 0; y < height; y++) {
            uint8_t *row = rows[y];
            for (int32_t x = width - 1; x >= 0; x--) {
                unsigned v = ((unsigned)row[2 * x] << 8) | row[2 * x + 1];
                uint8_t c = (uint8_t)(v > 255 ? 255 : v);
                row[3 * x] = c;
                row[3 * x + 1] = c;
                row[3 * x + 2] = c;
            }
        }
    }
    if (has_key) {
        for (int32_t y = 0; y < height; y++) {
            uint8_t *row = rows[y];
            for (int32_t x = 0; x < width; x++) {
                uint8_t *p = row + (size_t)x * 3;
                if (p[0] == key[0] && p[1] == key[1] && p[2] == key[2]) p[0] = p[1] = p[2] = 255;
            }
        }
    }
    // Trailing chunks (after the image data) are not needed; eXIf is parsed by the caller.
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return SEER_CODEC_OK;
}
