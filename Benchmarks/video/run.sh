#!/usr/bin/env bash
# Video benchmark (issue 7): frames sampled and PDQ-hashed per second, and the total time, for
# 60-second H.264 videos at 720p and 1080p with key frames 1 s and 8 s apart, side by side in
# one run with `ffmpeg -vf fps=1,format=gray` extracting the same frames to raw grey (the
# decoding cost alone).
#
#   bash Benchmarks/video/run.sh
#
# Environment:
#   BENCH_VIDEO_DIR=DIR  the videos (default /tmp/bench-video; generated with ffmpeg when missing)
#   BENCH_RUNS=N         runs per tool and file (default 5), round-robin; medians are printed
#   BENCH_IDLE_WAIT=S    wait up to S seconds in all for an idle machine before each run (default 900)
#   TRIAGE=PATH          the triage binary (default: the release binary; this script never builds)
#
# triage's figure is a whole process: `triage bench-video FILE --repeat 1` opens the file, measures
# the key-frame spacing, samples one frame per second (plus scene changes), converts each to grey
# and computes its PDQ hash. ffmpeg's is `ffmpeg -threads 2 -i FILE -vf fps=1,format=gray -f rawvideo`
# to /dev/null: every frame decoded, one per second kept and converted, no hashing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-5}
say() { printf '%s\n' "$*" >&2; }

command -v ffmpeg >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"; $SUDO apt-get install -y -q ffmpeg bc >&2; }
if [ -z "${TRIAGE:-}" ]; then TRIAGE="$(cd "$REPO" && swift build -c release --show-bin-path)/triage"; fi
[ -x "$TRIAGE" ] || { say "run.sh: no triage binary at $TRIAGE (swift build -c release --product triage, or set TRIAGE=PATH)"; exit 2; }

DIR=$(mkdir -p "${BENCH_VIDEO_DIR:-/tmp/bench-video}" && cd "${BENCH_VIDEO_DIR:-/tmp/bench-video}" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../timing.sh
source "$HERE/../timing.sh"

# 60 s, 30 frames per second, FFmpeg's moving test pattern, x264 veryfast at CRF 23; key frames
# every 30 frames (1 s) or every 240 (8 s), with x264's scene-cut key frames turned off so the
# spacing is exactly that.
files=()
for size in 1280x720 1920x1080; do
    for gop in 30 240; do
        file="$DIR/h264-${size#*x}p-key$((gop / 30))s.mp4"
        if [ ! -s "$file" ]; then
            say "generating $file"
            ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -t 60 -c:v libx264 -preset veryfast -crf 23 \
                -pix_fmt yuv420p -g "$gop" -keyint_min "$gop" -sc_threshold 0 "$file"
        fi
        files+=("$file")
    done
done

run_triage() { "$TRIAGE" bench-video "$1" --repeat 1 > "$WORK/triage.out"; }
run_ffmpeg() { ffmpeg -v error -threads 2 -i "$1" -vf fps=1,format=gray -f rawvideo -y /dev/null; }

say "machine: $(nproc) cores; $("$TRIAGE" --version); $(ffmpeg -version | head -1)"
printf '%-26s %-8s %10s %10s %10s %10s  %-30s %s\n' file tool "median s" frames "frames/s" "vs ffmpeg" "runs (s)" "other CPU s"
for file in "${files[@]}"; do
    declare -a triage_times=() ffmpeg_times=() triage_other=() ffmpeg_other=()
    for _ in $(seq "$RUNS"); do
        wait_idle
        read -r wall other < <(timed run_triage "$file"); triage_times+=("$wall"); triage_other+=("$other")
        wait_idle
        read -r wall other < <(timed run_ffmpeg "$file"); ffmpeg_times+=("$wall"); ffmpeg_other+=("$other")
    done
    frames=$(sed -E 's/.*: ([0-9]+) frames in.*/\1/' "$WORK/triage.out")
    sampling=$(sed -E 's/.*sampling ([a-z]+) .*/\1/' "$WORK/triage.out")
    median_of() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
    t=$(median_of "${triage_times[@]}"); f=$(median_of "${ffmpeg_times[@]}")
    name=$(basename "$file")
    printf '%-26s %-8s %10.3f %10s %10.1f %10.2f  %-30s %s\n' "$name" "triage" "$t" "$frames" "$(echo "$frames / $t" | bc -l)" \
        "$(echo "$f / $t" | bc -l)" "${triage_times[*]}" "${triage_other[*]} ($sampling)"
    printf '%-26s %-8s %10.3f %10s %10.1f %10s  %-30s %s\n' "" "ffmpeg" "$f" 60 "$(echo "60 / $f" | bc -l)" "" "${ffmpeg_times[*]}" "${ffmpeg_other[*]}"
    unset triage_times ffmpeg_times triage_other ffmpeg_other
done
say "vs ffmpeg: ffmpeg's median over triage's (above 1: triage is faster). Target: at least 1 on every file."
