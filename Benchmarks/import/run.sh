#!/usr/bin/env bash
# Issue 6's import benchmark: `triage hashdb import` of N generated VICS Media records against
# `jq -c '.value[]' | wc -l` over the same file, wall time and peak memory side by side.
#
#   BENCH_RECORDS=N   records to generate (default 10000000: about 1.7 GB of JSON)
#   BENCH_RUNS=N      rounds, each timing both tools in turn (default 3); medians are printed
#   TRIAGE=PATH       the binary (default: the release build in .build)
#   BENCH_WORK=DIR    scratch folder (default: a fresh one under /tmp; removed at the end)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RECORDS=${BENCH_RECORDS:-10000000}
RUNS=${BENCH_RUNS:-3}
TRIAGE=${TRIAGE:-"$(cd "$REPO" && swift build -c release --show-bin-path)/triage"}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/triage-import-bench.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
command -v jq >/dev/null || { echo "installing jq" >&2; apt-get install -y -q jq >&2; }

echo "generating $RECORDS records..." >&2
python3 "$REPO/Benchmarks/import/make-vics.py" "$RECORDS" "$WORK/vics.json"
# Written out before timing, so that the kernel flushing the generator's 1.7 GB does not slow
# whichever tool runs first; then read once, so both start from a warm page cache.
sync
cat "$WORK/vics.json" > /dev/null

measure() {  # NAME COMMAND...: appends "wall-seconds peak-kB" to $WORK/runs-NAME
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out-$name" 2>&1
    cat "$WORK/time" >> "$WORK/runs-$name"
}
for round in $(seq "$RUNS"); do
    rm -f "$WORK"/hashdb.sqlite*
    measure triage "$TRIAGE" hashdb import "$WORK/vics.json" --db "$WORK/hashdb.sqlite"
    sync  # the database's pages, before the next tool runs
    measure jq sh -c "jq -c '.value[]' '$WORK/vics.json' | wc -l"
done

report() {  # NAME LABEL: median wall time, largest peak memory, every run
    local median peak runs
    median=$(cut -d' ' -f1 "$WORK/runs-$1" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
    peak=$(cut -d' ' -f2 "$WORK/runs-$1" | sort -n | tail -1)
    runs=$(cut -d' ' -f1 "$WORK/runs-$1" | tr '\n' ' ')
    printf "%-28s %8.1f s %8d MB   runs: %s\n" "$2" "$median" "$((peak / 1024))" "$runs"
}
echo "file: $(du -h "$WORK/vics.json" | cut -f1), $RECORDS Media records; triage: $TRIAGE; $RUNS rounds; median wall time, largest peak"
report triage "triage hashdb import"
report jq "jq -c '.value[]' | wc -l"
echo "triage: $(tail -1 "$WORK/out-triage")"
echo "target (issue 6): <= 60 s and <= 200 MB peak for 10 million records"
