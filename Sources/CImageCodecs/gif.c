// GIF through giflib: the first frame only, read record by record so that an animation of
// thousands of frames costs no more than its first.
#include <stdlib.h>
#include <gif_lib.h>
#include "common.h"

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
} gif_source;

static int gif_on_read(GifFileType *gif, GifByteType *out, int length) {
    gif_source *source = gif->UserData;
    size_t available = source->size - source->offset;
    size_t count = (size_t)length < available ? (size_t)length : available;
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
    return (int)count;
}

static ic_status gif_fail(GifFileType *gif, int error, char *message, size_t message_size) {
    ic_message(message, message_size, GifErrorString(error));
    int ignored = 0;
    if (gif) DGifCloseFile(gif, &ignored);
    return IC_ERROR;
}

ic_status ic_gif_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    gif_source source = {.data = in->data, .size = in->size};
    int error = 0;
    GifFileType *gif = DGifOpen(&source, gif_on_read, &error);
    if (!gif) return gif_fail(NULL, error, message, message_size);

    // Skip extensions (comments, animation control) up to the first image descriptor.
    GifRecordType record;
    do {
        if (DGifGetRecordType(gif, &record) == GIF_ERROR) return gif_fail(gif, gif->Error, message, message_size);
        if (record == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType *extension = NULL;
            if (DGifGetExtension(gif, &code, &extension) == GIF_ERROR) return gif_fail(gif, gif->Error, message, message_size);
            while (extension) {
                if (DGifGetExtensionNext(gif, &extension) == GIF_ERROR) return gif_fail(gif, gif->Error, message, message_size);
            }
        } else if (record == TERMINATE_RECORD_TYPE) {
            ic_message(message, message_size, "GIF has no image");
            int ignored = 0;
            DGifCloseFile(gif, &ignored);
            return IC_ERROR;
        }
    } while (record != IMAGE_DESC_RECORD_TYPE);
    if (DGifGetImageDesc(gif) == GIF_ERROR) return gif_fail(gif, gif->Error, message, message_size);

    int width = gif->Image.Width, height = gif->Image.Height;
    ic_set_info(info, width, height, 3);
    ColorMapObject *map = gif->Image.ColorMap ? gif->Image.ColorMap : gif->SColorMap;
    if (!pixels || width <= 0 || height <= 0) {
        int ignored = 0;
        DGifCloseFile(gif, &ignored);
        if (pixels) { ic_message(message, message_size, "GIF frame has no pixels"); return IC_ERROR; }
        return IC_OK;
    }
    if (!map) {
        ic_message(message, message_size, "GIF has no colour map");
        int ignored = 0;
        DGifCloseFile(gif, &ignored);
        return IC_ERROR;
    }

    GifPixelType *line = malloc((size_t)width);
    if (!line) return gif_fail(gif, D_GIF_ERR_NOT_ENOUGH_MEM, message, message_size);
    // Interlaced frames store rows in four passes.
    static const int starts[] = {0, 4, 2, 1}, steps[] = {8, 8, 4, 2};
    int passes = gif->Image.Interlace ? 4 : 1;
    ic_status status = IC_OK;
    for (int pass = 0; pass < passes && status == IC_OK; pass++) {
        int start = passes == 1 ? 0 : starts[pass], step = passes == 1 ? 1 : steps[pass];
        for (int y = start; y < height; y += step) {
            if (DGifGetLine(gif, line, width) == GIF_ERROR) {
                // Rows read so far are kept; the rest stay as the caller left them.
                ic_message(message, message_size, GifErrorString(gif->Error));
                status = IC_DAMAGED;
                break;
            }
            unsigned char *row = pixels + (size_t)y * width * 3;
            for (int x = 0; x < width; x++) {
                int index = line[x] < map->ColorCount ? line[x] : 0;
                row[3 * x] = map->Colors[index].Red;
                row[3 * x + 1] = map->Colors[index].Green;
                row[3 * x + 2] = map->Colors[index].Blue;
            }
        }
    }
    free(line);
    int ignored = 0;
    DGifCloseFile(gif, &ignored);
    return status;
}
