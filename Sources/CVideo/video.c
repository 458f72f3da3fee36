#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "video.h"

enum {
    IO_BUFFER = 64 * 1024,
    THUMB = 32,                 // scene changes compare 32x32 luma samples
    PRESCAN_PACKETS = 4000,     // the key-frame spacing is measured on at most this many packets...
    MAX_DAMAGE = 500,           // ...and a file stops after this many undecodable packets or frames
};
static const double PRESCAN_SECONDS = 30.0;   // ...or this much of the stream, whichever ends first
static const double TOLERANCE = 0.001;        // seconds: a frame this close before a target is on it
static const double SCENE_GAP = 0.5;          // seconds: no two scene-change samples closer than this
static const double MAX_SECONDS = 1e8;        // about three years: any time beyond is damage

struct tv_video {
    tv_read_fn read;
    void *opaque;
    int64_t size;
    int64_t position;
    tv_options options;
    int64_t deadline;           // av_gettime_relative() microseconds; 0: none

    AVFormatContext *format;
    AVIOContext *io;
    AVCodecContext *codec;
    int stream;
    AVRational time_base;
    int64_t start_pts;
    AVPacket *packet;
    AVFrame *frame;
    int draining;

    struct SwsContext *scaler;   // to grey, or RGB with `colour`
    struct SwsContext *thumb_scaler;
    uint8_t *pixels;
    size_t pixels_size;
    uint8_t *unrotated;         // the frame before `rotation` is applied
    size_t unrotated_size;
    int rotation;               // degrees clockwise that display needs: 0, 90, 180 or 270

    double interval;
    double frame_rate;
    double duration;
    int seeks;
    int positioned;             // seek mode: decoding towards the current target
    int after_seek;             // the next frame is the first after a seek
    double key_spacing;         // as measured at the start; < 0 unknown
    double *keys;               // seek mode: the key frames' times, from the container's index
    int key_count;
    int key_next;               // the first key frame not yet passed
    int probing;                // the next frame is a key frame decoded between two samples
    int held;                   // `packet` holds a packet the decoder refused for now (EAGAIN)
    double offset;              // added to times after a jump back (joined streams), in a pass
    int jumps;
    char jump_message[160];
    int skip_nonreference;      // in a pass, frames nothing refers to may be skipped
    double next_target;
    double last_time;
    double last_sample;
    int samples;
    int capped;

    uint8_t thumb[THUMB * THUMB];
    uint8_t previous_thumb[THUMB * THUMB];
    int have_previous;

    int damage;
    char damage_message[200];
    double stream_duration;     // the video stream's own duration (seconds), else the container's; <= 0: unknown
    double ended_at;            // where a stream that stopped well before its stated duration stopped; < 0: it did not
};

static void read_keys(tv_video *video);
static int scene_budget_left(const tv_video *video);

// MARK: FFmpeg's log, kept per thread for error messages (never printed).

static _Thread_local char last_log[200];

static void log_callback(void *context, int level, const char *format, va_list arguments) {
    if (level > AV_LOG_ERROR) return;
    char line[200];
    int print_prefix = 0;   // no "[mov @ 0x5555…]": addresses differ between runs
    av_log_format_line(context, level, format, arguments, line, sizeof line, &print_prefix);
    size_t length = strlen(line);
    while (length && (line[length - 1] == '\n' || line[length - 1] == '\r' || line[length - 1] == ' ')) line[--length] = 0;
    if (length) snprintf(last_log, sizeof last_log, "%s", line);
}

static pthread_once_t initialized = PTHREAD_ONCE_INIT;
static void initialize(void) { av_log_set_callback(log_callback); }

static void describe(char *message, size_t size, const char *what, int error) {
    char reason[AV_ERROR_MAX_STRING_SIZE] = "";
    if (error < 0) av_strerror(error, reason, sizeof reason);
    if (last_log[0] && error < 0) snprintf(message, size, "%s: %s (%s)", what, reason, last_log);
    else if (last_log[0]) snprintf(message, size, "%s (%s)", what, last_log);
    else if (error < 0) snprintf(message, size, "%s: %s", what, reason);
    else snprintf(message, size, "%s", what);
}

