#include <jconfig.h>
#include <png.h>
#include <gif_lib.h>
#include <tiffio.h>
#include <webp/decode.h>
#include <libheif/heif.h>
#include "common.h"

#define IC_STRING(x) #x
#define IC_EXPAND(x) IC_STRING(x)
#define TRIAGE_TURBOJPEG_VERSION IC_EXPAND(LIBJPEG_TURBO_VERSION)

const char *ic_versions(void) {
    static char text[400];
    int webp = WebPGetDecoderVersion();
    const char *tiff = TIFFGetVersion();   // "LIBTIFF, Version 4.5.0\n…"
    const char *number = strstr(tiff, "Version ");
    if (number) tiff = number + strlen("Version ");
    const char *newline = strchr(tiff, '\n');
    snprintf(text, sizeof text, "libjpeg-turbo (TurboJPEG) %s, libpng %s, giflib %d.%d.%d, libwebp %d.%d.%d, libheif %s, libtiff %.*s, stb_image",
             TRIAGE_TURBOJPEG_VERSION, png_get_libpng_ver(NULL), GIFLIB_MAJOR, GIFLIB_MINOR, GIFLIB_RELEASE,
             (webp >> 16) & 0xff, (webp >> 8) & 0xff, webp & 0xff, heif_get_version(),
             newline ? (int)(newline - tiff) : (int)strlen(tiff), tiff);
    return text;
}
