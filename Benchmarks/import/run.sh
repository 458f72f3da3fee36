#!/usr/bin/env bash
# Issue 6's import benchmark: `triage hashdb import` of N generated VICS Media records against
# `jq -c '.value[]' | wc -l` over the same file, wall time and peak memory side by side.
#
#   BENCH_RECORDS=N   records to generate (default 10000000: about 1.8 GB of JSON)
#   TRIAGE=PATH       the binary (default: the release build in .build)
#   BENCH_WORK=DIR    scratch folder (default: a fresh one under /tmp; removed at the end)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RECORDS=${BENCH_RECORDS:-10000000}
TRIAGE=${TRIAGE:-"$(cd "$REPO" && swift build -c release --show-bin-path)/triage"}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/triage-import-bench.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
command -v jq >/dev/null || { echo "installing jq" >&2; apt-get install -y -q jq >&2; }

echo "generating $RECORDS records..." >&2
python3 "$REPO/Benchmarks/import/make-vics.py" "$RECORDS" "$WORK/vics.json"
cat "$WORK/vics.json" > /dev/null   # page cache warm

measure() {  # NAME COMMAND...: prints "NAME wall-seconds peak-MB"
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time-$name" "$@" > "$WORK/out-$name" 2>&1
    read -r wall kb < "$WORK/time-$name"
    printf "%-34s %9.1f s %9.0f MB\n" "$name" "$wall" "$((kb / 1024))"
}
echo "file: $(du -h "$WORK/vics.json" | cut -f1), $RECORDS Media records; triage: $TRIAGE"
measure "triage hashdb import" "$TRIAGE" hashdb import "$WORK/vics.json" --db "$WORK/hashdb.sqlite"
measure "jq -c '.value[]' | wc -l" sh -c "jq -c '.value[]' '$WORK/vics.json' | wc -l"
echo "triage: $(tail -1 "$WORK/out-triage hashdb import")"
echo "target (issue 6): <= 60 s and <= 200 MB peak for 10 million records"