/// Counts a packet or frame FFmpeg could not use; true when the file has had too many.
static int note_damage(tv_video *video, const char *what, int error) {
    if (video->damage++ == 0) describe(video->damage_message, sizeof video->damage_message, what, error);
    return video->damage >= MAX_DAMAGE;
}

static int out_of_time(const tv_video *video) {
    return video->deadline && av_gettime_relative() > video->deadline;
}

// MARK: Input: the caller's bytes, never a path.

static int io_read(void *opaque, uint8_t *buffer, int size) {
    tv_video *video = opaque;
    if (out_of_time(video)) return AVERROR_EXIT;
    int count = video->read(video->opaque, buffer, size, video->position);
    if (count < 0) return AVERROR(EIO);
    if (count == 0) return AVERROR_EOF;
    video->position += count;
    return count;
}

static int64_t io_seek(void *opaque, int64_t offset, int whence) {
    tv_video *video = opaque;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return video->size;
    case SEEK_SET: break;
    case SEEK_CUR: offset += video->position; break;
    case SEEK_END: offset += video->size; break;
    default: return AVERROR(EINVAL);
    }
    if (offset < 0) return AVERROR(EINVAL);
    video->position = offset;
    return offset;
}

static int interrupted(void *opaque) { return out_of_time(opaque); }

// A playlist or concat file names other files; a video from the evidence may not make FFmpeg
// open anything else.
static int refuse_open(struct AVFormatContext *format, AVIOContext **io, const char *url, int flags, AVDictionary **options) {
    (void)format; (void)io; (void)url; (void)flags; (void)options;
    return AVERROR(EPERM);
}

static void close_input(tv_video *video) {
    avformat_close_input(&video->format);
    if (video->io) {
        av_freep(&video->io->buffer);
        avio_context_free(&video->io);
    }
    video->draining = 0;
}

/// Seconds from the stream's start; NAN for a time no real video has (a hostile file can state
/// any 64-bit timestamp).
static double seconds(const tv_video *video, int64_t timestamp) {
    double time = ((double)timestamp - (double)video->start_pts) * av_q2d(video->time_base);
    return isfinite(time) && time > -MAX_SECONDS && time < MAX_SECONDS ? time : NAN;
}

