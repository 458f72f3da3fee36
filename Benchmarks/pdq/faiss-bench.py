#!/usr/bin/env python3
"""Reference timings for PDQ near-duplicate search: faiss IndexBinaryFlat range search, one thread.

Usage: python3 Benchmarks/pdq/faiss-bench.py DB QUERIES [--radius 31] [--out RESULTS] [--brute]
                                             [--check 100] [--meta META] [--idle-wait S]

DB and QUERIES are files of 64-hex-digit PDQ hashes, one a line (make-index-data.py writes them).
Each hash becomes 32 bytes (byte 0 = hex digits 1-2) for faiss and numpy alike; Hamming distance
does not depend on the bit order as long as database and queries are converted the same way.

Measures, with faiss.omp_set_num_threads(1):
- load: reading and converting the hex files (numpy, vectorised);
- build: IndexBinaryFlat(256).add(db) (an exact, flat index: a copy of the 32-byte codes);
- query: range_search for one query at a time, every query timed on its own (after one untimed
  warm-up query): median, p99, mean, max in ms; then all queries in one range_search call;
- memory: RSS growth from the add, and the process's peak RSS.

A match is a database line at Hamming distance <= --radius (inclusive, the PDQ convention:
distance <= 31 is a match). faiss's own range_search keeps distances < its radius, so it is called
with radius + 1.

Checks: numpy brute force (XOR + popcount over four uint64 words per hash) must give the same
result sets for the first --check queries (default 100), or, with --brute, for every query (and
is then timed too); when META (default: QUERIES with .txt replaced by .meta.tsv, if present) names
each query's source line and flip count, every query with flips <= radius must find its source.

RESULTS (--out): one line per query, in query order: "<query index>: <db line indices>", indices
0-based, ascending, separated by single spaces; "<query index>:" when nothing matched.
"""
import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from pdqbench_common import OtherLoad, loadavg, percentile, read_hex_hashes, rss_mb, wait_idle  # noqa: E402

if hasattr(np, "bitwise_count"):  # numpy >= 2.0
    def popcount64(x, out=None):
        return np.bitwise_count(x, out=out)
else:
    _POP16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)

    def popcount64(x, out=None):
        r = _POP16[x.view(np.uint16)].reshape(-1, 4).sum(axis=1, dtype=np.uint8)
        if out is not None:
            out[:] = r
            return out
        return r


class NumpyBrute:
    """Exact Hamming range search over (N, 32) uint8 hashes, one query at a time."""

    def __init__(self, db):
        # four contiguous rows of N uint64 words: word w of every hash is one contiguous array
        self.words = np.ascontiguousarray(db.view(np.uint64).T)
        n = db.shape[0]
        self._x = np.empty(n, dtype=np.uint64)
        self._c = np.empty(n, dtype=np.uint8)
        self._d = np.empty(n, dtype=np.uint16)

    def search(self, q, radius):
        qw = q.view(np.uint64)
        d = self._d
        d[:] = 0
        for w in range(4):
            np.bitwise_xor(self.words[w], qw[w], out=self._x)
            popcount64(self._x, out=self._c)
            d += self._c
        return np.flatnonzero(d <= radius)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db")
    p.add_argument("queries")
    p.add_argument("--radius", type=int, default=31, help="match when Hamming distance <= RADIUS (default 31)")
    p.add_argument("--out", help="write the result sets here")
    p.add_argument("--brute", action="store_true", help="also run and time numpy brute force over every query")
    p.add_argument("--check", type=int, default=100, help="queries cross-checked with numpy without --brute (default 100)")
    p.add_argument("--meta", help="queries' meta.tsv (default: next to QUERIES, if present)")
    p.add_argument("--idle-wait", type=int, default=0,
                   help="wait up to S seconds for the rest of the machine to be idle before timing (default 0)")
    return p.parse_args()


def time_queries(search, queries):
    """Run search(i) for every query, each timed alone; returns (results, per-query seconds)."""
    search(0)  # warm-up, untimed
    results, times = [], []
    for i in range(len(queries)):
        t0 = time.perf_counter()
        r = search(i)
        times.append(time.perf_counter() - t0)
        results.append(r)
    return results, times


def summary(times):
    ms = [t * 1e3 for t in times]
    return (f"median {statistics.median(ms):.3f} ms, p99 {percentile(ms, 99):.3f} ms, "
            f"mean {statistics.fmean(ms):.3f} ms, max {max(ms):.3f} ms, "
            f"{len(ms) / sum(times):.0f} queries/s")


