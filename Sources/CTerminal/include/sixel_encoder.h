// Sixel encoding by libsixel, loaded only when sixel output is used.
//
// libsixel 1.10 exports its own copy of stb_image (stbi_*, with its own allocator); linked
// into triage beside libstb (the BMP decoder) the two copies collide and the heap is
// corrupted. So libsixel is opened with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): its symbols stay
// private and it uses its own.
#ifndef TRIAGE_SIXEL_ENCODER_H
#define TRIAGE_SIXEL_ENCODER_H

#include <stddef.h>

typedef void (*sixel_sink)(const char *data, size_t size, void *context);

// Encodes RGB pixels as sixel (256-colour dither) and hands the bytes to `sink`. Returns 0,
// or -1 when libsixel is missing (`message` says so) or refuses the image.
int sixel_encode_rgb(const unsigned char *rgb, int width, int height, sixel_sink sink, void *context,
                     char *message, size_t message_size);

#endif