/// Opens the container and chooses its video stream: the largest one that is not a cover
/// picture (an audio file's attached artwork is a still, not a moving image).
static tv_status open_input(tv_video *video, char *message, size_t size) {
    video->position = 0;
    uint8_t *buffer = av_malloc(IO_BUFFER);
    video->io = buffer ? avio_alloc_context(buffer, IO_BUFFER, 0, video, io_read, NULL, io_seek) : NULL;
    video->format = avformat_alloc_context();
    if (!video->io || !video->format) {
        if (!video->io) av_free(buffer);
        snprintf(message, size, "out of memory");
        return TV_ERROR;
    }
    video->format->pb = video->io;
    video->format->flags |= AVFMT_FLAG_CUSTOM_IO;
    video->format->interrupt_callback.callback = interrupted;
    video->format->interrupt_callback.opaque = video;
    video->format->io_open = refuse_open;
    // The concat demuxer of FFmpeg 5.1 does not pass `io_open` on to the files it lists: an
    // empty protocol whitelist (inherited by every nested context) refuses them all.
    video->format->protocol_whitelist = av_strdup("none");
    int error = avformat_open_input(&video->format, NULL, NULL, NULL);
    if (error < 0) {   // the format context is freed on failure; the I/O context is ours
        describe(message, size, "FFmpeg cannot read it as a video", error);
        return error == AVERROR_EXIT ? TV_TIME_LIMIT : TV_ERROR;
    }
    error = avformat_find_stream_info(video->format, NULL);
    if (error < 0) {
        describe(message, size, "FFmpeg found no stream information", error);
        return error == AVERROR_EXIT ? TV_TIME_LIMIT : TV_ERROR;
    }
    video->stream = -1;
    int64_t largest = -1;
    for (unsigned i = 0; i < video->format->nb_streams; i++) {
        AVStream *stream = video->format->streams[i];
        if (stream->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) continue;
        if (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
        int64_t area = (int64_t)stream->codecpar->width * stream->codecpar->height;
        if (area > largest) { largest = area; video->stream = (int)i; }
    }
    if (video->stream < 0) {
        char kinds[120] = "";
        for (unsigned i = 0; i < video->format->nb_streams && strlen(kinds) < 90; i++) {
            const char *kind = av_get_media_type_string(video->format->streams[i]->codecpar->codec_type);
            AVStream *stream = video->format->streams[i];
            if (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) kind = "cover picture";
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", i ? ", " : "", kind ? kind : "unknown");
        }
        snprintf(message, size, "no video stream (streams: %s)", kinds[0] ? kinds : "none");
        return TV_NO_VIDEO;
    }
    AVStream *stream = video->format->streams[video->stream];
    video->time_base = stream->time_base;
    video->start_pts = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
    return TV_OK;
}

/// The widest gap between key frames in the first packets of the stream (the gap from the last
/// key frame to the end of what was read included); < 0 when fewer than two key frames were seen.
static double key_spacing(tv_video *video) {
    double last_key = -1, widest = -1, last_time = -1;
    int keys = 0;
    for (int packets = 0; packets < PRESCAN_PACKETS;) {
        if (av_read_frame(video->format, video->packet) < 0) break;
        AVPacket *packet = video->packet;
        if (packet->stream_index == video->stream) {
            packets++;
            int64_t timestamp = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
            double time = timestamp != AV_NOPTS_VALUE ? seconds(video, timestamp) : NAN;
            if (!isnan(time)) {
                if (time > last_time) last_time = time;
                if (packet->flags & AV_PKT_FLAG_KEY) {
                    if (last_key >= 0 && time - last_key > widest) widest = time - last_key;
                    last_key = time;
                    keys++;
                }
                if (time > PRESCAN_SECONDS) packets = PRESCAN_PACKETS;
            }
        }
        av_packet_unref(packet);
    }
    if (keys < 2) return -1;
    return fmax(widest, last_time - last_key);
}

tv_status tv_open(tv_read_fn read, void *opaque, int64_t size, const tv_options *options,
                  tv_video **result, tv_info *info, char *message, size_t message_size) {
    pthread_once(&initialized, initialize);
    last_log[0] = 0;
    memset(info, 0, sizeof *info);
    info->duration = -1;
    info->key_spacing = -1;
    *result = NULL;
    tv_video *video = calloc(1, sizeof *video);
    if (!video) { snprintf(message, message_size, "out of memory"); return TV_ERROR; }
    video->read = read;
    video->opaque = opaque;
    video->size = size;
    video->options = *options;
    if (options->time_limit > 0) video->deadline = av_gettime_relative() + (int64_t)(options->time_limit * 1e6);
    video->packet = av_packet_alloc();
    video->frame = av_frame_alloc();
    if (!video->packet || !video->frame) {
        tv_close(video);
        snprintf(message, message_size, "out of memory");
        return TV_ERROR;
    }
    tv_status status = open_input(video, message, message_size);
    if (status != TV_OK) { tv_close(video); return status; }

    AVStream *stream = video->format->streams[video->stream];
    AVCodecParameters *parameters = stream->codecpar;
    info->width = parameters->width;
    info->height = parameters->height;
    snprintf(info->codec, sizeof info->codec, "%s", avcodec_get_name(parameters->codec_id));
    snprintf(info->container, sizeof info->container, "%s", video->format->iformat->name);
    if (video->format->duration != AV_NOPTS_VALUE && video->format->duration > 0) {
        info->duration = (double)video->format->duration / AV_TIME_BASE;
    } else if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
        info->duration = (double)stream->duration * av_q2d(stream->time_base);
    }
    if (!(info->duration < MAX_SECONDS)) info->duration = -1;   // also NAN
    // A phone stores a portrait video sideways with a display matrix; frames are turned upright,
    // as a player shows them (and as a still taken from it would be).
    const int32_t *matrix = (const int32_t *)av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix) {
        double theta = -round(av_display_rotation_get(matrix));
        theta -= 360 * floor(theta / 360 + 0.9 / 360);   // as ffmpeg's own get_rotation
        if (isfinite(theta)) video->rotation = ((int)lround(theta / 90) * 90) % 360;   // a degenerate matrix: none
    }
    info->rotation = video->rotation;
    AVRational rate = stream->avg_frame_rate.num > 0 && stream->avg_frame_rate.den > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    info->frame_rate = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    if (!(info->frame_rate > 0 && info->frame_rate < 10000)) info->frame_rate = 0;
    if ((int64_t)parameters->width * parameters->height > options->max_pixels) {
        snprintf(message, message_size, "declared frame size %dx%d is over the limit of %lld pixels; not decoded",
                 parameters->width, parameters->height, (long long)options->max_pixels);
        tv_close(video);
        return TV_DIMENSION_LIMIT;
    }
    const AVCodec *decoder = avcodec_find_decoder(parameters->codec_id);
    if (!decoder) {
        snprintf(message, message_size, "FFmpeg has no decoder for the codec %s", info->codec);
        tv_close(video);
        return TV_NO_DECODER;
    }
    video->codec = avcodec_alloc_context3(decoder);
    int error = video->codec ? avcodec_parameters_to_context(video->codec, parameters) : AVERROR(ENOMEM);
    if (error >= 0) {
        video->codec->thread_count = options->threads > 0 ? options->threads : 1;
        // Frames larger than the limit are refused by the decoder itself, before allocation.
        video->codec->max_pixels = options->max_pixels;
        video->codec->pkt_timebase = stream->time_base;
        error = avcodec_open2(video->codec, decoder, NULL);
    }
    if (error < 0) {
        describe(message, message_size, "FFmpeg could not open the decoder", error);
        tv_close(video);
        return TV_ERROR;
    }

    video->duration = info->duration;
    video->stream_duration = stream->duration != AV_NOPTS_VALUE && stream->duration > 0
        ? (double)stream->duration * av_q2d(stream->time_base) : info->duration;
    if (!(video->stream_duration < MAX_SECONDS)) video->stream_duration = -1;
    video->frame_rate = info->frame_rate;
    video->interval = options->interval > 0 ? options->interval : 1;
    if (video->duration > 0 && options->max_frames > 0 && video->duration / video->interval > options->max_frames) {
        video->interval = video->duration / options->max_frames;
    }
    info->interval = video->interval;

    // Key-frame spacing decides the strategy; then back to the start (by seeking, or by opening again).
    info->key_spacing = key_spacing(video);
    video->key_spacing = info->key_spacing;
    // Formats whose timestamps may restart (MPEG-TS and -PS, FLV) are never sought in: they seek
    // by bytes, and joined streams would send a seek to the wrong part.
    video->seeks = info->key_spacing > 0 && info->key_spacing <= video->interval + TOLERANCE
        && !(video->format->iformat->flags & AVFMT_TS_DISCONT);
    info->seeks = video->seeks;
    // In one pass, frames nothing refers to are not decoded (B-frames, mostly): a sample lands
    // on the next frame that is, a few hundredths of a second later at most. Not when frames
    // are few (a slideshow): a skipped frame would be a lost picture. After a seek only a few
    // frames are decoded, so all of them are, and samples fall on their times exactly.
    video->skip_nonreference = video->frame_rate * video->interval >= 4;
    video->codec->skip_frame = !video->seeks && video->skip_nonreference ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
    if (av_seek_frame(video->format, video->stream, video->start_pts, AVSEEK_FLAG_BACKWARD) < 0) {
        close_input(video);
        status = open_input(video, message, message_size);
        if (status != TV_OK) { tv_close(video); return status; }
    }
    avcodec_flush_buffers(video->codec);
    if (video->seeks) read_keys(video);
    video->last_time = -1;
    video->last_sample = -INFINITY;
    video->ended_at = -1;
    *result = video;
    return TV_OK;
}

