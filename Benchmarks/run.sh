#!/usr/bin/env bash
# Speed benchmark: triage scan side by side with `file` (identification) and hashdeep (digests)
# on the same generated tree, in one run. See Benchmarks/README.md.
#
#   bash Benchmarks/run.sh
#
# Environment:
#   BENCH_TREE=DIR   use (and keep) the tree in DIR; generated there first if DIR is missing or
#                    empty. Without it the tree is generated in a temporary folder and deleted.
#   BENCH_RUNS=N     timed runs per tool (default 3); the table shows the median.
#   BENCH_IDLE_WAIT=S before each timed run, wait until the rest of the machine is idle, for at
#                    most S seconds in all (default 900; 0 = never wait). The "other CPU s"
#                    column shows how much other processes ran during each run anyway.
#
# The first build of .build-bench fetches the Swift package dependencies; apt-get runs only when
# file, hashdeep, time or bc is missing. Nothing else uses the network.
# Writes nothing into the repository except the git-ignored build folder .build-bench.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH="$REPO/.build-bench"
RUNS=${BENCH_RUNS:-3}
JOBS=$(nproc)

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools

need_packages=()
command -v file >/dev/null || need_packages+=(file)
command -v hashdeep >/dev/null || need_packages+=(hashdeep)
[ -x /usr/bin/time ] || need_packages+=(time)
command -v bc >/dev/null || need_packages+=(bc)
if [ ${#need_packages[@]} -gt 0 ]; then
    say "installing missing Debian packages: ${need_packages[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q "${need_packages[@]}" >&2 || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${need_packages[@]}" >&2; }
fi
python3 -c 'import PIL, numpy' 2>/dev/null || { say "run.sh: Pillow and numpy are needed to generate the tree (pip install pillow numpy)"; exit 2; }

# ---------------------------------------------------------------- build

say "building triage (release, --scratch-path $SCRATCH)..."
if ! (cd "$REPO" && swift build -c release --product triage --scratch-path "$SCRATCH") > /tmp/triage-bench-build.$$.log 2>&1; then
    tail -30 /tmp/triage-bench-build.$$.log >&2
    rm -f /tmp/triage-bench-build.$$.log
    say "run.sh: release build failed"
    exit 2
fi
rm -f /tmp/triage-bench-build.$$.log
TRIAGE="$(cd "$REPO" && swift build -c release --product triage --scratch-path "$SCRATCH" --show-bin-path)/triage"
[ -x "$TRIAGE" ] || { say "run.sh: no binary at $TRIAGE"; exit 2; }

# ---------------------------------------------------------------- temporary folder, tree

WORK=$(mktemp -d /tmp/triage-bench.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${BENCH_TREE:-}" ]; then
    TREE=$(mkdir -p "$BENCH_TREE" && cd "$BENCH_TREE" && pwd)
    if [ -n "$(ls -A "$TREE")" ]; then
        say "reusing the tree in $TREE"
    else
        say "generating the tree in $TREE (kept: BENCH_TREE)..."
        python3 "$REPO/Benchmarks/make-tree.py" "$TREE"
    fi
else
    TREE="$WORK/tree"
    say "generating the tree in $TREE (deleted at the end; set BENCH_TREE=DIR to keep it)..."
    python3 "$REPO/Benchmarks/make-tree.py" "$TREE"
fi
FILES=$(find "$TREE" -type f | wc -l)
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')

# Warm the page cache so that every tool reads from memory (the tree is ~350 MB).
find "$TREE" -type f -print0 | xargs -0 cat > /dev/null

# ---------------------------------------------------------------- hash database

# A small known-hash list: md5sum of the first 20 JPEGs of the tree (sorted by path).
find "$TREE" -type f -name 'IMG_*.jpg' | LC_ALL=C sort | sed -n '1,20p' | xargs -d '\n' md5sum > "$WORK/known.md5"
"$TRIAGE" hashdb import "$WORK/known.md5" --category C --db "$WORK/hashdb.sqlite" >&2

# ---------------------------------------------------------------- timed commands

# Timing: wall time and the CPU time other processes used meanwhile (Benchmarks/timing.sh).
source "$REPO/Benchmarks/timing.sh"

identify_file() {
    find "$TREE" -type f -print0 | xargs -0 -P"$JOBS" -n 200 file --mime-type -b > /dev/null
}

# `file` with the checks triage's libmagic flags turn off (ContentIdentifier.flags): the same
# libmagic work as triage's identification. For information; the target is against plain `file`.
identify_file_flags() {
    find "$TREE" -type f -print0 | xargs -0 -P"$JOBS" -n 200 file --mime-type -b \
        -e compress -e elf -e text -e encoding -e tokens -e json -e csv > /dev/null
}

digest_hashdeep() {
    hashdeep -c md5,sha1,sha256 -r "$TREE" > /dev/null
}

# triage_scan NAME RUN [extra scan options]: a fresh case directory each run.
# Peak memory from /usr/bin/time -v; triage's own --json summary kept for the sanity check.
triage_scan() {
    local name=$1 run=$2; shift 2
    local status=0
    /usr/bin/time -v -o "$WORK/time-$name-$run.txt" \
        "$TRIAGE" scan "$TREE" --case "$WORK/case-$name-$run" --exhibit BENCH/1 --db "$WORK/hashdb.sqlite" --progress none --json "$@" \
        > "$WORK/summary-$name-$run.json" 2> "$WORK/stderr-$name-$run.txt" || status=$?
    # 1 = finished, some items had errors: not a benchmark failure.
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        cat "$WORK/stderr-$name-$run.txt" >&2
        say "run.sh: triage scan $* exited with status $status"
        exit 1
    fi
}

declare -A TIMES OTHER
TOOLS=(file file_flags hashdeep scan scan_exact_only scan_hash_all)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before the timed runs: $LOAD_BEFORE"
measure() {  # measure TOOL COMMAND...: append "WALL" to TIMES[TOOL], "OTHER" to OTHER[TOOL]
    local tool=$1 out; shift
    wait_idle
    out=$(timed "$@") || exit 1
    TIMES[$tool]+="${out% *} "
    OTHER[$tool]+="${out#* } "
}
# Round-robin (file, hashdeep, triage, ... then again) so that drift in the machine's load
# spreads over all tools instead of landing on one.
for run in $(seq 1 "$RUNS"); do
    measure file identify_file
    measure file_flags identify_file_flags
    measure hashdeep digest_hashdeep
    measure scan triage_scan scan "$run"
    rm -rf "$WORK/case-scan-$run"
    measure scan_exact_only triage_scan scan_exact_only "$run" --no-perceptual
    rm -rf "$WORK/case-scan_exact_only-$run"
    measure scan_hash_all triage_scan scan_hash_all "$run" --hash-all
    rm -rf "$WORK/case-scan_hash_all-$run"
    say "run $run/$RUNS done"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
peak_rss_mb() {  # max "Maximum resident set size" (KB) over the runs of one variant, in MB
    grep -h 'Maximum resident set size' "$WORK"/time-"$1"-*.txt | awk '{if ($NF > m) m = $NF} END {printf "%.1f", m / 1024}'
}
json_field() { grep -o "\"$2\" *: *[0-9.]*" "$1" | head -1 | sed 's/.*: *//'; }

declare -A MED
for t in "${TOOLS[@]}"; do MED[$t]=$(echo "${TIMES[$t]}" | median); done
label() {
    case $1 in
        file) echo "file --mime-type, xargs -P$JOBS" ;;
        file_flags) echo "  same, triage's libmagic flags" ;;
        hashdeep) echo "hashdeep md5,sha1,sha256" ;;
        scan) echo "triage scan (decode + PDQ)" ;;
        scan_exact_only) echo "triage scan --no-perceptual" ;;
        scan_hash_all) echo "triage scan --hash-all" ;;
    esac
}