def main():
    a = parse_args()
    import faiss

    faiss.omp_set_num_threads(1)
    print(f"faiss {faiss.__version__}, numpy {np.__version__}, {os.cpu_count()} cores, 1 thread; "
          f"load average {loadavg()}")

    t0 = time.perf_counter()
    db = read_hex_hashes(a.db)
    queries = read_hex_hashes(a.queries)
    t_load = time.perf_counter() - t0
    n, nq = len(db), len(queries)
    print(f"db {a.db}: {n:,} hashes; queries {a.queries}: {nq:,}; radius <= {a.radius}; "
          f"load + hex decode {t_load:.2f} s")
    if nq == 0:
        sys.exit("no queries")

    wait_idle(a.idle_wait)
    rss_before = rss_mb()[0]
    with OtherLoad() as build:
        index = faiss.IndexBinaryFlat(256)
        index.add(db)
    rss_after = rss_mb()[0]
    print(f"build: IndexBinaryFlat(256).add {build.wall:.3f} s ({n / build.wall / 1e6:.1f} M hashes/s); "
          f"codes {n * 32 / 2**20:.1f} MiB, RSS +{rss_after - rss_before:.1f} MB")

    def faiss_one(i):
        lims, _, ids = index.range_search(queries[i:i + 1], a.radius + 1)
        return np.sort(ids[lims[0]:lims[1]])

    with OtherLoad() as qload:
        f_res, f_times = time_queries(faiss_one, queries)
    print(f"faiss range_search, one query at a time ({nq} queries): {summary(f_times)}")

    with OtherLoad() as bload:
        lims, _, ids = index.range_search(queries, a.radius + 1)
    batch = [np.sort(ids[lims[i]:lims[i + 1]]) for i in range(nq)]
    assert all(np.array_equal(x, y) for x, y in zip(batch, f_res)), "batch and single range_search differ"
    print(f"faiss range_search, all {nq} queries in one call: {bload.wall:.3f} s "
          f"({bload.wall / nq * 1e3:.3f} ms per query)")

    brute = NumpyBrute(db)
    b_load = None
    if a.brute:
        with OtherLoad() as b_load:
            b_res, b_times = time_queries(lambda i: brute.search(queries[i], a.radius), queries)
        print(f"numpy brute force, one query at a time: {summary(b_times)}")
        checked = nq
    else:
        checked = min(a.check, nq)
        b_res = [brute.search(queries[i], a.radius) for i in range(checked)]
    for i in range(checked):
        assert np.array_equal(f_res[i], b_res[i]), f"faiss and numpy differ on query {i}"
    print(f"check: faiss and numpy brute force agree on {'all' if checked == nq else 'the first'} {checked} queries")

    meta = a.meta
    if meta is None and a.queries.endswith(".txt") and os.path.exists(a.queries[:-4] + ".meta.tsv"):
        meta = a.queries[:-4] + ".meta.tsv"
    if meta:
        m = np.loadtxt(meta, dtype=np.int64, comments="#", ndmin=2)
        assert len(m) == nq and np.array_equal(m[:, 0], np.arange(nq)), f"{meta} does not fit the queries"
        expect = [(int(q), int(s)) for q, s, d in m if s >= 0 and d <= a.radius]
        missing = [q for q, s in expect if s not in set(f_res[q].tolist())]
        assert not missing, f"queries not finding their source: {missing[:10]}"
        rand = [int(q) for q, s, _ in m if s < 0]
        rand_hits = sum(1 for q in rand if len(f_res[q]))
        print(f"check: all {len(expect)} near queries find their source line ({meta}); "
              f"{rand_hits} of {len(rand)} random queries match anything")

    sizes = np.array([len(r) for r in f_res])
    print(f"matches: {int(sizes.sum()):,} in all; {int((sizes > 0).sum())} queries with any, "
          f"at most {int(sizes.max())} for one query")
    rss, peak = rss_mb()
    print(f"memory: RSS {rss:.0f} MB, peak {peak:.0f} MB (whole process: numpy copies of the hashes included)")
    other = [("build", build), ("faiss queries", qload), ("faiss batch", bload)] + ([("numpy", b_load)] if b_load else [])
    print("other processes' CPU s during: " + ", ".join(f"{k} {v.other:.2f} (of {v.wall:.2f} s wall)" for k, v in other)
          + f"; load average after {loadavg()}")
    if any(v.other > max(0.1 * v.wall, 0.05) for _, v in other):
        print("WARNING: other work ran on the machine meanwhile: the timings are skewed; rerun when idle")

    if a.out:
        with open(a.out, "w") as f:
            for i, r in enumerate(f_res):
                f.write(f"{i}:" + "".join(f" {j}" for j in r.tolist()) + "\n")
        print(f"results: {a.out}")


if __name__ == "__main__":
    main()