// MARK: Decoding

/// The next decoded frame into `video->frame`: 1, or 0 at the end, or a negative error.
static int decode_next(tv_video *video) {
    for (;;) {
        if (out_of_time(video)) return AVERROR_EXIT;
        int error = avcodec_receive_frame(video->codec, video->frame);
        if (error == 0) return 1;
        if (error == AVERROR_EOF) return 0;
        if (error != AVERROR(EAGAIN) && note_damage(video, "FFmpeg could not decode a frame", error)) return error;
        if (video->draining) return 0;
        // Feed the decoder one packet of the video stream (or, at the end, the signal to drain).
        for (;;) {
            if (!video->held) {
                if (out_of_time(video)) return AVERROR_EXIT;
                error = av_read_frame(video->format, video->packet);
                if (error < 0) {
                    if (error == AVERROR_EXIT) return error;
                    if (error != AVERROR_EOF) note_damage(video, "FFmpeg stopped reading the file", error);
                    avcodec_send_packet(video->codec, NULL);   // drain the frames still in the decoder
                    video->draining = 1;
                    break;
                }
                if (video->packet->stream_index != video->stream) {
                    av_packet_unref(video->packet);
                    continue;
                }
            }
            error = avcodec_send_packet(video->codec, video->packet);
            if (error == AVERROR(EAGAIN)) {   // full: take its frames first, then send this packet again
                video->held = 1;
                break;
            }
            video->held = 0;
            av_packet_unref(video->packet);
            if (error < 0) {
                if (note_damage(video, "FFmpeg could not decode a packet", error)) return error;
                continue;
            }
            break;
        }
    }
}

