// C decoding loops for libjpeg and libpng.
//
// Both libraries report fatal errors by longjmp, which Swift cannot survive. These wrappers
// own the setjmp points and turn every failure into a status code plus a one-line message.
// The caller parses the header first (seer_*_info), checks the size against its limits,
// allocates width*height*3 bytes, and then decodes straight into that buffer.
#ifndef SEER_CIMAGECODECS_H
#define SEER_CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SEER_CODEC_OK = 0,
    SEER_CODEC_TRUNCATED = 1,   // the data ends before the image does
    SEER_CODEC_CORRUPT = 2,     // the library rejected the data
    SEER_CODEC_UNSUPPORTED = 3, // valid but a layout we cannot turn into RGB
    SEER_CODEC_MISMATCH = 4,    // the header does not match the size the caller allocated for
    SEER_CODEC_NOMEM = 5,
};

#define SEER_CODEC_MESSAGE_SIZE 256

typedef struct {
    int32_t code;
    char message[SEER_CODEC_MESSAGE_SIZE];
} seer_codec_status;

typedef struct {
    int32_t width;
    int32_t height;
    int32_t components;   // JPEG: components in the file (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK)
    int32_t progressive;  // JPEG only
    int32_t bit_depth;    // PNG only
    int32_t color_type;   // PNG only
    int32_t interlaced;   // PNG only
} seer_image_info;

/// Reads the JPEG header only (markers up to the first scan).
int seer_jpeg_info(const uint8_t *data, size_t size, seer_image_info *info, seer_codec_status *status);

/// Decodes a JPEG to RGB8 into `out` (width*height*3 bytes; width/height must equal the header's).
/// Uses libjpeg's defaults (ISLOW IDCT, fancy upsampling) like Pillow. Gray is replicated to RGB;
/// CMYK/YCCK is converted with Pillow's formula (Adobe-inverted CMYK, then PIL's cmyk2rgb).
/// "Premature end of JPEG file" is an error, not a warning.
int seer_jpeg_decode(const uint8_t *data, size_t size, uint8_t *out, int32_t width, int32_t height,
                     seer_codec_status *status);

/// Reads the PNG header (chunks up to the first IDAT).
int seer_png_info(const uint8_t *data, size_t size, seer_image_info *info, seer_codec_status *status);

/// Decodes a PNG to RGB8 into `out` (width*height*3 bytes). Alpha is dropped, palettes expanded,
/// 1/2/4-bit gray scaled to 8 bits, 16-bit color/gray+alpha samples keep their high byte,
/// 16-bit gray (no alpha) is clamped to 255 (what Pillow's I;16 -> RGB conversion does).
/// A tRNS chunk naming one transparent color turns pixels of that color white, as
/// transformers' load_image + convert_to_rgb do (see png.c).
int seer_png_decode(const uint8_t *data, size_t size, uint8_t *out, int32_t width, int32_t height,
                    seer_codec_status *status);

/// Encodes RGB8 pixels (width*height*3 bytes, rows top to bottom) as an 8-bit RGB PNG into a
/// buffer allocated with malloc (*out, *out_size); the caller frees it with free().
int seer_png_encode(const uint8_t *rgb, int32_t width, int32_t height, uint8_t **out, size_t *out_size,
                    seer_codec_status *status);

#ifdef __cplusplus
}
#endif

#endif
