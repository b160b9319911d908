// See CPNGShim.h for why this exists. Each entry point sets its own setjmp before calling
// libpng; the error handler records the message and longjmps back to it, so a failure
// unwinds only C frames. State that must survive the jump lives in the heap-allocated
// reader, never in locals changed after setjmp.

#include "CPNGShim.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct calib_png_reader {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    size_t row_bytes;
    uint32_t height;
    int passes;
    char message[160];
};

static void on_error(png_structp png, png_const_charp text) {
    calib_png_reader *reader = png_get_error_ptr(png);
    strncpy(reader->message, text ? text : "unknown libpng error", sizeof reader->message - 1);
    reader->message[sizeof reader->message - 1] = '\0';
    png_longjmp(png, 1);
}

// Warnings (bad CRCs in ancillary chunks, invalid eXIf, ...) are not errors for the
// reference readers either; they are dropped instead of printed.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void read_bytes(png_structp png, png_bytep out, size_t count) {
    calib_png_reader *reader = png_get_io_ptr(png);
    if (count > reader->size - reader->offset) {
        png_error(png, "unexpected end of data");
    }
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

calib_png_reader *calib_png_open(const uint8_t *data, size_t size) {
    calib_png_reader *reader = calloc(1, sizeof *reader);
    if (!reader) return NULL;
    reader->data = data;
    reader->size = size;
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_error, on_warning);
    if (reader->png) reader->info = png_create_info_struct(reader->png);
    if (!reader->png || !reader->info) {
        calib_png_close(reader);
        return NULL;
    }
    png_set_read_fn(reader->png, reader, read_bytes);
    return reader;
}

int calib_png_read_layout(calib_png_reader *reader, calib_png_layout *layout) {
    png_structp png = reader->png;
    png_infop info = reader->info;
    if (setjmp(png_jmpbuf(png))) return -1;
    png_read_info(png, info);
    int colour = png_get_color_type(png, info);
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
    reader->passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    layout->width = png_get_image_width(png, info);
    layout->height = png_get_image_height(png, info);
    layout->channels = png_get_channels(png, info);
    layout->bit_depth = png_get_bit_depth(png, info);
    reader->row_bytes = png_get_rowbytes(png, info);
    reader->height = layout->height;
    return 0;
}

int calib_png_read_pixels(calib_png_reader *reader, uint8_t *pixels) {
    png_structp png = reader->png;
    if (setjmp(png_jmpbuf(png))) return -1;
    for (int pass = 0; pass < reader->passes; pass++) {
        for (uint32_t row = 0; row < reader->height; row++) {
            png_read_row(png, pixels + (size_t)row * reader->row_bytes, NULL);
        }
    }
    png_read_end(png, reader->info);
    return 0;
}

const uint8_t *calib_png_exif(calib_png_reader *reader, size_t *size) {
    png_uint_32 count = 0;
    png_bytep exif = NULL;
    *size = 0;
    if (setjmp(png_jmpbuf(reader->png))) return NULL;
    if (!png_get_eXIf_1(reader->png, reader->info, &count, &exif) || !exif) return NULL;
    *size = count;
    return exif;
}

const char *calib_png_message(const calib_png_reader *reader) {
    return reader->message;
}

void calib_png_close(calib_png_reader *reader) {
    if (!reader) return;
    if (reader->png) png_destroy_read_struct(&reader->png, reader->info ? &reader->info : NULL, NULL);
    free(reader);
}