/// The frame's time. A missing or impossible timestamp follows the previous frame. In a pass,
/// a jump back (streams joined, as MPEG-TS files cut together) is noted as damage and bridged
/// by an offset, so later frames keep counting on and are still sampled.
static double frame_time(tv_video *video) {
    double step = video->frame_rate > 0 ? 1 / video->frame_rate : 0.04;
    int64_t timestamp = video->frame->best_effort_timestamp;
    double time = timestamp == AV_NOPTS_VALUE ? NAN : seconds(video, timestamp);
    if (isnan(time)) {
        if (timestamp != AV_NOPTS_VALUE) note_damage(video, "a frame's timestamp is out of range", 0);
        return video->last_time < 0 ? 0 : video->last_time + step;
    }
    if (video->seeks) return time;
    time += video->offset;
    if (video->last_time >= 0 && time < video->last_time - fmax(2 * step, 0.5)) {
        if (video->jumps++ == 0) {
            snprintf(video->jump_message, sizeof video->jump_message,
                     "the timestamps jump back from %.3f s to %.3f s (streams joined?), later frames timed on from there", video->last_time, time);
        }
        video->offset += video->last_time + step - time;
        time = video->last_time + step;
    }
    return time;
}

/// Carries on in one decoding pass from where decoding is.
static void switch_to_pass(tv_video *video) {
    video->seeks = 0;
    if (video->skip_nonreference) video->codec->skip_frame = AVDISCARD_NONREF;
}

/// The stream timestamp of a time in seconds, kept within what 64 bits hold.
static int64_t stream_timestamp(const tv_video *video, double time) {
    double ticks = (double)video->start_pts + time / av_q2d(video->time_base);
    return (int64_t)fmax(fmin(ticks, 9e18), -9e18);
}

/// Seeks to the key frame at or before `time` and empties the decoder; 0 if the seek failed.
static int seek_to(tv_video *video, double time) {
    if (av_seek_frame(video->format, video->stream, stream_timestamp(video, time), AVSEEK_FLAG_BACKWARD) < 0) return 0;
    avcodec_flush_buffers(video->codec);
    if (video->held) av_packet_unref(video->packet);
    video->held = 0;
    video->draining = 0;
    return 1;
}

/// Seek mode: the next key frame (from the index) after what was decoded and before the next
/// target, if scene changes are looked for. An encoder puts a key frame at a cut, so decoding
/// these alone (a key frame needs no other) finds cuts between samples.
static double next_key_between(tv_video *video) {
    if (video->options.scene_threshold <= 0 || !video->keys) return NAN;
    double passed = fmax(video->last_sample, video->last_time) + TOLERANCE;
    while (video->key_next < video->key_count && video->keys[video->key_next] <= passed) video->key_next++;
    if (video->key_next >= video->key_count) return NAN;
    double key = video->keys[video->key_next];
    double before = video->duration > 0 ? fmin(video->next_target, video->duration) : video->next_target;
    if (key >= before - SCENE_GAP || key - video->last_sample < SCENE_GAP || !scene_budget_left(video)) return NAN;
    video->key_next++;
    return key;
}

/// The key frames' times from the stream's index (mp4, mov, mkv, avi know them at once).
static void read_keys(tv_video *video) {
    AVStream *stream = video->format->streams[video->stream];
    int count = avformat_index_get_entries_count(stream);
    if (count <= 0 || !(video->keys = malloc(sizeof(double) * count))) return;
    for (int i = 0; i < count; i++) {
        const AVIndexEntry *entry = avformat_index_get_entry(stream, i);
        double time = entry ? seconds(video, entry->timestamp) : NAN;
        if (entry && (entry->flags & AVINDEX_KEYFRAME) && !isnan(time)) video->keys[video->key_count++] = time;
    }
}

