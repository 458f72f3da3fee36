#!/usr/bin/env python3
"""Generate triage's video fixtures with the `ffmpeg` command.

    python3 Fixtures/video/make-videos.py      (needs ffmpeg with libx264, libvpx, mpeg4, aac)

Everything is synthetic and harmless: FFmpeg's own test patterns (testsrc, testsrc2,
mandelbrot, smptebars) and the abstract photo-like pictures of the main fixtures
(Fixtures/evidence), which the fixture hash sets pretend are categorised. Writes:

  evidence/   an exhibit of videos: known pictures inside innocuous footage, an unknown
              clip, a video inside a zip, and the bad inputs below (so that a scan of it
              reports every outcome);
  bad/        only the bad inputs, for the unit tests;
  formats/    2 s of a test pattern in each container and codec issue 7 names (mov, mkv, 3gp,
              wmv, flv, mpeg-ts, mpeg, ogg);
  reencoded/  MOV_0001.avi re-encoded as H.264 in mp4 (other digests, same pictures), for
              recognising a learned video;
  long.mp4    60 s of tiny frames with key frames 1 s apart, for the frame cap.

Encoders run single-threaded with bit-exact flags and every pattern is deterministic (FFmpeg's
`gradients` is not, even seeded), so two runs with the same FFmpeg build give the same bytes.
The facts the tests rely on (which frames show which picture) follow from the timeline below,
not from the encoded bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVIDENCE = HERE.parent / "evidence"
# The known pictures (Fixtures/README.md): meadow is category 1 (A) in known-vics2.json,
# harbour 2 (B); copse is an unknown decoy.
MEADOW = EVIDENCE / "exhibit-1/DCIM/100CAM/IMG_0101.jpg"
HARBOUR = EVIDENCE / "exhibit-2/Pictures/harbour.png"
COPSE = EVIDENCE / "exhibit-2/DCIM/100CAM/IMG_2002.jpg"

SIZE = "320x240"
EXACT = ["-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1"]
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p", "-x264-params", "threads=1"]


def ffmpeg(*arguments: str | Path) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, arguments)], check=True)


def segment_filters(segments: list[tuple[str, float]]) -> tuple[list[str], str]:
    """Inputs and a filter graph joining pattern or picture segments of given seconds."""
    inputs: list[str] = []
    chains = []
    for index, (source, seconds) in enumerate(segments):
        if source.startswith("lavfi:"):
            inputs += ["-f", "lavfi", "-t", str(seconds), "-i", f"{source[6:]}=size={SIZE}:rate=25"]
        else:
            inputs += ["-loop", "1", "-framerate", "25", "-t", str(seconds), "-i", source]
        chains.append(f"[{index}:v]scale={SIZE.replace('x', ':')},setsar=1,format=yuv420p,fps=25[s{index}]")
    joined = "".join(f"[s{i}]" for i in range(len(segments)))
    graph = ";".join(chains) + f";{joined}concat=n={len(segments)}:v=1[v]"
    return inputs, graph


def video(out: Path, segments: list[tuple[str, float]], codec: list[str], key_interval: int = 25) -> None:
    inputs, graph = segment_filters(segments)
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[v]", *codec, "-g", str(key_interval), *EXACT, out)


def with_display_rotation(data: bytes) -> bytes:
    """The mp4 with its first track header's matrix set to a quarter turn clockwise (as an
    iPhone writes for portrait video; ffprobe then reports a rotation of -90 degrees)."""
    at = data.index(b"tkhd") + 4
    assert data[at] == 0, "version 0 tkhd"
    matrix_at = at + 40   # version, flags, times, track id, reserved, duration, reserved, layer, group, volume, reserved
    matrix = b"".join(value.to_bytes(4, "big") for value in [0, 0x00010000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000])
    return data[:matrix_at] + matrix + data[matrix_at + 36:]


def main() -> None:
    if not MEADOW.exists():
        raise SystemExit("run Fixtures/make-fixtures.py first: the videos show its pictures")
    exhibit = HERE / "evidence"
    bad = HERE / "bad"
    formats = HERE / "formats"
    reencoded = HERE / "reencoded"
    for folder in (exhibit, bad, formats, reencoded):
        shutil.rmtree(folder, ignore_errors=True)
    (exhibit / "Movies").mkdir(parents=True)
    (exhibit / "Camera").mkdir(parents=True)
    (exhibit / "Archive").mkdir(parents=True)
    bad.mkdir()
    formats.mkdir()
    reencoded.mkdir()

    # Known pictures inside innocuous footage. beach-trip: meadow (A) from 3 s to 6 s.
    video(exhibit / "Movies/beach-trip.mp4",
          [("lavfi:testsrc", 3), (str(MEADOW), 3), ("lavfi:mandelbrot", 3)], X264)
    # harbour (B) from 2 s to 5 s, in WebM (VP9), key frames 8 s apart: one decoding pass.
    video(exhibit / "Movies/harbour-walk.webm",
          [("lavfi:testsrc2", 2), (str(HARBOUR), 3), ("lavfi:smptebars", 2)],
          ["-c:v", "libvpx-vp9", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p"],
          key_interval=200)
    # Unknown footage only (the decoy copse and patterns), MPEG-4 Part 2 in AVI: pending.
    video(exhibit / "Camera/MOV_0001.avi",
          [("lavfi:smptebars", 2), (str(COPSE), 3), ("lavfi:testsrc2", 2)],
          ["-c:v", "mpeg4", "-q:v", "5", "-pix_fmt", "yuv420p"])
    # A phone's portrait video: the frames stored turned a quarter left, with a display matrix
    # (tkhd) saying "turn a quarter right to show": meadow (A) upright only once turned.
    with tempfile.TemporaryDirectory() as work:
        sideways = Path(work) / "sideways.mp4"
        inputs, graph = segment_filters([("lavfi:testsrc", 1), (str(MEADOW), 2)])
        ffmpeg(*inputs, "-filter_complex", graph.replace("[v]", "[u];[u]transpose=2[v]"), "-map", "[v]", *X264, "-g", "25", *EXACT, sideways)
        (exhibit / "Camera/VID_PORTRAIT.mp4").write_bytes(with_display_rotation(sideways.read_bytes()))

    # A known picture in a video inside a zip: harbour (B) from 1 s to 3 s.
    with tempfile.TemporaryDirectory() as work:
        clip = Path(work) / "clip.mp4"
        video(clip, [("lavfi:testsrc", 1), (str(HARBOUR), 2), ("lavfi:testsrc2", 1)], X264)
        with zipfile.ZipFile(exhibit / "Archive/clips.zip", "w", zipfile.ZIP_STORED) as archive:
            info = zipfile.ZipInfo("holiday/clip.mp4", date_time=(2024, 5, 1, 12, 0, 0))
            archive.writestr(info, clip.read_bytes())

    # Bad inputs.
    with tempfile.TemporaryDirectory() as work:
        whole = Path(work) / "whole.mp4"
        video(whole, [("lavfi:testsrc2", 4)], X264 + ["-movflags", "+faststart"])
        data = whole.read_bytes()
        # Index first, then 60 % of the media: the frames before the cut decode.
        (bad / "truncated.mp4").write_bytes(data[: len(data) * 6 // 10])
        # A real header (ftyp), then garbage.
        garbage = bytes((i * 131 + 7) % 251 for i in range(20000))
        (bad / "garbage-after-header.mp4").write_bytes(data[:32] + garbage)
        # Index at the end, cut off: nothing to read.
        tail = Path(work) / "tail.mp4"
        video(tail, [("lavfi:testsrc2", 2)], X264)
        (bad / "no-index.mp4").write_bytes(tail.read_bytes()[: tail.stat().st_size // 2])
    # Two MPEG-TS files joined byte for byte: the timestamps start again at 0 half-way.
    with tempfile.TemporaryDirectory() as work:
        parts = []
        for index, pattern in enumerate(["testsrc2", "mandelbrot"]):
            part = Path(work) / f"part{index}.ts"
            ffmpeg("-f", "lavfi", "-i", f"{pattern}=size=176x144:rate=25", "-t", "3", "-c:v", "mpeg2video", "-q:v", "8", *EXACT, part)
            parts.append(part.read_bytes())
        (bad / "joined.ts").write_bytes(b"".join(parts))
    # An intact slideshow at one frame every 5 s (30 s): not truncated, though its frames are far apart.
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=176x144:rate=0.2", "-t", "30", *X264, *EXACT, bad / "slideshow.mp4")
    # A stream with no frames at all (zero duration).
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=25", "-frames:v", "0", *X264, *EXACT, bad / "zero-length.mp4")
    # One pixel.
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=16x16:r=5", "-t", "2", "-vf", "scale=1:1", "-c:v", "libx264", "-pix_fmt", "yuv444p",
           "-x264-params", "threads=1", *EXACT, bad / "one-pixel.mp4")
    # Sound only: libmagic calls it a video, FFmpeg finds no video stream.
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", "-b:a", "32k", *EXACT, bad / "audio-only.mp4")
    for name in os.listdir(bad):
        shutil.copy(bad / name, exhibit / "Movies" / f"bad-{name}")

    ffmpeg("-i", exhibit / "Camera/MOV_0001.avi", *X264[:4], "-crf", "30", "-pix_fmt", "yuv420p", *EXACT, reencoded / "copy.mp4")

    # Every container and codec the issue names (mp4, webm and avi are in the exhibit).
    for name, codec in [("clip.mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]), ("clip.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
                        ("clip.3gp", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]), ("clip.wmv", ["-c:v", "wmv2"]),
                        ("clip.flv", ["-c:v", "flv1"]), ("clip.ts", ["-c:v", "mpeg2video"]), ("clip.mpg", ["-c:v", "mpeg1video"]),
                        ("clip.ogv", ["-c:v", "libtheora"])]:
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=176x144:rate=25", "-t", "2", *codec, "-q:v", "8", *EXACT, formats / name)

    # 60 s of tiny frames (key frames every second) for the frame cap.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-t", "60", *X264, "-g", "10", *EXACT, HERE / "long.mp4")

    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix != ".py":
            print(f"{path.relative_to(HERE)}\t{path.stat().st_size}")


if __name__ == "__main__":
    main()
