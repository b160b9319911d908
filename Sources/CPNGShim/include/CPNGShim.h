// Reads a PNG held in memory through libpng's regular API. libpng reports errors by
// calling a handler that must not return, which in practice means longjmp; jumping over
// Swift frames is undefined, so every libpng call and the setjmp that catches its errors
// live in this C file, and Swift only sees return codes and a message.

#ifndef CALIB_PNG_SHIM_H
#define CALIB_PNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// A PNG being read; create with calib_png_open, release with calib_png_close.
typedef struct calib_png_reader calib_png_reader;

/// The layout calib_png_read_pixels writes: rows top to bottom, no padding, samples in
/// the file's channel order (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), 16-bit samples big-endian.
/// Palettes are expanded to RGB (RGBA when the file has tRNS) and 1, 2 and 4-bit grey is
/// scaled to 8 bits (x255, x85, x17); gAMA, sRGB, iCCP and bKGD are not applied.
typedef struct calib_png_layout {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t bit_depth;  // 8 or 16
} calib_png_layout;

/// Starts reading `size` bytes at `data` (not copied: they must outlive the reader).
/// NULL only when memory runs out.
calib_png_reader *calib_png_open(const uint8_t *data, size_t size);

/// Reads the header up to the image data and fills `layout`; 0 on success.
int calib_png_read_layout(calib_png_reader *reader, calib_png_layout *layout);

/// Decodes all rows into `pixels` (height * width * channels * bit_depth / 8 bytes), then
/// reads the chunks after the image data; 0 on success. Call after calib_png_read_layout.
int calib_png_read_pixels(calib_png_reader *reader, uint8_t *pixels);

/// The payload of the eXIf chunk (before or after the image data), or NULL; valid until
/// calib_png_close. `size` receives its length.
const uint8_t *calib_png_exif(calib_png_reader *reader, size_t *size);

/// libpng's message for the last failure (empty when none).
const char *calib_png_message(const calib_png_reader *reader);

/// Releases everything the reader holds; NULL is allowed.
void calib_png_close(calib_png_reader *reader);

#endif
