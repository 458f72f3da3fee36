// HEIC/HEIF (phones store photos this way) through libheif: the primary image.
#include <pthread.h>
#include <libheif/heif.h>
#include "common.h"

static pthread_once_t heif_once = PTHREAD_ONCE_INIT;
static void heif_start(void) { heif_init(NULL); }

static ic_status heif_fail(struct heif_context *context, struct heif_image_handle *handle, struct heif_error error,
                           char *message, size_t message_size) {
    ic_message(message, message_size, error.message);
    if (handle) heif_image_handle_release(handle);
    if (context) heif_context_free(context);
    return IC_ERROR;
}

ic_status ic_heif_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    pthread_once(&heif_once, heif_start);
    struct heif_context *context = heif_context_alloc();
    if (!context) {
        ic_message(message, message_size, "libheif could not start");
        return IC_ERROR;
    }
    struct heif_error error = heif_context_read_from_memory_without_copy(context, in->data, in->size, NULL);
    if (error.code != heif_error_Ok) return heif_fail(context, NULL, error, message, message_size);
    struct heif_image_handle *handle = NULL;
    error = heif_context_get_primary_image_handle(context, &handle);
    if (error.code != heif_error_Ok) return heif_fail(context, NULL, error, message, message_size);

    int width = heif_image_handle_get_width(handle), height = heif_image_handle_get_height(handle);
    ic_set_info(info, width, height, 3);
    if (!pixels) {
        heif_image_handle_release(handle);
        heif_context_free(context);
        return IC_OK;
    }
    struct heif_image *image = NULL;
    error = heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
    if (error.code != heif_error_Ok) return heif_fail(context, handle, error, message, message_size);
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
    ic_status status = IC_OK;
    if (!plane || heif_image_get_width(image, heif_channel_interleaved) != width ||
        heif_image_get_height(image, heif_channel_interleaved) != height) {
        ic_message(message, message_size, "decoded HEIF image has an unexpected layout");
        status = IC_ERROR;
    } else {
        ic_copy_pixels(pixels, plane, width, height, (size_t)stride, 3, 3);
    }
    heif_image_release(image);
    heif_image_handle_release(handle);
    heif_context_free(context);
    return status;
}