echo
echo "triage speed benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
echo "triage: $TRIAGE ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+uncommitted changes'))"
echo "tree: $TREE: $FILES files, $BYTES bytes ($(echo "$BYTES / 1000000" | bc -l | xargs printf '%.1f') MB), page cache warm"
echo "load average (1, 5, 15 min): before $LOAD_BEFORE, after $LOAD_AFTER (other work on the machine skews the figures)"
echo
printf '%-34s %9s %9s %8s   %-22s %s\n' "tool" "median s" "files/s" "MB/s" "runs (s)" "other CPU s"
for t in "${TOOLS[@]}"; do
    m=${MED[$t]}
    printf '%-34s %9.2f %9.0f %8.1f   %-22s %s\n' "$(label "$t")" "$m" "$(echo "$FILES / $m" | bc -l)" "$(echo "$BYTES / $m / 1000000" | bc -l)" \
        "$(for x in ${TIMES[$t]}; do printf '%.2f ' "$x"; done)" "${OTHER[$t]}"
done
echo "(files/s and MB/s: the whole tree divided by wall time, whatever each tool reads;"
echo " other CPU s: CPU seconds used by other processes, or stolen by the hypervisor, during each run; ~0 when idle)"
for t in "${TOOLS[@]}"; do
    read -r -a walls <<< "${TIMES[$t]}"; read -r -a others <<< "${OTHER[$t]}"
    for i in "${!walls[@]}"; do
        if [ "$(echo "${others[$i]} > 0.1 * ${walls[$i]}" | bc -l)" = 1 ]; then
            echo "WARNING: $(label "$t" | sed 's/^ *//') run $((i + 1)) shared the machine with other work (${others[$i]} CPU s): its figure is skewed; rerun on an idle machine"
        fi
    done
