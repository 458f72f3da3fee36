// Frame sampling on FFmpeg's libraries (libavformat, libavcodec, libswscale).
//
// The caller supplies the bytes through a read callback (an evidence file read with pread, or
// a member held in memory), so FFmpeg never opens a path itself: nothing is written, nothing
// outside the evidence is followed. Frames come back one at a time, as grey pixels (PDQ works on
// luma only; RGB on request, for display), at one per `interval` seconds plus scene changes, never more than `max_frames`.
//
// How a file is read depends on its key-frame spacing, measured at the start of the file:
// when key frames are at most one sampling interval apart, each sample is reached by seeking to
// the key frame before it (little is decoded); otherwise the file is decoded in one pass,
// skipping frames that nothing refers to (FFmpeg's AVDISCARD_NONREF).
#ifndef TRIAGE_VIDEO_H
#define TRIAGE_VIDEO_H

#include <stddef.h>
#include <stdint.h>

// Reads up to `size` bytes at `offset`; returns the count, 0 at the end, -1 on a read error.
typedef int (*tv_read_fn)(void *opaque, uint8_t *buffer, int size, int64_t offset);

typedef struct {
    double interval;          // seconds between time samples (1 / frames per second)
    double scene_threshold;   // mean absolute luma difference (0-255) that makes a scene change; 0: off
    int max_frames;           // never more samples than this; a longer video is sampled more sparsely
    int64_t max_pixels;       // a frame larger than this is refused before conversion
    double time_limit;        // seconds of work on one file before it stops (0: none)
    int threads;              // decoder threads
    int colour;               // 1: frames come as RGB (for showing them), 0: grey (for hashing)
} tv_options;

typedef struct {
    int width;                // as the stream declares it (0 when unknown)
    int height;
    double duration;          // seconds; < 0 when the container does not say
    double frame_rate;        // average frames per second; 0 when unknown
    char codec[32];           // FFmpeg's codec name: "h264", "mpeg4", "vp9", ...
    char container[64];       // FFmpeg's demuxer name: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", ...
    double key_spacing;       // the widest gap between key frames at the start; < 0 when unseen
    double interval;          // the interval used (wider than asked when max_frames spreads them)
    int seeks;                // 1: a seek per sample; 0: one decoding pass
    int rotation;             // degrees clockwise the display matrix asks for; frames come turned upright
} tv_info;

typedef struct {
    const uint8_t *pixels;    // width * height * channels bytes, rows contiguous; valid until the next call
    int width;
    int height;
    int channels;             // 1 (grey) or 3 (RGB, with `colour`)
    double timestamp;         // seconds from the start of the stream
    int64_t frame_number;     // timestamp * frame rate, rounded (the sample's ordinal when the rate is unknown)
    int scene_change;         // 1: taken because the picture changed, not because time passed
} tv_frame;

typedef enum {
    TV_OK = 0,
    TV_END = 1,               // no more samples
    TV_ERROR = -1,            // the file could not be read as a video; the message says why
    TV_NO_VIDEO = -2,         // a container FFmpeg reads, but with no video stream (audio only)
    TV_DIMENSION_LIMIT = -3,  // the frame size is over max_pixels
    TV_TIME_LIMIT = -4,       // time_limit passed
    TV_NO_DECODER = -5        // FFmpeg has no decoder for the stream's codec
} tv_status;

typedef struct tv_video tv_video;

// Opens the video; on TV_OK `*video` must be closed with tv_close. `info` is filled as far as known.
tv_status tv_open(tv_read_fn read, void *opaque, int64_t size, const tv_options *options,
                  tv_video **video, tv_info *info, char *message, size_t message_size);

// The next sample: TV_OK with `frame` filled, TV_END, or an error (the samples before it stand).
tv_status tv_next(tv_video *video, tv_frame *frame, char *message, size_t message_size);

// Damage met so far: packets or frames FFmpeg could not decode (a damaged file still yields the
// rest), or frames that stop well before the stated duration. 0 when none; `message` says what.
int tv_damage(const tv_video *video, char *message, size_t message_size);

// 1 when sampling stopped at max_frames before the end of the video.
int tv_capped(const tv_video *video);

void tv_close(tv_video *video);

// "libavformat 59.27.100, libavcodec 59.37.100, libswscale 6.7.100"
const char *tv_versions(void);

#endif
