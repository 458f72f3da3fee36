#define _GNU_SOURCE
#include "sixel_encoder.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sixel/sixel.h>
#include <stdio.h>

static struct {
    void *library;
    SIXELSTATUS (*output_new)(sixel_output_t **, sixel_write_function, void *, sixel_allocator_t *);
    void (*output_unref)(sixel_output_t *);
    SIXELSTATUS (*dither_new)(sixel_dither_t **, int, sixel_allocator_t *);
    SIXELSTATUS (*dither_initialize)(sixel_dither_t *, unsigned char *, int, int, int, int, int, int);
    void (*dither_unref)(sixel_dither_t *);
    SIXELSTATUS (*encode)(unsigned char *, int, int, int, sixel_dither_t *, sixel_output_t *);
} lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    lib.library = dlopen("libsixel.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!lib.library) return;
    *(void **)&lib.output_new = dlsym(lib.library, "sixel_output_new");
    *(void **)&lib.output_unref = dlsym(lib.library, "sixel_output_unref");
    *(void **)&lib.dither_new = dlsym(lib.library, "sixel_dither_new");
    *(void **)&lib.dither_initialize = dlsym(lib.library, "sixel_dither_initialize");
    *(void **)&lib.dither_unref = dlsym(lib.library, "sixel_dither_unref");
    *(void **)&lib.encode = dlsym(lib.library, "sixel_encode");
}

typedef struct { sixel_sink sink; void *context; } writer;

static int write_out(char *data, int size, void *priv) {
    writer *w = priv;
    w->sink(data, (size_t)size, w->context);
    return size;
}

int sixel_encode_rgb(const unsigned char *rgb, int width, int height, sixel_sink sink, void *context,
                     char *message, size_t message_size) {
    pthread_once(&once, load);
    if (!lib.library || !lib.output_new || !lib.output_unref || !lib.dither_new || !lib.dither_initialize
        || !lib.dither_unref || !lib.encode) {
        snprintf(message, message_size, "libsixel.so.1 is not installed (Debian: libsixel1)");
        return -1;
    }
    writer w = {sink, context};
    sixel_output_t *output = NULL;
    sixel_dither_t *dither = NULL;
    int result = -1;
    if (SIXEL_FAILED(lib.output_new(&output, write_out, &w, NULL))) goto done;
    if (SIXEL_FAILED(lib.dither_new(&dither, 256, NULL))) goto done;
    if (SIXEL_FAILED(lib.dither_initialize(dither, (unsigned char *)rgb, width, height, SIXEL_PIXELFORMAT_RGB888,
                                           SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO))) goto done;
    if (SIXEL_FAILED(lib.encode((unsigned char *)rgb, width, height, 3, dither, output))) goto done;
    result = 0;
done:
    if (result != 0) snprintf(message, message_size, "libsixel could not encode a %dx%d picture", width, height);
    if (dither) lib.dither_unref(dither);
    if (output) lib.output_unref(output);
    return result;
}