/// Seek mode: decoding already stands past the key frame before `target` (the index says so),
/// so going on is cheaper than seeking back to it.
static int on_the_way_to(tv_video *video, double target) {
    if (video->last_time < 0 || video->last_time >= target) return 0;
    AVStream *stream = video->format->streams[video->stream];
    int index = av_index_search_timestamp(stream, stream_timestamp(video, target), AVSEEK_FLAG_BACKWARD);
    const AVIndexEntry *entry = index >= 0 ? avformat_index_get_entry(stream, index) : NULL;
    double key = entry ? seconds(video, entry->timestamp) : NAN;
    return !isnan(key) && key <= video->last_time + TOLERANCE;
}

/// Whether a scene change may be sampled: never at the cost of a time sample still to come.
static int scene_budget_left(const tv_video *video) {
    if (video->options.max_frames <= 0) return 1;
    int reserved = video->duration > 0
        ? (int)ceil(fmax(0, video->duration - video->next_target) / video->interval) + 1
        : video->options.max_frames / 4;
    return video->samples + reserved < video->options.max_frames;
}

/// 32x32 luma samples of the current frame: read straight from the luma plane of 8-bit YUV,
/// converted by swscale otherwise. 0 when neither works.
static int make_thumb(tv_video *video) {
    AVFrame *frame = video->frame;
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get(frame->format);
    if (!descriptor || frame->width <= 0 || frame->height <= 0) return 0;
    uint64_t foreign = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM;
    if (!(descriptor->flags & foreign) && descriptor->comp[0].plane == 0 && descriptor->comp[0].depth == 8) {
        for (int y = 0; y < THUMB; y++) {
            const uint8_t *row = frame->data[0] + (int64_t)((2 * y + 1) * frame->height / (2 * THUMB)) * frame->linesize[0];
            for (int x = 0; x < THUMB; x++) {
                int column = (2 * x + 1) * frame->width / (2 * THUMB);
                video->thumb[y * THUMB + x] = row[column * descriptor->comp[0].step + descriptor->comp[0].offset];
            }
        }
        return 1;
    }
    video->thumb_scaler = sws_getCachedContext(video->thumb_scaler, frame->width, frame->height, frame->format,
                                               THUMB, THUMB, AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
    if (!video->thumb_scaler) return 0;
    uint8_t *planes[4] = {video->thumb, NULL, NULL, NULL};
    int strides[4] = {THUMB, 0, 0, 0};
    return sws_scale(video->thumb_scaler, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, planes, strides) > 0;
}

/// Mean absolute difference between this frame's thumb and the previous frame's; the previous
/// becomes this one. -1 when there is nothing to compare.
static double scene_difference(tv_video *video) {
    if (!make_thumb(video)) { video->have_previous = 0; return -1; }
    double difference = -1;
    if (video->have_previous) {
        int sum = 0;
        for (int i = 0; i < THUMB * THUMB; i++) sum += abs(video->thumb[i] - video->previous_thumb[i]);
        difference = (double)sum / (THUMB * THUMB);
    }
    memcpy(video->previous_thumb, video->thumb, sizeof video->thumb);
    video->have_previous = 1;
    return difference;
}

static int grow(uint8_t **buffer, size_t *size, size_t needed) {
    if (needed <= *size) return 1;
    uint8_t *bigger = realloc(*buffer, needed);
    if (!bigger) return 0;
    *buffer = bigger;
    *size = needed;
    return 1;
}

/// Turns `width` x `height` pixels `degrees` clockwise (90, 180 or 270) from `in` into `out`.
static void rotate(const uint8_t *in, uint8_t *out, int width, int height, int channels, int degrees) {
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            int tx, ty, row;   // where (x, y) lands, and the width of a turned row
            switch (degrees) {
            case 90: tx = height - 1 - y; ty = x; row = height; break;
            case 180: tx = width - 1 - x; ty = height - 1 - y; row = width; break;
            default: tx = y; ty = width - 1 - x; row = height; break;   // 270
            }
            memcpy(out + ((size_t)ty * row + tx) * channels, in + ((size_t)y * width + x) * channels, channels);
        }
    }
}

