#ifndef TRIAGE_IMAGE_CODECS_COMMON_H
#define TRIAGE_IMAGE_CODECS_COMMON_H
#include <stdio.h>
#include <string.h>
#include "image_codecs.h"

static inline void ic_message(char *message, size_t size, const char *text) {
    if (message && size) snprintf(message, size, "%s", text ? text : "unknown error");
}

static inline void ic_set_info(ic_info *info, int width, int height, int channels) {
    info->width = width;
    info->height = height;
    info->channels = channels;
    info->source_width = width;
    info->source_height = height;
}

// Copies 8-bit RGB(A)/grey rows into the caller's buffer, dropping alpha without compositing.
static inline void ic_copy_pixels(unsigned char *out, const unsigned char *in, int width, int height,
                                  size_t in_stride, int in_channels, int out_channels) {
    for (int y = 0; y < height; y++) {
        const unsigned char *row = in + (size_t)y * in_stride;
        unsigned char *dst = out + (size_t)y * width * out_channels;
        if (in_channels == out_channels) {
            memcpy(dst, row, (size_t)width * out_channels);
        } else {
            for (int x = 0; x < width; x++)
                for (int c = 0; c < out_channels; c++) dst[x * out_channels + c] = row[x * in_channels + c];
        }
    }
}
#endif
