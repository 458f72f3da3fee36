// WebP through libwebp (still images; an animation's first frame needs libwebpdemux).
#include <webp/decode.h>
#include "common.h"

ic_status ic_webp_decode(const ic_input *in, ic_info *info, unsigned char *pixels, char *message, size_t message_size) {
    WebPBitstreamFeatures features;
    VP8StatusCode code = WebPGetFeatures(in->data, in->size, &features);
    if (code != VP8_STATUS_OK) {
        ic_message(message, message_size, code == VP8_STATUS_NOT_ENOUGH_DATA ? "truncated WebP header" : "not a decodable WebP");
        return IC_ERROR;
    }
    ic_set_info(info, features.width, features.height, 3);
    if (!pixels) return IC_OK;
    if (features.has_animation) {
        ic_message(message, message_size, "animated WebP is not decoded");
        return IC_ERROR;
    }
    size_t stride = (size_t)features.width * 3;
    if (!WebPDecodeRGBInto(in->data, in->size, pixels, stride * features.height, (int)stride)) {
        ic_message(message, message_size, "WebP data is damaged");
        return IC_ERROR;
    }
    return IC_OK;
}
