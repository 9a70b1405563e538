// JPEG through libjpeg-turbo: errors longjmp back to the setjmp in ember_jpeg_read and become a
// status; the warning that the data ended early (libjpeg pads with a fake end marker and goes
// on) makes the image TRUNCATED rather than half grey.
#include "ember_image.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    ember_image_info *info;
    int truncated;
} jpeg_errors;

typedef struct {
    struct jpeg_progress_mgr pub;
    int max_scans;
} jpeg_progress;

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_errors *e = (jpeg_errors *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    snprintf(e->info->message, sizeof e->info->message, "%s", text);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    jpeg_errors *e = (jpeg_errors *)cinfo->err;
    if (level < 0) {
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) e->truncated = 1;
        cinfo->err->num_warnings++;
    }
}

static void on_progress(j_common_ptr cinfo) {
    if (cinfo->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        jpeg_progress *p = (jpeg_progress *)cinfo->progress;
        if (d->input_scan_number > p->max_scans) {
            jpeg_errors *e = (jpeg_errors *)cinfo->err;
            snprintf(e->info->message, sizeof e->info->message, "more than %d progressive scans", p->max_scans);
            longjmp(e->jump, 1);
        }
    }
}

int ember_jpeg_read(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, int max_scans, ember_image_info *info) {
    memset(info, 0, sizeof *info);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        info->status = EMBER_IMAGE_CORRUPT;
        snprintf(info->message, sizeof info->message, "not a JPEG file (it does not start with the bytes ff d8 ff)");
        return info->status;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_errors errors;
    jpeg_progress progress;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&errors.pub);
    errors.pub.error_exit = on_error_exit;
    errors.pub.emit_message = on_message;
    errors.info = info;
    errors.truncated = 0;
    progress.pub.progress_monitor = on_progress;
    progress.max_scans = max_scans;
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&cinfo);
        info->status = errors.truncated ? EMBER_IMAGE_TRUNCATED : EMBER_IMAGE_CORRUPT;
        return info->status;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress.pub;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
        info->channels = 1;
    } else if (cmyk) {
        cinfo.out_color_space = JCS_CMYK;
        info->channels = 3;
    } else {
        cinfo.out_color_space = JCS_RGB;
        info->channels = 3;
    }
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    info->source_bits = cinfo.data_precision;
    info->source_kind = cinfo.jpeg_color_space;
    info->progressive = cinfo.progressive_mode;
    if (errors.truncated) {
        jpeg_destroy_decompress(&cinfo);
        info->status = EMBER_IMAGE_TRUNCATED;
        snprintf(info->message, sizeof info->message, "the file ends inside the header");
        return info->status;
    }
    if (out == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return EMBER_IMAGE_OK;
    }
    jpeg_start_decompress(&cinfo);
    size_t rowbytes = (size_t)cinfo.output_width * (size_t)info->channels;
    if (cinfo.output_width != info->width || cinfo.output_height != info->height ||
        cinfo.output_components != (cmyk ? 4 : info->channels) || (info->height > 0 && out_size / info->height < rowbytes)) {
        jpeg_destroy_decompress(&cinfo);
        info->status = EMBER_IMAGE_CORRUPT;
        snprintf(info->message, sizeof info->message, "decoded size %ux%u does not match the header", cinfo.output_width, cinfo.output_height);
        return info->status;
    }
    JSAMPARRAY cmyk_row = cmyk ? (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, cinfo.output_width * 4, 1) : NULL;
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *row = out + (size_t)cinfo.output_scanline * rowbytes;
        if (!cmyk) {
            JSAMPROW rows[1] = {row};
            if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) break;
        } else {
            if (jpeg_read_scanlines(&cinfo, cmyk_row, 1) != 1) break;
            // Adobe's CMYK JPEGs store inverted inks: R = C·K / 255 (as PIL converts them).
            const uint8_t *p = cmyk_row[0];
            for (JDIMENSION x = 0; x < cinfo.output_width; x++) {
                unsigned k = p[4 * x + 3];
                row[3 * x + 0] = (uint8_t)((p[4 * x + 0] * k + 127) / 255);
                row[3 * x + 1] = (uint8_t)((p[4 * x + 1] * k + 127) / 255);
                row[3 * x + 2] = (uint8_t)((p[4 * x + 2] * k + 127) / 255);
            }
        }
        if (errors.truncated) break;
    }
    if (errors.truncated || cinfo.output_scanline < cinfo.output_height) {
        jpeg_destroy_decompress(&cinfo);
        info->status = EMBER_IMAGE_TRUNCATED;
        snprintf(info->message, sizeof info->message, "the file ends before the image data does (%u of %u rows decoded)",
                 cinfo.output_scanline, cinfo.output_height);
        return info->status;
    }
    jpeg_finish_decompress(&cinfo);
    int truncated_at_end = errors.truncated;
    jpeg_destroy_decompress(&cinfo);
    if (truncated_at_end) {
        info->status = EMBER_IMAGE_TRUNCATED;
        snprintf(info->message, sizeof info->message, "the file ends before its end-of-image marker");
        return info->status;
    }
    return EMBER_IMAGE_OK;
}