static tv_status convert(tv_video *video, tv_frame *out, char *message, size_t size) {
    AVFrame *frame = video->frame;
    int width = frame->width, height = frame->height;
    if (width <= 0 || height <= 0) {
        snprintf(message, size, "FFmpeg decoded a frame of %dx%d pixels", width, height);
        return TV_ERROR;
    }
    if ((int64_t)width * height > video->options.max_pixels) {
        snprintf(message, size, "frame size %dx%d is over the limit of %lld pixels; not converted",
                 width, height, (long long)video->options.max_pixels);
        return TV_DIMENSION_LIMIT;
    }
    int channels = video->options.colour ? 3 : 1;
    video->scaler = sws_getCachedContext(video->scaler, width, height, frame->format, width, height,
                                         channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8, SWS_POINT, NULL, NULL, NULL);
    if (!video->scaler) {
        const char *name = av_get_pix_fmt_name(frame->format);
        snprintf(message, size, "swscale cannot convert the pixel format %s to %s", name ? name : "?", channels == 3 ? "RGB" : "grey");
        return TV_ERROR;
    }
    size_t needed = (size_t)width * height * channels;
    if (!grow(&video->pixels, &video->pixels_size, needed) || (video->rotation && !grow(&video->unrotated, &video->unrotated_size, needed))) {
        snprintf(message, size, "out of memory for a %dx%d frame", width, height);
        return TV_ERROR;
    }
    uint8_t *target = video->rotation ? video->unrotated : video->pixels;
    uint8_t *planes[4] = {target, NULL, NULL, NULL};
    int strides[4] = {width * channels, 0, 0, 0};
    if (sws_scale(video->scaler, (const uint8_t *const *)frame->data, frame->linesize, 0, height, planes, strides) != height) {
        snprintf(message, size, "swscale could not convert a %dx%d frame", width, height);
        return TV_ERROR;
    }
    out->pixels = video->pixels;
    out->channels = channels;
    if (video->rotation) {
        rotate(video->unrotated, video->pixels, width, height, channels, video->rotation);
        if (video->rotation != 180) { int swap = width; width = height; height = swap; }
    }
    out->width = width;
    out->height = height;
    return TV_OK;
}

static tv_status failure(tv_video *video, int error, char *message, size_t size) {
    if (error == AVERROR_EXIT || out_of_time(video)) {
        snprintf(message, size, "stopped after the time limit of %g s", video->options.time_limit);
        return TV_TIME_LIMIT;
    }
    snprintf(message, size, "too many undecodable packets (%d); the first: %s", video->damage, video->damage_message);
    return TV_ERROR;
}

