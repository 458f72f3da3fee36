// JPEG through the TurboJPEG API: it catches libjpeg's longjmp errors itself and returns codes.
#include <stdlib.h>
#include <turbojpeg.h>
#include "common.h"

// Adobe writes CMYK/YCCK JPEGs inverted (an APP14 "Adobe" marker); libjpeg hands the stored
// values over unchanged, so the inversion is undone here before the usual CMYK → RGB.
static int has_adobe_marker(const unsigned char *data, size_t size) {
    size_t i = 2;
    while (i + 4 <= size && data[i] == 0xFF) {
        unsigned marker = data[i + 1];
        if (marker == 0xDA || marker == 0xD9) break;      // start of scan / end of image
        size_t length = ((size_t)data[i + 2] << 8) | data[i + 3];
        if (marker == 0xEE && length >= 7 && i + 9 <= size && memcmp(data + i + 4, "Adobe", 5) == 0) return 1;
        i += 2 + length;
    }
    return 0;
}

// A fresh decompressor for every call. A reused one keeps the Huffman and quantisation tables
// of the images it decoded before: a damaged JPEG left it failing valid ones ("Bogus Huffman
// table definition"), and a JPEG without tables of its own would have been decoded with the
// previous file's. Setting one up costs about 0.2 us (measured; decoding a 160x120 JPEG: 44 us).
static ic_status decode(tjhandle handle, const ic_input *in, ic_info *info, unsigned char *pixels, char *message,
                        size_t message_size);

ic_status ic_jpeg_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    tjhandle handle = tjInitDecompress();
    if (!handle) {
        ic_message(message, message_size, tjGetErrorStr2(NULL));
        return IC_ERROR;
    }
    ic_status status = decode(handle, in, info, pixels, message, message_size);
    tjDestroy(handle);
    return status;
}

static ic_status decode(tjhandle handle, const ic_input *in, ic_info *info, unsigned char *pixels, char *message,
                        size_t message_size) {
    int width = 0, height = 0, subsampling = 0, colourspace = 0;
    if (tjDecompressHeader3(handle, in->data, (unsigned long)in->size, &width, &height, &subsampling, &colourspace) != 0) {
        ic_message(message, message_size, tjGetErrorStr2(handle));
        return IC_ERROR;
    }
    int denominator = in->scale_denominator;
    if (denominator != 2 && denominator != 4 && denominator != 8) denominator = 1;
    int scaled_width = (width + denominator - 1) / denominator;     // TJSCALED with 1/denominator
    int scaled_height = (height + denominator - 1) / denominator;
    int grey = colourspace == TJCS_GRAY;
    int cmyk = colourspace == TJCS_CMYK || colourspace == TJCS_YCCK;
    ic_set_info(info, scaled_width, scaled_height, grey ? 1 : 3);
    info->source_width = width;
    info->source_height = height;
    if (!pixels) return IC_OK;

    unsigned char *target = pixels;
    if (cmyk) {
        target = malloc((size_t)scaled_width * scaled_height * 4);
        if (!target) {
            ic_message(message, message_size, "out of memory for CMYK pixels");
            return IC_ERROR;
        }
    }
    int format = grey ? TJPF_GRAY : (cmyk ? TJPF_CMYK : TJPF_RGB);
    ic_status status = IC_OK;
    // TJFLAG_LIMITSCANS: a progressive JPEG of more than 500 scans is refused. Each scan costs a
    // pass over the whole image, so a small hostile file of repeated scans would otherwise keep a
    // worker busy for minutes (libjpeg-turbo's "Two Issues with the JPEG Standard"); real encoders
    // write about 10.
    if (tjDecompress2(handle, in->data, (unsigned long)in->size, target, scaled_width, 0, scaled_height, format,
                      TJFLAG_LIMITSCANS) != 0) {
        status = tjGetErrorCode(handle) == TJERR_WARNING ? IC_DAMAGED : IC_ERROR;
        ic_message(message, message_size, tjGetErrorStr2(handle));
    }
    if (cmyk) {
        if (status != IC_ERROR) {
            int inverted = has_adobe_marker(in->data, in->size);
            size_t count = (size_t)scaled_width * scaled_height;
            for (size_t i = 0; i < count; i++) {
                unsigned c = target[4 * i], m = target[4 * i + 1], y = target[4 * i + 2], k = target[4 * i + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
                // Now each value is "amount of ink absent": R = (1 - C)(1 - K), rounded.
                pixels[3 * i] = (unsigned char)((c * k + 127) / 255);
                pixels[3 * i + 1] = (unsigned char)((m * k + 127) / 255);
                pixels[3 * i + 2] = (unsigned char)((y * k + 127) / 255);
            }
        }
        free(target);
    }
    return status;
}

// Encodes RGB pixels as a baseline JPEG for a terminal that shows only files (iTerm2's inline
// images). The caller frees `*output` with ic_free.
int ic_jpeg_encode(const unsigned char *rgb, int width, int height, int quality,
                   unsigned char **output, unsigned long *output_size) {
    tjhandle handle = tjInitCompress();
    if (!handle) return -1;
    *output = NULL;
    *output_size = 0;
    int status = tjCompress2(handle, rgb, width, 0, height, TJPF_RGB, output, output_size, TJSAMP_420, quality, TJFLAG_FASTDCT);
    tjDestroy(handle);
    return status == 0 ? 0 : -1;
}

void ic_free(unsigned char *buffer) { tjFree(buffer); }
