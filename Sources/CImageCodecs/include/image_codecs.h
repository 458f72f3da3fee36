// Image decoders on the field's C libraries, behind one calling convention.
//
// Every decoder is called twice: first with `pixels == NULL` to read the header only (so the
// caller can refuse absurd dimensions before anything is allocated), then with a buffer of
// `width * height * channels` bytes. Errors come back as a status and a message, never by
// `exit()` or by a longjmp into Swift: libjpeg and libpng report errors by longjmp, so those
// stay inside these C files (TurboJPEG and the libpng wrapper below catch them).
#ifndef TRIAGE_IMAGE_CODECS_H
#define TRIAGE_IMAGE_CODECS_H

#include <stddef.h>

typedef struct {
    const unsigned char *data;
    size_t size;
    // JPEG only: decode at 1/scale_denominator of full size (1, 2, 4 or 8); others ignore it.
    int scale_denominator;
} ic_input;

typedef struct {
    int width;          // of the pixels `decode` writes (after any JPEG scaling)
    int height;
    int channels;       // 1 (grey) or 3 (RGB); alpha is never handed over
    int source_width;   // as the file declares them
    int source_height;
} ic_info;

typedef enum {
    IC_OK = 0,
    IC_DAMAGED = 1,     // pixels written, but the decoder warned (e.g. a truncated JPEG: grey fill)
    IC_ERROR = -1       // nothing usable; `message` says why
} ic_status;

typedef ic_status (*ic_decode_fn)(const ic_input *input, ic_info *info, unsigned char *pixels,
                                  char *message, size_t message_size);

ic_status ic_jpeg_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_png_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_gif_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_webp_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_heif_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_tiff_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);
ic_status ic_bmp_decode(const ic_input *, ic_info *, unsigned char *, char *, size_t);

// RGB to JPEG (TurboJPEG) for display only; 0 on success. Free `*output` with ic_free.
int ic_jpeg_encode(const unsigned char *rgb, int width, int height, int quality,
                   unsigned char **output, unsigned long *output_size);
void ic_free(unsigned char *buffer);

// Library versions, for reports.
const char *ic_versions(void);

#endif