tv_status tv_next(tv_video *video, tv_frame *out, char *message, size_t size) {
    last_log[0] = 0;
    for (;;) {
        if (video->options.max_frames > 0 && video->samples >= video->options.max_frames) {
            // Capped only if video remains.
            video->capped = video->duration < 0 || video->last_time + video->interval < video->duration;
            return TV_END;
        }
        if (out_of_time(video)) return failure(video, AVERROR_EXIT, message, size);
        if (video->seeks && !video->positioned) {
            double key = next_key_between(video);
            if (isnan(key) && video->duration > 0 && video->next_target > video->duration + TOLERANCE) return TV_END;
            if (!isnan(key)) {
                if (seek_to(video, key)) video->probing = 1; else switch_to_pass(video);
            } else {
                if (!on_the_way_to(video, video->next_target)) {
                    if (seek_to(video, video->next_target)) video->after_seek = 1; else switch_to_pass(video);
                }
                video->positioned = 1;
            }
        }
        int got = decode_next(video);
        if (got < 0) return failure(video, got, message, size);
        if (got == 0 && video->probing) {   // nothing after that key frame: go on to the target
            video->probing = 0;
            continue;
        }
        if (got == 0) {
            // The data ran out: well before the duration the container states means truncation.
            double margin = fmax(1.5 * video->interval, fmax(0.5, video->frame_rate > 0 ? 2 / video->frame_rate : 0));
            if (video->stream_duration > 0 && video->last_time >= -TOLERANCE && video->last_time + margin < video->stream_duration) {
                video->ended_at = video->last_time;
            }
            return TV_END;
        }
        double time = frame_time(video);
        if (video->probing) {
            // A key frame between samples: sampled only if it is a scene change.
            video->probing = 0;
            video->last_time = time;
            double difference = video->options.scene_threshold > 0 ? scene_difference(video) : -1;
            if (!(difference >= video->options.scene_threshold && time - video->last_sample >= SCENE_GAP
                  && time < video->next_target - TOLERANCE && scene_budget_left(video))) continue;
            tv_status status = convert(video, out, message, size);
            if (status != TV_OK) continue;   // not a time sample: a frame that cannot be shown is passed over
            out->timestamp = time;
            out->scene_change = 1;
            out->frame_number = video->frame_rate > 0 ? (int64_t)llround(time * video->frame_rate) : video->samples;
            video->last_sample = time;
            video->samples++;
            return TV_OK;
        }
        if (video->after_seek) {
            video->after_seek = 0;
            // A seek that lands well after or before its target (MPEG-TS and -PS seek by bytes;
            // a timeline that restarts): carry on in one pass.
            if (time > video->next_target + video->interval / 2
                || time < video->next_target - fmax(video->key_spacing, video->interval) - 1) switch_to_pass(video);
        }
        video->last_time = time;
        int scene = 0;
        int due = time >= video->next_target - TOLERANCE;
        if (video->options.scene_threshold > 0) {
            double difference = scene_difference(video);
            scene = !due && difference >= video->options.scene_threshold && time - video->last_sample >= SCENE_GAP
                && scene_budget_left(video);
        }
        if (!due && !scene) continue;
        tv_status status = convert(video, out, message, size);
        if (status == TV_DIMENSION_LIMIT && video->samples > 0) {
            // The size changed mid-stream: this frame is skipped, the samples before stand.
            if (note_damage(video, "a frame is over the pixel limit; skipped", 0)) return failure(video, 0, message, size);
            continue;
        }
        if (status != TV_OK) return status;
        if (due) {
            video->next_target = (floor((time + TOLERANCE) / video->interval) + 1) * video->interval;
            video->positioned = 0;
        }
        out->timestamp = time;
        out->scene_change = scene;
        out->frame_number = video->frame_rate > 0 ? (int64_t)llround(time * video->frame_rate) : video->samples;
        video->last_sample = time;
        video->samples++;
        return TV_OK;
    }
}

int tv_damage(const tv_video *video, char *message, size_t size) {
    int truncated = video->ended_at >= 0;
    if (message && size) {
        message[0] = 0;
        size_t used = 0;
        if (video->damage) {
            snprintf(message, size, "%d packet(s) or frame(s) FFmpeg could not decode; the first: %s", video->damage, video->damage_message);
            used = strlen(message);
        }
        if (video->jumps) {
            snprintf(message + used, size - used, "%s%s%s", used ? "; " : "", video->jump_message,
                     video->jumps > 1 ? " (and more jumps)" : "");
            used = strlen(message);
        }
        if (truncated) {
            snprintf(message + used, size - used, "%sthe frames stop at %.3f s although the container says the video lasts %.3f s (truncated?)",
                     used ? "; " : "", video->ended_at, video->stream_duration);
        }
    }
    return video->damage + video->jumps + truncated;
}

int tv_capped(const tv_video *video) { return video->capped; }

void tv_close(tv_video *video) {
    if (!video) return;
    close_input(video);
    avcodec_free_context(&video->codec);
    av_packet_free(&video->packet);
    av_frame_free(&video->frame);
    sws_freeContext(video->scaler);
    sws_freeContext(video->thumb_scaler);
    free(video->keys);
    free(video->pixels);
    free(video->unrotated);
    free(video);
}

const char *tv_versions(void) {
    static char text[120];
    unsigned format = avformat_version(), codec = avcodec_version(), scale = swscale_version();
    snprintf(text, sizeof text, "libavformat %u.%u.%u, libavcodec %u.%u.%u, libswscale %u.%u.%u",
             format >> 16, (format >> 8) & 0xff, format & 0xff, codec >> 16, (codec >> 8) & 0xff, codec & 0xff,
             scale >> 16, (scale >> 8) & 0xff, scale & 0xff);
    return text;
}
