// PNG through libpng: errors longjmp back to the setjmp in each function and become a status.
#include "ember_image.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    int truncated;
    ember_image_info *info;
} png_source;

static void read_bytes(png_structp png, png_bytep out, size_t n) {
    png_source *s = (png_source *)png_get_io_ptr(png);
    if (n > s->size - s->pos) {
        s->truncated = 1;
        png_error(png, "the file ends before the image data does");
    }
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
}

static void on_error(png_structp png, png_const_charp message) {
    png_source *s = (png_source *)png_get_error_ptr(png);
    snprintf(s->info->message, sizeof s->info->message, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

int ember_png_read(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, ember_image_info *info) {
    memset(info, 0, sizeof *info);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        info->status = EMBER_IMAGE_CORRUPT;
        snprintf(info->message, sizeof info->message, "not a PNG file (the first 8 bytes are not the PNG signature)");
        return info->status;
    }
    png_source source = {data, size, 8, 0, info};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_error, on_warning);
    png_infop pi = png ? png_create_info_struct(png) : NULL;
    if (!pi) {
        png_destroy_read_struct(&png, NULL, NULL);
        info->status = EMBER_IMAGE_NO_MEMORY;
        snprintf(info->message, sizeof info->message, "libpng could not allocate its state");
        return info->status;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &pi, NULL);
        info->status = source.truncated ? EMBER_IMAGE_TRUNCATED : EMBER_IMAGE_CORRUPT;
        return info->status;
    }
    png_set_read_fn(png, &source, read_bytes);
    png_set_sig_bytes(png, 8);
    // The caller limits the pixel count; libpng's own limit (1e6 per side) stays as a backstop.
    png_read_info(png, pi);
    png_uint_32 width = 0, height = 0;
    int bits = 0, color = 0, interlace = 0;
    png_get_IHDR(png, pi, &width, &height, &bits, &color, &interlace, NULL, NULL);
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
        if (png_get_valid(png, pi, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    }
    if ((color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) && bits < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (bits == 16) png_set_scale_16(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, pi);
    info->width = width;
    info->height = height;
    info->channels = png_get_channels(png, pi);
    info->source_bits = bits;
    info->source_kind = color;
    info->progressive = interlace != PNG_INTERLACE_NONE;
    size_t rowbytes = png_get_rowbytes(png, pi);
    if (out == NULL) {
        png_destroy_read_struct(&png, &pi, NULL);
        return EMBER_IMAGE_OK;
    }
    if (rowbytes != (size_t)width * (size_t)info->channels || (height > 0 && out_size / height < rowbytes)) {
        png_destroy_read_struct(&png, &pi, NULL);
        info->status = EMBER_IMAGE_CORRUPT;
        snprintf(info->message, sizeof info->message, "decoded rows of %zu bytes do not fit the %zu-byte buffer", rowbytes, out_size);
        return info->status;
    }
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < height; y++) png_read_row(png, out + (size_t)y * rowbytes, NULL);
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &pi, NULL);
    return EMBER_IMAGE_OK;
}

typedef struct {
    uint8_t *bytes;
    size_t size, capacity;
    int failed;
    char *message;
    size_t message_size;
} png_sink;

static void write_bytes(png_structp png, png_bytep data, size_t n) {
    png_sink *s = (png_sink *)png_get_io_ptr(png);
    if (n > s->capacity - s->size) {
        size_t capacity = s->capacity ? s->capacity : 4096;
        while (capacity - s->size < n) {
            if (capacity > SIZE_MAX / 2) png_error(png, "the encoded image is too large");
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(s->bytes, capacity);
        if (!grown) png_error(png, "out of memory");
        s->bytes = grown;
        s->capacity = capacity;
    }
    memcpy(s->bytes + s->size, data, n);
    s->size += n;
}

static void flush_nothing(png_structp png) { (void)png; }

static void on_write_error(png_structp png, png_const_charp message) {
    png_sink *s = (png_sink *)png_get_error_ptr(png);
    snprintf(s->message, s->message_size, "%s", message);
    png_longjmp(png, 1);
}

int ember_png_write(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int compression,
                    uint8_t **out, size_t *out_size, char *message, size_t message_size) {
    static const int colour[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    *out = NULL;
    *out_size = 0;
    if (channels < 1 || channels > 4) {
        snprintf(message, message_size, "a PNG holds 1 to 4 channels, not %d", channels);
        return EMBER_IMAGE_UNSUPPORTED;
    }
    png_sink sink = {NULL, 0, 0, 0, message, message_size};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_write_error, on_warning);
    png_infop pi = png ? png_create_info_struct(png) : NULL;
    if (!pi) {
        png_destroy_write_struct(&png, NULL);
        snprintf(message, message_size, "libpng could not allocate its state");
        return EMBER_IMAGE_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &pi);
        free(sink.bytes);
        return EMBER_IMAGE_CORRUPT;
    }
    png_set_write_fn(png, &sink, write_bytes, flush_nothing);
    png_set_IHDR(png, pi, width, height, 8, colour[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, compression);
    png_write_info(png, pi);
    size_t rowbytes = (size_t)width * (size_t)channels;
    for (uint32_t y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * rowbytes);
    png_write_end(png, pi);
    png_destroy_write_struct(&png, &pi);
    *out = sink.bytes;
    *out_size = sink.size;
    return EMBER_IMAGE_OK;
}

void ember_image_free(void *p) { free(p); }
