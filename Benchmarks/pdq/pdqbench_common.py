"""Shared helpers of the PDQ benchmark scripts (hash files, memory, machine load).

Not a script: make-index-data.py, faiss-bench.py and pdqhash-bench.py import it from their own
folder. See README.md in this folder for the file formats.
"""
import os
import time

import numpy as np

HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# byte value -> its two lower-case hex digits, as a (256, 2) table of ASCII codes
_BYTE_TO_HEX = np.stack([HEX_DIGITS[np.arange(256) >> 4], HEX_DIGITS[np.arange(256) & 15]], axis=1)
# ASCII code -> nibble value, 255 for anything that is not a lower-case hex digit
_HEX_TO_NIBBLE = np.full(256, 255, dtype=np.uint8)
_HEX_TO_NIBBLE[HEX_DIGITS] = np.arange(16, dtype=np.uint8)

LINE = 65  # 64 hex digits + "\n"


def write_hex_hashes(path, hashes, chunk=1_000_000):
    """Write an (N, 32) uint8 array as N lines of 64 lower-case hex digits + LF.

    Byte 0 of a row becomes hex digits 1-2 of its line (the usual big-endian reading of a
    256-bit PDQ hash: the first hex digit holds bits 255..252)."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint8)
    assert hashes.ndim == 2 and hashes.shape[1] == 32
    with open(path, "wb") as f:
        for start in range(0, len(hashes), chunk):
            part = hashes[start:start + chunk]
            text = np.empty((len(part), LINE), dtype=np.uint8)
            text[:, :64] = _BYTE_TO_HEX[part].reshape(len(part), 64)
            text[:, 64] = 0x0A
            text.tofile(f)


def read_hex_hashes(path):
    """Read a file written by write_hex_hashes back into an (N, 32) uint8 array.

    Fast path for exact 65-byte lines; otherwise (CRLF, upper case, blank lines, a missing final
    newline) falls back to parsing line by line. Raises ValueError on anything that is not a hash."""
    raw = np.fromfile(path, dtype=np.uint8)
    if len(raw) and raw[-1] != 0x0A:
        raw = np.append(raw, np.uint8(0x0A))
    if len(raw) % LINE == 0:
        rows = raw.reshape(-1, LINE)
        if np.all(rows[:, 64] == 0x0A):
            out = np.empty((len(rows), 32), dtype=np.uint8)
            for start in range(0, len(rows), 1_000_000):  # in chunks: bounded temporaries
                nib = _HEX_TO_NIBBLE[rows[start:start + 1_000_000, :64]]
                if np.any(nib == 255):
                    break
                out[start:start + len(nib)] = (nib[:, 0::2] << 4) | nib[:, 1::2]
            else:
                return out
    # slow, tolerant path
    out = []
    with open(path, "r", encoding="ascii") as f:
        for number, line in enumerate(f, 1):
            line = line.strip().lower()
            if not line:
                continue
            if len(line) != 64:
                raise ValueError(f"{path}:{number}: not a 64-digit hex hash")
            out.append(bytes.fromhex(line))
    return np.frombuffer(b"".join(out), dtype=np.uint8).reshape(-1, 32)


def rss_mb():
    """(current RSS, peak RSS) of this process in MB, from /proc/self/status."""
    cur = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


_HZ = os.sysconf("SC_CLK_TCK")


def _busy_seconds():
    # user nice system irq softirq steal, as in Benchmarks/run.sh
    with open("/proc/stat") as f:
        v = f.readline().split()
    return (int(v[1]) + int(v[2]) + int(v[3]) + int(v[6]) + int(v[7]) + int(v[8])) / _HZ


class OtherLoad:
    """CPU seconds that other processes used (or the hypervisor stole) while a block ran.

        with OtherLoad() as load: ...
        load.other, load.wall
    Close to 0 on an idle machine; on 2 cores, anything near the wall time means a figure is skewed."""

    def __enter__(self):
        t = os.times()
        self._own0 = t.user + t.system + t.children_user + t.children_system
        self._busy0 = _busy_seconds()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._t0
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system - self._own0
        self.other = max(0.0, _busy_seconds() - self._busy0 - own)
        return False


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def wait_idle(max_seconds, say=print):
    """Wait until the rest of the machine uses under 10% of a core (at most max_seconds)."""
    waited = 0
    while waited < max_seconds:
        b0 = _busy_seconds()
        time.sleep(2)
        if (_busy_seconds() - b0) / 2 < 0.10:
            break
        waited += 2
    if waited:
        say(f"(waited {waited} s for the machine to be idle{'; still busy' if waited >= max_seconds else ''})")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a list of numbers."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(1, int(np.ceil(p / 100 * len(v))))
    return v[k - 1]