done
echo
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "ratios (throughput, > 1 means triage is faster):"
echo "  triage scan --no-perceptual vs file:      $(ratio "${MED[file]}" "${MED[scan_exact_only]}")x   (identification and digests vs identification alone; target >= 3x)"
echo "  same, vs file with triage's flags:        $(ratio "${MED[file_flags]}" "${MED[scan_exact_only]}")x"
echo "  triage scan vs hashdeep:                  $(ratio "${MED[hashdeep]}" "${MED[scan]}")x   (with decoding and PDQ; target >= 0.67x: at most 1.5x hashdeep's time)"
echo "  triage scan --no-perceptual vs hashdeep:  $(ratio "${MED[hashdeep]}" "${MED[scan_exact_only]}")x   (target > 1x: a whole scan faster than hashdeep alone)"
echo "  triage scan --hash-all vs hashdeep:       $(ratio "${MED[hashdeep]}" "${MED[scan_hash_all]}")x   (both hash every file)"
echo
# The floor under a scan with decoding: the image decoders alone (triage bench-decode: every image
# file of the tree, already read and identified, decoded on all cores; members of the zips are
# left out, so the floor is if anything low), added to the scan that decodes nothing.
wait_idle
"$TRIAGE" bench-decode "$TREE" --repeat "$RUNS" > "$WORK/decode.txt"
DECODE=$(sed -n 's/^decode only: wall \([0-9.]*\) s.*/\1/p' "$WORK/decode.txt")
DECODE_PDQ=$(sed -n 's/^decode + PDQ: wall \([0-9.]*\) s.*/\1/p' "$WORK/decode.txt")
sum() { echo "$1 + $2" | bc -l | xargs printf '%.2f'; }
echo "floor (triage bench-decode $TREE --repeat $RUNS):"
sed 's/^/  /' "$WORK/decode.txt"
echo "  scan --no-perceptual + decoders alone:    $(sum "${MED[scan_exact_only]}" "$DECODE") s = $(ratio "$(sum "${MED[scan_exact_only]}" "$DECODE")" "${MED[hashdeep]}")x hashdeep's time (the least a scan that decodes every image can take, with PDQ free)"
echo "  scan --no-perceptual + decoders + PDQ:    $(sum "${MED[scan_exact_only]}" "$DECODE_PDQ") s = $(ratio "$(sum "${MED[scan_exact_only]}" "$DECODE_PDQ")" "${MED[hashdeep]}")x (the scan with PDQ took ${MED[scan]} s)"
echo
echo "peak RSS (max over runs, /usr/bin/time -v): triage scan $(peak_rss_mb scan) MB, --no-perceptual $(peak_rss_mb scan_exact_only) MB, --hash-all $(peak_rss_mb scan_hash_all) MB"
s="$WORK/summary-scan-1.json"; h="$WORK/summary-scan_hash_all-1.json"
echo "triage's own summary (run 1): scan $(json_field "$s" items) items, $(json_field "$s" stills) stills, $(json_field "$s" known) known, $(json_field "$s" errors) errors, $(json_field "$s" seconds) s;" \
     "--hash-all $(json_field "$h" items) items, $(json_field "$h" bytes) bytes hashed or read, $(json_field "$h" errors) errors, $(json_field "$h" seconds) s"
# Members of the tree's zip archives are items too (the Expand stage), so a scan records at
# least one item per file; fewer means files were lost.
if [ "$(json_field "$s" items)" -lt "$FILES" ]; then
    echo "WARNING: triage recorded $(json_field "$s" items) items for $FILES files"
fi
