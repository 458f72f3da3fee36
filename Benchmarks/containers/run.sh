#!/usr/bin/env bash
# Recursive-extraction benchmark (issue 4): triage scan of ~2,000 archives (zip, tar.gz, 7z)
# holding ~20,000 small images, side by side in one run with `bsdtar -xOf ARCHIVE | sha256sum`
# per archive (the same libarchive, the same decompression). See Benchmarks/containers/README.md.
#
#   bash Benchmarks/containers/run.sh
#
# Environment:
#   BENCH_TREE=DIR      the corpus (default /tmp/bench-archives); generated there first by
#                       make-archives.py if DIR is missing or empty, and kept.
#   BENCH_ARCHIVES=N    archives to generate when the corpus is made (default 2000).
#   BENCH_RUNS=N        timed runs of each command (default 3), in alternating order.
#   BENCH_IDLE_WAIT=S   before each timed run, wait until the rest of the machine is idle, for at
#                       most S seconds in all (default 900; 0 = never wait).
#   TRIAGE=PATH         the triage binary (default: the release binary,
#                       $(swift build -c release --show-bin-path)/triage; this script never builds).
#
# apt-get runs only when bsdtar, time or bc is missing. Nothing else uses the network.
# Writes nothing into the repository; its temporary files (cases, hash database) are deleted.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
JOBS=$(nproc)  # bsdtar pipelines in parallel = triage's default --jobs (the number of cores)

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools

need_packages=()
command -v bsdtar >/dev/null || need_packages+=(libarchive-tools)
[ -x /usr/bin/time ] || need_packages+=(time)
command -v bc >/dev/null || need_packages+=(bc)
if [ ${#need_packages[@]} -gt 0 ]; then
    say "installing missing Debian packages: ${need_packages[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q "${need_packages[@]}" >&2 || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${need_packages[@]}" >&2; }
fi

if [ -z "${TRIAGE:-}" ]; then
    TRIAGE="$(cd "$REPO" && swift build -c release --show-bin-path)/triage"
fi
[ -x "$TRIAGE" ] || { say "run.sh: no triage binary at $TRIAGE (swift build -c release --product triage, or set TRIAGE=PATH)"; exit 2; }

# ---------------------------------------------------------------- corpus

TREE=$(mkdir -p "${BENCH_TREE:-/tmp/bench-archives}" && cd "${BENCH_TREE:-/tmp/bench-archives}" && pwd)
if [ -n "$(ls -A "$TREE")" ]; then
    say "reusing the corpus in $TREE"
else
    python3 -c 'import PIL, numpy' 2>/dev/null || { say "run.sh: Pillow and numpy are needed to generate the corpus (pip install pillow numpy)"; exit 2; }
    say "generating the corpus in $TREE (kept)..."
    python3 "$HERE/make-archives.py" --out "$TREE" --archives "${BENCH_ARCHIVES:-2000}"
fi
[ -f "$TREE/manifest.json" ] || { say "run.sh: $TREE/manifest.json missing: not a make-archives.py corpus"; exit 2; }
manifest() { python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(eval(sys.argv[2], m))' "$TREE/manifest.json" "$1"; }
IMAGES=$(manifest images)
IMAGE_BYTES=$(manifest image_bytes)
ARCHIVES=$(find "$TREE" -type f \( -name '*.zip' -o -name '*.tar.gz' -o -name '*.7z' \) | wc -l)
ARCHIVE_BYTES=$(find "$TREE" -type f \( -name '*.zip' -o -name '*.tar.gz' -o -name '*.7z' \) -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
[ "$ARCHIVES" = "$(manifest archives)" ] || say "WARNING: $ARCHIVES archives in $TREE, the manifest says $(manifest archives)"

WORK=$(mktemp -d /tmp/triage-bench-containers.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Warm the page cache (every tool then reads from memory), and check that the reference
# extracts every image byte: bsdtar's output must add up to the manifest's image bytes.
find "$TREE" -type f -print0 | xargs -0 cat > /dev/null
say "checking the reference pipeline extracts all $IMAGE_BYTES image bytes..."
EXTRACTED=$(find "$TREE" -type f \( -name '*.zip' -o -name '*.tar.gz' -o -name '*.7z' \) -print0 | xargs -0 -n1 bsdtar -xOf | wc -c)
[ "$EXTRACTED" = "$IMAGE_BYTES" ] || { say "run.sh: bsdtar extracted $EXTRACTED bytes, the manifest says $IMAGE_BYTES"; exit 1; }

# ---------------------------------------------------------------- hash database

# The MD5s of 20 images inside the archives (listed in the manifest): matching them is part of
# triage's work, and the scan must report them known.
manifest '"\n".join(k["md5"] + "  " + k["path"] for k in known_md5)' > "$WORK/known.md5"
KNOWN=$(wc -l < "$WORK/known.md5")
"$TRIAGE" hashdb import "$WORK/known.md5" --category C --db "$WORK/hashdb.sqlite" >&2

# ---------------------------------------------------------------- timing

# Timing: wall time and the CPU time other processes used meanwhile, as in Benchmarks/run.sh.
source "$REPO/Benchmarks/timing.sh"

# reference NAME RUN PARALLEL: every archive through `bsdtar -xOf | sha256sum`, PARALLEL at a time.
# /usr/bin/time -v reports the largest single process of the tree (one bsdtar), not their sum.
reference() {
    local name=$1 run=$2 parallel=$3
    /usr/bin/time -v -o "$WORK/time-$name-$run.txt" sh -c '
        find "$1" -type f \( -name "*.zip" -o -name "*.tar.gz" -o -name "*.7z" \) -print0 |
            xargs -0 -P"$2" -n1 sh -c '\''bsdtar -xOf "$0" | sha256sum >/dev/null'\''' sh "$TREE" "$parallel"
}

# triage_scan NAME RUN [extra scan options]: a fresh case directory each run, deleted afterwards.
triage_scan() {
    local name=$1 run=$2; shift 2
    local status=0
    /usr/bin/time -v -o "$WORK/time-$name-$run.txt" \
        "$TRIAGE" scan "$TREE" --case "$WORK/case-$name-$run" --exhibit BENCH/1 --db "$WORK/hashdb.sqlite" \
        --examiner bench --progress none --json "$@" \
        > "$WORK/summary-$name-$run.json" 2> "$WORK/stderr-$name-$run.txt" || status=$?
    rm -rf "$WORK/case-$name-$run"
    # 1 = finished, some items had errors: not a benchmark failure (reported below).
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        cat "$WORK/stderr-$name-$run.txt" >&2
        say "run.sh: triage scan $* exited with status $status"
        exit 1
    fi
}

declare -A WALL OTHER
measure() {  # measure KEY COMMAND...: WALL[KEY], OTHER[KEY]
    local key=$1 out; shift
    wait_idle
    out=$(timed "$@") || exit 1
    WALL[$key]=${out% *}
    OTHER[$key]=${out#* }
}
run_ref() { reference ref "$1" "$JOBS"; }
run_scan() { triage_scan scan "$1"; }
run_np() { triage_scan np "$1" --no-perceptual; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before the timed runs: $LOAD_BEFORE"
# Alternating order (odd runs: reference first; even runs: reference last), so that drift in the
# machine's load, or a warmer cache, does not land on one side only.
for run in $(seq 1 "$RUNS"); do
    if [ $((run % 2)) -eq 1 ]; then order=(ref scan np); else order=(np scan ref); fi
    for v in "${order[@]}"; do measure "$v-$run" "run_$v" "$run"; done
    say "run $run/$RUNS done: reference ${WALL[ref-$run]} s, triage ${WALL[scan-$run]} s, --no-perceptual ${WALL[np-$run]} s"
done
# For information: the reference one archive at a time (one core).
measure ref1-1 reference ref1 1 1
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rss_mb() { awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$WORK/time-$1.txt"; }
json_field() { grep -o "\"$2\" *: *[0-9.]*" "$1" | head -1 | sed 's/.*: *//'; }
div() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

echo
echo "triage recursive-extraction benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
echo "triage: $TRIAGE ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+uncommitted changes'))"
echo "corpus: $TREE: $ARCHIVES archives ($(manifest '", ".join(f"{v} {k}" for k, v in archives_by_format.items())')), $ARCHIVE_BYTES bytes; $IMAGES images inside ($(manifest jpeg) JPEG, $(manifest png) PNG), $IMAGE_BYTES bytes; page cache warm"
echo "reference: find | xargs -0 -P$JOBS -n1 sh -c 'bsdtar -xOf ARCHIVE | sha256sum' ($(bsdtar --version))"
echo "triage:    triage scan TREE --case FRESH --exhibit BENCH/1 --db DB(20 MD5s) --examiner bench --progress none [--no-perceptual]"
echo "load average (1, 5, 15 min): before $LOAD_BEFORE, after $LOAD_AFTER (other work on the machine skews the figures)"
echo
printf '%-6s %11s %7s   %9s %6s %7s   %17s %6s %7s   %s\n' "run" "reference s" "RSS MB" "triage s" "ratio" "RSS MB" "--no-perceptual s" "ratio" "RSS MB" "other CPU s (ref, scan, --no-perc.)"
refs="" scans="" nps="" r_scan="" r_np=""
for run in $(seq 1 "$RUNS"); do
    a=${WALL[ref-$run]} b=${WALL[scan-$run]} c=${WALL[np-$run]}
    refs+="$a " scans+="$b " nps+="$c "
    r_scan+="$(div "$b" "$a") " r_np+="$(div "$c" "$a") "
    printf '%-6s %11.2f %7s   %9.2f %5.2fx %7s   %17.2f %5.2fx %7s   %s %s %s\n' "$run" "$a" "$(rss_mb "ref-$run")" \
        "$b" "$(div "$b" "$a")" "$(rss_mb "scan-$run")" "$c" "$(div "$c" "$a")" "$(rss_mb "np-$run")" \
        "${OTHER[ref-$run]}" "${OTHER[scan-$run]}" "${OTHER[np-$run]}"
done
M_REF=$(echo "$refs" | median) M_SCAN=$(echo "$scans" | median) M_NP=$(echo "$nps" | median)
MR_SCAN=$(echo "$r_scan" | median | xargs printf '%.2f') MR_NP=$(echo "$r_np" | median | xargs printf '%.2f')
printf '%-6s %11.2f %7s   %9.2f %5.2fx %7s   %17.2f %5.2fx %7s\n' "median" "$M_REF" "" "$M_SCAN" "$MR_SCAN" "" "$M_NP" "$MR_NP" ""
echo "(ratio: triage's wall time / the reference's in the same run; the median row shows the median"
echo " of the per-run ratios. RSS: /usr/bin/time -v; for the reference the largest single process,"
echo " i.e. one bsdtar, while $JOBS run at once. other CPU s: CPU seconds used by other processes during"
echo " the run, ~0 when idle)"
for key in "${!WALL[@]}"; do
    if [ "$(echo "${OTHER[$key]} > 0.1 * ${WALL[$key]}" | bc -l)" = 1 ]; then
        echo "WARNING: $key shared the machine with other work (${OTHER[$key]} CPU s in ${WALL[$key]} s): its figure is skewed; rerun on an idle machine"
    fi
done
echo
echo "for information: the reference one archive at a time (xargs -P1): $(printf '%.2f' "${WALL[ref1-1]}") s, peak RSS $(rss_mb ref1-1) MB"
echo "throughput (medians): reference $(div "$IMAGES" "$M_REF" | xargs printf '%.0f') images/s, triage $(div "$IMAGES" "$M_SCAN" | xargs printf '%.0f') images/s, --no-perceptual $(div "$IMAGES" "$M_NP" | xargs printf '%.0f') images/s"
echo
verdict() { if [ "$(echo "$1 <= 1.3" | bc -l)" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
echo "target: triage within 1.3x the reference's time while also identifying and matching"
echo "  triage scan (decode + PDQ) / reference:   ${MR_SCAN}x   (target <= 1.3x: $(verdict "$MR_SCAN"))"
echo "  triage scan --no-perceptual / reference:  ${MR_NP}x   (target <= 1.3x: $(verdict "$MR_NP"))"
echo

# Did triage find every image? Its --json summary of every run against the manifest.
s="$WORK/summary-scan-1.json"; n="$WORK/summary-np-1.json"
echo "triage's own summary (run 1): scan $(json_field "$s" items) items, $(json_field "$s" stills) stills, $(json_field "$s" known) known, $(json_field "$s" errors) errors, $(json_field "$s" seconds) s;" \
     "--no-perceptual $(json_field "$n" items) items, $(json_field "$n" stills) stills, $(json_field "$n" known) known, $(json_field "$n" errors) errors, $(json_field "$n" seconds) s"
ok=1
for f in "$WORK"/summary-*.json; do
    name=$(basename "$f" .json)
    stills=$(json_field "$f" stills) known=$(json_field "$f" known) errors=$(json_field "$f" errors)
    if [ "$stills" != "$IMAGES" ]; then echo "WARNING: $name: triage found $stills still images, make-archives.py wrote $IMAGES"; ok=0; fi
    if [ "$known" != "$KNOWN" ]; then echo "WARNING: $name: $known known items, the hash database holds $KNOWN of the images"; ok=0; fi
    if [ "$errors" != "0" ]; then echo "WARNING: $name: $errors items with errors"; ok=0; fi
done
if [ "$ok" = 1 ]; then
    echo "check: every scan found all $IMAGES images and the $KNOWN known ones, with no errors"
fi
