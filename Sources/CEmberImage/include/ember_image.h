// Image decoding and encoding through libpng and libjpeg-turbo, with their longjmp error
// handling kept on the C side: every function returns a status and a message instead of
// unwinding through Swift frames. EmberVision's Swift code is the only caller.
#ifndef EMBER_IMAGE_H
#define EMBER_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum {
    EMBER_IMAGE_OK = 0,
    EMBER_IMAGE_TRUNCATED = 1,   // the data ends before the image does
    EMBER_IMAGE_CORRUPT = 2,     // not a valid file of the format (the message says why)
    EMBER_IMAGE_UNSUPPORTED = 3, // valid, but a kind Ember does not decode
    EMBER_IMAGE_NO_MEMORY = 4,   // the library could not allocate
};

typedef struct {
    int status;
    uint32_t width, height;
    int channels;        // channels of the decoded pixels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA)
    int source_bits;     // the file's bit depth per sample
    int source_kind;     // PNG: the IHDR colour type; JPEG: libjpeg's J_COLOR_SPACE of the file
    int progressive;     // PNG: interlaced (Adam7); JPEG: progressive
    char message[200];
} ember_image_info;

// Reads a PNG's header into `info` (out == NULL), or decodes it into `out`: height rows of
// width * channels bytes, channels interleaved (8 bits: palette -> RGB, or RGBA with a tRNS
// chunk; gray below 8 bits -> 8 bits; 16 bits -> 8 bits, rounded).
int ember_png_read(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, ember_image_info *info);

// The same for a JPEG (grayscale -> 1 channel, everything else -> RGB; CMYK as Adobe writes
// it, inverted). A stream that ends early is TRUNCATED; more than max_scans progressive scans
// is CORRUPT (a CPU bomb, never a real photo).
int ember_jpeg_read(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, int max_scans, ember_image_info *info);

// Encodes height rows of width * channels interleaved 8-bit samples (1, 2, 3 or 4 channels) as
// a PNG. On success *out holds malloc'ed bytes (free them with ember_image_free).
int ember_png_write(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int compression,
                    uint8_t **out, size_t *out_size, char *message, size_t message_size);

void ember_image_free(void *p);

#endif
