# Timing helpers shared by Benchmarks/run.sh and Benchmarks/containers/run.sh (sourced; the
# caller defines `say` and `WORK`, a scratch folder).

# Every timed command runs through `timed`, which prints "WALL OTHER": wall seconds, and the CPU
# seconds that other processes on the machine used (or the hypervisor stole) meanwhile: all busy
# CPU time from /proc/stat minus this command's own, from `times`. OTHER well above zero means the figure is skewed.
now() { date +%s.%N; }
# user nice system irq softirq steal: steal is time the hypervisor gave to other machines
HZ=$(getconf CLK_TCK)
busy_seconds() { awk -v hz="$HZ" '/^cpu / {printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat; }
parse_times() {  # user + system CPU seconds of finished children, from the output of `times`
    awk 'NR == 2 {s = 0; for (i = 1; i <= 2; i++) {split($i, a, "m"); s += a[1] * 60 + a[2]} printf "%.3f", s}' "$1"
}
timed() {
    local b0 t0 t1 b1
    # `times` must run in this shell (not in a $(...) subshell) to see this shell's children.
    b0=$(busy_seconds); times > "$WORK/times0"; t0=$(now)
    "$@"
    t1=$(now); times > "$WORK/times1"; b1=$(busy_seconds)
    echo "$t0 $t1 $b0 $b1 $(parse_times "$WORK/times0") $(parse_times "$WORK/times1")" |
        awk '{o = ($4 - $3) - ($6 - $5); if (o < 0) o = 0; printf "%.3f %.2f\n", $2 - $1, o}'
}

# On a shared machine: before each timed run wait (at most BENCH_IDLE_WAIT seconds in all,
# default 900; 0 = never wait) until the rest of the machine uses under 10% of a core.
IDLE_BUDGET=${BENCH_IDLE_WAIT:-900}
wait_idle() {
    local waited=0 b0 b1
    while [ "$IDLE_BUDGET" -gt 0 ]; do
        b0=$(busy_seconds); sleep 2; b1=$(busy_seconds)
        if [ "$(echo "($b1 - $b0) / 2 < 0.10" | bc -l)" = 1 ]; then break; fi
        IDLE_BUDGET=$((IDLE_BUDGET - 2)); waited=$((waited + 2))
    done
    if [ "$waited" -gt 0 ]; then say "  (waited ${waited} s for the machine to be idle)"; fi
    if [ "$IDLE_BUDGET" -le 0 ] && [ "${BENCH_IDLE_WAIT:-900}" -gt 0 ]; then say "  (machine still busy, running anyway)"; fi
    return 0
}
