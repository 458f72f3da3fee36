// BMP through stb_image (Debian's libstb): no mainstream BMP library exists, and stb's reader
// is small, well fuzzed and returns errors instead of aborting.
#include <stdlib.h>
#include <stb/stb_image.h>
#include "common.h"

ic_status ic_bmp_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    if (in->size > 0x7fffffff) {
        ic_message(message, message_size, "BMP larger than 2 GiB");
        return IC_ERROR;
    }
    int width = 0, height = 0, components = 0;
    if (!stbi_info_from_memory(in->data, (int)in->size, &width, &height, &components)) {
        ic_message(message, message_size, stbi_failure_reason());
        return IC_ERROR;
    }
    ic_set_info(info, width, height, 3);
    if (!pixels) return IC_OK;
    int decoded_width = 0, decoded_height = 0;
    unsigned char *decoded = stbi_load_from_memory(in->data, (int)in->size, &decoded_width, &decoded_height, &components, 3);
    if (!decoded) {
        ic_message(message, message_size, stbi_failure_reason());
        return IC_ERROR;
    }
    ic_status status = IC_OK;
    if (decoded_width != width || decoded_height != height) {
        ic_message(message, message_size, "BMP size changed between header and pixels");
        status = IC_ERROR;
    } else {
        memcpy(pixels, decoded, (size_t)width * height * 3);
    }
    stbi_image_free(decoded);
    return status;
}
