// PNG through libpng's full API. libpng reports errors by longjmp; the jump lands in this
// file's setjmp and never crosses Swift frames.
#include <setjmp.h>
#include <stdlib.h>
#include <png.h>
#include "common.h"

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    jmp_buf jump;
    char error[200];
} png_source;

static void png_on_error(png_structp png, png_const_charp text) {
    png_source *source = png_get_error_ptr(png);
    snprintf(source->error, sizeof source->error, "%s", text);
    longjmp(source->jump, 1);
}

// Warnings are about ancillary chunks (a known-bad sRGB profile, say), never the pixels.
static void png_on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void png_on_read(png_structp png, png_bytep out, png_size_t length) {
    png_source *source = png_get_io_ptr(png);
    if (length > source->size - source->offset) png_error(png, "file ends inside the image data (truncated)");
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

ic_status ic_png_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    png_source source = {.data = in->data, .size = in->size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_on_error, png_on_warning);
    png_infop png_info = png ? png_create_info_struct(png) : NULL;
    if (!png_info) {
        png_destroy_read_struct(&png, NULL, NULL);
        ic_message(message, message_size, "libpng could not start");
        return IC_ERROR;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(source.jump)) {
        free(rows);
        png_destroy_read_struct(&png, &png_info, NULL);
        ic_message(message, message_size, source.error);
        return IC_ERROR;
    }
    png_set_read_fn(png, &source, png_on_read);
    // Dimensions are judged by the caller against its own limit, before any allocation.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, png_info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, colour_type = 0;
    png_get_IHDR(png, png_info, &width, &height, &depth, &colour_type, NULL, NULL, NULL);
    int grey = (colour_type & PNG_COLOR_MASK_COLOR) == 0;
    ic_set_info(info, (int)width, (int)height, grey ? 1 : 3);
    if (!pixels) {
        png_destroy_read_struct(&png, &png_info, NULL);
        return IC_OK;
    }

    if (colour_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (grey && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_scale_16(png);          // rounds v * 255 / 65535, as ImageMagick does
    png_set_strip_alpha(png);                         // dropped, not composited (the reference does this)
    png_set_interlace_handling(png);
    png_read_update_info(png, png_info);
    if (png_get_rowbytes(png, png_info) != (size_t)width * (grey ? 1 : 3)) png_error(png, "unexpected row layout after transforms");

    rows = malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory for row pointers");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * width * (grey ? 1 : 3);
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    rows = NULL;
    png_destroy_read_struct(&png, &png_info, NULL);
    return IC_OK;
}
