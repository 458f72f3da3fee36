// TIFF through libtiff, reading from memory with per-handle error handlers (libtiff 4.5), so
// messages reach the caller instead of stderr and no global handler is shared between threads.
#include <stdlib.h>
#include <tiffio.h>
#include "common.h"

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char error[200];
    int failed;
} tiff_source;

static tmsize_t tiff_read(thandle_t handle, void *out, tmsize_t length) {
    tiff_source *source = handle;
    size_t available = source->offset < source->size ? source->size - source->offset : 0;
    size_t count = (size_t)length < available ? (size_t)length : available;
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
    return (tmsize_t)count;
}

static tmsize_t tiff_write(thandle_t handle, void *in, tmsize_t length) {
    (void)handle; (void)in; (void)length;
    return 0;   // evidence is never written
}

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    tiff_source *source = handle;
    size_t base = whence == SEEK_CUR ? source->offset : whence == SEEK_END ? source->size : 0;
    source->offset = base + (size_t)offset;
    return (toff_t)source->offset;
}

static int tiff_close(thandle_t handle) { (void)handle; return 0; }
static toff_t tiff_size(thandle_t handle) { return (toff_t)((tiff_source *)handle)->size; }
static int tiff_map(thandle_t handle, void **base, toff_t *size) { (void)handle; (void)base; (void)size; return 0; }
static void tiff_unmap(thandle_t handle, void *base, toff_t size) { (void)handle; (void)base; (void)size; }

static int tiff_on_error(TIFF *tiff, void *user, const char *module, const char *format, va_list args) {
    (void)tiff; (void)module;
    tiff_source *source = user;
    if (!source->failed) vsnprintf(source->error, sizeof source->error, format, args);
    source->failed = 1;
    return 1;
}

static int tiff_on_warning(TIFF *tiff, void *user, const char *module, const char *format, va_list args) {
    (void)tiff; (void)user; (void)module; (void)format; (void)args;
    return 1;   // unknown tags and the like: not about the pixels
}

ic_status ic_tiff_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    tiff_source source = {.data = in->data, .size = in->size};
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, tiff_on_error, &source);
    TIFFOpenOptionsSetWarningHandlerExtR(options, tiff_on_warning, &source);
    TIFF *tiff = TIFFClientOpenExt("evidence", "rm", &source, tiff_read, tiff_write, tiff_seek, tiff_close,
                                   tiff_size, tiff_map, tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    if (!tiff) {
        ic_message(message, message_size, source.failed ? source.error : "not a readable TIFF");
        return IC_ERROR;
    }
    uint32_t width = 0, height = 0;
    uint16_t samples = 1, extra = 0, photometric = PHOTOMETRIC_RGB;
    uint16_t *extra_types = NULL;
    TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra, &extra_types);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_PHOTOMETRIC, &photometric);
    int grey = (photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE) && samples - extra == 1;
    ic_set_info(info, (int)width, (int)height, grey ? 1 : 3);
    if (!pixels || width == 0 || height == 0) {
        TIFFClose(tiff);
        if (pixels) { ic_message(message, message_size, "TIFF has no pixels"); return IC_ERROR; }
        return IC_OK;
    }
    // libtiff's RGBA interface handles every photometric, bit depth and compression it knows.
    // Zeroed: strips a damaged file cannot supply stay black, never leftover memory.
    uint32_t *raster = calloc((size_t)width * height, sizeof(uint32_t));
    if (!raster) {
        TIFFClose(tiff);
        ic_message(message, message_size, "out of memory for TIFF pixels");
        return IC_ERROR;
    }
    int complete = TIFFReadRGBAImageOriented(tiff, width, height, raster, ORIENTATION_TOPLEFT, 0);
    ic_status status = IC_OK;
    if (!complete && !source.failed) {
        ic_message(message, message_size, "TIFF pixels could not be read");
        status = IC_ERROR;
    } else {
        size_t count = (size_t)width * height;
        for (size_t i = 0; i < count; i++) {
            uint32_t p = raster[i];
            if (grey) {
                pixels[i] = (unsigned char)TIFFGetR(p);
            } else {
                pixels[3 * i] = (unsigned char)TIFFGetR(p);
                pixels[3 * i + 1] = (unsigned char)TIFFGetG(p);
                pixels[3 * i + 2] = (unsigned char)TIFFGetB(p);
            }
        }
        if (source.failed) {     // partly read: what was readable is kept
            ic_message(message, message_size, source.error);
            status = IC_DAMAGED;
        }
    }
    free(raster);
    TIFFClose(tiff);
    return status;
}
